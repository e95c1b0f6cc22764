/*
 * fuzz_credentials_core.c
 *	  libFuzzer target for src/credentials_core.c.
 *
 * The first byte picks what the rest is read as: a credential_process,
 * container or instance metadata JSON answer, an STS XML answer, an
 * ISO 8601 time, or two NUL-separated environment values for the container
 * and instance metadata URLs.  Checks: credentials that are accepted can go
 * into HTTP headers; an error always says something and terminates its
 * buffer; an STS error has a code; URLs that are accepted are http(s) URLs
 * without spaces.
 */
#include "credentials_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
check_url(const char *u)
{
	const char *p;

	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		abort();
	for (p = u; *p; p++)
		if ((unsigned char) *p <= 0x20 || (unsigned char) *p >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s;
	size_t		n;
	ddb_cred	c;
	char		err[256];
	char		code[64];
	char		url[512];
	char	   *copy;
	int			rc;
	long long	t;

	if (size < 1)
		return 0;
	s = (const char *) data + 1;
	n = size - 1;
	err[0] = '\0';
	switch (data[0] % 6)
	{
		case 0:
		case 1:
		case 2:
			rc = ddb_cred_from_json(s, n, (ddb_cred_json) (data[0] % 3), &c, err, sizeof(err));
			if (rc == 0 && (!ddb_cred_valid(&c) || c.expiration < 0))
				abort();
			if (rc != 0 && (err[0] == '\0' || c.access_key_id != NULL))
				abort();
			ddb_cred_free(&c);
			break;
		case 3:
			rc = ddb_sts_parse(s, n, &c, code, sizeof(code), err, sizeof(err));
			if (rc == 0 && !ddb_cred_valid(&c))
				abort();
			if (rc == 1 && (code[0] == '\0' || c.access_key_id != NULL))
				abort();
			if (rc == -1 && err[0] == '\0')
				abort();
			if (memchr(code, '\0', sizeof(code)) == NULL || memchr(err, '\0', sizeof(err)) == NULL)
				abort();
			ddb_cred_free(&c);
			break;
		case 4:
			copy = malloc(n + 1);
			memcpy(copy, s, n);
			copy[n] = '\0';
			(void) ddb_parse_iso8601(copy, &t);
			free(copy);
			break;
		case 5:
			{
				const char *nul;
				char	   *a;
				const char *b;

				copy = malloc(n + 1);
				memcpy(copy, s, n);
				copy[n] = '\0';
				nul = memchr(copy, '\0', n);
				a = copy;
				b = nul ? nul + 1 : NULL;
				if (ddb_container_url(a, b, url, sizeof(url), err, sizeof(err)) == 0)
					check_url(url);
				else if (err[0] == '\0')
					abort();
				if (ddb_imds_base(NULL, a, b, url, sizeof(url), err, sizeof(err)) == 0)
				{
					check_url(url);
					if (url[strlen(url) - 1] == '/')
						abort();
				}
				free(copy);
			}
			break;
	}
	return 0;
}
