/*
 * fuzz_profile_core.c
 *	  libFuzzer target for src/profile_core.c.
 *
 * The input is "<config file>\0<credentials file>\0<profile name>" (missing
 * parts are empty), as an administrator's files might hold anything; the
 * whole input is also split as a credential_process command line.  Checks:
 * a resolved plan has a base profile, at most DDB_PROFILE_MAX_ROLES roles
 * each with an ARN, and the fields its base needs; an error has a message;
 * a split has at least one word, a NULL after the last, and never more
 * bytes than it was given.
 */
#include "profile_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *
part(const char *s, size_t len, size_t *off, size_t *plen)
{
	const char *p = s + *off;
	const char *nul;

	if (*off >= len)
	{
		*plen = 0;
		return "";
	}
	nul = memchr(p, '\0', len - *off);
	*plen = nul ? (size_t) (nul - p) : len - *off;
	*off += *plen + 1;
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s = malloc(size + 1);
	size_t		off = 0;
	size_t		clen, klen, plen;
	const char *config;
	const char *creds;
	const char *prof;
	char	   *name;
	ddb_profile_plan plan;
	char		err[300];
	int			rc;
	int			i;
	int			argc;
	char	  **argv;

	memcpy(s, data, size);
	s[size] = '\0';
	config = part(s, size, &off, &clen);
	creds = part(s, size, &off, &klen);
	prof = part(s, size, &off, &plen);
	name = malloc(plen + 1);
	memcpy(name, prof, plen);
	name[plen] = '\0';

	rc = ddb_profile_resolve(config, clen, creds, klen, name[0] ? name : "default",
							 &plan, err, sizeof(err));
	if (rc == 0)
	{
		if (plan.base_profile == NULL || plan.nroles < 0 || plan.nroles > DDB_PROFILE_MAX_ROLES)
			abort();
		for (i = 0; i < plan.nroles; i++)
			if (plan.roles[i].role_arn == NULL || plan.roles[i].role_arn[0] == '\0' ||
				plan.roles[i].profile == NULL)
				abort();
		switch (plan.base)
		{
			case DDB_PROFILE_STATIC:
				if (plan.access_key_id == NULL || plan.secret_access_key == NULL ||
					!plan.access_key_id[0] || !plan.secret_access_key[0])
					abort();
				break;
			case DDB_PROFILE_PROCESS:
				if (plan.process == NULL || plan.process[0] == '\0')
					abort();
				break;
			case DDB_PROFILE_WEB_IDENTITY:
				if (plan.web_identity_token_file == NULL || plan.web_role_arn == NULL)
					abort();
				break;
			default:
				if (plan.nroles < 1)
					abort();
				break;
		}
	}
	else if (rc != -1 || err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	ddb_profile_plan_free(&plan);

	argv = ddb_shell_split(s, &argc, err, sizeof(err));
	if (argv)
	{
		size_t		total = 0;

		if (argc < 1 || argv[argc] != NULL)
			abort();
		for (i = 0; i < argc; i++)
			total += strlen(argv[i]);
		if (total > strlen(s))
			abort();
		ddb_shell_split_free(argv);
	}
	else if (argc != 0 || err[0] == '\0')
		abort();

	free(name);
	free(s);
	return 0;
}
