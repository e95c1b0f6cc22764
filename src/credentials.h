/*-------------------------------------------------------------------------
 * credentials.h
 *	  What credentials.c (options, cache, the chain of a server) and
 *	  credentials_fetch.c (the providers that talk to files, processes and
 *	  endpoints) share.  Not for the rest of the extension: ddbrel.h holds
 *	  the entry points.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_CREDENTIALS_H
#define DDB_CREDENTIALS_H

#include "ddbrel.h"
#include "credentials_core.h"

/* Everything the providers need to know of (server, user). */
typedef struct DdbCredConfig
{
	const char *servername;
	DdbCredSource source;
	DdbServerOptions sopts;		/* region, timeouts, TLS settings */
	const char *profile;		/* option profile, or NULL */
	const char *role_arn;		/* option role_arn, or NULL */
	const char *external_id;
	const char *session_name;	/* NULL: ddbrel-<backend pid> */
	int			duration;		/* 0: STS's default */
	const char *sts_url;		/* STS endpoint: option or the region's */
	const char *sts_region;		/* region STS requests are signed for */
	const char *imds_endpoint;	/* option imds_endpoint, or NULL */
} DdbCredConfig;

/*
 * Raises the error for a source that could not give credentials: SQLSTATE
 * 28000, the server and the source (from, a translated noun phrase) in the
 * message; the arguments after from say why: an errdetail, one whole
 * sentence, and maybe an errhint.  Never pass a secret.  A macro, so that
 * each message is written whole where it is raised.
 */
#define ddb_cred_fail(cfg, from, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION), \
			 errmsg("could not get AWS credentials for server \"%s\" from %s", \
					(cfg)->servername, (from)), \
			 __VA_ARGS__))

/* Providers (credentials_fetch.c): fill *out (malloc'd) or raise. */
extern void ddb_fetch_environment(const DdbCredConfig *cfg, ddb_cred *out);
extern void ddb_fetch_profile(const DdbCredConfig *cfg, ddb_cred *out);
extern void ddb_fetch_web_identity(const DdbCredConfig *cfg, ddb_cred *out);
extern void ddb_fetch_container(const DdbCredConfig *cfg, ddb_cred *out);
extern void ddb_fetch_instance(const DdbCredConfig *cfg, ddb_cred *out);
extern void ddb_assume_role(const DdbCredConfig *cfg, const ddb_cred *base,
							const char *role_arn, const char *external_id,
							const char *session_name, int duration,
							const char *from, ddb_cred *out);

#endif
