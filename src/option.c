/*-------------------------------------------------------------------------
 * option.c
 *	  Option validation and resolution for servers, user mappings, foreign
 *	  tables and columns, the credential and AWS endpoint options of a
 *	  server among them.
 *
 * Every option is declared once in the table below with the catalog it
 * belongs to.  Secrets are accepted only on user mappings.  Nothing here
 * talks to DynamoDB or calls the layers that do: what depends on
 * DescribeTable is resolved by ddb_resolve_rel_options from a description
 * the call layer fetched (request.c's ddb_get_rel_options_as), and the
 * options that choose credentials are checked here and acted on by
 * credentials.c.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "access/reloptions.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/varlena.h"
#include "access/table.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <netinet/in.h>

#include "endpoint.h"

PG_FUNCTION_INFO_V1(ddbrel_validator);

typedef enum DdbOptKind
{
	OPT_TEXT,
	OPT_BOOL,
	OPT_INT,
	OPT_URL,
	OPT_REGION,
	OPT_TEMPLATE,
	OPT_IDENTIFIERS,
	OPT_SECRET,
	OPT_WORD,					/* one of the words option_words lists */
	OPT_CAPACITY,
	OPT_UNIQUE_SETS,			/* unique '(a, b), (c, d)' */
	OPT_AWS						/* checked together by ddb_validate_aws_options */
} DdbOptKind;

typedef struct DdbOptionDef
{
	const char *name;
	Oid			context;
	DdbOptKind	kind;
	int			min;			/* for OPT_INT */
	int			max;
} DdbOptionDef;

static const DdbOptionDef ddb_options[] = {
	/* server */
	{"region", ForeignServerRelationId, OPT_REGION},
	{"endpoint", ForeignServerRelationId, OPT_URL},
	{"connect_timeout", ForeignServerRelationId, OPT_INT, 1, 600000},
	{"request_timeout", ForeignServerRelationId, OPT_INT, 1, 3600000},
	{"max_retries", ForeignServerRelationId, OPT_INT, 0, 100},
	{"allow_full_scan", ForeignServerRelationId, OPT_BOOL},
	{"max_requests_per_second", ForeignServerRelationId, OPT_INT, 0, 1000000},
	{"read_capacity", ForeignServerRelationId, OPT_CAPACITY},
	{"write_capacity", ForeignServerRelationId, OPT_CAPACITY},
	{"ca_file", ForeignServerRelationId, OPT_TEXT},
	{"verify_tls", ForeignServerRelationId, OPT_BOOL},
	/* server: where credentials come from, and AWS endpoints (see below) */
	{"credential_source", ForeignServerRelationId, OPT_AWS},
	{"profile", ForeignServerRelationId, OPT_AWS},
	{"role_arn", ForeignServerRelationId, OPT_AWS},
	{"external_id", ForeignServerRelationId, OPT_AWS},
	{"role_session_name", ForeignServerRelationId, OPT_AWS},
	{"role_duration", ForeignServerRelationId, OPT_AWS},
	{"sts_endpoint", ForeignServerRelationId, OPT_AWS},
	{"imds_endpoint", ForeignServerRelationId, OPT_AWS},
	{"use_fips_endpoint", ForeignServerRelationId, OPT_AWS},
	{"use_dualstack_endpoint", ForeignServerRelationId, OPT_AWS},
	/* user mapping */
	{"access_key_id", UserMappingRelationId, OPT_SECRET},
	{"secret_access_key", UserMappingRelationId, OPT_SECRET},
	{"session_token", UserMappingRelationId, OPT_SECRET},
	/* foreign table */
	{"table", ForeignTableRelationId, OPT_TEXT},
	{"partition_key", ForeignTableRelationId, OPT_TEXT},
	{"sort_key", ForeignTableRelationId, OPT_TEXT},
	{"consistent_read", ForeignTableRelationId, OPT_BOOL},
	{"parallel_segments", ForeignTableRelationId, OPT_INT, 1, 64},
	{"parallel_workers", ForeignTableRelationId, OPT_INT, 0, 1024},
	{"allow_full_scan", ForeignTableRelationId, OPT_BOOL},
	{"max_requests_per_second", ForeignTableRelationId, OPT_INT, 0, 1000000},
	{"read_capacity", ForeignTableRelationId, OPT_CAPACITY},
	{"write_capacity", ForeignTableRelationId, OPT_CAPACITY},
	{"index", ForeignTableRelationId, OPT_TEXT},
	{"pk_template", ForeignTableRelationId, OPT_TEMPLATE},
	{"sk_template", ForeignTableRelationId, OPT_TEMPLATE},
	{"type_attribute", ForeignTableRelationId, OPT_TEXT},
	{"type_value", ForeignTableRelationId, OPT_TEXT},
	{"identifiers", ForeignTableRelationId, OPT_IDENTIFIERS},
	{"upsert", ForeignTableRelationId, OPT_BOOL},
	{"include_expired", ForeignTableRelationId, OPT_BOOL},
	{"ttl_attribute", ForeignTableRelationId, OPT_TEXT},
	{"unique", ForeignTableRelationId, OPT_UNIQUE_SETS},
	/* column */
	{"attribute", AttributeRelationId, OPT_TEXT},
	{"document", AttributeRelationId, OPT_BOOL},
	{"extra", AttributeRelationId, OPT_BOOL},
	{"format", AttributeRelationId, OPT_WORD},
	{"wrong_type", AttributeRelationId, OPT_WORD},
	{"unique", AttributeRelationId, OPT_BOOL},
	{"version", AttributeRelationId, OPT_BOOL},
	{"read_from_key", AttributeRelationId, OPT_BOOL},
	{NULL}
};

static const char *
context_name(Oid context)
{
	switch (context)
	{
		case ForeignServerRelationId:
			return "server";
		case UserMappingRelationId:
			return "user mapping";
		case ForeignTableRelationId:
			return "foreign table";
		case AttributeRelationId:
			return "column";
		default:
			return "this object";
	}
}

/*
 * Reports an option that does not belong here, with the closest valid name
 * as a hint, or where the option does belong when it is valid elsewhere.
 */
static void
report_unknown_option(const char *name, Oid context)
{
	const DdbOptionDef *def;
	const char *best = NULL;
	int			best_dist = INT_MAX;

	for (def = ddb_options; def->name; def++)
	{
		if (strcmp(def->name, name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"%s\" is not valid for a %s", name, context_name(context)),
					 errhint("Set it on the %s.", context_name(def->context))));
	}
	for (def = ddb_options; def->name; def++)
	{
		int			d;

		if (def->context != context)
			continue;
		d = varstr_levenshtein(name, strlen(name), def->name, strlen(def->name),
							   1, 1, 1, false);
		if (d < best_dist)
		{
			best_dist = d;
			best = def->name;
		}
	}
	if (best && best_dist <= Max(2, (int) strlen(name) / 3))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\"", name),
				 errhint("Perhaps you meant the option \"%s\".", best)));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
			 errmsg("invalid option \"%s\"", name),
			 errhint("Valid options for a %s are described in the ddbrel README.",
					 context_name(context))));
}

/* The values an OPT_WORD option takes, the first being its default. */
static const struct
{
	const char *option;
	const char *words[4];
}			option_words[] =
{
	{"format", {"iso", "epoch_seconds", "epoch_millis", NULL}},
	{"wrong_type", {"error", "null", NULL}},
	{NULL}
};

/* The position of value among the words of option name, or an error. */
static int
parse_word_option(const char *name, const char *value)
{
	int			i;
	int			w;
	StringInfoData list;

	for (i = 0; option_words[i].option; i++)
		if (strcmp(option_words[i].option, name) == 0)
			break;
	Assert(option_words[i].option != NULL);
	initStringInfo(&list);
	for (w = 0; option_words[i].words[w]; w++)
	{
		if (strcmp(option_words[i].words[w], value) == 0)
			return w;
		appendStringInfo(&list, "%s%s", w ? ", " : "", option_words[i].words[w]);
	}
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("invalid value \"%s\" for option \"%s\"", value, name),
			 errhint("Valid values are %s.", list.data)));
	return 0;					/* keep compiler quiet */
}

bool
ddb_parse_bool_option(const char *name, const char *value)
{
	bool		result;

	if (!parse_bool(value, &result))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" requires a boolean value", name),
				 errdetail("\"%s\" is not one of true, false, on, off, yes, no, 1, 0.", value)));
	return result;
}

int
ddb_parse_int_option(const char *name, const char *value, int min, int max)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" requires an integer between %d and %d", name, min, max),
				 errdetail("\"%s\" is not.", value)));
	return (int) v;
}

/*
 * A capacity budget: a number of capacity units per second ("100", "12.5";
 * "0" is no budget, so that a table can lift its server's), or a
 * percentage of the table's capacity above 0 and at most 100 ("50%").
 */
void
ddb_parse_capacity_option(const char *name, const char *value, DdbCapacity *out)
{
	char	   *end;
	double		v;
	bool		percent;

	size_t		digits = strspn(value, "0123456789.");

	memset(out, 0, sizeof(*out));
	percent = (value[digits] == '%' && value[digits + 1] == '\0');
	errno = 0;
	v = strtod(value, &end);
	/* only digits and one decimal point, then nothing or "%" */
	if (digits == 0 || !isdigit((unsigned char) value[0]) || end != value + digits ||
		(value[digits] != '\0' && !percent) || errno != 0 ||
		isnan(v) || v < 0 || (percent ? (v <= 0 || v > 100) : v > 1e9))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" requires capacity units per second or a percentage", name),
				 errdetail("\"%s\" is neither a number of units from 0 to 1000000000 (such as \"100\" or \"12.5\") nor a percentage above 0%% and at most 100%% (such as \"50%%\").",
						   value)));
	if (percent)
		out->percent = v;
	else
		out->units = v;
}

/*
 * Whether a URL host (as written: a name, an IPv4 address in any form
 * inet_aton and curl accept, e.g. "2852039166", or a bracketed IPv6
 * address) is a link-local address, where cloud instance metadata services
 * (and their credentials) answer: 169.254.0.0/16, fe80::/10, IPv4 link-local
 * mapped into IPv6, AWS's fd00:ec2::254, or a well-known metadata name.
 * A plain string check: a DNS name that resolves to such an address is not
 * caught here.
 */
static bool
endpoint_host_is_link_local(const char *host, size_t len)
{
	static const char *const metadata_names[] = {
		"instance-data", "instance-data.ec2.internal", "metadata",
		"metadata.google.internal", "metadata.goog", NULL
	};
	char		buf[256];
	struct in_addr a4;
	struct in6_addr a6;
	int			i;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, host, len);
	buf[len] = '\0';
	while (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	for (i = 0; buf[i]; i++)
		buf[i] = pg_ascii_tolower((unsigned char) buf[i]);
	for (i = 0; metadata_names[i]; i++)
		if (strcmp(buf, metadata_names[i]) == 0)
			return true;
	if (buf[0] == '[' && len >= 2 && buf[len - 1] == ']')
	{
		const unsigned char *b = a6.s6_addr;
		static const unsigned char aws_imds[16] =
		{0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

		buf[len - 1] = '\0';
		if (inet_pton(AF_INET6, buf + 1, &a6) != 1)
			return false;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return true;		/* fe80::/10 */
		if (memcmp(b, aws_imds, 16) == 0)
			return true;
		/* ::ffff:169.254.x.x, ::169.254.x.x, 64:ff9b::169.254.x.x */
		return b[12] == 169 && b[13] == 254;
	}
	if (inet_aton(buf, &a4) != 0)
		return (ntohl(a4.s_addr) & 0xffff0000U) == 0xa9fe0000U;
	return false;
}

/*
 * Only http(s) URLs with a host: never a file, never another scheme.
 * Anyone who may create a server may set the endpoint (the credentials
 * are the user mapping's, and leave the backend only as a signature), but
 * only a superuser may point it at a link-local (instance metadata) address.
 * The same rule holds for sts_endpoint (option name in name).
 */
void
ddb_check_url_option(const char *name, const char *value)
{
	const char *p;
	const char *end;
	const char *host;
	size_t		hostlen;

	if (strncmp(value, "https://", 8) == 0)
		p = value + 8;
	else if (strncmp(value, "http://", 7) == 0)
		p = value + 7;
	else
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" must be an http:// or https:// URL", name),
				 errdetail("\"%s\" is not.", value)));
	if (*p == '\0' || *p == '/' || *p == ':' || strchr(p, '@') != NULL ||
		strpbrk(value, " \t\r\n?#") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" must name a host, without user information, query or fragment", name),
				 errdetail("\"%s\" is not such a URL.", value)));
	if (superuser())
		return;
	/* the host: up to the path, without the port; an IPv6 literal keeps its brackets */
	host = p;
	end = p + strcspn(p, "/");
	if (*host == '[')
	{
		const char *close = memchr(host, ']', end - host);

		hostlen = close ? (size_t) (close - host + 1) : (size_t) (end - host);
	}
	else
		hostlen = strcspn(host, ":/");
	if (memchr(host, '%', hostlen) != NULL ||
		endpoint_host_is_link_local(host, hostlen))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may set option \"%s\" to a link-local address", name),
				 errdetail("\"%s\" names a link-local or instance metadata host, or an encoded host name.",
						   value)));
}

static void
check_region(const char *value)
{
	const char *p;

	if (*value == '\0' || strlen(value) > 64)
		goto bad;
	for (p = value; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			goto bad;
	return;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("option \"region\" must be a region name such as \"us-east-1\""),
			 errdetail("\"%s\" is not.", value)));
}

static void
check_template(const char *name, const char *value)
{
	char		err[256];
	ddb_template *t = ddb_template_parse(value, err, sizeof(err));

	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid %s \"%s\": %s", name, value, err)));
	ddb_template_free(t);
}

/* "<attribute>_template": a template composing an index key attribute. */
static bool
is_attr_template_option(const char *name)
{
	size_t		n = strlen(name);

	return n > 9 && strcmp(name + n - 9, "_template") == 0;
}

/* "<attribute>_missing": what a row with missing values writes there. */
static bool
is_attr_missing_option(const char *name)
{
	size_t		n = strlen(name);

	return n > 8 && strcmp(name + n - 8, "_missing") == 0;
}

/* 'truncate' or 'omit' (the default); anything else is an error. */
static bool
parse_missing_option(const char *name, const char *value)
{
	if (strcmp(value, "truncate") == 0)
		return true;
	if (strcmp(value, "omit") == 0)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("option \"%s\" must be \"omit\" or \"truncate\"", name),
			 errdetail("\"%s\" is neither.", value)));
	return false;				/* keep compiler quiet */
}

/*
 * The option identifiers: a JSON object of attribute names and the string
 * each item of the entity holds there, {"__edb_e__": "employee",
 * "__edb_v__": "1"}.  Returns a List of DdbIdentifier; errors name what is
 * wrong.
 */
List *
ddb_parse_identifiers(const char *value)
{
	cJSON	   *obj = cJSON_Parse(value);
	const cJSON *e;
	List	   *result = NIL;

	if (!cJSON_IsObject(obj) || obj->child == NULL)
	{
		cJSON_Delete(obj);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"identifiers\" must be a JSON object of attribute names and string values"),
				 errdetail("\"%s\" is not.", value),
				 errhint("For example: {\"__edb_e__\": \"employee\", \"__edb_v__\": \"1\"}.")));
	}
	cJSON_ArrayForEach(e, obj)
	{
		DdbIdentifier *id;
		ListCell   *lc;

		if (!cJSON_IsString(e) || e->string == NULL || e->string[0] == '\0')
		{
			char	   *name = pstrdup(e->string ? e->string : "");

			cJSON_Delete(obj);
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("option \"identifiers\" must map attribute names to strings"),
					 errdetail("Attribute \"%s\" is not a non-empty name with a string value.", name)));
		}
		foreach(lc, result)
		{
			if (strcmp(((DdbIdentifier *) lfirst(lc))->attr, e->string) == 0)
			{
				char	   *name = pstrdup(e->string);

				cJSON_Delete(obj);
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"identifiers\" names attribute \"%s\" twice", name)));
			}
		}
		id = palloc(sizeof(DdbIdentifier));
		id->attr = pstrdup(e->string);
		id->value = pstrdup(e->valuestring);
		result = lappend(result, id);
	}
	cJSON_Delete(obj);
	return result;
}

/* Whether attr is an identifier attribute of the entity, and its value. */
bool
ddb_identifier_value(DdbRelOptions *opts, const char *attr, const char **value)
{
	ListCell   *lc;

	foreach(lc, opts->identifiers)
	{
		DdbIdentifier *id = lfirst(lc);

		if (strcmp(id->attr, attr) == 0)
		{
			if (value)
				*value = id->value;
			return true;
		}
	}
	return false;
}

/*
 * The table option unique: one set of columns, "a, b", or several,
 * "(a, b), (c, d)", each of two columns or more (one column is the column
 * option unique).  Names follow SQL's rules: unquoted ones are folded to
 * lower case.  Returns a list of lists of column names.
 */
static List *
parse_unique_sets(const char *value)
{
	List	   *sets = NIL;
	char	   *rest = pstrdup(value);

	while (*rest == ' ')
		rest++;
	if (*rest != '(')
		rest = psprintf("(%s)", rest);
	while (*rest)
	{
		char	   *close;
		List	   *names = NIL;
		ListCell   *lc;

		if (*rest != '(' || (close = strchr(rest, ')')) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("option \"unique\" must be a list of columns, or lists of columns in parentheses"),
					 errdetail("\"%s\" is not.", value),
					 errhint("For example unique 'org_id, slug', or unique '(org_id, slug), (org_id, email)'.")));
		*close = '\0';
		if (!SplitIdentifierString(rest + 1, ',', &names))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("option \"unique\" has an invalid list of column names"),
					 errdetail("\"%s\" is not.", value)));
		if (list_length(names) < 2)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("option \"unique\" needs two columns or more in each set"),
					 errdetail("\"%s\" is not.", value),
					 errhint("A single unique column takes the column option unique 'true'.")));
		foreach(lc, names)
		{
			ListCell   *lc2;

			for_each_cell(lc2, names, lnext(names, lc))
				if (strcmp(lfirst(lc), lfirst(lc2)) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("option \"unique\" names column \"%s\" twice in one set",
									(char *) lfirst(lc))));
		}
		sets = lappend(sets, names);
		rest = close + 1;
		while (*rest == ' ' || *rest == ',')
			rest++;
	}
	return sets;
}

/*
 * The columns of the table option unique, checked against the table's:
 * attribute columns or key template holes, each named once in a set.
 */
static void
resolve_unique_sets(DdbRelOptions *opts, const char *value)
{
	ListCell   *lc;

	foreach(lc, parse_unique_sets(value))
	{
		List	   *names = lfirst(lc);
		DdbUniqueSet *set = palloc0(sizeof(DdbUniqueSet));
		StringInfoData attrs;
		ListCell   *nc;

		set->cols = palloc(sizeof(int) * list_length(names));
		initStringInfo(&attrs);
		foreach(nc, names)
		{
			const char *name = lfirst(nc);
			int			i;

			for (i = 0; i < opts->ncolumns; i++)
				if (strcmp(opts->columns[i].colname, name) == 0)
					break;
			if (i == opts->ncolumns)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"unique\" names column \"%s\", which the foreign table does not have",
								name)));
			if (opts->columns[i].source != DDB_COL_ATTRIBUTE &&
				opts->columns[i].source != DDB_COL_TEMPLATE)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("column \"%s\" cannot be in a unique set: it is a document column",
								name)));
			set->cols[set->ncols++] = i;
			/* an attribute by its name, a key template hole by its column's */
			appendStringInfo(&attrs, "%s%s", set->ncols > 1 ? "," : "",
							 opts->columns[i].source == DDB_COL_ATTRIBUTE ?
							 opts->columns[i].attrname : opts->columns[i].colname);
		}
		set->attrs = attrs.data;
		opts->unique_sets = lappend(opts->unique_sets, set);
	}
}

Datum
ddbrel_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			context = PG_GETARG_OID(1);
	ListCell   *lc;
	bool		have_table = false;

	foreach(lc, options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);
		const DdbOptionDef *def;
		const char *value = defGetString(d);

		for (def = ddb_options; def->name; def++)
			if (def->context == context && strcmp(def->name, d->defname) == 0)
				break;
		if (def->name == NULL && context == ForeignTableRelationId &&
			is_attr_template_option(d->defname))
		{
			check_template(d->defname, value);
			continue;
		}
		if (def->name == NULL && context == ForeignTableRelationId &&
			is_attr_missing_option(d->defname))
		{
			(void) parse_missing_option(d->defname, value);
			continue;
		}
		if (def->name == NULL)
			report_unknown_option(d->defname, context);

		switch (def->kind)
		{
			case OPT_BOOL:
				(void) ddb_parse_bool_option(def->name, value);
				break;
			case OPT_INT:
				(void) ddb_parse_int_option(def->name, value, def->min, def->max);
				break;
			case OPT_URL:
				ddb_check_url_option(def->name, value);
				break;
			case OPT_REGION:
				check_region(value);
				break;
			case OPT_TEMPLATE:
				check_template(def->name, value);
				break;
			case OPT_IDENTIFIERS:
				(void) ddb_parse_identifiers(value);
				break;
			case OPT_CAPACITY:
				{
					DdbCapacity cap;

					ddb_parse_capacity_option(def->name, value, &cap);
				}
				break;
			case OPT_UNIQUE_SETS:
				(void) parse_unique_sets(value);
				break;
			case OPT_AWS:
				break;
			case OPT_WORD:
				(void) parse_word_option(def->name, value);
				break;
			case OPT_TEXT:
			case OPT_SECRET:
				if (*value == '\0')
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("option \"%s\" must not be empty", def->name)));
				break;
		}
		if (strcmp(def->name, "table") == 0)
			have_table = true;
	}

	ddb_validate_aws_options(options, context);

	if (context == ForeignTableRelationId && !have_table)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"table\" is required for a ddbrel foreign table"),
				 errhint("Name the DynamoDB table, e.g. OPTIONS (table 'AppData').")));
	PG_RETURN_VOID();
}

/* Looks up an option by name in a DefElem list. */
const char *
ddb_find_option(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);

		if (strcmp(d->defname, name) == 0)
			return defGetString(d);
	}
	return NULL;
}

/* ----------------------------------------------------------------
 * Where credentials come from, and the default AWS endpoints: the options
 * credentials.c acts on, checked here, together, with no network I/O
 * ----------------------------------------------------------------
 */

static const struct
{
	const char *name;
	DdbCredSource source;
}			cred_sources[] = {
	{"user_mapping", DDB_SRC_USER_MAPPING},
	{"environment", DDB_SRC_ENVIRONMENT},
	{"profile", DDB_SRC_PROFILE},
	{"web_identity", DDB_SRC_WEB_IDENTITY},
	{"container", DDB_SRC_CONTAINER},
	{"instance_metadata", DDB_SRC_INSTANCE},
};

static DdbCredSource
parse_source(const char *value)
{
	int			i;

	if (value == NULL)
		return DDB_SRC_USER_MAPPING;
	for (i = 0; i < (int) lengthof(cred_sources); i++)
		if (strcmp(cred_sources[i].name, value) == 0)
			return cred_sources[i].source;
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("invalid value for option \"credential_source\": \"%s\"", value),
			 errhint("Valid values are user_mapping, environment, profile, web_identity, container and instance_metadata.")));
	return DDB_SRC_USER_MAPPING;	/* not reached */
}

/* A server's option credential_source (user_mapping when it has none). */
DdbCredSource
ddb_credential_source(List *server_options)
{
	return parse_source(ddb_find_option(server_options, "credential_source"));
}

static const char *
source_name(DdbCredSource s)
{
	return cred_sources[s].name;
}

/* Whether every character of s is one of the letters, digits and extra. */
static bool
chars_ok(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char) *s) && *s != '_' && strchr(extra, *s) == NULL)
			return false;
	return true;
}

static void
check_role_arn(const char *v)
{
	int			colons = 0;
	const char *p;

	for (p = v; *p; p++)
	{
		if ((unsigned char) *p <= 0x20 || (unsigned char) *p >= 0x7f)
			break;
		if (*p == ':')
			colons++;
	}
	if (*p != '\0' || strncmp(v, "arn:", 4) != 0 || colons < 5 || strlen(v) > 2048)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"role_arn\" must be an IAM role ARN such as \"arn:aws:iam::123456789012:role/name\""),
				 errdetail("\"%s\" is not.", v)));
}

static bool
bool_opt(List *options, const char *name)
{
	const char *v = ddb_find_option(options, name);

	return v ? ddb_parse_bool_option(name, v) : false;
}

/*
 * The default endpoint URL of service in region, with the server's
 * use_fips_endpoint and use_dualstack_endpoint; palloc'd.
 */
char *
ddb_default_endpoint(const char *service, const char *region, List *server_options)
{
	char		url[512];
	const char *err;
	bool		fips = bool_opt(server_options, "use_fips_endpoint");
	bool		dualstack = bool_opt(server_options, "use_dualstack_endpoint");

	if (ddb_endpoint_url(service, region, fips, dualstack, url, sizeof(url), &err) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("no %s endpoint for region \"%s\" with the options given",
						strcmp(service, "sts") == 0 ? "STS" : "DynamoDB", region),
				 errdetail("Partition \"%s\": %s.", ddb_region_partition(region)->name, err),
				 errhint("Set option \"%s\" to the URL to use.",
						 strcmp(service, "sts") == 0 ? "sts_endpoint" : "endpoint")));
	return pstrdup(url);
}

/*
 * Checks the credential and endpoint options of a server together (the
 * validator sees every option of the object, also on ALTER).
 */
void
ddb_validate_aws_options(List *options, Oid context)
{
	DdbCredSource source;
	const char *v;
	const char *role_arn;
	const char *region;

	if (context != ForeignServerRelationId)
		return;
	source = parse_source(ddb_find_option(options, "credential_source"));
	if (source != DDB_SRC_USER_MAPPING && !superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may set option \"credential_source\" to \"%s\"",
						source_name(source)),
				 errdetail("Credentials the database server holds (its environment, files, or instance or container role) are handed out only by a superuser."),
				 errhint("Use credential_source 'user_mapping' with keys in your user mapping, or ask a superuser.")));

	v = ddb_find_option(options, "profile");
	if (v && source != DDB_SRC_PROFILE)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"profile\" requires credential_source 'profile'")));
	if (v && (*v == '\0' || !chars_ok(v, "+=,.@-/ ")))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"profile\" must be a profile name"),
				 errdetail("\"%s\" is not.", v)));

	role_arn = ddb_find_option(options, "role_arn");
	if (role_arn)
		check_role_arn(role_arn);
	if (role_arn == NULL)
	{
		static const char *const needs_role[] = {"external_id", "role_session_name", "role_duration"};
		int			i;

		for (i = 0; i < (int) lengthof(needs_role); i++)
			if (ddb_find_option(options, needs_role[i]))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
						 errmsg("option \"%s\" requires option \"role_arn\"", needs_role[i])));
	}
	v = ddb_find_option(options, "external_id");
	if (v && (strlen(v) < 2 || strlen(v) > 1224 || !chars_ok(v, "+=,.@:/-")))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"external_id\" must be 2 to 1224 letters, digits or +=,.@:/-_")));
	v = ddb_find_option(options, "role_session_name");
	if (v && (strlen(v) < 2 || strlen(v) > 64 || !chars_ok(v, "+=,.@-")))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"role_session_name\" must be 2 to 64 letters, digits or +=,.@-_")));
	v = ddb_find_option(options, "role_duration");
	if (v)
		(void) ddb_parse_int_option("role_duration", v, 900, 43200);

	v = ddb_find_option(options, "sts_endpoint");
	if (v)
		ddb_check_url_option("sts_endpoint", v);
	v = ddb_find_option(options, "imds_endpoint");
	if (v)
	{
		if (!superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("only a superuser may set option \"imds_endpoint\"")));
		if (source != DDB_SRC_INSTANCE && source != DDB_SRC_PROFILE)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"imds_endpoint\" requires credential_source 'instance_metadata' or 'profile'")));
		ddb_check_url_option("imds_endpoint", v);
	}

	/* the default endpoints must exist for the region and choices */
	region = ddb_find_option(options, "region");
	if (region == NULL)
		region = "us-east-1";
	if (ddb_find_option(options, "endpoint") == NULL)
		(void) ddb_default_endpoint("dynamodb", region, options);
	if (ddb_find_option(options, "sts_endpoint") == NULL &&
		(role_arn || source == DDB_SRC_WEB_IDENTITY || source == DDB_SRC_PROFILE))
		(void) ddb_default_endpoint("sts", region, options);
}

void
ddb_get_server_options(ForeignServer *server, DdbServerOptions *out)
{
	const char *v;

	memset(out, 0, sizeof(*out));
	v = ddb_find_option(server->options, "region");
	out->region = pstrdup(v ? v : "us-east-1");
	v = ddb_find_option(server->options, "endpoint");
	if (v)
	{
		size_t		n = strlen(v);

		out->endpoint = pstrdup(v);
		while (n > 0 && out->endpoint[n - 1] == '/')
			out->endpoint[--n] = '\0';
	}
	else
		out->endpoint = ddb_default_endpoint("dynamodb", out->region, server->options);
	v = ddb_find_option(server->options, "connect_timeout");
	out->connect_timeout_ms = v ? ddb_parse_int_option("connect_timeout", v, 1, 600000) : 5000;
	v = ddb_find_option(server->options, "request_timeout");
	out->request_timeout_ms = v ? ddb_parse_int_option("request_timeout", v, 1, 3600000) : 30000;
	v = ddb_find_option(server->options, "max_retries");
	out->max_retries = v ? ddb_parse_int_option("max_retries", v, 0, 100) : 10;
	v = ddb_find_option(server->options, "allow_full_scan");
	out->allow_full_scan = v ? ddb_parse_bool_option("allow_full_scan", v) : true;
	v = ddb_find_option(server->options, "max_requests_per_second");
	out->max_requests_per_second = v ? ddb_parse_int_option("max_requests_per_second", v, 0, 1000000) : 0;
	v = ddb_find_option(server->options, "read_capacity");
	if (v)
		ddb_parse_capacity_option("read_capacity", v, &out->read_capacity);
	v = ddb_find_option(server->options, "write_capacity");
	if (v)
		ddb_parse_capacity_option("write_capacity", v, &out->write_capacity);
	v = ddb_find_option(server->options, "ca_file");
	out->ca_file = v ? pstrdup(v) : NULL;
	v = ddb_find_option(server->options, "verify_tls");
	out->verify_tls = v ? ddb_parse_bool_option("verify_tls", v) : true;
}

/*
 * A transform case-maps the text of its hole, so only text and varchar
 * columns, whose values are their text, may have one: the canonical text of
 * another type (an uuid, a boolean, "NaN") would change under it, and the
 * key would no longer read back as the value.
 */
static void
check_transform_column(DdbRelOptions *opts, ddb_template *t, int h, DdbColumn *col,
					   const char *optname)
{
	Oid			base = getBaseType(col->typid);

	if (t->transforms[h] == DDB_TRANSFORM_NONE || base == TEXTOID || base == VARCHAROID)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("%s of foreign table \"%s\" transforms column \"%s\" of type %s",
					optname, get_rel_name(opts->relid), col->colname, format_type_be(col->typid)),
			 errdetail("Only holes of text and varchar columns can be lower- or upper-cased.")));
}

/* Binds a template's holes to columns; every hole must name a column. */
static void
bind_template(DdbRelOptions *opts, ddb_template *t, int which, const char *optname)
{
	int			h;

	for (h = 0; h < t->nholes; h++)
	{
		int			i;
		bool		found = false;

		for (i = 0; i < opts->ncolumns; i++)
		{
			DdbColumn  *col = &opts->columns[i];

			if (strcmp(col->colname, t->holes[h]) != 0)
				continue;
			found = true;
			check_transform_column(opts, t, h, col, optname);
			/* a column in both templates is read from the partition key */
			if (col->source == DDB_COL_DOCUMENT)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("%s of foreign table \"%s\" names document column \"%s\"",
								optname, get_rel_name(opts->relid), col->colname)));
			if (col->source != DDB_COL_TEMPLATE)
			{
				col->source = DDB_COL_TEMPLATE;
				col->tmpl_key = which;
				col->tmpl_hole = h;
				/* with an attribute of its own, the key serves only for matching */
				col->backed = col->attr_explicit;
			}
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
					 errmsg("%s of foreign table \"%s\" names column \"%s\", which does not exist",
							optname, get_rel_name(opts->relid), t->holes[h])));
	}
}

/*
 * The column of a foreign table with attribute number attnum, or named
 * name; NULL when it has none (a dropped column, a name of no column).
 * Writes, direct modify and join pushdown find columns with these.
 */
DdbColumn *
ddb_column_by_attnum(DdbRelOptions *opts, AttrNumber attnum)
{
	int			i;

	for (i = 0; i < opts->ncolumns; i++)
		if (opts->columns[i].attnum == attnum)
			return &opts->columns[i];
	return NULL;
}

DdbColumn *
ddb_column_by_name(DdbRelOptions *opts, const char *name)
{
	int			i;

	for (i = 0; i < opts->ncolumns; i++)
		if (strcmp(opts->columns[i].colname, name) == 0)
			return &opts->columns[i];
	return NULL;
}

static void
add_attr_template(DdbRelOptions *opts, const char *attr, char *text, ddb_template *t,
				  bool is_key)
{
	DdbAttrTemplate *at = palloc0(sizeof(DdbAttrTemplate));

	at->attr = pstrdup(attr);
	at->text = text;
	at->tmpl = t;
	at->is_key = is_key;
	opts->templates = lappend(opts->templates, at);
}

static ddb_template *
parse_template_option(const char *name, const char *value)
{
	char		err[256];
	ddb_template *t = ddb_template_parse(value, err, sizeof(err));

	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid %s \"%s\": %s", name, value, err)));
	return t;
}

/* One column of a foreign table and its options. */
static void
read_column(DdbRelOptions *opts, Form_pg_attribute att, DdbColumn *col)
{
	List	   *colopts = GetForeignColumnOptions(opts->relid, att->attnum);
	const char *v;

	col->attnum = att->attnum;
	col->colname = pstrdup(NameStr(att->attname));
	col->typid = att->atttypid;
	col->typmod = att->atttypmod;
	col->source = DDB_COL_ATTRIBUTE;
	v = ddb_find_option(colopts, "attribute");
	col->attrname = pstrdup(v ? v : col->colname);
	col->attr_explicit = (v != NULL);
	v = ddb_find_option(colopts, "read_from_key");
	col->read_from_key = v && ddb_parse_bool_option("read_from_key", v);
	col->key_tmpl = -1;
	v = ddb_find_option(colopts, "document");
	if (v && ddb_parse_bool_option("document", v))
	{
		if (att->atttypid != JSONBOID && att->atttypid != JSONOID)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("document column \"%s\" must be of type jsonb or json",
							col->colname)));
		col->source = DDB_COL_DOCUMENT;
	}
	v = ddb_find_option(colopts, "extra");
	if (v && ddb_parse_bool_option("extra", v))
	{
		if (att->atttypid != JSONBOID && att->atttypid != JSONOID)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("extra column \"%s\" must be of type jsonb or json",
							col->colname)));
		if (col->source == DDB_COL_DOCUMENT)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("column \"%s\" cannot be both a document and an extra column",
							col->colname)));
		col->source = DDB_COL_EXTRA;
	}
	v = ddb_find_option(colopts, "wrong_type");
	col->wrong_type_null = v && parse_word_option("wrong_type", v) == 1;
	v = ddb_find_option(colopts, "format");
	col->format = v ? (DdbTimeFormat) parse_word_option("format", v) : DDB_FORMAT_ISO;
	col->format_explicit = (v != NULL);
	if (v)
	{
		Oid			base = getBaseType(att->atttypid);

		if (base != DATEOID && base != TIMESTAMPOID && base != TIMESTAMPTZOID)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("option \"format\" of column \"%s\" requires type date, timestamp or timestamp with time zone",
							col->colname)));
	}
	v = ddb_find_option(colopts, "unique");
	col->unique = v && ddb_parse_bool_option("unique", v);
	v = ddb_find_option(colopts, "version");
	col->version = v && ddb_parse_bool_option("version", v);
	if (col->unique && col->source != DDB_COL_ATTRIBUTE)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("column \"%s\" cannot be unique: it is a document column",
						col->colname)));
	if (col->version && col->source != DDB_COL_ATTRIBUTE)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("column \"%s\" cannot be a version column: it is a document column",
						col->colname)));
	ddb_codec_column_init(col);
}

/*
 * Reads every option of a foreign table, its server and its columns into
 * one struct, from the catalog only; ddb_resolve_rel_options completes it
 * with what DynamoDB says of the table.  Allocates in CurrentMemoryContext.
 */
DdbRelOptions *
ddb_get_rel_options(Oid relid)
{
	DdbRelOptions *opts = palloc0(sizeof(DdbRelOptions));
	ForeignTable *ft = GetForeignTable(relid);
	ForeignServer *server = GetForeignServer(ft->serverid);
	Relation	rel;
	TupleDesc	tupdesc;
	const char *v;
	int			i;

	opts->relid = relid;
	opts->serverid = ft->serverid;
	opts->userid = InvalidOid;
	ddb_get_server_options(server, &opts->server);

	opts->table = pstrdup(ddb_find_option(ft->options, "table"));
	v = ddb_find_option(ft->options, "partition_key");
	opts->partition_key = v ? pstrdup(v) : NULL;
	v = ddb_find_option(ft->options, "sort_key");
	opts->sort_key = v ? pstrdup(v) : NULL;
	v = ddb_find_option(ft->options, "consistent_read");
	opts->consistent_read = v ? ddb_parse_bool_option("consistent_read", v) : false;
	v = ddb_find_option(ft->options, "parallel_segments");
	opts->parallel_segments = v ? ddb_parse_int_option("parallel_segments", v, 1, 64) : 1;
	v = ddb_find_option(ft->options, "parallel_workers");
	opts->parallel_workers = v ? ddb_parse_int_option("parallel_workers", v, 0, 1024) : -1;
	v = ddb_find_option(ft->options, "allow_full_scan");
	opts->allow_full_scan = v ? ddb_parse_bool_option("allow_full_scan", v) : opts->server.allow_full_scan;
	v = ddb_find_option(ft->options, "max_requests_per_second");
	opts->max_requests_per_second = v ?
		ddb_parse_int_option("max_requests_per_second", v, 0, 1000000) :
		opts->server.max_requests_per_second;
	v = ddb_find_option(ft->options, "read_capacity");
	if (v)
		ddb_parse_capacity_option("read_capacity", v, &opts->read_capacity);
	else
		opts->read_capacity = opts->server.read_capacity;
	v = ddb_find_option(ft->options, "write_capacity");
	if (v)
		ddb_parse_capacity_option("write_capacity", v, &opts->write_capacity);
	else
		opts->write_capacity = opts->server.write_capacity;
	v = ddb_find_option(ft->options, "index");
	opts->index = v ? pstrdup(v) : NULL;
	v = ddb_find_option(ft->options, "type_attribute");
	opts->type_attribute = v ? pstrdup(v) : NULL;
	v = ddb_find_option(ft->options, "type_value");
	opts->type_value = v ? pstrdup(v) : NULL;
	v = ddb_find_option(ft->options, "include_expired");
	opts->include_expired = v ? ddb_parse_bool_option("include_expired", v) : false;
	v = ddb_find_option(ft->options, "ttl_attribute");
	opts->ttl_option = v ? pstrdup(v) : NULL;
	if ((opts->type_attribute == NULL) != (opts->type_value == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("options \"type_attribute\" and \"type_value\" must be given together")));
	v = ddb_find_option(ft->options, "identifiers");
	opts->identifiers = v ? ddb_parse_identifiers(v) : NIL;
	if (opts->type_attribute)
	{
		const char *other;

		if (ddb_identifier_value(opts, opts->type_attribute, &other))
		{
			if (strcmp(other, opts->type_value) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("options \"type_attribute\" and \"identifiers\" give attribute \"%s\" different values",
								opts->type_attribute)));
		}
		else
		{
			DdbIdentifier *id = palloc(sizeof(DdbIdentifier));

			id->attr = opts->type_attribute;
			id->value = opts->type_value;
			opts->identifiers = lappend(opts->identifiers, id);
		}
	}
	v = ddb_find_option(ft->options, "pk_template");
	if (v)
	{
		opts->pk_template_text = pstrdup(v);
		opts->pk_template = parse_template_option("pk_template", v);
	}
	v = ddb_find_option(ft->options, "sk_template");
	if (v)
	{
		opts->sk_template_text = pstrdup(v);
		opts->sk_template = parse_template_option("sk_template", v);
	}

	/* columns */
	rel = table_open(relid, AccessShareLock);
	tupdesc = RelationGetDescr(rel);
	opts->columns = palloc0(sizeof(DdbColumn) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped)
			read_column(opts, att, &opts->columns[opts->ncolumns++]);
	}
	table_close(rel, AccessShareLock);

	if (opts->pk_template)
		bind_template(opts, opts->pk_template, 0, "pk_template");
	if (opts->sk_template)
		bind_template(opts, opts->sk_template, 1, "sk_template");
	v = ddb_find_option(ft->options, "unique");
	if (v)
		resolve_unique_sets(opts, v);
	return opts;
}

/*
 * A column without an attribute option whose name is a key attribute's
 * name up to case ("pk" for "PK") reads that key attribute: the table's,
 * or an index's.
 */
static void
resolve_key_columns(DdbRelOptions *opts)
{
	int			i;

	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];

		if (col->attr_explicit || col->source != DDB_COL_ATTRIBUTE)
			continue;
		if (opts->partition_key && pg_strcasecmp(col->colname, opts->partition_key) == 0)
			col->attrname = pstrdup(opts->partition_key);
		else if (opts->sort_key && pg_strcasecmp(col->colname, opts->sort_key) == 0)
			col->attrname = pstrdup(opts->sort_key);
		else if (opts->desc)
		{
			ListCell   *lc;

			foreach(lc, opts->desc->indexes)
			{
				DdbIndexDesc *ix = lfirst(lc);
				int			k;

				for (k = 0; k < ix->npk; k++)
					if (pg_strcasecmp(col->colname, ix->pk_attrs[k]) == 0)
						col->attrname = pstrdup(ix->pk_attrs[k]);
				for (k = 0; k < ix->nsk; k++)
					if (pg_strcasecmp(col->colname, ix->sk_attrs[k]) == 0)
						col->attrname = pstrdup(ix->sk_attrs[k]);
			}
		}
	}
}

/* Templates by attribute: the key templates, then index key templates. */
static void
resolve_templates(DdbRelOptions *opts)
{
	ForeignTable *ft = GetForeignTable(opts->relid);
	ListCell   *lc;

	if (opts->pk_template && opts->partition_key)
		add_attr_template(opts, opts->partition_key, opts->pk_template_text, opts->pk_template, true);
	if (opts->sk_template && opts->sort_key)
		add_attr_template(opts, opts->sort_key, opts->sk_template_text, opts->sk_template, true);
	foreach(lc, ft->options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);
		size_t		n = strlen(d->defname);
		char	   *attr;
		ddb_template *t;
		int			h;

		if (strcmp(d->defname, "pk_template") == 0 || strcmp(d->defname, "sk_template") == 0 ||
			!is_attr_template_option(d->defname))
			continue;
		attr = pnstrdup(d->defname, n - 9);
		if (ddb_identifier_value(opts, attr, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("attribute \"%s\" of foreign table \"%s\" has both a template and an identifier value",
							attr, get_rel_name(opts->relid))));
		t = parse_template_option(d->defname, defGetString(d));
		for (h = 0; h < t->nholes; h++)
		{
			DdbColumn  *col = ddb_column_by_name(opts, t->holes[h]);

			if (col == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
						 errmsg("%s of foreign table \"%s\" names column \"%s\", which does not exist",
								d->defname, get_rel_name(opts->relid), t->holes[h])));
			check_transform_column(opts, t, h, col, d->defname);
		}
		add_attr_template(opts, attr, pstrdup(defGetString(d)), t, false);
	}
	/* read_from_key columns: the first index key template that holds them */
	{
		int			i;

		for (i = 0; i < opts->ncolumns; i++)
		{
			DdbColumn  *col = &opts->columns[i];
			int			k = 0;

			if (!col->read_from_key)
				continue;
			if (col->source == DDB_COL_ATTRIBUTE)
				foreach(lc, opts->templates)
				{
					DdbAttrTemplate *at = lfirst(lc);
					int			h = ddb_template_hole_index(at->tmpl, col->colname);

					if (!at->is_key && h >= 0 && col->key_tmpl < 0)
					{
						col->key_tmpl = k;
						col->key_hole = h;
					}
					k++;
				}
			if (col->key_tmpl < 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
						 errmsg("column \"%s\" of foreign table \"%s\" has read_from_key but is a hole of no index key template",
								col->colname, get_rel_name(opts->relid)),
						 errhint("A hole of pk_template or sk_template is read from its key already.")));
		}
	}
	/* <attr>_missing: only for the index key templates */
	foreach(lc, ft->options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);
		size_t		n = strlen(d->defname);
		bool		truncate;
		ListCell   *lc2;
		bool		found = false;

		if (!is_attr_missing_option(d->defname))
			continue;
		truncate = parse_missing_option(d->defname, defGetString(d));
		foreach(lc2, opts->templates)
		{
			DdbAttrTemplate *at = lfirst(lc2);

			if (!at->is_key && strlen(at->attr) == n - 8 &&
				strncmp(at->attr, d->defname, n - 8) == 0)
			{
				at->truncate = truncate;
				found = true;
			}
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"%s\" of foreign table \"%s\" names no index key template",
							d->defname, get_rel_name(opts->relid)),
					 errhint("Set \"%.*s_template\" too; the keys of the table itself are never missing.",
							 (int) (n - 8), d->defname)));
	}
}

/*
 * The attribute DynamoDB expires items by: the option ttl_attribute, else
 * what DescribeTimeToLive said (desc->ttl_attr).  A timestamp column that
 * reads it without a format option keeps it as DynamoDB requires, in
 * epoch seconds.
 */
static void
resolve_ttl(DdbRelOptions *opts)
{
	int			i;

	if (opts->ttl_option)
		opts->ttl_attr = opts->ttl_option;
	else if (opts->desc && opts->desc->ttl_attr)
		opts->ttl_attr = pstrdup(opts->desc->ttl_attr);
	if (opts->ttl_attr == NULL)
		return;
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];
		Oid			base = getBaseType(col->typid);

		if (col->source == DDB_COL_ATTRIBUTE && !col->format_explicit &&
			strcmp(col->attrname, opts->ttl_attr) == 0 &&
			(base == TIMESTAMPTZOID || base == TIMESTAMPOID))
			ddb_codec_set_format(col, DDB_FORMAT_EPOCH_SECONDS);
	}
}

/*
 * The attributes that something other than an extra column maps: attribute
 * columns, templates (key attributes and index keys composed from
 * columns), the type attribute, and raw key attributes.
 */
static void
resolve_mapped(DdbRelOptions *opts)
{
	List	   *mapped = NIL;
	ListCell   *lc;
	int			i;

	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];

		if (col->source == DDB_COL_ATTRIBUTE)
			mapped = list_append_unique_ptr(mapped, col->attrname);
		else if (col->source == DDB_COL_TEMPLATE)
		{
			mapped = lappend(mapped, opts->partition_key);
			if (opts->sort_key)
				mapped = lappend(mapped, opts->sort_key);
		}
	}
	foreach(lc, opts->templates)
		mapped = lappend(mapped, ((DdbAttrTemplate *) lfirst(lc))->attr);
	if (opts->type_attribute)
		mapped = lappend(mapped, opts->type_attribute);
	opts->mapped_attrs = mapped;
}

/*
 * Completes a foreign table's options with DescribeTable's answer (desc,
 * which the call layer fetched; NULL when there is none): key attribute
 * names not given as options, the columns that read key attributes, and
 * the templates by attribute.  No network I/O here.
 */
void
ddb_resolve_rel_options(DdbRelOptions *opts, DdbTableDesc *desc)
{
	if (desc)
	{
		if (opts->partition_key == NULL)
			opts->partition_key = pstrdup(desc->pk_attr);
		if (opts->sort_key == NULL && desc->sk_attr)
			opts->sort_key = pstrdup(desc->sk_attr);
		opts->desc = desc;
	}
	resolve_key_columns(opts);
	resolve_templates(opts);
	resolve_ttl(opts);
	resolve_mapped(opts);
	if (opts->sk_template && desc && opts->sort_key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("foreign table \"%s\" has an sk_template but DynamoDB table \"%s\" has no sort key",
						get_rel_name(opts->relid), opts->table)));
}

/*
 * The user whose mapping a relation of a query is read with: the range
 * table entry's checkAsUser (a view's owner) or the current user.  The
 * executor checks permissions as the same user; the planner must use it
 * too, or a view owned by a role with a mapping fails for one without.
 */
Oid
ddb_rte_user(RangeTblEntry *rte)
{
	return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
}
