/*-------------------------------------------------------------------------
 * credentials.c
 *	  Where a server's DynamoDB requests get their AWS credentials: the
 *	  source its options choose (option.c checks and reads them), the
 *	  user mapping's keys, and the per-backend cache of temporary
 *	  credentials.
 *
 * Sources (server option credential_source)
 *	  user_mapping		keys in the user mapping (the default; a superuser's
 *						mapping without keys uses the server's environment)
 *	  environment		AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 *						AWS_SESSION_TOKEN of the server process
 *	  profile			a profile (option profile, else AWS_PROFILE, else
 *						"default") of the server process's AWS config and
 *						credentials files, credential_process included
 *	  web_identity		AssumeRoleWithWebIdentity with
 *						AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (EKS IRSA)
 *	  container			the ECS or EKS Pod Identity agent
 *						(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI)
 *	  instance_metadata	the EC2 instance profile through IMDSv2
 *	With role_arn, the credentials of the source assume that role through
 *	STS AssumeRole (external_id, role_session_name, role_duration).
 *
 * Who may choose what (checked by option.c's ddb_validate_aws_options)
 *	  Every source but user_mapping hands out credentials the database
 *	  server holds, so only a superuser may set it, and then nobody else may
 *	  change any option of that server (the validator sees all of them).
 *	  imds_endpoint is a superuser's option too.  role_arn, sts_endpoint
 *	  and the endpoint choices are anyone's on a user_mapping server: the
 *	  keys assuming the role are the user's own; sts_endpoint follows the
 *	  rule of endpoint (no link-local address unless a superuser sets it).
 *	  A user mapping on a server with another source must not hold keys:
 *	  they would silently go unused.
 *
 * Cache and refresh
 *	  Credentials other than the user mapping's and the environment's (read
 *	  every time: cheap, and a change is seen at once) are kept per backend
 *	  by (server, user), with a fingerprint of the options that made them,
 *	  in malloc'd memory that is wiped when an entry is dropped: when its
 *	  server or a user mapping that may apply changes (syscache
 *	  invalidation), when they are replaced, and when the backend exits.
 *	  Credentials that expire are fetched again DDB_CRED_REFRESH_MARGIN_S
 *	  (5 minutes) before they expire by the first statement of a
 *	  transaction, and only DDB_CRED_MIN_MARGIN_S (1 minute) before by later
 *	  statements of the transaction that last used them.  Within the
 *	  statement that fetched them (planning and execution ask several
 *	  times), they serve until a minute before they expire, or half their
 *	  lifetime before when that is shorter; the connection layer (http.c)
 *	  asks again before signing each request once its credentials are that
 *	  close to expiring, so a statement may outlive the credentials it
 *	  started with.  Requests in flight keep the signature they were sent
 *	  with; only their retries are signed with the new credentials.
 *
 * Secrets are never logged and never appear in errors: a failure names the
 * server, the source and why, never a key, token or answer body.
 *-------------------------------------------------------------------------
 */
#include "credentials.h"

#include "access/xact.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include <time.h>

#include "endpoint.h"

#if PG_VERSION_NUM >= 170000
#define DDB_MY_LXID (MyProc->vxid.lxid)
#else
#define DDB_MY_LXID (MyProc->lxid)
#endif

/* The source of each credential_source value, for messages. */
static const char *const source_froms[] = {
	[DDB_SRC_USER_MAPPING] = gettext_noop("the user mapping"),
	[DDB_SRC_ENVIRONMENT] = gettext_noop("the server's environment"),
	[DDB_SRC_PROFILE] = gettext_noop("an AWS profile"),
	[DDB_SRC_WEB_IDENTITY] = gettext_noop("web identity (AWS_WEB_IDENTITY_TOKEN_FILE)"),
	[DDB_SRC_CONTAINER] = gettext_noop("the container credentials endpoint"),
	[DDB_SRC_INSTANCE] = gettext_noop("the EC2 instance metadata service (IMDSv2)"),
};

/* The source of a server for messages: its profile named. */
static const char *
source_from(const DdbCredConfig *cfg)
{
	const char *name = cfg->profile;

	if (cfg->source != DDB_SRC_PROFILE)
		return _(source_froms[cfg->source]);
	if (name == NULL)
		name = getenv("AWS_PROFILE");
	return psprintf(_("profile \"%s\""), (name && *name) ? name : "default");
}

/* Reads the options of (server, user) that choose and shape credentials. */
static void
read_config(ForeignServer *server, DdbCredConfig *cfg)
{
	const char *v;

	memset(cfg, 0, sizeof(*cfg));
	cfg->servername = server->servername;
	ddb_get_server_options(server, &cfg->sopts);
	cfg->source = ddb_credential_source(server->options);
	cfg->profile = ddb_find_option(server->options, "profile");
	cfg->role_arn = ddb_find_option(server->options, "role_arn");
	cfg->external_id = ddb_find_option(server->options, "external_id");
	cfg->session_name = ddb_find_option(server->options, "role_session_name");
	v = ddb_find_option(server->options, "role_duration");
	cfg->duration = v ? ddb_parse_int_option("role_duration", v, 900, 43200) : 0;
	v = ddb_find_option(server->options, "sts_endpoint");
	if (v)
	{
		cfg->sts_url = v;
		cfg->sts_region = cfg->sopts.region;
	}
	else if (cfg->role_arn || cfg->source == DDB_SRC_WEB_IDENTITY ||
			 cfg->source == DDB_SRC_PROFILE)
	{
		cfg->sts_url = ddb_default_endpoint("sts", cfg->sopts.region, server->options);
		cfg->sts_region = ddb_signing_region(cfg->sopts.region);
	}
	cfg->imds_endpoint = ddb_find_option(server->options, "imds_endpoint");
}

/* What changes the credentials a cache entry holds, secrets excepted. */
static char *
fingerprint(const DdbCredConfig *cfg, const DdbCredentials *um)
{
	return psprintf("%d|%s|%s|%s|%s|%d|%s|%s|%s|%s|%s", (int) cfg->source,
					cfg->profile ? cfg->profile : "", cfg->role_arn ? cfg->role_arn : "",
					cfg->external_id ? cfg->external_id : "",
					cfg->session_name ? cfg->session_name : "", cfg->duration,
					cfg->sts_url ? cfg->sts_url : "", cfg->imds_endpoint ? cfg->imds_endpoint : "",
					cfg->sopts.region, cfg->sopts.ca_file ? cfg->sopts.ca_file : "",
					um ? um->access_key_id : "");
}

/* ---- cache ------------------------------------------------------------ */

typedef struct CredKey
{
	Oid			serverid;
	Oid			userid;
} CredKey;

typedef struct CredEntry
{
	CredKey		key;
	char	   *fingerprint;	/* malloc'd */
	ddb_cred	cred;			/* malloc'd, wiped when dropped */
	uint32		server_hash;	/* syscache hashes of the server, */
	uint32		um_hash;		/* of the user's mapping, */
	uint32		public_hash;	/* and of the PUBLIC mapping */
	LocalTransactionId lxid;	/* the transaction that last used them */
	LocalTransactionId fetch_lxid;	/* the statement that fetched them: */
	TimestampTz fetch_stmt;		/* its transaction and start time */
	long long	fetched_at;		/* Unix time they were fetched */
} CredEntry;

static HTAB *cred_cache = NULL;

static void
entry_clear(CredEntry *e)
{
	ddb_cred_free(&e->cred);
	free(e->fingerprint);
	e->fingerprint = NULL;
}

/*
 * A new entry: nothing cached yet, and the syscache hashes that drop it
 * (set at once: a failed fetch leaves the entry behind).
 */
static void
entry_init(CredEntry *e)
{
	Oid			serverid = e->key.serverid;
	Oid			userid = e->key.userid;

	e->fingerprint = NULL;
	memset(&e->cred, 0, sizeof(e->cred));
	e->server_hash = GetSysCacheHashValue1(FOREIGNSERVEROID, ObjectIdGetDatum(serverid));
	e->um_hash = GetSysCacheHashValue2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
									   ObjectIdGetDatum(serverid));
	e->public_hash = GetSysCacheHashValue2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
										   ObjectIdGetDatum(serverid));
	e->lxid = e->fetch_lxid = InvalidLocalTransactionId;
	e->fetch_stmt = 0;
}

static void
cache_clear_all(void)
{
	HASH_SEQ_STATUS seq;
	CredEntry  *e;

	if (cred_cache == NULL)
		return;
	hash_seq_init(&seq, cred_cache);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		entry_clear(e);
		(void) hash_search(cred_cache, &e->key, HASH_REMOVE, NULL);
	}
}

/*
 * A change of a server drops its entries; a change of a user mapping drops
 * the entries of its user and server, or of every user of its server for
 * the PUBLIC mapping (a new mapping of the user may take over from the
 * PUBLIC one, so both are watched); a reset (hashvalue 0) drops all.
 */
static void
cred_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS seq;
	CredEntry  *e;

	if (cred_cache == NULL)
		return;
	hash_seq_init(&seq, cred_cache);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		if (hashvalue != 0 && cacheid == FOREIGNSERVEROID && e->server_hash != hashvalue)
			continue;
		if (hashvalue != 0 && cacheid == USERMAPPINGUSERSERVER &&
			e->um_hash != hashvalue && e->public_hash != hashvalue)
			continue;
		entry_clear(e);
		(void) hash_search(cred_cache, &e->key, HASH_REMOVE, NULL);
	}
}

static void
cred_exit_callback(int code, Datum arg)
{
	cache_clear_all();
}

static void
cache_init(void)
{
	HASHCTL		ctl;

	if (cred_cache != NULL)
		return;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(CredKey);
	ctl.entrysize = sizeof(CredEntry);
	cred_cache = hash_create("ddbrel credentials", 8, &ctl, HASH_ELEM | HASH_BLOBS);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, cred_inval_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGUSERSERVER, cred_inval_callback, (Datum) 0);
	on_proc_exit(cred_exit_callback, (Datum) 0);
}

/*
 * Whether the entry was fetched by the statement running now: then it is as
 * fresh as a new fetch would be, and is used until it actually expires
 * (planning and execution ask several times per statement).
 */
static bool
fetched_this_statement(const CredEntry *e)
{
	return e->fetch_lxid == DDB_MY_LXID &&
		e->fetch_stmt == GetCurrentStatementStartTimestamp();
}

/* Copies cached credentials into the caller's palloc'd struct. */
static void
copy_out(const ddb_cred *c, DdbCredentials *out)
{
	out->access_key_id = pstrdup(c->access_key_id);
	out->secret_access_key = pstrdup(c->secret_access_key);
	out->session_token = c->session_token ? pstrdup(c->session_token) : NULL;
	out->expiration = c->expiration;
}

static void
malloc_copy(const DdbCredentials *in, ddb_cred *out)
{
	memset(out, 0, sizeof(*out));
	out->access_key_id = strdup(in->access_key_id);
	out->secret_access_key = strdup(in->secret_access_key);
	out->session_token = in->session_token ? strdup(in->session_token) : NULL;
	if (out->access_key_id == NULL || out->secret_access_key == NULL ||
		(in->session_token && out->session_token == NULL))
	{
		ddb_cred_free(out);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
}

/*
 * Runs the chain of a server: the base source, then its role.  The result
 * is malloc'd in *out; anything fetched on the way is wiped, also on error.
 */
static void
fetch_chain(const DdbCredConfig *cfg, const DdbCredentials *um, ddb_cred *out)
{
	ddb_cred   *cur = palloc0(sizeof(ddb_cred));
	ddb_cred   *next = palloc0(sizeof(ddb_cred));

	PG_TRY();
	{
		switch (cfg->source)
		{
			case DDB_SRC_USER_MAPPING:
				malloc_copy(um, cur);
				break;
			case DDB_SRC_ENVIRONMENT:
				ddb_fetch_environment(cfg, cur);
				break;
			case DDB_SRC_PROFILE:
				ddb_fetch_profile(cfg, cur);
				break;
			case DDB_SRC_WEB_IDENTITY:
				ddb_fetch_web_identity(cfg, cur);
				break;
			case DDB_SRC_CONTAINER:
				ddb_fetch_container(cfg, cur);
				break;
			case DDB_SRC_INSTANCE:
				ddb_fetch_instance(cfg, cur);
				break;
		}
		if (cfg->role_arn)
		{
			ddb_assume_role(cfg, cur, cfg->role_arn, cfg->external_id, cfg->session_name,
							cfg->duration, NULL, next);
			ddb_cred_free(cur);
			*cur = *next;
			memset(next, 0, sizeof(*next));
		}
	}
	PG_CATCH();
	{
		ddb_cred_free(cur);
		ddb_cred_free(next);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (cur->expiration != 0 && cur->expiration <= (long long) time(NULL))
	{
		ddb_cred_free(cur);
		ddb_cred_fail(cfg, source_from(cfg),
					  errdetail("The credentials it gave had already expired; is the database server's clock right?"));
	}
	*out = *cur;
}

/*
 * Credentials for (server, user): the user mapping's keys, or for a
 * superuser's mapping without keys, the server process's environment.
 */
static void
user_mapping_keys(Oid serverid, Oid userid, DdbCredentials *out)
{
	UserMapping *um = GetUserMapping(userid, serverid);
	const char *ak = ddb_find_option(um->options, "access_key_id");
	const char *sk = ddb_find_option(um->options, "secret_access_key");
	const char *tok = ddb_find_option(um->options, "session_token");

	memset(out, 0, sizeof(*out));
	if (ak == NULL && sk == NULL)
	{
		if (!superuser_arg(userid))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("user mapping for \"%s\" has no DynamoDB credentials",
							GetUserNameFromId(userid, false)),
					 errdetail("Only a superuser's mapping may use the server's environment credentials."),
					 errhint("Set access_key_id and secret_access_key on the user mapping.")));
		ak = getenv("AWS_ACCESS_KEY_ID");
		sk = getenv("AWS_SECRET_ACCESS_KEY");
		if (tok == NULL)
			tok = getenv("AWS_SESSION_TOKEN");
		if (ak == NULL || sk == NULL || *ak == '\0' || *sk == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("no DynamoDB credentials for user mapping of \"%s\"",
							GetUserNameFromId(userid, false)),
					 errdetail("The user mapping has none and the server's environment has no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."),
					 errhint("Set access_key_id and secret_access_key on the user mapping.")));
	}
	else if (ak == NULL || sk == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("user mapping needs both \"access_key_id\" and \"secret_access_key\"")));
	out->access_key_id = pstrdup(ak);
	out->secret_access_key = pstrdup(sk);
	out->session_token = (tok && *tok) ? pstrdup(tok) : NULL;
}

/* Whether the user mapping holds keys of its own. */
static bool
mapping_has_keys(UserMapping *um)
{
	return ddb_find_option(um->options, "access_key_id") != NULL ||
		ddb_find_option(um->options, "secret_access_key") != NULL ||
		ddb_find_option(um->options, "session_token") != NULL;
}

/*
 * The credentials for (server, user), palloc'd: from the server's source,
 * cached and refreshed as described at the top of this file.
 */
void
ddb_credentials_get(Oid serverid, Oid userid, DdbCredentials *out)
{
	ForeignServer *server = GetForeignServer(serverid);
	DdbCredConfig cfg;
	DdbCredentials um;
	bool		have_um = false;
	CredKey		key;
	CredEntry  *e;
	bool		found;
	char	   *fp;
	long long	now = (long long) time(NULL);

	memset(out, 0, sizeof(*out));
	read_config(server, &cfg);
	if (cfg.source == DDB_SRC_USER_MAPPING)
	{
		user_mapping_keys(serverid, userid, &um);
		have_um = true;
		if (cfg.role_arn == NULL)
		{
			*out = um;
			return;
		}
	}
	else
	{
		UserMapping *mapping = GetUserMapping(userid, serverid);

		if (mapping_has_keys(mapping))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("user mapping for \"%s\" on server \"%s\" holds keys, but the server takes its credentials from %s",
							GetUserNameFromId(userid, false), server->servername,
							source_from(&cfg)),
					 errhint("Remove access_key_id, secret_access_key and session_token from the user mapping, or use a server with credential_source 'user_mapping'.")));
		if (cfg.source == DDB_SRC_ENVIRONMENT && cfg.role_arn == NULL)
		{
			ddb_cred	env;

			ddb_fetch_environment(&cfg, &env);
			copy_out(&env, out);
			ddb_cred_free(&env);
			return;
		}
	}

	cache_init();
	memset(&key, 0, sizeof(key));
	key.serverid = serverid;
	key.userid = userid;
	fp = fingerprint(&cfg, have_um ? &um : NULL);
	e = hash_search(cred_cache, &key, HASH_ENTER, &found);
	if (!found)
		entry_init(e);
	if (e->fingerprint == NULL || strcmp(e->fingerprint, fp) != 0 ||
		e->cred.access_key_id == NULL ||
		(fetched_this_statement(e) ?
		 ddb_cred_renew_due(now, e->fetched_at, e->cred.expiration) :
		 ddb_cred_refresh_due(now, e->cred.expiration, e->lxid == DDB_MY_LXID)))
	{
		ddb_cred	fresh;

		entry_clear(e);
		fetch_chain(&cfg, have_um ? &um : NULL, &fresh);
		/* the entry may have been dropped by an invalidation meanwhile */
		e = hash_search(cred_cache, &key, HASH_ENTER, &found);
		if (found)
			entry_clear(e);
		else
			entry_init(e);
		e->cred = fresh;
		e->fetch_lxid = DDB_MY_LXID;
		e->fetch_stmt = GetCurrentStatementStartTimestamp();
		e->fetched_at = now;
		e->fingerprint = strdup(fp);
		if (e->fingerprint == NULL)
		{
			entry_clear(e);
			(void) hash_search(cred_cache, &key, HASH_REMOVE, NULL);
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		}
		elog(DEBUG1, "ddbrel: new AWS credentials for server \"%s\" from %s%s%s",
			 server->servername, source_from(&cfg),
			 cfg.role_arn ? " through role " : "", cfg.role_arn ? cfg.role_arn : "");
	}
	e->lxid = DDB_MY_LXID;
	copy_out(&e->cred, out);
	if (have_um)
	{
		explicit_bzero(um.secret_access_key, strlen(um.secret_access_key));
		if (um.session_token)
			explicit_bzero(um.session_token, strlen(um.session_token));
	}
}
