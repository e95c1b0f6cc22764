/*-------------------------------------------------------------------------
 * profile_core.h
 *	  AWS shared config and credentials files: which credentials a named
 *	  profile stands for, and the command line of a credential_process.
 *
 * Pure C, no PostgreSQL headers: unit-tested (test/unit/test_profile_core.c)
 * and fuzzed (test/fuzz/fuzz_profile_core.c), since the files are input the
 * extension does not control.  Everything is malloc'd; nothing here does
 * I/O: the caller reads the files and runs what the plan says.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_PROFILE_CORE_H
#define DDB_PROFILE_CORE_H

#include <stddef.h>

#define DDB_PROFILE_MAX_ROLES 8

/* Where a profile's chain of credentials starts. */
typedef enum ddb_profile_base
{
	DDB_PROFILE_STATIC,			/* aws_access_key_id / aws_secret_access_key */
	DDB_PROFILE_PROCESS,		/* credential_process */
	DDB_PROFILE_WEB_IDENTITY,	/* web_identity_token_file with role_arn */
	DDB_PROFILE_ENVIRONMENT,	/* credential_source = Environment */
	DDB_PROFILE_INSTANCE,		/* credential_source = Ec2InstanceMetadata */
	DDB_PROFILE_CONTAINER		/* credential_source = EcsContainer */
} ddb_profile_base;

/* One AssumeRole step of a chain (role_arn with source_profile or credential_source). */
typedef struct ddb_profile_role
{
	char	   *profile;		/* the profile that names the role */
	char	   *role_arn;
	char	   *external_id;	/* NULL when absent */
	char	   *session_name;	/* NULL when absent */
	int			duration_seconds;	/* 0 when absent */
} ddb_profile_role;

/*
 * What a profile resolves to: a base source, then the roles to assume on
 * top of it, first to last.
 */
typedef struct ddb_profile_plan
{
	ddb_profile_base base;
	char	   *base_profile;	/* the profile whose settings are the base */
	/* DDB_PROFILE_STATIC */
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;	/* NULL when absent */
	/* DDB_PROFILE_PROCESS */
	char	   *process;
	/* DDB_PROFILE_WEB_IDENTITY */
	char	   *web_identity_token_file;
	char	   *web_role_arn;
	char	   *web_session_name;	/* NULL when absent */
	int			nroles;
	ddb_profile_role roles[DDB_PROFILE_MAX_ROLES];
} ddb_profile_plan;

/*
 * Resolves profile from the text of the config file (sections "[default]"
 * and "[profile NAME]") and of the credentials file (sections "[NAME]"),
 * either of which may be NULL; settings of the credentials file win, as in
 * the AWS CLI and SDKs.  Returns 0 and fills *plan, or returns -1 with a
 * message in err (never a secret: names of profiles and settings only).
 * Free the plan with ddb_profile_plan_free in either case.
 */
extern int	ddb_profile_resolve(const char *config, size_t config_len,
								const char *credentials, size_t credentials_len,
								const char *profile, ddb_profile_plan *plan,
								char *err, size_t errlen);

/* Frees what the plan holds, wiping it first; the plan may be zeroed. */
extern void ddb_profile_plan_free(ddb_profile_plan *plan);

/*
 * Splits a credential_process command line into words as a POSIX shell
 * splits a command without expansions (quotes and backslashes; what
 * Python's shlex.split does, which the AWS CLI uses).  Returns a malloc'd
 * NULL-terminated array (free with ddb_shell_split_free) and sets *argc, or
 * NULL with a message in err.  An empty command is an error.
 */
extern char **ddb_shell_split(const char *cmd, int *argc, char *err, size_t errlen);
extern void ddb_shell_split_free(char **argv);

#endif
