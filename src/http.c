/*-------------------------------------------------------------------------
 * http.c
 *	  The HTTP client: libcurl, SigV4, keep-alive, retries, rate limiting,
 *	  TLS options and cancellable waits.  With http_simple.c, the only
 *	  file that includes curl.
 *
 * One connection (a curl multi handle and a pool of easy handles, hence
 * kept-alive TCP/TLS sessions) exists per (server, user) for the life of the
 * backend.  A request is started with ddb_http_start and collected with
 * ddb_http_finish; several may be in flight at once (parallel scan
 * segments, batched writes).  Waiting drives all of them, retries those
 * that failed with a retryable error, and checks for interrupts at least
 * every 100 ms.  Curl callbacks never call ereport or palloc: responses
 * are collected in malloc'd buffers.
 *
 * ddb_http_finish returns a DdbResult: the answer, or what failed and how
 * many times the request was sent.  This file never raises a DynamoDB or
 * transport error; request.c decides what a result means and reports it.
 *
 * Retries
 *	  A failed attempt is tried again after an exponential backoff with full
 *	  jitter (uniform in [0, min(5 s, 25 ms * 2^(n-1))]), at most max_retries
 *	  times (server option, default 10), when DynamoDB cannot have acted on
 *	  it, or when acting on it twice changes nothing.  The rule is
 *	  retry_core.c's (ddb_retry_classify); here libcurl's outcome is mapped
 *	  onto it:
 *
 *	  - always retried: throttling answers (400 with __type
 *		ProvisionedThroughputExceededException, ThrottlingException,
 *		RequestLimitExceeded, LimitExceededException), and transport
 *		failures before the whole request was handed to the network (DNS,
 *		connect, TLS handshake, a send that failed part-way);
 *	  - retried only when the call is idempotent, since the request reached
 *		DynamoDB, or may have, and may have been applied: 5xx answers,
 *		transport failures after the whole request was sent (connection
 *		reset or closed without an answer, a truncated answer, a timeout),
 *		and a 200 answer that is not valid JSON;
 *	  - never retried: other 4xx answers (validation, missing table,
 *		condition check failed, credentials), certificate and TLS setup
 *		errors, out of memory.
 *
 *	  A call is idempotent when applying it twice leaves the same items as
 *	  applying it once; the caller says which (request.c decides by
 *	  operation, writers by the request: see ddb_call_start_ex).  A write
 *	  that is not (ADD to a counter, list_append) is retried only when
 *	  DynamoDB surely did not act on it, and its result says so
 *	  (not_repeated).  After a lost answer, a conditioned write that is
 *	  retried may fail its condition because the first attempt succeeded:
 *	  the result's attempts tells the caller.
 *
 *	  libcurl silently resends a request when a kept-alive connection it
 *	  reused turns out to be dead, even when the request had been sent.  To
 *	  keep the rule, bodies are supplied by a read callback, and its seek
 *	  callback, which curl calls to rewind for such a resend, refuses for a
 *	  call that is not idempotent once its whole body was sent; an accepted
 *	  resend counts as a retry.
 *
 * Rate limiting
 *	  max_requests_per_second (server option, overridden per foreign table;
 *	  0 = unlimited) spaces the requests of a connection at least 1/rate
 *	  apart: a token bucket holding a single token, so there are no bursts
 *	  (retry_core.c's ddb_rate).  Every attempt takes a token, retries
 *	  included.  The server's rate applies at the start of each statement;
 *	  ddb_connection_set_rate (the scanned table's option) replaces it for
 *	  the rest of the statement, and when several tables of the statement
 *	  set one, the lowest non-zero rate wins.  Waiting for a token is like
 *	  waiting out a backoff: other requests proceed and interrupts are
 *	  checked every 100 ms at most.
 *
 * Capacity budgets
 *	  read_capacity and write_capacity cap the capacity units one table's
 *	  reads and writes consume (capacity.c keeps a budget per server,
 *	  DynamoDB table and kind).  An attempt waits until its table's budget
 *	  allows its estimated cost (what the last request of its kind cost, or
 *	  its items at the cost of the last item), spends the estimate when it
 *	  is sent, and the answer's ConsumedCapacity settles the difference when
 *	  the call is finished.  A throttling answer gives its estimate back and
 *	  cuts the rate (AIMD).  request.c keeps Query and Scan pages small
 *	  enough for the budget.
 *
 * Credentials
 *	  Each attempt is signed when it is sent, with the connection's
 *	  credentials; temporary ones are asked for again (credentials.c,
 *	  cached per backend) once they are within a minute of expiring, so a
 *	  statement may outlive the credentials it started with.  Requests in
 *	  flight keep the signature they were sent with.
 *
 * Rebuilding a connection
 *	  When the server's endpoint, region or TLS settings change, the next
 *	  ddb_get_connection rebuilds the connection.  Calls still in flight
 *	  (an open cursor's next page) move with the old curl handles into a
 *	  retired copy of the connection, where they finish as they started;
 *	  the copy is freed when its last call is.  New calls, also the
 *	  cursor's next ones, go out on the rebuilt connection.
 *
 * Cancel, rollback
 *	  Query cancel and statement_timeout interrupt ddb_http_finish within
 *	  100 ms; the call being finished is freed (a transfer removed half-way
 *	  closes its connection instead of returning it to the pool).  The other
 *	  calls in flight are set aside when the subtransaction that started
 *	  them aborts (ddb_http_subxact_abort: no more attempts, no more rate
 *	  tokens) and freed at the end of the top transaction.  A call set
 *	  aside whose owner still finishes it (a cursor of an outer level read
 *	  inside the savepoint) is sent again if it is idempotent.
 *
 * TLS
 *	  Certificates and host names are verified, against the system CA
 *	  bundle or the server option ca_file.  verify_tls 'false' turns
 *	  verification off.  Both are a superuser's decision: a connection for
 *	  the user mapping of a role that is not a superuser is refused when
 *	  the server sets either (checked in ddb_get_connection).
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include <curl/curl.h>
#include <time.h>

#include "access/xact.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "lib/ilist.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "credentials_core.h"
#include "json_core.h"
#include "response_core.h"
#include "retry_core.h"
#include "sigv4.h"

/* the most an answer's Content-Length makes write_cb allocate at once */
#define DDB_RESP_PREALLOC_MAX ((curl_off_t) 64 * 1024 * 1024)

#define DDB_CONTENT_TYPE "application/x-amz-json-1.0"

/* Per-backend counters: attempts here, what answers say in request.c. */
DdbStats	ddb_stats;

typedef struct DdbConnKey
{
	Oid			serverid;
	Oid			userid;
} DdbConnKey;

struct DdbConn
{
	DdbConnKey	key;
	bool		valid;
	bool		retired;		/* moved aside by a rebuild: only its calls
								 * use it (see the top of this file) */
	dlist_node	retired_node;	/* in retired_conns */
	CURLM	   *multi;
	CURL	   *idle[16];		/* pool of easy handles */
	int			nidle;
	char	   *url;			/* malloc'd copies: they outlive contexts */
	char	   *host;
	char	   *region;
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;
	long long	cred_expiration;	/* 0: the credentials do not expire */
	char	   *ca_file;		/* NULL: the system CA bundle */
	bool		verify_tls;
	int			connect_timeout_ms;
	int			request_timeout_ms;
	int			max_retries;
	ddb_rate	rate_store;		/* requests per second (retry_core.c) ... */
	ddb_rate   *rate;			/* ... the live connection's, also for a
								 * retired copy */
	TimestampTz statement;		/* the statement that last asked for it */
	DdbCapacity read_capacity;	/* the server's budgets */
	DdbCapacity write_capacity;
	dlist_head	inflight;		/* every call not yet finished or cancelled */
};

struct DdbCall
{
	dlist_node	node;
	DdbConn    *conn;
	CURL	   *easy;			/* NULL while set aside */
	DdbOp		op;
	bool		idempotent;		/* safe to repeat after it may have applied */
	char		opname[40];
	char		table[256];
	SubTransactionId subid;		/* subtransaction the call belongs to */
	bool		set_aside;		/* its subtransaction aborted: no attempts */
	DdbBudgetEntry *budget;		/* its table's, when its kind has budgets */
	int			kind;			/* DDB_CAPACITY_READ, _WRITE, or -1 */
	long		items;			/* its Limit, keys or items (0: not known) */
	double		estimate;		/* taken from the budget by the last attempt */
	char	   *body;			/* malloc'd */
	size_t		body_len;
	size_t		body_off;		/* bytes of body handed to curl so far */
	struct curl_slist *headers;
	char	   *resp;			/* malloc'd response body */
	size_t		resp_len;
	size_t		resp_cap;
	bool		resp_oom;
	bool		resend_refused; /* curl wanted to resend; we said no */
	bool		not_repeated;	/* retryable, but not idempotent */
	bool		active;			/* added to the multi handle */
	bool		done;			/* final outcome known */
	bool		waiting;		/* waiting for retry_at (backoff or rate) */
	TimestampTz retry_at;
	int			attempts;
	CURLcode	result;
	long		status;
	char		errbuf[CURL_ERROR_SIZE];
};

static void for_each_call(void (*fn) (DdbCall *call, SubTransactionId a, SubTransactionId b),
						  SubTransactionId a, SubTransactionId b);

static HTAB *conn_hash = NULL;
static dlist_head retired_conns = DLIST_STATIC_INIT(retired_conns);

static char *
xstrdup(const char *s)
{
	char	   *r;

	if (s == NULL)
		return NULL;
	r = strdup(s);
	if (r == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	return r;
}

/* Wipes a secret before freeing it, so it does not linger in freed memory. */
static void
free_secret(char *s)
{
	if (s)
	{
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static bool
str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
conn_release(DdbConn *conn)
{
	int			i;

	if (conn->multi)
		curl_multi_cleanup(conn->multi);
	for (i = 0; i < conn->nidle; i++)
		curl_easy_cleanup(conn->idle[i]);
	conn->nidle = 0;
	conn->multi = NULL;
	free(conn->url);
	free(conn->host);
	free(conn->region);
	free(conn->access_key_id);
	free(conn->ca_file);
	free_secret(conn->secret_access_key);
	free_secret(conn->session_token);
	conn->url = conn->host = conn->region = conn->ca_file = NULL;
	conn->access_key_id = conn->secret_access_key = conn->session_token = NULL;
}

/* The Host header as SigV4 signs it: host, and port unless it is the default. */
static char *
endpoint_host(const char *endpoint)
{
	CURLU	   *u = curl_url();
	char	   *host = NULL;
	char	   *port = NULL;
	char	   *result;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
	{
		if (u)
			curl_url_cleanup(u);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"endpoint\" is not a valid URL: \"%s\"", endpoint)));
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port)
		result = psprintf("%s:%s", host, port);
	else
		result = pstrdup(host);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return result;
}

/*
 * TLS settings that weaken or replace certificate checks are a superuser's
 * decision: a CA file is a path on the database server, and verification off
 * lets anyone on the path read the credentials' signatures and the data.
 */
static void
check_tls_options(ForeignServer *server, Oid userid, DdbServerOptions *sopts)
{
	if (sopts->verify_tls && sopts->ca_file == NULL)
		return;
	if (superuser_arg(userid))
		return;
	if (!sopts->verify_tls)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may use server \"%s\" with option \"%s\"",
						server->servername, "verify_tls"),
				 errdetail("Role \"%s\" is not a superuser; turning TLS certificate verification off is reserved to superusers.",
						   GetUserNameFromId(userid, false)),
				 errhint("Use a server that verifies certificates against the system CA bundle, or ask a superuser.")));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("only a superuser may use server \"%s\" with option \"%s\"",
					server->servername, "ca_file"),
			 errdetail("Role \"%s\" is not a superuser; naming a CA file on the database server is reserved to superusers.",
					   GetUserNameFromId(userid, false)),
			 errhint("Use a server that verifies certificates against the system CA bundle, or ask a superuser.")));
}

/*
 * Replaces the credentials a connection signs with, when they changed.
 * Calls in flight are not touched: their next attempt is signed with the
 * new ones.
 */
static void
conn_set_credentials(DdbConn *conn, const DdbCredentials *creds)
{
	char	   *ak;
	char	   *sk;
	char	   *tok;

	if (conn->access_key_id && strcmp(conn->access_key_id, creds->access_key_id) == 0 &&
		strcmp(conn->secret_access_key, creds->secret_access_key) == 0 &&
		str_equal(conn->session_token, creds->session_token))
	{
		conn->cred_expiration = creds->expiration;
		return;
	}
	ak = strdup(creds->access_key_id);
	sk = strdup(creds->secret_access_key);
	tok = creds->session_token ? strdup(creds->session_token) : NULL;
	if (ak == NULL || sk == NULL || (creds->session_token && tok == NULL))
	{
		free(ak);
		free_secret(sk);
		free_secret(tok);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	free(conn->access_key_id);
	free_secret(conn->secret_access_key);
	free_secret(conn->session_token);
	conn->access_key_id = ak;
	conn->secret_access_key = sk;
	conn->session_token = tok;
	conn->cred_expiration = creds->expiration;
}

/* Wipes the palloc'd secrets of a DdbCredentials. */
static void
wipe_credentials(DdbCredentials *creds)
{
	if (creds->secret_access_key)
		explicit_bzero(creds->secret_access_key, strlen(creds->secret_access_key));
	if (creds->session_token)
		explicit_bzero(creds->session_token, strlen(creds->session_token));
}

/*
 * Fresh credentials for an attempt about to be signed, when the ones the
 * connection holds expire within a minute (credentials.c decides whether
 * its cache must fetch new ones).
 */
static void
conn_renew_credentials(DdbConn *conn)
{
	DdbCredentials creds;

	if (conn->cred_expiration == 0 ||
		(long long) time(NULL) < conn->cred_expiration - DDB_CRED_MIN_MARGIN_S)
		return;
	ddb_credentials_get(conn->key.serverid, conn->key.userid, &creds);
	PG_TRY();
	{
		conn_set_credentials(conn, &creds);
	}
	PG_FINALLY();
	{
		wipe_credentials(&creds);
	}
	PG_END_TRY();
}

/*
 * Moves a connection's curl handles and calls in flight into a malloc'd
 * copy, so that the connection itself can be rebuilt while they finish
 * (see "Rebuilding a connection" at the top of this file).
 */
static void
conn_retire(DdbConn *conn)
{
	DdbConn    *old = malloc(sizeof(DdbConn));
	dlist_mutable_iter it;

	if (old == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	memcpy(old, conn, sizeof(DdbConn));
	old->retired = true;
	old->rate = &conn->rate_store;
	dlist_init(&old->inflight);
	dlist_foreach_modify(it, &conn->inflight)
	{
		DdbCall    *call = dlist_container(DdbCall, node, it.cur);

		dlist_delete(&call->node);
		dlist_push_tail(&old->inflight, &call->node);
		call->conn = old;
	}
	dlist_push_tail(&retired_conns, &old->retired_node);
	/* what was moved is the copy's now */
	conn->multi = NULL;
	conn->nidle = 0;
	conn->url = conn->host = conn->region = conn->ca_file = NULL;
	conn->access_key_id = conn->secret_access_key = conn->session_token = NULL;
}

/* Frees the retired connections whose last call is gone. */
static void
retired_release_idle(void)
{
	dlist_mutable_iter it;

	dlist_foreach_modify(it, &retired_conns)
	{
		DdbConn    *old = dlist_container(DdbConn, retired_node, it.cur);

		if (!dlist_is_empty(&old->inflight))
			continue;
		dlist_delete(&old->retired_node);
		conn_release(old);
		free(old);
	}
}

/*
 * The connection of (server, user), created on first use.  Each statement
 * that asks for it reads the server's options again: timeouts, retries,
 * rate and budgets are simply updated, credentials replaced when they
 * changed (calls in flight keep going), and a change of endpoint, region
 * or TLS settings rebuilds it (calls in flight finish on the old handles).
 */
DdbConn *
ddb_get_connection(Oid serverid, Oid userid)
{
	DdbConnKey	key;
	DdbConn    *conn;
	bool		found;
	DdbServerOptions sopts;
	DdbCredentials creds;
	ForeignServer *server;
	char	   *host;
	ddb_rate	rate;

	ddb_curl_init();
	if (conn_hash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(DdbConnKey);
		ctl.entrysize = sizeof(DdbConn);
		conn_hash = hash_create("ddbrel connections", 8, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	memset(&key, 0, sizeof(key));
	key.serverid = serverid;
	key.userid = userid;

	server = GetForeignServer(serverid);
	ddb_get_server_options(server, &sopts);
	check_tls_options(server, userid, &sopts);
	ddb_credentials_get(serverid, userid, &creds);
	host = endpoint_host(sopts.endpoint);

	conn = hash_search(conn_hash, &key, HASH_ENTER, &found);
	if (!found || !conn->valid ||
		strcmp(conn->url, sopts.endpoint) != 0 ||
		strcmp(conn->region, sopts.region) != 0 ||
		!str_equal(conn->ca_file, sopts.ca_file) ||
		conn->verify_tls != sopts.verify_tls)
	{
		/* a rebuild keeps the request rate's state, as the budgets keep theirs */
		memset(&rate, 0, sizeof(rate));
		if (found && conn->valid)
		{
			rate = conn->rate_store;
			if (!dlist_is_empty(&conn->inflight))
				conn_retire(conn);
			conn_release(conn);
		}
		memset(conn, 0, sizeof(*conn));
		conn->key = key;
		conn->rate_store = rate;
		conn->rate = &conn->rate_store;
		dlist_init(&conn->inflight);
		conn->multi = curl_multi_init();
		if (conn->multi == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not create a libcurl handle")));
		curl_multi_setopt(conn->multi, CURLMOPT_MAXCONNECTS, 64L);
		conn->url = xstrdup(sopts.endpoint);
		conn->host = xstrdup(host);
		conn->region = xstrdup(sopts.region);
		conn->ca_file = xstrdup(sopts.ca_file);
		conn->verify_tls = sopts.verify_tls;
		conn->valid = true;
	}
	PG_TRY();
	{
		conn_set_credentials(conn, &creds);
	}
	PG_FINALLY();
	{
		wipe_credentials(&creds);
	}
	PG_END_TRY();
	conn->connect_timeout_ms = sopts.connect_timeout_ms;
	conn->request_timeout_ms = sopts.request_timeout_ms;
	conn->max_retries = sopts.max_retries;
	conn->read_capacity = sopts.read_capacity;
	conn->write_capacity = sopts.write_capacity;
	conn->statement = GetCurrentStatementStartTimestamp();
	ddb_rate_statement(conn->rate, conn->statement, sopts.max_requests_per_second);
	return conn;
}

void
ddb_connection_ids(DdbConn *conn, Oid *serverid, Oid *userid)
{
	*serverid = conn->key.serverid;
	*userid = conn->key.userid;
}

/* The endpoint URL, for messages. */
const char *
ddb_connection_endpoint(DdbConn *conn)
{
	return conn->url;
}

/*
 * Whether two connections reach one DynamoDB account and region: the same
 * endpoint, region and access key.  Writes through both can then be one
 * TransactWriteItems.
 */
bool
ddb_connection_same_account(DdbConn *a, DdbConn *b)
{
	return a == b || (strcmp(a->url, b->url) == 0 && strcmp(a->region, b->region) == 0 &&
					  strcmp(a->access_key_id, b->access_key_id) == 0);
}

/* The server's retry budget, also for resends of unprocessed batch items. */
int
ddb_connection_max_retries(DdbConn *conn)
{
	return conn->max_retries;
}

/*
 * Caps the connection's requests per second for the rest of the statement
 * (0 = unlimited): the first call in a statement replaces the server's
 * rate, later ones may only lower it.  The scan calls it with the foreign
 * table's max_requests_per_second (which defaults to the server's).
 */
void
ddb_connection_set_rate(DdbConn *conn, int per_second)
{
	ddb_rate_table(conn->rate, GetCurrentStatementStartTimestamp(), per_second);
}

/* The statement that last asked for the connection (ddb_get_connection). */
TimestampTz
ddb_connection_statement(DdbConn *conn)
{
	return conn->statement;
}

/* The server's budget option of a kind, as the connection last read it. */
const DdbCapacity *
ddb_connection_server_capacity(DdbConn *conn, int kind)
{
	return kind == DDB_CAPACITY_WRITE ? &conn->write_capacity : &conn->read_capacity;
}

/*
 * When a call may be sent at or after not_before, now being now: its rate
 * and its budget.  now is the caller's, so that a call that may go at once
 * gets exactly now back (a clock read again here would always be a little
 * later, and the call never due).
 */
static TimestampTz
call_ready_at(DdbCall *call, TimestampTz not_before, TimestampTz now)
{
	TimestampTz go = ddb_rate_ready(call->conn->rate, not_before);

	if (call->budget)
	{
		TimestampTz from = Max(go, now);

		go = Max(go, ddb_capacity_ready(call->budget, call->kind, from,
										ddb_capacity_estimate(call->budget, call->kind,
															  call->op, call->items)));
	}
	return go;
}

/* Curl write callback: append to a malloc'd buffer; never ereport here. */
static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	DdbCall    *call = (DdbCall *) userdata;
	size_t		n = size * nmemb;

	if (call->resp_len + n + 1 > call->resp_cap)
	{
		size_t		cap = Max(call->resp_cap * 2, call->resp_len + n + 1);
		curl_off_t	length = -1;
		char	   *p;

		cap = Max(cap, 16384);

		/*
		 * The first bytes of an answer: room for all it announces at once,
		 * so a page of 1 MB is not copied again at every doubling (a
		 * length beyond reason is not believed; the buffer then grows).
		 */
		if (call->resp_len == 0 &&
			curl_easy_getinfo(call->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
			length > 0 && length <= DDB_RESP_PREALLOC_MAX)
			cap = Max(cap, (size_t) length + 1);
		p = realloc(call->resp, cap);
		if (p == NULL)
		{
			call->resp_oom = true;
			return 0;			/* makes curl fail the transfer */
		}
		call->resp = p;
		call->resp_cap = cap;
	}
	memcpy(call->resp + call->resp_len, ptr, n);
	call->resp_len += n;
	call->resp[call->resp_len] = '\0';
	return n;
}

/* Curl read callback: hands out the request body. */
static size_t
read_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	DdbCall    *call = (DdbCall *) userdata;
	size_t		n = Min(size * nitems, call->body_len - call->body_off);

	memcpy(buf, call->body + call->body_off, n);
	call->body_off += n;
	return n;
}

/* Whether the whole request had been handed to the network. */
static bool
call_body_sent(const DdbCall *call)
{
	return call->body_off >= call->body_len;
}

/*
 * Curl seek callback, called to rewind the body when curl resends the
 * request on a fresh connection because the reused one died.  Allowed as
 * a retry of a lost attempt would be (refused, and the transfer then fails
 * with CURLE_SEND_FAIL_REWIND, when the whole body went out and the call
 * is not idempotent, or when the retry budget is spent).
 */
static int
seek_cb(void *userdata, curl_off_t offset, int origin)
{
	DdbCall    *call = (DdbCall *) userdata;
	bool		not_repeated;

	if (origin != SEEK_SET || offset != 0)
		return CURL_SEEKFUNC_CANTSEEK;
	if (call->body_off == 0)
		return CURL_SEEKFUNC_OK;
	if (!ddb_retry_allowed(call_body_sent(call) ? DDB_RETRY_IF_IDEMPOTENT : DDB_RETRY_ALWAYS,
						   call->idempotent, call->attempts, call->conn->max_retries,
						   &not_repeated))
	{
		call->resend_refused = true;
		return CURL_SEEKFUNC_FAIL;
	}
	call->body_off = 0;
	call->attempts++;
	ddb_stats.requests[call->op]++;
	ddb_stats.retries[call->op]++;
	return CURL_SEEKFUNC_OK;
}

/* (Re)builds headers, signature and options, and hands the call to curl. */
static void
call_submit(DdbCall *call)
{
	DdbConn    *conn = call->conn;
	ddb_sigv4_request sreq;
	char		amz_date[17];
	char		auth[1024];
	char		target[80];
	char		line[1200];
	struct curl_slist *h = NULL;

	conn_renew_credentials(conn);
	ddb_sigv4_amz_date((long long) time(NULL), amz_date);
	snprintf(target, sizeof(target), DDB_API_PREFIX "%s", call->opname);
	memset(&sreq, 0, sizeof(sreq));
	sreq.host = conn->host;
	sreq.path = "/";
	sreq.region = conn->region;
	sreq.service = "dynamodb";
	sreq.access_key_id = conn->access_key_id;
	sreq.secret_access_key = conn->secret_access_key;
	sreq.session_token = conn->session_token;
	sreq.amz_target = target;
	sreq.content_type = DDB_CONTENT_TYPE;
	sreq.amz_date = amz_date;
	sreq.body = call->body;
	sreq.body_len = call->body_len;
	if (ddb_sigv4_authorization(&sreq, auth, sizeof(auth)) != 0)
		elog(ERROR, "could not sign DynamoDB request");

	if (call->headers)
		curl_slist_free_all(call->headers);
	call->headers = NULL;
#define ADD_HEADER(fmt, val) \
	do { \
		struct curl_slist *t_; \
		snprintf(line, sizeof(line), fmt, val); \
		t_ = curl_slist_append(h, line); \
		if (t_ == NULL) { curl_slist_free_all(h); elog(ERROR, "out of memory"); } \
		h = t_; \
	} while (0)
	ADD_HEADER("Host: %s", conn->host);
	ADD_HEADER("Content-Type: %s", DDB_CONTENT_TYPE);
	ADD_HEADER("X-Amz-Date: %s", amz_date);
	ADD_HEADER("X-Amz-Target: %s", target);
	if (conn->session_token)
	{
		struct curl_slist *t_;
		char	   *tokline = psprintf("X-Amz-Security-Token: %s", conn->session_token);

		t_ = curl_slist_append(h, tokline);
		explicit_bzero(tokline, strlen(tokline));
		pfree(tokline);
		if (t_ == NULL)
		{
			curl_slist_free_all(h);
			elog(ERROR, "out of memory");
		}
		h = t_;
	}
	ADD_HEADER("Authorization: %s", auth);
	ADD_HEADER("%s", "Expect:");
	ADD_HEADER("%s", "Accept:");
#undef ADD_HEADER
	explicit_bzero(auth, sizeof(auth));
	call->headers = h;

	call->resp_len = 0;
	call->resp_oom = false;
	call->resend_refused = false;
	call->body_off = 0;
	call->errbuf[0] = '\0';
	curl_easy_setopt(call->easy, CURLOPT_URL, conn->url);
	curl_easy_setopt(call->easy, CURLOPT_POST, 1L);
	/* the body comes from read_cb, so that seek_cb sees curl's resends */
	curl_easy_setopt(call->easy, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(call->easy, CURLOPT_READDATA, call);
	curl_easy_setopt(call->easy, CURLOPT_SEEKFUNCTION, seek_cb);
	curl_easy_setopt(call->easy, CURLOPT_SEEKDATA, call);
	curl_easy_setopt(call->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) call->body_len);
	curl_easy_setopt(call->easy, CURLOPT_HTTPHEADER, call->headers);
	curl_easy_setopt(call->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(call->easy, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(call->easy, CURLOPT_PRIVATE, call);
	curl_easy_setopt(call->easy, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(call->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(call->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) conn->connect_timeout_ms);
	curl_easy_setopt(call->easy, CURLOPT_TIMEOUT_MS, (long) conn->request_timeout_ms);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(call->easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(call->easy, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(call->easy, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(call->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	/* the handle belongs to this connection, whose TLS settings never change */
	curl_easy_setopt(call->easy, CURLOPT_SSL_VERIFYPEER, conn->verify_tls ? 1L : 0L);
	curl_easy_setopt(call->easy, CURLOPT_SSL_VERIFYHOST, conn->verify_tls ? 2L : 0L);
	if (conn->ca_file)
		curl_easy_setopt(call->easy, CURLOPT_CAINFO, conn->ca_file);
	if (curl_multi_add_handle(conn->multi, call->easy) != CURLM_OK)
		elog(ERROR, "could not queue DynamoDB request");
	call->active = true;
	call->waiting = false;
	call->attempts++;
	ddb_rate_take(conn->rate, GetCurrentTimestamp());
	if (call->budget)
	{
		/* an attempt before it was not settled: it stays spent */
		call->estimate = ddb_capacity_estimate(call->budget, call->kind, call->op, call->items);
		ddb_capacity_spend(call->budget, call->kind, call->estimate);
	}
	ddb_stats.requests[call->op]++;
	if (call->attempts > 1)
		ddb_stats.retries[call->op]++;
}

/*
 * Sends the call now, or when the connection's rate and its table's budget
 * allow (the waits in ddb_http_finish then send it).
 */
static void
call_send_or_wait(DdbCall *call, TimestampTz not_before)
{
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz go = call_ready_at(call, not_before, now);

	if (go > now)
	{
		call->waiting = true;
		call->retry_at = go;
	}
	else
		call_submit(call);
}

/* An easy handle from the connection's pool, or a new one. */
static void
call_take_handle(DdbCall *call)
{
	DdbConn    *conn = call->conn;

	if (conn->nidle > 0)
		call->easy = conn->idle[--conn->nidle];
	else
	{
		call->easy = curl_easy_init();
		if (call->easy == NULL)
		{
			ddb_http_cancel(call);
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not create a libcurl handle")));
		}
	}
}

/* Detaches the call from curl and returns its easy handle to the pool. */
static void
call_release_handle(DdbCall *call)
{
	DdbConn    *conn = call->conn;

	if (call->easy == NULL)
		return;
	if (call->active)
		curl_multi_remove_handle(conn->multi, call->easy);
	call->active = false;
	curl_easy_setopt(call->easy, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(call->easy, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(call->easy, CURLOPT_READDATA, NULL);
	curl_easy_setopt(call->easy, CURLOPT_SEEKDATA, NULL);
	curl_easy_setopt(call->easy, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(call->easy, CURLOPT_PRIVATE, NULL);
	if (conn->nidle < (int) lengthof(conn->idle))
		conn->idle[conn->nidle++] = call->easy;
	else
		curl_easy_cleanup(call->easy);
	call->easy = NULL;
}

/*
 * Starts a request.  body is copied; the call lives outside memory contexts
 * (it must survive until curl lets go of it) and is freed by finish or
 * cancel.  idempotent: the request is safe to repeat even if DynamoDB may
 * already have applied it (see the retry rule at the top of this file).
 * delay_ms > 0 holds the first attempt back that long (a resend's backoff);
 * other calls proceed meanwhile.  items is the request's Limit, keys or
 * items, for the estimate of its cost (0: not known).
 */
DdbCall *
ddb_http_start(DdbConn *conn, DdbOp op, const char *opname, const char *table,
			   const char *body, bool idempotent, long delay_ms, long items)
{
	DdbCall    *call;
	int			kind = ddb_op_capacity_kind(opname);

	call = calloc(1, sizeof(DdbCall));
	if (call == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	call->conn = conn;
	call->op = op;
	call->idempotent = idempotent;
	call->subid = GetCurrentSubTransactionId();
	strlcpy(call->opname, opname, sizeof(call->opname));
	strlcpy(call->table, table ? table : "", sizeof(call->table));
	call->kind = kind;
	call->items = items;
	if (kind >= 0 && call->table[0] != '\0')
		call->budget = ddb_capacity_entry(conn->key.serverid, call->table);
	call->body_len = strlen(body);
	call->body = malloc(call->body_len + 1);
	if (call->body == NULL)
	{
		free(call);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	memcpy(call->body, body, call->body_len + 1);
	dlist_push_tail(&conn->inflight, &call->node);
	call_take_handle(call);
	call_send_or_wait(call, delay_ms > 0 ?
					  TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay_ms) : 0);
	if (!call->waiting)
	{
		int			running;

		/*
		 * Put the request on the wire now, not at the next wait: a scan
		 * reads its current page while the next one is on its way, and the
		 * rate limit counts from this moment.
		 */
		curl_multi_perform(conn->multi, &running);
	}
	return call;
}

/* Frees a call: detached from curl, its easy handle back in the pool. */
static void
call_free(DdbCall *call)
{
	call_release_handle(call);
	if (call->headers)
		curl_slist_free_all(call->headers);
	dlist_delete(&call->node);
	free(call->body);
	free(call->resp);
	free(call);
}

void
ddb_http_cancel(DdbCall *call)
{
	if (call)
	{
		call_free(call);
		retired_release_idle();
	}
}

static void
call_abort(DdbCall *call, SubTransactionId unused1, SubTransactionId unused2)
{
	call_free(call);
}

/*
 * Aborts every request in flight on every connection, retired ones too
 * (end of transaction), and frees the retired connections.
 */
void
ddb_http_abort_all(void)
{
	for_each_call(call_abort, InvalidSubTransactionId, InvalidSubTransactionId);
	retired_release_idle();
}

/*
 * Applies fn to every call of every connection, retired ones included (fn
 * may free the call, never a connection).
 */
static void
for_each_call(void (*fn) (DdbCall *call, SubTransactionId a, SubTransactionId b),
			  SubTransactionId a, SubTransactionId b)
{
	HASH_SEQ_STATUS seq;
	DdbConn    *conn;
	dlist_iter	rit;

	if (conn_hash != NULL)
	{
		hash_seq_init(&seq, conn_hash);
		while ((conn = hash_seq_search(&seq)) != NULL)
		{
			dlist_mutable_iter it;

			if (!conn->valid)
				continue;
			dlist_foreach_modify(it, &conn->inflight)
				fn(dlist_container(DdbCall, node, it.cur), a, b);
		}
	}
	dlist_foreach(rit, &retired_conns)
	{
		dlist_mutable_iter it;

		conn = dlist_container(DdbConn, retired_node, rit.cur);
		dlist_foreach_modify(it, &conn->inflight)
			fn(dlist_container(DdbCall, node, it.cur), a, b);
	}
}

static void
call_adopt(DdbCall *call, SubTransactionId subid, SubTransactionId parent)
{
	if (call->subid == subid)
		call->subid = parent;
}

/* The calls of a committed subtransaction now belong to its parent. */
void
ddb_http_subxact_commit(SubTransactionId subid, SubTransactionId parent)
{
	for_each_call(call_adopt, subid, parent);
}

static void
call_set_aside(DdbCall *call, SubTransactionId subid, SubTransactionId unused)
{
	/* a call whose answer is in stays as it is: it costs nothing more */
	if (call->subid != subid || call->set_aside || call->done)
		return;
	call_release_handle(call);
	call->set_aside = true;
	call->waiting = false;
	call->resp_len = 0;
}

/*
 * The calls of an aborted subtransaction stop: no more attempts, no more
 * rate tokens.  They are not freed, since a cursor of an outer level that
 * was read inside the savepoint still holds its call; the end of the top
 * transaction frees what nobody finished.
 */
void
ddb_http_subxact_abort(SubTransactionId subid)
{
	for_each_call(call_set_aside, subid, InvalidSubTransactionId);
}

/*
 * Maps a failed attempt's libcurl outcome onto retry_core's terms and
 * returns its class; *throttled says whether DynamoDB asked to slow down.
 * Not inside a curl callback: parsing a 400 answer (palloc) is fine here.
 */
static ddb_retry_class
call_retry_class(DdbCall *call, bool *throttled)
{
	ddb_attempt a;

	memset(&a, 0, sizeof(a));
	a.body_sent = call_body_sent(call);
	if (call->resp_oom)
		a.end = DDB_END_FATAL;
	else
		switch (call->result)
		{
			case CURLE_OK:
				a.end = DDB_END_ANSWER;
				a.status = call->status;
				break;
			case CURLE_COULDNT_RESOLVE_PROXY:
			case CURLE_COULDNT_RESOLVE_HOST:
			case CURLE_COULDNT_CONNECT:
			case CURLE_SSL_CONNECT_ERROR:
				a.end = DDB_END_NOT_SENT;
				break;
			case CURLE_SEND_FAIL_REWIND:
				/* only a resend we refused is a lost attempt */
				a.end = call->resend_refused ? DDB_END_LOST : DDB_END_FATAL;
				break;
			case CURLE_OPERATION_TIMEDOUT:
			case CURLE_SEND_ERROR:
			case CURLE_RECV_ERROR:
			case CURLE_GOT_NOTHING:
			case CURLE_PARTIAL_FILE:
			case CURLE_WEIRD_SERVER_REPLY:
				a.end = DDB_END_LOST;
				break;
			default:
				a.end = DDB_END_FATAL;
				break;
		}
	if (a.end == DDB_END_ANSWER && a.status == 400)
	{
		cJSON	   *json = call->resp ? cJSON_ParseWithLength(call->resp, call->resp_len) : NULL;

		a.body_is_json = (json != NULL);
		if (json)
		{
			ddb_error_info info;

			ddb_error_read(json, &info);
			a.throttling = ddb_error_is_throttling(info.type);
			cJSON_Delete(json);
		}
	}
	*throttled = a.throttling;
	return ddb_retry_classify(&a);
}

/*
 * Decides what follows a failed attempt of class cls: another attempt
 * after a backoff, or the end.  True when it will be retried.
 */
static bool
call_schedule_retry(DdbCall *call, ddb_retry_class cls)
{
	if (!ddb_retry_allowed(cls, call->idempotent, call->attempts, call->conn->max_retries,
						   &call->not_repeated))
	{
		call->done = true;
		return false;
	}
	call->done = false;
	call_send_or_wait(call,
					  TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												  ddb_backoff_ms(call->attempts,
																 pg_prng_uint64(&pg_global_prng_state))));
	return true;
}

/* Collects finished transfers of a connection and schedules retries. */
static void
collect_done(DdbConn *conn)
{
	CURLMsg    *msg;
	int			left;

	while ((msg = curl_multi_info_read(conn->multi, &left)) != NULL)
	{
		DdbCall    *call = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &call);
		if (call == NULL)
			continue;
		call->result = msg->data.result;
		call->status = 0;
		if (call->result == CURLE_OK)
			curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &call->status);
		curl_multi_remove_handle(conn->multi, call->easy);
		call->active = false;
		if (call->result == CURLE_OK && call->status == 200 && !call->resp_oom)
			call->done = true;
		else
		{
			bool		throttled = false;
			ddb_retry_class cls = call_retry_class(call, &throttled);

			if (throttled && call->budget)
			{
				/* it consumed nothing; the rate is cut (AIMD) */
				ddb_capacity_throttled(call->budget, call->kind, call->estimate);
				call->estimate = 0;
			}
			(void) call_schedule_retry(call, cls);
		}
	}
}

/* Resubmits calls whose wait is over; returns ms until the next one is due. */
static long
resubmit_due(DdbConn *conn)
{
	dlist_iter	it;
	long		next = DDB_WAIT_SLICE_MS;

	dlist_foreach(it, &conn->inflight)
	{
		DdbCall    *call = dlist_container(DdbCall, node, it.cur);
		TimestampTz now;

		if (!call->waiting)
			continue;
		now = GetCurrentTimestamp();
		/* due, unless another call took the token or the budget meanwhile */
		if (call->retry_at <= now)
			call->retry_at = call_ready_at(call, call->retry_at, now);
		if (call->retry_at <= now)
			call_submit(call);
		else
		{
			long		ms = (long) ((call->retry_at - now) / 1000) + 1;

			next = Min(next, ms);
		}
	}
	return next;
}

/* Drives the connection until the call has its final outcome. */
static void
call_wait(DdbCall *call)
{
	DdbConn    *conn = call->conn;

	while (!call->done)
	{
		int			running;
		long		wait_ms;

		CHECK_FOR_INTERRUPTS();
		wait_ms = resubmit_due(conn);
		curl_multi_perform(conn->multi, &running);
		collect_done(conn);
		if (call->done)
			break;
		if (call->waiting)
		{
			long		ms = (long) ((call->retry_at - GetCurrentTimestamp()) / 1000) + 1;

			wait_ms = Max(0, Min(wait_ms, ms));
		}
		if (wait_ms > 0)
			curl_multi_poll(conn->multi, NULL, 0, (int) wait_ms, NULL);
	}
}

/*
 * How a call that failed for good failed: the transport outcome, as
 * request.c reports it.
 */
static DdbCallStatus
call_failure(DdbCall *call, bool parsed)
{
	if (call->resp_oom)
		return DDB_CALL_OUT_OF_MEMORY;
	switch (call->result)
	{
		case CURLE_OK:
			return call->status == 200 && !parsed ? DDB_CALL_BAD_ANSWER : DDB_CALL_ERROR_ANSWER;
		case CURLE_SSL_CACERT_BADFILE:
			return DDB_CALL_CA_FILE;
		case CURLE_PEER_FAILED_VERIFICATION:
			return DDB_CALL_TLS_VERIFY;
		case CURLE_OPERATION_TIMEDOUT:
			return DDB_CALL_TIMEOUT;
		case CURLE_SEND_FAIL_REWIND:
			if (!call->resend_refused)
				return DDB_CALL_UNREACHABLE;
			/* FALLTHROUGH */
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
			return call_body_sent(call) ? DDB_CALL_LOST_WAITING : DDB_CALL_LOST_SENDING;
		case CURLE_PARTIAL_FILE:
			return DDB_CALL_LOST_ANSWER;
		case CURLE_WEIRD_SERVER_REPLY:
			return DDB_CALL_NOT_HTTP;
		default:
			return DDB_CALL_UNREACHABLE;
	}
}

/* The result of a finished call, in CurrentMemoryContext. */
static DdbResult *
call_result(DdbCall *call, DdbCallStatus status, cJSON *json)
{
	DdbConn    *conn = call->conn;
	DdbResult  *res = palloc0(sizeof(DdbResult));

	res->status = status;
	res->op = call->op;
	res->opname = pstrdup(call->opname);
	res->table = pstrdup(call->table);
	res->endpoint = pstrdup(conn->url);
	res->http_status = call->result == CURLE_OK ? call->status : 0;
	res->type = "";
	res->message = "";
	res->reasons = "";
	res->transport = "";
	res->attempts = call->attempts;
	res->not_repeated = call->not_repeated;
	res->request_timeout_ms = conn->request_timeout_ms;
	res->ca_file = conn->ca_file ? pstrdup(conn->ca_file) : "";
	res->json = json;
	if (status == DDB_CALL_ERROR_ANSWER)
	{
		cJSON	   *err = cJSON_ParseWithLength(call->resp ? call->resp : "", call->resp_len);
		ddb_error_info info;

		ddb_error_read(err, &info);
		res->type = pstrdup(info.type);
		if (ddb_error_is_throttling(info.type))
		{
			char		reasons[1024];

			if (ddb_error_throttling_reasons(err, reasons, sizeof(reasons)) > 0)
				res->reasons = pstrdup(reasons);
		}
		/* not JSON (a proxy's or load balancer's page): as it came */
		res->message = err ? pstrdup(info.message) :
			pnstrdup(call->resp ? call->resp : "", call->resp_len);
		res->error_body = err;	/* CancellationReasons, a condition's Item */
	}
	else if (status == DDB_CALL_CA_FILE || status == DDB_CALL_TLS_VERIFY)
		res->transport = pstrdup(call->errbuf[0] ? call->errbuf : curl_easy_strerror(call->result));
	else if (status != DDB_CALL_OK && status != DDB_CALL_BAD_ANSWER &&
			 status != DDB_CALL_CANCELLED && status != DDB_CALL_OUT_OF_MEMORY)
		res->transport = pstrdup(curl_easy_strerror(call->result));
	return res;
}

/*
 * A call set aside by a rollback to a savepoint, finished by its owner
 * after all (an outer cursor read inside the savepoint): a read, or a
 * write that never went out, is sent again.  False for a write that may
 * have been applied: it ends as cancelled.
 */
static bool
call_resume(DdbCall *call)
{
	if (!call->idempotent && call->attempts > 0)
		return false;
	call->set_aside = false;
	call->subid = GetCurrentSubTransactionId();
	call_take_handle(call);
	call_send_or_wait(call, 0);
	return true;
}

/*
 * Waits until the call has an answer in JSON, or failed for good (NULL).
 * A 200 answer that is not valid JSON (a truncated or garbled body) is
 * retried like a lost answer.
 */
static cJSON *
call_wait_answer(DdbCall *call)
{
	for (;;)
	{
		cJSON	   *json;

		call_wait(call);
		if (call->result != CURLE_OK || call->status != 200 || call->resp_oom)
			return NULL;
		json = ddb_json_parse(call->resp ? call->resp : "", call->resp_len);
		if (json != NULL)
			return json;
		if (!call_schedule_retry(call, DDB_RETRY_IF_IDEMPOTENT))
			return NULL;
	}
}

/*
 * Waits for a call (driving every other call of its connection meanwhile)
 * and returns its result in CurrentMemoryContext: the parsed answer, or
 * what failed.  The call is freed either way, also when the wait is
 * interrupted (the interrupt's error is the one raised here).
 */
DdbResult *
ddb_http_finish(DdbCall *call)
{
	cJSON	   *json = NULL;
	DdbResult  *res;

	PG_TRY();
	{
		if (!call->set_aside || call_resume(call))
			json = call_wait_answer(call);
	}
	PG_CATCH();
	{
		call_free(call);
		retired_release_idle();
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (call->set_aside)
		res = call_result(call, DDB_CALL_CANCELLED, NULL);
	else if (json != NULL)
	{
		if (call->budget)
			ddb_capacity_answer(call->budget, call->kind, call->op, call->items,
								call->estimate, json);
		res = call_result(call, DDB_CALL_OK, json);
	}
	else
		res = call_result(call, call_failure(call, false), NULL);
	call_free(call);
	retired_release_idle();
	return res;
}
