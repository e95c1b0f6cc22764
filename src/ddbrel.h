/*-------------------------------------------------------------------------
 * ddbrel.h
 *	  Shared structures and prototypes of the ddbrel foreign data wrapper.
 *
 * Prototypes are grouped by the file that defines them.
 *-------------------------------------------------------------------------
 */
#ifndef DDBREL_H
#define DDBREL_H

#include "postgres.h"

#include "access/xact.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "port/atomics.h"
#include "utils/relcache.h"

#include <cjson/cJSON.h>

#include "limits_core.h"
#include "template.h"

#define DDB_API_PREFIX "DynamoDB_20120810."

/* ----------------------------------------------------------------
 * Options, resolved for one foreign table (option.c)
 * ----------------------------------------------------------------
 */
/*
 * A capacity budget option (read_capacity, write_capacity): units per
 * second, or a percentage of the table's capacity as DescribeTable gives it.
 * Both 0: no budget.
 */
typedef struct DdbCapacity
{
	double		units;			/* > 0: capacity units per second */
	double		percent;		/* > 0: percent of the table's capacity */
} DdbCapacity;

typedef struct DdbServerOptions
{
	char	   *region;
	char	   *endpoint;		/* full URL, no trailing slash */
	int			connect_timeout_ms;
	int			request_timeout_ms;
	int			max_retries;
	bool		allow_full_scan;
	int			max_requests_per_second;	/* 0 = unlimited */
	DdbCapacity read_capacity;	/* budgets of every table's reads ... */
	DdbCapacity write_capacity; /* ... and writes */
	char	   *ca_file;		/* CA bundle for TLS, NULL: the system's */
	bool		verify_tls;		/* verify certificates (default true) */
} DdbServerOptions;

typedef struct DdbCredentials
{
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;	/* NULL when absent */
	long long	expiration;		/* Unix time they expire; 0: they do not */
} DdbCredentials;

/* One column of a foreign table and where its value comes from. */
typedef enum DdbColumnSource
{
	DDB_COL_ATTRIBUTE,			/* a named DynamoDB attribute */
	DDB_COL_DOCUMENT,			/* the whole item as plain JSON */
	DDB_COL_TEMPLATE,			/* a hole of the pk or sk template */
	DDB_COL_EXTRA				/* the attributes no other column maps, as JSON */
} DdbColumnSource;

/* How a date or time column keeps its values (column option "format"). */
typedef enum DdbTimeFormat
{
	DDB_FORMAT_ISO,				/* S, ISO text in UTC */
	DDB_FORMAT_EPOCH_SECONDS,	/* N, seconds since 1970-01-01 00:00 UTC */
	DDB_FORMAT_EPOCH_MILLIS		/* N, milliseconds since then */
} DdbTimeFormat;

typedef struct DdbColumn
{
	AttrNumber	attnum;			/* 1-based attribute number */
	char	   *colname;
	char	   *attrname;		/* DynamoDB attribute name (DDB_COL_ATTRIBUTE) */
	bool		attr_explicit;	/* attrname came from the "attribute" option */
	DdbColumnSource source;
	int			tmpl_key;		/* DDB_COL_TEMPLATE: 0 = pk template, 1 = sk template */
	int			tmpl_hole;		/* index of the hole in that template */
	bool		read_from_key;	/* DDB_COL_ATTRIBUTE, option read_from_key: an item
								 * without the attribute gives the value in index
								 * key template key_tmpl (opts->templates) */
	int			key_tmpl;
	int			key_hole;
	bool		backed;			/* DDB_COL_TEMPLATE with an attribute option: read
								 * from attribute attrname when the item has it
								 * (the key only for matching), written to both */
	Oid			typid;
	int32		typmod;
	DdbTimeFormat format;		/* option "format" (date and time types) */
	bool		format_explicit;	/* format came from the option */
	bool		wrong_type_null;	/* option wrong_type 'null': a value the
									 * column cannot hold reads as NULL */
	/* filled by ddb_codec_column_init */
	Oid			elemtype;		/* element type for arrays, else InvalidOid */
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	FmgrInfo	infunc;			/* input function of typid (or elemtype) */
	Oid			ioparam;
	FmgrInfo	outfunc;		/* output function of typid (or elemtype) */
	int			category;		/* DdbTypeCategory */
	bool		unique;			/* column option unique: a guard item per value */
	bool		version;		/* column option version: what writes and locked
								 * reads check at COMMIT */
	/* template holes: the canonical text check (codec.c) */
	int			canon_state;	/* DDB_CANON_* */
	Oid			canon_base;
	int32		canon_typmod;
	FmgrInfo	canon_in;
	Oid			canon_ioparam;
	FmgrInfo	canon_out;
} DdbColumn;

#define DDB_CANON_UNSET 0
#define DDB_CANON_ANY	1		/* every text is canonical */
#define DDB_CANON_CHECK 2		/* input, output, compare */

/*
 * The most attributes a key of a global secondary index may have on each
 * side (partition and sort) since DynamoDB's multi-attribute keys.
 */
#define DDB_MAX_KEY_ATTRS 4

/*
 * What DescribeTable says of an index.  pk_attr and sk_attr are the first
 * attribute of each side; an index with multi-attribute keys has npk or
 * nsk above 1, its attributes in KeySchema order in pk_attrs and sk_attrs.
 */
typedef struct DdbIndexDesc
{
	char	   *name;
	bool		global;
	char	   *pk_attr;
	char	   *sk_attr;		/* NULL if none */
	int			npk;
	int			nsk;
	char	   *pk_attrs[DDB_MAX_KEY_ATTRS];
	char	   *sk_attrs[DDB_MAX_KEY_ATTRS];
	char	   *projection;		/* "ALL", "KEYS_ONLY" or "INCLUDE" */
	List	   *include;		/* attribute names (char *) for INCLUDE */
} DdbIndexDesc;

/* Whether an index has more than one attribute in its partition or sort key. */
#define DDB_INDEX_MULTI(ix) ((ix)->npk > 1 || (ix)->nsk > 1)

/* What DescribeTable says of a table; cached per backend (request.c). */
typedef struct DdbTableDesc
{
	char	   *name;
	char	   *pk_attr;
	char		pk_type;		/* 'S', 'N' or 'B' */
	char	   *sk_attr;		/* NULL if none */
	char		sk_type;
	double		item_count;
	double		size_bytes;
	double		read_units;		/* ProvisionedThroughput; 0 when on demand */
	double		write_units;
	double		max_read_units; /* OnDemandThroughput maximum; 0 when none */
	double		max_write_units;
	List	   *indexes;		/* DdbIndexDesc * */
	List	   *attr_types;		/* AttributeDefinitions: list of "name" / "T" pairs (char *) */
	/* DescribeTimeToLive (ddb_describe_ttl): */
	bool		ttl_known;		/* asked, and answered */
	char	   *ttl_attr;		/* attribute DynamoDB expires items by, or NULL */
} DdbTableDesc;

/* A key template on an attribute: pk_template, sk_template, or <attr>_template. */
typedef struct DdbAttrTemplate
{
	char	   *attr;			/* the DynamoDB attribute it composes */
	char	   *text;
	ddb_template *tmpl;
	bool		is_key;			/* pk_template or sk_template: read back into columns */
	bool		truncate;		/* <attr>_missing 'truncate': a row with missing values
								 * writes the key cut before the first of them (as
								 * ElectroDB does); else the attribute is omitted */
} DdbAttrTemplate;

/* A constant identifier attribute: written on INSERT, required on read. */
typedef struct DdbIdentifier
{
	char	   *attr;
	char	   *value;			/* a string (S) */
} DdbIdentifier;

/*
 * A set of columns the table option unique declares unique together: a
 * guard item per combination of values (unique.c).
 */
typedef struct DdbUniqueSet
{
	int			ncols;
	int		   *cols;			/* indexes into DdbRelOptions.columns */
	char	   *attrs;			/* their attributes, comma-separated */
} DdbUniqueSet;

/* Everything the planner and executor need to know about one foreign table. */
typedef struct DdbRelOptions
{
	Oid			relid;
	Oid			serverid;
	Oid			userid;
	DdbServerOptions server;
	char	   *table;			/* DynamoDB table name */
	char	   *partition_key;	/* attribute names: option or DescribeTable */
	char	   *sort_key;		/* NULL if the table has none */
	bool		consistent_read;
	int			parallel_segments;
	int			parallel_workers;	/* -1: by the table's size (parallel.c) */
	bool		allow_full_scan;
	int			max_requests_per_second;	/* table option, else server's; 0 = unlimited */
	DdbCapacity read_capacity;	/* table option, else server's */
	DdbCapacity write_capacity;
	char	   *index;			/* option "index": NULL (free choice), name, or "none" */
	char	   *pk_template_text;
	char	   *sk_template_text;
	ddb_template *pk_template;	/* NULL when not an entity table */
	ddb_template *sk_template;
	List	   *templates;		/* DdbAttrTemplate: pk, sk, then index key templates */
	char	   *type_attribute;
	char	   *type_value;
	bool		include_expired;	/* option: show items whose TTL is past */
	char	   *ttl_option;		/* option ttl_attribute, or NULL */
	char	   *ttl_attr;		/* the TTL attribute (option or DescribeTimeToLive), or NULL */
	List	   *mapped_attrs;	/* attributes some column, template or option maps
								 * (char *), for an extra column */
	List	   *identifiers;	/* DdbIdentifier: the option identifiers, then
								 * type_attribute = type_value */
	int			ncolumns;
	DdbColumn  *columns;		/* one per non-dropped column */
	List	   *unique_sets;	/* DdbUniqueSet: the table option unique */
	struct DdbTableDesc *desc;	/* DescribeTable result, when fetched */
} DdbRelOptions;

/* option.c: the catalog only, no network */
extern DdbRelOptions *ddb_get_rel_options(Oid relid);
extern void ddb_resolve_rel_options(DdbRelOptions *opts, struct DdbTableDesc *desc);
extern void ddb_get_server_options(ForeignServer *server, DdbServerOptions *out);
extern const char *ddb_find_option(List *options, const char *name);
extern DdbColumn *ddb_column_by_attnum(DdbRelOptions *opts, AttrNumber attnum);
extern DdbColumn *ddb_column_by_name(DdbRelOptions *opts, const char *name);
extern bool ddb_parse_bool_option(const char *name, const char *value);
extern int	ddb_parse_int_option(const char *name, const char *value, int min, int max);
extern Oid	ddb_rte_user(RangeTblEntry *rte);
extern void ddb_check_url_option(const char *name, const char *value);
extern List *ddb_parse_identifiers(const char *value);
extern bool ddb_identifier_value(DdbRelOptions *opts, const char *attr, const char **value);
extern void ddb_parse_capacity_option(const char *name, const char *value, DdbCapacity *out);

/* ----------------------------------------------------------------
 * The call layer (http.c, request.c)
 *
 * http.c sends requests and returns a DdbResult for each, retrying on its
 * own what may be retried; it never raises a DynamoDB error.  request.c
 * is the DynamoDB side: every operation, pagination, Batch* resends, and
 * the one place that turns a failed result into an ereport.
 * ----------------------------------------------------------------
 */
typedef struct DdbConn DdbConn;
typedef struct DdbCall DdbCall;

/* Per-backend counters of what reached the server (ddbrel.stats()). */
typedef enum DdbOp
{
	DDB_OP_GET_ITEM,
	DDB_OP_BATCH_GET_ITEM,
	DDB_OP_QUERY,
	DDB_OP_SCAN,
	DDB_OP_PUT_ITEM,
	DDB_OP_UPDATE_ITEM,
	DDB_OP_DELETE_ITEM,
	DDB_OP_BATCH_WRITE_ITEM,
	DDB_OP_DESCRIBE_TABLE,
	DDB_OP_LIST_TABLES,
	DDB_OP_CREATE_TABLE,
	DDB_OP_DESCRIBE_TTL,
	DDB_OP_TRANSACT_WRITE_ITEMS,
	DDB_OP_TRANSACT_GET_ITEMS,
	DDB_OP_OTHER,
	DDB_OP_COPIES,				/* not a request: copied columns propagated */
	DDB_NUM_OPS
} DdbOp;

typedef struct DdbStats
{
	int64		requests[DDB_NUM_OPS];
	int64		retries[DDB_NUM_OPS];
	int64		items_scanned[DDB_NUM_OPS];
	int64		items_returned[DDB_NUM_OPS];
	double		capacity[DDB_NUM_OPS];
	int64		wrong_type[DDB_NUM_OPS];	/* values read as NULL for their type */
} DdbStats;

/* What a request consumes: read or write capacity (request.c). */
#define DDB_CAPACITY_READ	0
#define DDB_CAPACITY_WRITE	1

/* What one table consumed and may consume (ddbrel.capacity()). */
typedef struct DdbTableCapacity
{
	Oid			serverid;
	char		table[256];
	double		units[2];		/* consumed, reads and writes */
	int64		throttled[2];	/* throttling answers */
	double		budget[2];		/* units per second; 0: none */
	double		rate[2];		/* what the budget allows now (AIMD) */
} DdbTableCapacity;

/* How a call ended, for good (after its retries). */
typedef enum DdbCallStatus
{
	DDB_CALL_OK,				/* HTTP 200 with an answer in JSON */
	DDB_CALL_ERROR_ANSWER,		/* an HTTP answer other than 200 */
	DDB_CALL_BAD_ANSWER,		/* HTTP 200 with a body that is not JSON */
	DDB_CALL_UNREACHABLE,		/* no connection (DNS, connect, TLS handshake) */
	DDB_CALL_CA_FILE,			/* the server's ca_file cannot be used */
	DDB_CALL_TLS_VERIFY,		/* the endpoint's certificate did not verify */
	DDB_CALL_TIMEOUT,			/* no complete answer within request_timeout */
	DDB_CALL_LOST_SENDING,		/* closed while the request was being sent */
	DDB_CALL_LOST_WAITING,		/* closed after the request, before an answer */
	DDB_CALL_LOST_ANSWER,		/* closed in the middle of the answer */
	DDB_CALL_NOT_HTTP,			/* the answer was not HTTP */
	DDB_CALL_OUT_OF_MEMORY,		/* the answer did not fit in memory */
	DDB_CALL_CANCELLED			/* dropped by a rollback to a savepoint */
} DdbCallStatus;

/*
 * The outcome of one call, in CurrentMemoryContext: postgres_fdw's
 * PGresult.  Strings are never NULL.
 */
typedef struct DdbResult
{
	DdbCallStatus status;
	DdbOp		op;
	const char *opname;			/* "Query" */
	const char *table;			/* "" when none */
	const char *endpoint;		/* the URL, for messages */
	long		http_status;	/* 0 without an HTTP answer */
	const char *type;			/* DynamoDB's __type without namespace, or "" */
	const char *message;		/* DynamoDB's message; an answer that is not
								 * JSON as it came */
	const char *reasons;		/* a throttling answer's ThrottlingReasons as a
								 * sentence (response_core.c), or "" */
	const char *transport;		/* libcurl's account of a transport failure */
	int			attempts;		/* times the request was sent */
	bool		not_repeated;	/* retryable, but not retried: it may have
								 * been applied */
	int			request_timeout_ms; /* DDB_CALL_TIMEOUT */
	const char *ca_file;		/* DDB_CALL_CA_FILE */
	cJSON	   *json;			/* DDB_CALL_OK: the answer */
	cJSON	   *error_body;		/* DDB_CALL_ERROR_ANSWER: the answer when it is
								 * JSON (CancellationReasons, the Item of
								 * ReturnValuesOnConditionCheckFailure), or NULL */
} DdbResult;

/* http.c */
extern DdbStats ddb_stats;
extern DdbConn *ddb_get_connection(Oid serverid, Oid userid);
extern void ddb_connection_ids(DdbConn *conn, Oid *serverid, Oid *userid);
extern int	ddb_connection_max_retries(DdbConn *conn);
extern void ddb_connection_set_rate(DdbConn *conn, int per_second);
extern const char *ddb_connection_endpoint(DdbConn *conn);
extern bool ddb_connection_same_account(DdbConn *a, DdbConn *b);
extern DdbCall *ddb_http_start(DdbConn *conn, DdbOp op, const char *opname,
							   const char *table, const char *body, bool idempotent,
							   long delay_ms, long items);
extern DdbResult *ddb_http_finish(DdbCall *call);
extern void ddb_http_cancel(DdbCall *call);
extern void ddb_http_abort_all(void);
extern void ddb_http_subxact_commit(SubTransactionId subid, SubTransactionId parent);
extern void ddb_http_subxact_abort(SubTransactionId subid);
extern TimestampTz ddb_connection_statement(DdbConn *conn);
extern const DdbCapacity *ddb_connection_server_capacity(DdbConn *conn, int kind);

/* capacity.c: capacity budgets per (server, DynamoDB table) */
typedef struct DdbBudgetEntry DdbBudgetEntry;
extern int	ddb_op_capacity_kind(const char *opname);
extern DdbBudgetEntry *ddb_capacity_entry(Oid serverid, const char *table);
extern double ddb_capacity_table_budget(Oid serverid, const char *table, int kind,
										TimestampTz statement);
extern void ddb_capacity_set(Oid serverid, const char *table, int kind,
							 TimestampTz statement, double units, bool from_table);
extern bool ddb_capacity_set_in(Oid serverid, const char *table, int kind,
								TimestampTz statement);
extern long ddb_capacity_page_limit(Oid serverid, const char *table, DdbOp op);
extern double ddb_capacity_estimate(DdbBudgetEntry *e, int kind, DdbOp op, long items);
extern TimestampTz ddb_capacity_ready(DdbBudgetEntry *e, int kind, TimestampTz from,
									  double estimate);
extern void ddb_capacity_spend(DdbBudgetEntry *e, int kind, double estimate);
extern void ddb_capacity_throttled(DdbBudgetEntry *e, int kind, double estimate);
extern void ddb_capacity_answer(DdbBudgetEntry *e, int kind, DdbOp op, long items,
								double estimate, const cJSON *json);
extern DdbTableCapacity *ddb_capacity_stats(int *n);
extern void ddb_capacity_stats_reset(void);
extern int	ddb_capacity_take(DdbTableCapacity *out, int max);
extern void ddb_capacity_add(const DdbTableCapacity *t);

/* request.c: calls */
extern const char *const ddb_op_names[DDB_NUM_OPS];
extern DdbOp ddb_op_from_name(const char *op);
extern bool ddb_op_idempotent(DdbOp op);
extern DdbCall *ddb_call_start(DdbConn *conn, const char *op, const char *table,
							   const cJSON *req);
extern DdbCall *ddb_call_start_ex(DdbConn *conn, const char *op, const char *table,
								  const cJSON *req, bool idempotent);
extern DdbResult *ddb_call_wait(DdbCall *call);
extern cJSON *ddb_call_finish(DdbCall *call);
extern void ddb_call_cancel(DdbCall *call);
extern DdbResult *ddb_call_result(DdbConn *conn, const char *op, const char *table,
								  const cJSON *req);
extern cJSON *ddb_call(DdbConn *conn, const char *op, const char *table, const cJSON *req);
extern bool ddb_result_is(const DdbResult *res, const char *type);
extern void ddb_report_result(const DdbResult *res, int64 written) pg_attribute_noreturn();

/* http_simple.c: one plain HTTP request, for the credential providers */
typedef struct DdbHttpRequest
{
	const char *method;			/* "GET", "PUT" or "POST" */
	const char *url;
	const char *const *headers; /* "Name: value" lines, NULL-terminated, or NULL */
	const char *body;			/* POST body, or NULL */
	size_t		body_len;
	int			connect_timeout_ms;
	int			timeout_ms;
	const char *ca_file;		/* NULL: the system CA bundle */
	bool		verify_tls;
	bool		no_proxy;		/* never through a proxy (metadata endpoints) */
	size_t		max_response;	/* longer answers fail; 0: 1 MB */
} DdbHttpRequest;

typedef struct DdbHttpResult
{
	long		status;			/* HTTP status; 0 when no answer came */
	char	   *body;			/* palloc'd, NUL-terminated */
	size_t		body_len;
	char		error[256];		/* why no answer came */
} DdbHttpResult;

extern void ddb_http_simple(const DdbHttpRequest *req, DdbHttpResult *res);
extern void ddb_curl_init(void);

/* how long a wait for an answer may go without checking for interrupts */
#define DDB_WAIT_SLICE_MS 100

/* option.c: the options that choose credentials and the AWS endpoints */
/* Where a server's credentials come from (option credential_source). */
typedef enum DdbCredSource
{
	DDB_SRC_USER_MAPPING,		/* keys in the user mapping (the default) */
	DDB_SRC_ENVIRONMENT,		/* AWS_ACCESS_KEY_ID ... of the server process */
	DDB_SRC_PROFILE,			/* a profile of the shared config files */
	DDB_SRC_WEB_IDENTITY,		/* AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN */
	DDB_SRC_CONTAINER,			/* ECS / EKS Pod Identity endpoint */
	DDB_SRC_INSTANCE			/* EC2 instance metadata, IMDSv2 */
} DdbCredSource;

extern DdbCredSource ddb_credential_source(List *server_options);
extern void ddb_validate_aws_options(List *options, Oid context);
extern char *ddb_default_endpoint(const char *service, const char *region,
								  List *server_options);

/* credentials.c: AWS credentials of a server */
extern void ddb_credentials_get(Oid serverid, Oid userid, DdbCredentials *out);

/* request.c: follow-ups of an answer */
extern cJSON *ddb_next_page(const cJSON *req, const cJSON *resp);
extern int	ddb_batch_unprocessed(const cJSON *resp);
extern DdbCall *ddb_batch_resend(DdbConn *conn, const char *op, const char *table,
								 const cJSON *resp, int *resends, int64 written);

/* request.c: tables */
extern DdbTableDesc *ddb_describe_table(DdbConn *conn, const char *table,
										bool missing_ok);
extern void ddb_describe_ttl(DdbConn *conn, DdbTableDesc *desc);
extern DdbRelOptions *ddb_get_rel_options_as(Oid relid, Oid userid);
extern void ddb_invalidate_table_cache(void);
extern List *ddb_list_tables(DdbConn *conn);

/* request.c: the capacity budgets and request rate of a foreign table */
extern void ddb_connection_use_table(DdbConn *conn, DdbRelOptions *opts);

/* ----------------------------------------------------------------
 * Attribute codec (codec.c)
 * ----------------------------------------------------------------
 */
typedef enum DdbTypeCategory
{
	DDB_TYPE_TEXT,				/* anything with a text input function: S (and N) */
	DDB_TYPE_NUMBER,			/* numeric, int2/4/8, float4/8, oid: N */
	DDB_TYPE_BOOL,				/* BOOL */
	DDB_TYPE_BYTEA,				/* B */
	DDB_TYPE_JSON,				/* json/jsonb: any type, as plain JSON */
	DDB_TYPE_TEXT_ARRAY,		/* SS (or L of S) */
	DDB_TYPE_NUMBER_ARRAY,		/* NS (or L of N) */
	DDB_TYPE_BYTEA_ARRAY,		/* BS (or L of B) */
	DDB_TYPE_EPOCH				/* date or time with an epoch format: N */
} DdbTypeCategory;

/* The name errors use for the attribute a column reads. */
static inline const char *
ddb_col_attr_name(const DdbColumn *col)
{
	return col->attrname ? col->attrname : col->colname;
}

static inline bool
ddb_category_is_array(int category)
{
	return category == DDB_TYPE_TEXT_ARRAY ||
		category == DDB_TYPE_NUMBER_ARRAY ||
		category == DDB_TYPE_BYTEA_ARRAY;
}

extern int64 ddb_codec_wrong_type_count;
extern void ddb_codec_column_init(DdbColumn *col);
extern void ddb_codec_set_format(DdbColumn *col, DdbTimeFormat format);
extern char *ddb_time_epoch_text(Datum value, Oid typid, DdbTimeFormat format);
extern bool ddb_time_is_finite(Datum value, Oid typid);
extern Datum ddb_item_to_extra(const cJSON *item, DdbColumn *col, List *mapped);
extern Datum ddb_av_to_datum(const cJSON *av, DdbColumn *col, bool *isnull);
extern Datum ddb_text_to_datum(const char *s, size_t len, DdbColumn *col);
extern Datum ddb_item_to_document(const cJSON *item, DdbColumn *col);
extern bool ddb_hole_type_canonical(Oid typid);
extern char *ddb_canonical_key_text(Datum value, Oid typid);
extern bool ddb_key_text_canonical(const char *s, size_t len, DdbColumn *col);
extern bool ddb_key_text_free(DdbColumn *col);
extern void ddb_codec_pg_init(void);
extern char *ddb_output_text(FmgrInfo *flinfo, Oid typid, Datum value);

/* codec_out.c: column values to AttributeValues and key texts */
extern char *ddb_value_text(Datum d, Oid typid);
extern cJSON *ddb_key_av(Datum d, Oid typid, char keytype);
extern cJSON *ddb_column_key_av(DdbColumn *col, Datum value, char keytype);
extern cJSON *ddb_datum_to_av(Datum value, DdbColumn *col);
extern char *ddb_datum_to_key_text(Datum value, DdbColumn *col);

/* ----------------------------------------------------------------
 * Expressions (deparse.c): every DynamoDB expression text, with names and
 * values only as placeholders
 * ----------------------------------------------------------------
 */
typedef struct DdbExprBuilder
{
	cJSON	   *names;			/* "#n0" -> attribute name */
	cJSON	   *values;			/* ":v0" -> AttributeValue */
	int			nnames;
	int			nvalues;
} DdbExprBuilder;

/*
 * A condition made apart from the request it ends up in (a write's
 * condition, a locked read's check): its text with its own placeholders.
 */
typedef struct DdbCond
{
	char	   *expr;
	cJSON	   *names;			/* "#n0" -> attribute name */
	cJSON	   *values;			/* ":v0" -> AttributeValue */
} DdbCond;

/* What an UPDATE changes in an item. */
typedef struct DdbPatch
{
	cJSON	   *set;			/* attribute -> AttributeValue */
	cJSON	   *add;			/* attribute -> {"N": delta}: SET #a = #a + :d */
	cJSON	   *remove;			/* array of attribute names */
} DdbPatch;

extern void ddb_expr_init(DdbExprBuilder *b);
extern const char *ddb_expr_name(DdbExprBuilder *b, const char *attr);
extern const char *ddb_expr_value(DdbExprBuilder *b, cJSON *av);
extern void ddb_expr_attach(DdbExprBuilder *b, cJSON *req);
extern void ddb_expr_rollback(DdbExprBuilder *b, int nnames, int nvalues);
extern cJSON *ddb_av_string(const char *s);
extern char *ddb_expr_import(DdbExprBuilder *b, const DdbCond *c);
extern DdbCond *ddb_cond_make(DdbExprBuilder *b, const char *expr);
extern DdbCond *ddb_cond_copy(const DdbCond *c);
extern char *ddb_deparse_exists(DdbExprBuilder *b, const char *attr, bool exists);
extern char *ddb_deparse_equals(DdbExprBuilder *b, const char *attr, const cJSON *av);
extern char *ddb_deparse_and(const char *a, const char *b);
extern void ddb_deparse_key_projection(cJSON *req, const char *pk, const char *sk);
extern char *ddb_deparse_unchanged(DdbExprBuilder *b, const cJSON *item, List *absent);
extern char *ddb_deparse_update(DdbExprBuilder *b, const DdbPatch *patch);

/* deparse.c: the operator of a Query's sort key condition */
typedef enum DdbSortKeyOp
{
	DDB_SK_NONE,
	DDB_SK_EQ,
	DDB_SK_BEGINS_WITH,
	DDB_SK_LT,
	DDB_SK_LE,
	DDB_SK_GT,
	DDB_SK_GE,
	DDB_SK_BETWEEN
} DdbSortKeyOp;

extern char *ddb_deparse_key_condition(DdbExprBuilder *b, const char *pk_attr,
									   const char *pk_value, DdbSortKeyOp op,
									   const char *sk_attr, const char *sk_value,
									   const char *sk_value2);
extern char *ddb_deparse_key_condition_multi(DdbExprBuilder *b, List *eq_attrs,
											 List *eq_values, DdbSortKeyOp op,
											 const char *sk_attr, const char *sk_value,
											 const char *sk_value2);
extern void ddb_deparse_template_filter(DdbExprBuilder *b, StringInfo filter,
										DdbAttrTemplate *at);
extern void ddb_deparse_identifier_filter(DdbExprBuilder *b, StringInfo filter, DdbRelOptions *opts,
										  const char *bound_attr);
extern char *ddb_deparse_projection(DdbExprBuilder *b, List *attrs);

/* deparse.c: one classified condition on a column */
typedef enum DdbQualKind
{
	DDB_QUAL_EQ,
	DDB_QUAL_NE,
	DDB_QUAL_LT,
	DDB_QUAL_LE,
	DDB_QUAL_GT,
	DDB_QUAL_GE,
	DDB_QUAL_IN,
	DDB_QUAL_PREFIX,
	DDB_QUAL_IS_NULL,
	DDB_QUAL_NOT_NULL
} DdbQualKind;

typedef struct DdbQual
{
	Expr	   *clause;
	DdbQualKind kind;
	DdbColumn  *col;
	Expr	   *value;			/* the other side (EQ..GE, IN: an array) */
	char	   *prefix;			/* PREFIX: the literal prefix */
	bool		exact;			/* PREFIX: the condition is exactly begins_with */
	Oid			collation;
} DdbQual;

extern DdbQual *ddb_classify_qual(DdbRelOptions *opts, Index relid, Expr *clause);
extern DdbColumn *ddb_value_column(Oid typid);
extern List *ddb_build_filter(DdbRelOptions *opts, Index relid, List *quals,
							  DdbExprBuilder *b, StringInfo filter, List *forbidden);
extern bool ddb_key_order_matches(DdbQual *q);
extern bool ddb_collation_is_c(Oid coll);
extern bool ddb_key_equality_exact(DdbQual *q);
extern bool ddb_hole_condition_exact(DdbQual *q);
extern bool ddb_hole_range_exact(DdbQual *q);
extern bool ddb_epoch_value_fits(DdbQual *q);
extern bool ddb_type_equality(Oid opno, Oid typid);
extern bool ddb_collation_exact(Oid coll);

/* ----------------------------------------------------------------
 * Read requests (deparse_request.c)
 *
 * planner.c plans the read of one relation as a DdbScanPlan: a
 * DdbReadRequest with every expression and constant fixed, and key specs
 * for the key values known only at execution (parameters, the outer side
 * of a join).  It travels packed in ForeignScan->fdw_private (one pack,
 * one unpack); scan.c unpacks it once per executor scan, and at each
 * (re)scan start makes the requests to send from it and the evaluated key
 * values.  EXPLAIN renders the same structure, with the key values as it
 * names them.
 * ----------------------------------------------------------------
 */
#define DDB_KEY_PK		0		/* the partition key */
#define DDB_KEY_SK		1		/* the sort key: a value, or a begins_with prefix */
#define DDB_KEY_RANGE	2		/* one end of a sort key range */

/*
 * How the executor computes one key value from fdw_exprs: the value of a
 * raw key attribute, or a key template composed from its holes' values
 * (or its prefix up to the first hole without one).  An IN list on one of
 * the values makes one key value per element.
 */
typedef struct DdbKeySpec
{
	char	   *name;			/* placeholder (":k0"), or the key attribute
								 * (GetItem, BatchGetItem) */
	int			role;			/* DDB_KEY_* */
	char		keytype;		/* 'S', 'N' or 'B' */
	int			tmpl;			/* index in DdbRelOptions.templates, or -1: raw */
	List	   *exprs;			/* IntList: fdw_exprs positions, in hole order */
	int			in_pos;			/* which of exprs is an IN array, or -1 */
	List	   *in_zip;			/* IntList: other positions of exprs that are
								 * arrays, paired with in_pos's element by
								 * element (a batched lookup's key arrays) */
	char	   *extra;			/* constant text appended ("" for none) */
	bool		prefix;			/* a template's prefix, not the whole key */
	int			mode;			/* DDB_SPEC_*: how the values make the key */
} DdbKeySpec;

/* A read request as planned: all of it but the key values. */
typedef struct DdbReadRequest
{
	DdbOp		op;				/* Scan, Query, GetItem or BatchGetItem */
	char	   *table;
	char	   *index;			/* the index a Query reads, or NULL */
	char	   *key_condition;	/* Query: KeyConditionExpression */
	char	   *filter;			/* FilterExpression, or NULL */
	char	   *projection;		/* ProjectionExpression, or NULL */
	bool		count;			/* Select=COUNT: the executor emits Count
								 * empty rows */
	bool		backward;		/* ScanIndexForward=false */
	int			limit;			/* Limit, or 0 */
	bool		consistent_read;
	int			segments;		/* Scan: TotalSegments, 1 when not parallel */
	cJSON	   *names;			/* "#n0" -> attribute name, or NULL */
	cJSON	   *values;			/* ":v0" -> constant AttributeValue, or NULL */
	List	   *keys;			/* DdbKeySpec: the key values added at execution */
	/*
	 * A Query on an index that does not project every attribute needed:
	 * the items it returns are looked up in the table by their keys
	 * (BatchGetItem, DDB_BATCH_GET_MAX keys per call), with this
	 * ProjectionExpression (NULL: whole items) and its own names.
	 */
	bool		fetch;
	char	   *fetch_projection;
	cJSON	   *fetch_names;
} DdbReadRequest;

/* Keys per BatchGetItem request: DynamoDB's limit. */
#define DDB_BATCH_GET_MAX 100

/* What the scan of one relation runs: ForeignScan->fdw_private, packed. */
typedef struct DdbScanPlan
{
	DdbReadRequest *request;
	List	   *retrieved;		/* IntList: attnums of the columns filled */
	int			flags;			/* DDB_FLAG_* */
	List	   *shown;			/* String per fdw_exprs item: how EXPLAIN names
								 * a runtime value ("" for a constant) */
} DdbScanPlan;

#define DDB_FLAG_MATCH		1	/* check key templates on each item */
#define DDB_FLAG_TYPE_CHECK 4	/* check type_attribute on each item */

extern List *ddb_key_spec_pack(const DdbKeySpec *spec);
extern DdbKeySpec *ddb_key_spec_unpack(List *packed);
extern List *ddb_scan_plan_pack(const DdbScanPlan *plan);
extern DdbScanPlan *ddb_scan_plan_unpack(List *packed);
extern cJSON *ddb_read_request_json(const DdbReadRequest *r, List *keyvals);
extern List *ddb_read_requests(const DdbReadRequest *r, List *keyvals);
extern DdbReadRequest *ddb_partition_query(DdbRelOptions *opts, const char *index,
										   const char *pk_attr, const char *pk);
/* every request, just before it is sent: DynamoDB's documented limits */
extern ddb_key_schema ddb_request_key_schema(DdbRelOptions *opts, const char *index);
extern bool ddb_request_fits(DdbRelOptions *opts, const char *index, const char *op,
							 cJSON *req, ddb_key_residual *residual);

/*
 * Expired items: the FilterExpression's placeholders for the oldest and
 * newest expiry times that hide an item (the statement's start, in epoch
 * seconds, filled in when the scan starts), and how far back DynamoDB
 * still deletes items (five years).
 */
#define DDB_TTL_OLD_PH	":ttl_old"
#define DDB_TTL_NOW_PH	":ttl_now"
#define DDB_TTL_HORIZON_SECONDS (5 * 365 * 86400.0 + 86400.0)

/*
 * DdbKeySpec.mode of a template key spec: the whole key, the prefix of its
 * bound holes, or an end of the key range of a range on the next hole
 * (whose bound is the spec's last value; extra holds the literal after
 * that hole): its low end, its high end, or the highest key of the prefix
 * (no upper bound).
 */
#define DDB_SPEC_WHOLE		0
#define DDB_SPEC_BEGINS		1
#define DDB_SPEC_RANGE_LO	2
#define DDB_SPEC_RANGE_HI	3
#define DDB_SPEC_RANGE_TOP	4
/* of a raw key spec: its values are dates or times, sent as epoch numbers */
#define DDB_SPEC_EPOCH_S	5
#define DDB_SPEC_EPOCH_MS	6

/* ----------------------------------------------------------------
 * Planning, scanning, import (planner.c, scan.c, import.c, explain);
 * ddbrel.c's callbacks send joins to join.c, the rest here
 * ----------------------------------------------------------------
 */
extern void ddbGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid);
extern void ddbGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid);
extern ForeignScan *ddb_scan_plan(PlannerInfo *root, RelOptInfo *baserel,
								  Oid foreigntableid, ForeignPath *best_path,
								  List *tlist, List *scan_clauses, Plan *outer_plan);
extern void ddb_scan_begin(ForeignScanState *node, int eflags);
extern TupleTableSlot *ddb_scan_iterate(ForeignScanState *node);
extern void ddb_scan_rescan(ForeignScanState *node);
extern void ddb_scan_end(ForeignScanState *node);
extern List *ddbImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid);

/* planner.c: building one relation's scan, also for joins */
#define DDB_BUILD_SCAN		0	/* a plain scan */
#define DDB_BUILD_PARTITION 1	/* read a whole partition for a join (join.c) */
#define DDB_BUILD_DRIVER	2	/* the driving side of a join: no LIMIT, no COUNT */
extern DdbScanPlan *ddb_build_scan(PlannerInfo *root, RelOptInfo *baserel,
								   List *scan_clauses, int forward, bool allow_limit,
								   int mode, Bitmapset *attrs, List **exprs, List **local);
extern void ddb_full_scan_guard(RelOptInfo *rel, const DdbScanPlan *plan);

extern DdbOp ddb_rel_access_with(RelOptInfo *rel, List *extra, Cost *per_key);

/* access.c, for join.c (the rest of it is planner.c's: access.h) */
extern bool ddb_column_fits_key(DdbRelOptions *opts, DdbColumn *col, const char *attr);

/* batchjoin.c: batched parameterized lookups (a CustomScan) */
extern bool ddb_batch_lookups;
extern void ddb_batchjoin_init(void);

/*
 * The Params of a batched lookup's key arrays carry this location:
 * batchjoin.c makes them, planner.c pairs the keys they bind.
 */
#define DDB_BATCH_PARAM_LOCATION (-1919)

static inline bool
ddb_is_batch_param(Node *n)
{
	return n && IsA(n, Param) && ((Param *) n)->paramkind == PARAM_EXEC &&
		((Param *) n)->location == DDB_BATCH_PARAM_LOCATION;
}

/* scan.c: one relation's scan, driven item by item (also by joins) */
typedef struct DdbScanState DdbScanState;
extern DdbScanState *ddb_scan_create(Oid relid, List *priv, List *exprs, PlanState *parent,
									 Oid userid, bool explain_only);
extern Oid	ddb_scan_user(ForeignScan *fsplan, EState *estate);
extern DdbScanState *ddb_scan_create_bare(Oid relid);
extern const cJSON *ddb_scan_next(DdbScanState *st);
extern bool ddb_scan_item_matches(DdbScanState *st, const cJSON *item);
extern void ddb_scan_fill(DdbScanState *st, const cJSON *item, Datum *values, bool *nulls);
extern void ddb_scan_stop(DdbScanState *st);
extern void ddb_scan_explain(DdbScanState *st, struct ExplainState *es);
extern DdbRelOptions *ddb_scan_opts(DdbScanState *st);
extern cJSON *ddb_scan_key(DdbScanState *st);
extern void ddb_scan_set_check_shape(DdbScanState *st, bool check);
extern void ddb_scan_prefetch(ForeignScanState *node);

/*
 * The segments of a parallel Scan, in its Gather's shared memory:
 * parallel.c sets the counter up, and each participant's scan claims the
 * next segment number from it (scan.c), so each segment is read once.
 */
typedef struct DdbSegmentCounter
{
	pg_atomic_uint32 next;		/* the next segment to claim */
	uint32		nsegments;
} DdbSegmentCounter;

/* fetch.c: the items of an index's keys, for a scan (scan.c) */
typedef struct DdbFetch DdbFetch;
extern DdbFetch *ddb_fetch_create(DdbConn *conn, DdbRelOptions *opts,
								  const DdbReadRequest *req, MemoryContext parent);
extern void ddb_fetch_reset(DdbFetch *f);
extern void ddb_fetch_add(DdbFetch *f, const cJSON *item, bool held);
extern bool ddb_fetch_full(DdbFetch *f);
extern cJSON *ddb_fetch_request(DdbRelOptions *opts, const DdbReadRequest *req, cJSON *keys);
extern void ddb_fetch_run(DdbFetch *f);
extern const cJSON *ddb_fetch_next(DdbFetch *f);

/* scan.c: hooks of a parallel scan (parallel.c) */
extern int	ddb_scan_segments(DdbScanState *st);
extern bool ddb_scan_holds_writes(DdbScanState *st);
extern void ddb_scan_set_parallel(DdbScanState *st, DdbSegmentCounter *segments);

/* parallel.c */
extern bool ddbIsForeignScanParallelSafe(PlannerInfo *root, RelOptInfo *rel,
										 RangeTblEntry *rte);
extern void ddb_parallel_add_paths(PlannerInfo *root, RelOptInfo *baserel,
								   DdbRelOptions *opts, Cost startup, Cost total);
extern int	ddb_parallel_segments(int parallel_segments, int workers);
extern Size ddbEstimateDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt);
extern void ddbInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
										void *coordinate);
extern void ddbReInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
										  void *coordinate);
extern void ddbInitializeWorkerForeignScan(ForeignScanState *node, shm_toc *toc,
										   void *coordinate);
extern void ddbShutdownForeignScan(ForeignScanState *node);

/* planner.c, for join.c */
extern DdbRelOptions *ddb_rel_options(RelOptInfo *rel);
extern int	ddb_rel_partition_bound(RelOptInfo *rel);
extern int	ddb_rel_partition_bound_on(RelOptInfo *rel, const char *attr, const char *ix);
extern Cost ddb_rel_access_cost(RelOptInfo *rel, double *rows);
extern PathKey *ddb_rel_order_pathkey(PlannerInfo *root, RelOptInfo *rel, int *forward);

/* join.c */
extern void ddb_join_begin(ForeignScanState *node, int eflags);
extern TupleTableSlot *ddb_join_iterate(ForeignScanState *node);
extern void ddb_join_rescan(ForeignScanState *node);
extern void ddb_join_end(ForeignScanState *node);
extern void ddb_join_explain(ForeignScanState *node, struct ExplainState *es);
extern void ddbGetForeignJoinPaths(PlannerInfo *root, RelOptInfo *joinrel,
								   RelOptInfo *outerrel, RelOptInfo *innerrel,
								   JoinType jointype, JoinPathExtraData *extra);
extern ForeignScan *ddb_join_plan(PlannerInfo *root, RelOptInfo *joinrel,
								  ForeignPath *best_path, List *tlist, List *scan_clauses,
								  Plan *outer_plan);

/* modify.c */
extern void ddbAddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
									   RangeTblEntry *target_rte, Relation target_relation);
extern List *ddbPlanForeignModify(PlannerInfo *root, ModifyTable *plan,
								  Index resultRelation, int subplan_index);
extern void ddbBeginForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
								  List *fdw_private, int subplan_index, int eflags);
extern TupleTableSlot *ddbExecForeignInsert(EState *estate, ResultRelInfo *rinfo,
											TupleTableSlot *slot, TupleTableSlot *planSlot);
extern TupleTableSlot **ddbExecForeignBatchInsert(EState *estate, ResultRelInfo *rinfo,
												  TupleTableSlot **slots,
												  TupleTableSlot **planSlots, int *numSlots);
extern int	ddbGetForeignModifyBatchSize(ResultRelInfo *rinfo);
extern TupleTableSlot *ddbExecForeignUpdate(EState *estate, ResultRelInfo *rinfo,
											TupleTableSlot *slot, TupleTableSlot *planSlot);
extern TupleTableSlot *ddbExecForeignDelete(EState *estate, ResultRelInfo *rinfo,
											TupleTableSlot *slot, TupleTableSlot *planSlot);
extern void ddbEndForeignModify(EState *estate, ResultRelInfo *rinfo);
extern void ddbBeginForeignInsert(ModifyTableState *mtstate, ResultRelInfo *rinfo);
extern void ddbEndForeignInsert(EState *estate, ResultRelInfo *rinfo);
extern int	ddbIsForeignRelUpdatable(Relation rel);
extern void ddbExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
									List *fdw_private, int subplan_index,
									struct ExplainState *es);

/* ----------------------------------------------------------------
 * Transactions (txn.c): writes held until COMMIT
 * ----------------------------------------------------------------
 */
typedef enum DdbWriteMode
{
	DDB_WRITE_TRANSACTION,		/* held, sent at COMMIT as one TransactWriteItems */
	DDB_WRITE_IMMEDIATE			/* each statement written as it runs, batched */
} DdbWriteMode;

extern int	ddb_write_mode;		/* GUC ddbrel.write_mode */

typedef enum DdbHeldKind
{
	DDB_HELD_PUT,				/* the whole item */
	DDB_HELD_UPDATE,			/* a patch */
	DDB_HELD_DELETE,
	DDB_HELD_CHECK				/* no change: a condition at COMMIT (locked read) */
} DdbHeldKind;

/* What a failed condition of a held write means. */
typedef enum DdbCondRole
{
	DDB_ROLE_NONE,
	DDB_ROLE_INSERT,			/* the key exists: unique_violation */
	DDB_ROLE_UNIQUE,			/* a UNIQUE column's guard item exists: unique_violation */
	DDB_ROLE_UNIQUE_SET,		/* the same for a set of columns unique together */
	DDB_ROLE_CHANGED			/* changed since read: serialization_failure */
} DdbCondRole;

/* One write to hold (copied by ddb_txn_hold). */
typedef struct DdbHeldWrite
{
	DdbHeldKind kind;
	const char *table;			/* DynamoDB table */
	const cJSON *key;			/* the item's primary key */
	const cJSON *image;			/* DDB_HELD_PUT */
	const DdbPatch *patch;		/* DDB_HELD_UPDATE */
	const DdbCond *cond;		/* on the item as it was before, or NULL */
	DdbCondRole role;
	const char *relname;		/* the foreign table, for messages */
	const char *what;			/* DDB_ROLE_UNIQUE: "\"email\" = 'x'" */
} DdbHeldWrite;

/* What the transaction has made of an item. */
typedef enum DdbHeldState
{
	DDB_HELD_NONE,				/* nothing held */
	DDB_HELD_ABSENT,			/* deleted */
	DDB_HELD_IMAGE,				/* written whole: image */
	DDB_HELD_PATCH,				/* DynamoDB's item with patch applied */
	DDB_HELD_CHECKED			/* unchanged, checked at COMMIT */
} DdbHeldState;

typedef struct DdbHeldView
{
	const cJSON *key;
	DdbHeldState state;
	cJSON	   *image;			/* DDB_HELD_IMAGE */
	DdbPatch	patch;			/* DDB_HELD_PATCH */
	DdbCond    *cond;			/* of the first write */
	DdbCondRole role;
	char	   *what;
} DdbHeldView;

extern void ddb_txn_hold(DdbConn *conn, const DdbHeldWrite *w);
extern DdbHeldState ddb_txn_item_state(DdbConn *conn, const char *table, const cJSON *key);
extern List *ddb_txn_view(DdbConn *conn, const char *table, CommandId before);
extern bool ddb_txn_has_writes(void);
extern int	ddb_txn_nactions(void);
extern bool ddb_txn_lacks_transactions(DdbConn *conn);
extern void ddb_new_token(char *out);
extern void ddb_txn_set_lacks_transactions(DdbConn *conn);
extern void ddb_txn_check(DdbConn *conn, DdbRelOptions *opts, const cJSON *item,
						  const char *relname);
extern bool ddb_patch_apply(cJSON *item, const DdbPatch *patch, bool lenient);
extern char *ddb_key_text(const cJSON *key);
extern bool ddb_key_matches(const cJSON *key, const cJSON *item);
extern void ddb_txn_xact_event(XactEvent event);
extern void ddb_txn_subxact_abort(SubTransactionId subid);
extern void ddb_txn_subxact_commit(SubTransactionId subid, SubTransactionId parent);

/* copies.c: writes of copied columns that go after the COMMIT's own */
extern void ddb_copies_pre_commit(void);
extern void ddb_copies_pre_prepare(void);
extern void ddb_copies_xact_end(void);
extern void ddb_copies_subxact_abort(SubTransactionId subid);
extern void ddb_copies_subxact_commit(SubTransactionId subid, SubTransactionId parent);

/* unique.c: guard items of unique columns */
extern List *ddb_unique_guards(DdbConn *conn, DdbRelOptions *opts, Relation rel, bool held,
							   Datum *oldv, bool *oldn, Datum *newv, bool *newn,
							   const cJSON *rowkey);

/* overlay.c: reads see the transaction's held writes */
typedef struct DdbOverlay DdbOverlay;
extern DdbOverlay *ddb_overlay_begin(DdbConn *conn, DdbRelOptions *opts, CommandId before,
									 DdbOp op, const char *request_text);
extern void ddb_overlay_prepare(DdbOverlay *ov, cJSON *req);
extern List *ddb_overlay_extras(DdbOverlay *ov, const cJSON *req);
extern const cJSON *ddb_overlay_filter(DdbOverlay *ov, const cJSON *item);
extern bool ddb_overlay_before(DdbOverlay *ov, const cJSON *extra, const cJSON *item);
extern List *ddb_overlay_lookup(DdbOverlay *ov, List *keys, List *found);
extern CommandId ddb_overlay_command(EState *estate);
extern cJSON *ddb_overlay_get(DdbConn *conn, DdbRelOptions *opts, const cJSON *key,
							  CommandId before);
extern cJSON *ddb_overlay_transact_get(const char *table, DdbOp op, const cJSON *req);
extern cJSON *ddb_overlay_transact_items(const cJSON *resp);

/* direct.c: UPDATE / DELETE of one item as one conditional write */
extern bool ddbPlanDirectModify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
								int subplan_index);
extern void ddbBeginDirectModify(ForeignScanState *node, int eflags);
extern TupleTableSlot *ddbIterateDirectModify(ForeignScanState *node);
extern void ddbEndDirectModify(ForeignScanState *node);
extern void ddbExplainDirectModify(ForeignScanState *node, struct ExplainState *es);

/* ddbrel.c */
extern void _PG_init(void);

/* catalog.c: checks and set-up of the SQL-callable functions */
extern void ddb_materialize_srf(FunctionCallInfo fcinfo);
extern bool ddb_is_ddbrel_server(Oid serverid);
extern bool ddb_is_ddbrel_table(Oid relid);
extern void ddb_require_ddbrel_server(ForeignServer *server);
extern void ddb_require_server_usage(Oid serverid);
extern void ddb_require_table_select(Oid relid);

#endif							/* DDBREL_H */
