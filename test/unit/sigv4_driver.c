/*
 * sigv4_driver.c — feeds framed requests from stdin to src/sigv4.c.
 *
 * Used by sigv4_crosscheck.py to compare our signatures with botocore's.
 * Input: a sequence of requests, each 11 fields in this order:
 *   host, path, region, service, access_key_id, secret_access_key,
 *   session_token, amz_target, content_type, epoch_seconds, body
 * Each field is "<decimal length>\n<bytes>\n"; a length of -1 (no bytes)
 * means NULL (only meaningful for session_token and amz_target).  The amz_date is made
 * from epoch_seconds with ddb_sigv4_amz_date, so that is checked too.
 * Output, per request: with no argument, one line holding the Authorization
 * value (or "ERROR"); with "canonical", "<length>\n<canonical request>\n".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"

#define NFIELDS 11

/* Reads one field; returns 0 on success, 1 on clean EOF, -1 on bad input. */
static int
read_field(char **out, size_t *outlen)
{
	long long	len;
	char	   *buf;

	*out = NULL;
	*outlen = 0;
	if (scanf("%lld", &len) != 1)
		return feof(stdin) ? 1 : -1;
	if (getchar() != '\n')
		return -1;
	if (len < 0)
		return 0;
	buf = malloc((size_t) len + 1);
	if (buf == NULL)
		return -1;
	if (fread(buf, 1, (size_t) len, stdin) != (size_t) len || getchar() != '\n')
	{
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = (size_t) len;
	return 0;
}

int
main(int argc, char **argv)
{
	int			canonical = argc > 1 && strcmp(argv[1], "canonical") == 0;
	static char out[1 << 20];

	for (;;)
	{
		char	   *f[NFIELDS];
		size_t		flen[NFIELDS];
		ddb_sigv4_request req;
		char		date[17];
		int			i;
		int			rc = 0;

		for (i = 0; i < NFIELDS; i++)
		{
			rc = read_field(&f[i], &flen[i]);
			if (rc != 0)
				break;
		}
		if (rc != 0)
		{
			int			clean_eof = (rc == 1 && i == 0);

			while (--i >= 0)
				free(f[i]);
			if (clean_eof)
				return 0;
			fprintf(stderr, "sigv4_driver: malformed input\n");
			return 2;
		}

		ddb_sigv4_amz_date(f[9] ? strtoll(f[9], NULL, 10) : 0, date);
		memset(&req, 0, sizeof(req));
		req.host = f[0];
		req.path = f[1];
		req.region = f[2];
		req.service = f[3];
		req.access_key_id = f[4];
		req.secret_access_key = f[5];
		req.session_token = f[6];
		req.amz_target = f[7];
		req.content_type = f[8];
		req.amz_date = date;
		req.body = f[10];
		req.body_len = flen[10];

		if (canonical)
		{
			if (ddb_sigv4_canonical_request(&req, out, sizeof(out)) != 0)
				strcpy(out, "ERROR");
			printf("%zu\n%s\n", strlen(out), out);
		}
		else if (ddb_sigv4_authorization(&req, out, sizeof(out)) == 0)
			printf("%s\n", out);
		else
			printf("ERROR\n");

		for (i = 0; i < NFIELDS; i++)
			free(f[i]);
	}
}
