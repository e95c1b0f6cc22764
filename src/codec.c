/*-------------------------------------------------------------------------
 * codec.c
 *	  The PostgreSQL side of the attribute codec: DynamoDB AttributeValues
 *	  (cJSON trees) to Datums of a column's type, and back.
 *
 * Values go through the column type's own input and output functions
 * wherever text is involved, so typmods, domains and enums behave as they
 * would for text typed by a user.  DynamoDB numbers stay text all the way
 * (numeric_in / numeric_out), never passing through double.  Everything
 * is allocated in the current memory context, cJSON trees included.
 *
 * The pure C half (AV -> JSON text, number checks, base64) is in
 * codec_core.c.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "access/transam.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/guc.h"
#include "parser/parse_coerce.h"

#include "bumpcxt.h"
#include "codec_core.h"
#include "ddbrel.h"
#include "json_core.h"
#include "keyrange_core.h"
#include "template.h"

/*
 * A value's text as DynamoDB keeps it.  Dates and times are written in ISO
 * form in UTC, whatever the session's DateStyle, IntervalStyle and
 * TimeZone, so the same value always makes the same attribute and key
 * (as postgres_fdw does for the values it sends).
 */
char *
ddb_output_text(FmgrInfo *flinfo, Oid typid, Datum value)
{
	char		cat = TypeCategory(getBaseType(typid));
	char	   *result;
	int			nest;

	if (cat != TYPCATEGORY_DATETIME && cat != TYPCATEGORY_TIMESPAN)
		return OutputFunctionCall(flinfo, value);
	nest = NewGUCNestLevel();
	(void) set_config_option("datestyle", "ISO", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("intervalstyle", "postgres", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("timezone", "UTC", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	result = OutputFunctionCall(flinfo, value);
	AtEOXact_GUC(true, nest);
	return result;
}

/*
 * The codec core writes its reasons as lower-case clauses ("invalid number
 * \"x\""); a DETAIL is a sentence.
 */
static char *
reason_sentence(const char *reason)
{
	char	   *s = psprintf("%s.", reason);

	s[0] = pg_toupper((unsigned char) s[0]);
	return s;
}

/*
 * Values that a column with wrong_type 'null' read as NULL because it
 * could not hold them; the scan adds them to ddbrel.stats().
 */
int64		ddb_codec_wrong_type_count = 0;

/* What the error context callback of an input function call names. */
typedef struct CodecErrorInfo
{
	const char *attr;			/* DynamoDB attribute, or NULL for key text */
	const char *colname;
} CodecErrorInfo;

/* ----------------------------------------------------------------
 * Allocator hooks
 * ----------------------------------------------------------------
 */

/* repalloc of NULL is an error in PostgreSQL; the hooks expect realloc. */
static void *
codec_repalloc(void *ptr, size_t size)
{
	if (ptr == NULL)
		return ddb_bump_palloc(size);
	return repalloc(ptr, size);
}

/* pfree of NULL is an error in PostgreSQL; the hooks expect free. */
static void
codec_pfree(void *ptr)
{
	if (ptr != NULL)
		pfree(ptr);
}

/*
 * Called once from _PG_init.  Routes cJSON, codec_core, json_core and
 * template memory through palloc, so that trees and buffers live in the
 * current memory context and are released with it when a query ends or
 * fails, instead of leaking on every ereport that skips a cJSON_Delete.
 * cJSON and json_core share the allocator: either's trees can be freed or
 * duplicated by cJSON.  ddb_bump_palloc is palloc, inline in the bump
 * contexts a scan parses its pages and converts its rows in (bumpcxt.c).
 */
void
ddb_codec_pg_init(void)
{
	cJSON_Hooks hooks;

	hooks.malloc_fn = ddb_bump_palloc;
	hooks.free_fn = codec_pfree;
	cJSON_InitHooks(&hooks);
	ddb_codec_set_allocator(ddb_bump_palloc, codec_repalloc, codec_pfree);
	/* json_core never frees NULL: no wrapper */
	ddb_json_set_allocator(ddb_bump_palloc, pfree);
	ddb_template_set_allocator(ddb_bump_palloc, codec_pfree);
	ddb_keyrange_set_allocator(ddb_bump_palloc, codec_pfree);
}

/* ----------------------------------------------------------------
 * Column set-up
 * ----------------------------------------------------------------
 */

static void canon_init(DdbColumn *col);

/* Types whose values are DynamoDB numbers. */
static bool
is_number_type(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
		case OIDOID:
			return true;
		default:
			return false;
	}
}

/*
 * Works out, once per column, which DynamoDB types the column accepts and
 * looks up the I/O functions, so the per-value paths do no catalog work.
 * Domains are looked through for the category, but keep their own input
 * function so their constraints are checked.  For arrays the element's
 * functions are kept.  FmgrInfos live in CurrentMemoryContext, which the
 * caller has made long-lived.
 */
void
ddb_codec_column_init(DdbColumn *col)
{
	Oid			basetype = getBaseType(col->typid);
	Oid			elemtype = get_element_type(basetype);
	Oid			iotype;
	Oid			infuncoid;
	Oid			outfuncoid;
	bool		isvarlena;

	if (OidIsValid(elemtype))
	{
		Oid			elembase = getBaseType(elemtype);

		if (is_number_type(elembase))
			col->category = DDB_TYPE_NUMBER_ARRAY;
		else if (elembase == BYTEAOID)
			col->category = DDB_TYPE_BYTEA_ARRAY;
		else
			col->category = DDB_TYPE_TEXT_ARRAY;
		col->elemtype = elemtype;
		iotype = elemtype;
	}
	else
	{
		if (basetype == JSONOID || basetype == JSONBOID)
			col->category = DDB_TYPE_JSON;
		else if (basetype == BOOLOID)
			col->category = DDB_TYPE_BOOL;
		else if (basetype == BYTEAOID)
			col->category = DDB_TYPE_BYTEA;
		else if (is_number_type(basetype))
			col->category = DDB_TYPE_NUMBER;
		else if (col->format != DDB_FORMAT_ISO)
			col->category = DDB_TYPE_EPOCH;
		else
			col->category = DDB_TYPE_TEXT;
		col->elemtype = InvalidOid;
		iotype = col->typid;
	}

	get_typlenbyvalalign(iotype, &col->elemlen, &col->elembyval, &col->elemalign);
	getTypeInputInfo(iotype, &infuncoid, &col->ioparam);
	fmgr_info_cxt(infuncoid, &col->infunc, CurrentMemoryContext);
	getTypeOutputInfo(iotype, &outfuncoid, &isvarlena);
	fmgr_info_cxt(outfuncoid, &col->outfunc, CurrentMemoryContext);
	canon_init(col);
}

/*
 * Gives a date or time column another format once its options are
 * resolved (a timestamp column reading the TTL attribute keeps epoch
 * seconds): the category follows the format.
 */
void
ddb_codec_set_format(DdbColumn *col, DdbTimeFormat format)
{
	col->format = format;
	if (col->category == DDB_TYPE_TEXT || col->category == DDB_TYPE_EPOCH)
		col->category = format == DDB_FORMAT_ISO ? DDB_TYPE_TEXT : DDB_TYPE_EPOCH;
}

/* ----------------------------------------------------------------
 * Dates and times as epoch numbers
 *
 * A column with format epoch_seconds or epoch_millis keeps its values as
 * N attributes counting from 1970-01-01 00:00 UTC; a timestamp without
 * time zone is taken to be in UTC, a date is its midnight in UTC.  The
 * number is exact to the microsecond ("1700000000.123456" seconds,
 * "1700000000123.456" milliseconds), so that a value read back equals the
 * value written, and numbers compare as the times they stand for.
 * ----------------------------------------------------------------
 */

/* Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define DDB_UNIX_TO_PG_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC)

/* Whether a date, timestamp or timestamptz value has an epoch number. */
bool
ddb_time_is_finite(Datum value, Oid typid)
{
	if (getBaseType(typid) == DATEOID)
		return !DATE_NOT_FINITE(DatumGetDateADT(value));
	return !TIMESTAMP_NOT_FINITE(DatumGetTimestamp(value));
}

/*
 * The epoch number of a date, timestamp or timestamptz value (typid, or a
 * domain over one), as the text of an N.  Infinite values have none.
 */
char *
ddb_time_epoch_text(Datum value, Oid typid, DdbTimeFormat format)
{
	Oid			base = getBaseType(typid);
	int64		us;
	uint64		unit = format == DDB_FORMAT_EPOCH_MILLIS ? 1000 : USECS_PER_SEC;
	uint64		mag;
	char		buf[64];
	char	   *p;

	if (base == DATEOID)
	{
		DateADT		d = DatumGetDateADT(value);

		if (DATE_NOT_FINITE(d))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("cannot store an infinite date as an epoch number")));
		us = (int64) d * USECS_PER_DAY;
	}
	else
	{
		Timestamp	t = DatumGetTimestamp(value);

		if (TIMESTAMP_NOT_FINITE(t))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("cannot store an infinite timestamp as an epoch number")));
		us = t;
	}
	us += DDB_UNIX_TO_PG_USECS;
	/* sign and magnitude: -500000 us is "-0.5" seconds */
	mag = us < 0 ? -(uint64) us : (uint64) us;
	snprintf(buf, sizeof(buf), "%s" UINT64_FORMAT, us < 0 ? "-" : "", mag / unit);
	if (mag % unit != 0)
	{
		p = buf + strlen(buf);
		snprintf(p, sizeof(buf) - (p - buf), unit == USECS_PER_SEC ? ".%06d" : ".%03d",
				 (int) (mag % unit));
		/* the fraction without trailing zeros */
		p = buf + strlen(buf) - 1;
		while (*p == '0')
			*p-- = '\0';
	}
	return pstrdup(buf);
}

/*
 * An epoch number (N text, valid) as a value of the column's type: exact
 * to the microsecond (finer digits are rounded), a date from the UTC day
 * the instant falls on.  Out of PostgreSQL's range is an error.
 */
static Datum
epoch_to_time(DdbColumn *col, const char *text)
{
	Oid			base = getBaseType(col->typid);
	Numeric		n = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	Numeric		scale = int64_to_numeric(col->format == DDB_FORMAT_EPOCH_MILLIS ? 1000 : USECS_PER_SEC);
	Numeric		usn;
	bool		overflow = false;
	int64		us = 0;
	Datum		result;

	usn = numeric_mul_opt_error(n, scale, &overflow);
	if (!overflow)
	{
		Numeric		limit = int64_to_numeric(PG_INT64_MAX / 2);

		usn = DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(usn),
												  Int32GetDatum(0)));
		overflow = DatumGetBool(DirectFunctionCall2(numeric_gt,
													DirectFunctionCall1(numeric_abs,
																		NumericGetDatum(usn)),
													NumericGetDatum(limit)));
	}
	if (!overflow)
		us = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(usn))) -
			DDB_UNIX_TO_PG_USECS;
	if (overflow || !IS_VALID_TIMESTAMP(us))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("DynamoDB attribute \"%s\" holds %s, out of range for column \"%s\" of type %s",
						ddb_col_attr_name(col), text, col->colname, format_type_be(col->typid))));
	if (base == DATEOID)
	{
		int64		days = us / USECS_PER_DAY;

		if (us % USECS_PER_DAY < 0)
			days--;
		result = DateADTGetDatum((DateADT) days);
	}
	else
		result = TimestampGetDatum(us);
	if (col->typid != base)
	{
		void	   *extra = NULL;

		domain_check(result, false, col->typid, &extra, CurrentMemoryContext);
	}
	return result;
}

/* ----------------------------------------------------------------
 * DynamoDB -> PostgreSQL
 * ----------------------------------------------------------------
 */

/* Names the attribute and column when a type input function complains. */
static void
codec_error_callback(void *arg)
{
	CodecErrorInfo *info = (CodecErrorInfo *) arg;

	if (info->attr)
		errcontext("converting DynamoDB attribute \"%s\" to column \"%s\"",
				   info->attr, info->colname);
	else
		errcontext("converting key text to column \"%s\"", info->colname);
}

/*
 * The column's (or element's) input function on str, with an error
 * context saying which attribute and column were being converted, since
 * the type's own message (e.g. 'value "70000" is out of range for type
 * smallint') names neither.
 *
 * text and the integers, the commonest columns of a scan, call what their
 * input functions call, without the function call interface; domains have
 * their own input function and always take the general way.
 */
static Datum
input_call(DdbColumn *col, const char *attr, char *str)
{
	ErrorContextCallback errcb;
	CodecErrorInfo info;
	Datum		result;

	info.attr = attr;
	info.colname = col->colname;
	errcb.callback = codec_error_callback;
	errcb.arg = (void *) &info;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	switch (col->infunc.fn_oid)
	{
		case F_TEXTIN:
			result = PointerGetDatum(cstring_to_text(str));
			break;
		case F_INT4IN:
			result = Int32GetDatum(pg_strtoint32(str));
			break;
		case F_INT8IN:
			result = Int64GetDatum(pg_strtoint64(str));
			break;
		case F_INT2IN:
			result = Int16GetDatum(pg_strtoint16(str));
			break;
		default:
			result = InputFunctionCall(&col->infunc, str, col->ioparam, col->typmod);
			break;
	}

	error_context_stack = errcb.previous;
	return result;
}

/* A BOOL payload as the column's value: boolin of "true"/"false", or its result. */
static Datum
bool_value(DdbColumn *col, const char *attr, const cJSON *v)
{
	if (col->infunc.fn_oid == F_BOOLIN)
		return BoolGetDatum(cJSON_IsTrue(v));
	return input_call(col, attr, cJSON_IsTrue(v) ? "true" : "false");
}

/* The type tags of AttributeValues, told apart without strcmp. */
typedef enum DdbAvTag
{
	DDB_AV_OTHER,
	DDB_AV_S,
	DDB_AV_N,
	DDB_AV_B,
	DDB_AV_BOOL,
	DDB_AV_NULL,
	DDB_AV_M,
	DDB_AV_L,
	DDB_AV_SS,
	DDB_AV_NS,
	DDB_AV_BS
} DdbAvTag;

static inline DdbAvTag
av_tag(const char *tag)
{
	/* one letter: a scalar, M or L; the letter and S: a set */
	if (tag[0] != '\0' && (tag[1] == '\0' || (tag[1] == 'S' && tag[2] == '\0')))
	{
		bool		set = tag[1] != '\0';

		switch (tag[0])
		{
			case 'S':
				return set ? DDB_AV_SS : DDB_AV_S;
			case 'N':
				return set ? DDB_AV_NS : DDB_AV_N;
			case 'B':
				return set ? DDB_AV_BS : DDB_AV_B;
			case 'M':
				return set ? DDB_AV_OTHER : DDB_AV_M;
			case 'L':
				return set ? DDB_AV_OTHER : DDB_AV_L;
		}
		return DDB_AV_OTHER;
	}
	if (strcmp(tag, "NULL") == 0)
		return DDB_AV_NULL;
	if (strcmp(tag, "BOOL") == 0)
		return DDB_AV_BOOL;
	return DDB_AV_OTHER;
}

/*
 * An AV of a type the column cannot hold: NULL for a column with
 * wrong_type 'null' (counted), else the error.
 */
static Datum
wrong_type(DdbColumn *col, const char *tag, bool *isnull)
{
	if (col->wrong_type_null)
	{
		ddb_codec_wrong_type_count++;
		*isnull = true;
		return (Datum) 0;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("DynamoDB attribute \"%s\" of type %s cannot be converted to column \"%s\" of type %s",
					ddb_col_attr_name(col), tag, col->colname,
					format_type_be(col->typid))));
	return (Datum) 0;			/* keep compiler quiet */
}

/*
 * In a PG_CATCH block: forgets an error that is about the data (class 22,
 * a text the type refuses), back in oldcxt; any other error goes on.
 */
static void
swallow_data_exception(MemoryContext oldcxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(oldcxt);
	edata = CopyErrorData();
	if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
		PG_RE_THROW();
	FlushErrorState();
	FreeErrorData(edata);
}

/*
 * The column's input function on an attribute's text, for a scalar
 * column.  With wrong_type 'null', a text that a built-in type (or a
 * domain over one, or an enum) refuses as data reads as NULL, counted like
 * an AV of the wrong type.  Only built-in input functions are trapped so:
 * they hold no resources when they fail, which an extension's may.
 */
static Datum
input_or_null(DdbColumn *col, const char *attr, char *str, bool *isnull)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	Oid			base;
	volatile Datum result = (Datum) 0;

	if (!col->wrong_type_null)
		return input_call(col, attr, str);
	base = getBaseType(col->typid);
	if (base >= FirstNormalObjectId && !type_is_enum(base))
		return input_call(col, attr, str);
	PG_TRY();
	{
		result = input_call(col, attr, str);
	}
	PG_CATCH();
	{
		swallow_data_exception(oldcxt);
		ddb_codec_wrong_type_count++;
		*isnull = true;
		result = (Datum) 0;
	}
	PG_END_TRY();
	return result;
}

/* The error for an AV that does not follow DynamoDB's own format. */
static void
pg_attribute_noreturn()
malformed(DdbColumn *col, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("malformed DynamoDB attribute \"%s\": %s",
					ddb_col_attr_name(col), detail)));
}

/*
 * cJSON_IsString and ddb_av_type, inline: they are asked for every value
 * a scan converts.
 */
#define DDB_IS_STRING(v) ((v) != NULL && ((v)->type & 0xFF) == cJSON_String)
#define DDB_AV_TYPE(av) \
	(((av)->type & 0xFF) == cJSON_Object && (av)->child != NULL && \
	 (av)->child->next == NULL ? (av)->child->string : NULL)

/* The string payload of an S, N or B value, or an error. */
static char *
string_payload(DdbColumn *col, const cJSON *v, const char *tag)
{
	if (!DDB_IS_STRING(v) || v->valuestring == NULL)
		malformed(col, psprintf("value of type %s is not a string", tag));
	return v->valuestring;
}

/* N text, checked: numeric_in would take "NaN", DynamoDB never sends it. */
static char *
number_payload(DdbColumn *col, const cJSON *v)
{
	char	   *s = string_payload(col, v, "N");

	if (!ddb_number_valid(s))
		malformed(col, psprintf("invalid number \"%s\"", s));
	return s;
}

/* Base64 text to a bytea, checking domain constraints when the type is one. */
static Datum
bytea_from_base64(DdbColumn *col, const char *b64, Oid typid)
{
	size_t		len = strlen(b64);
	bytea	   *result = palloc(VARHDRSZ + len / 4 * 3 + 3);
	long		n = ddb_base64_decode(b64, len, (unsigned char *) VARDATA(result));

	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("DynamoDB attribute \"%s\" holds invalid base64 binary data",
						ddb_col_attr_name(col))));
	SET_VARSIZE(result, VARHDRSZ + n);
	if (typid != BYTEAOID)
	{
		void	   *extra = NULL;

		domain_check(PointerGetDatum(result), false, typid, &extra,
					 CurrentMemoryContext);
	}
	return PointerGetDatum(result);
}

/* Plain JSON of an AV, then the column's input function (json or jsonb). */
static Datum
json_from_av(DdbColumn *col, const cJSON *av)
{
	ddb_buf		buf;
	char		err[256];
	Datum		result;

	ddb_buf_init(&buf);
	if (ddb_av_to_json(av, &buf, err, sizeof(err)) < 0)
		malformed(col, err);
	result = input_call(col, ddb_col_attr_name(col), buf.data);
	ddb_buf_free(&buf);
	return result;
}

/* Whether every element of an L payload is of type elemtag, or NULL. */
static bool
list_fits(const cJSON *payload, const char *elemtag)
{
	const cJSON *e;

	if (!cJSON_IsArray(payload))
		return true;			/* malformed: array_from_av says so */
	cJSON_ArrayForEach(e, payload)
	{
		const char *etag = ddb_av_type(e);

		if (etag && strcmp(etag, "NULL") != 0 && strcmp(etag, elemtag) != 0)
			return false;
	}
	return true;
}

/*
 * SS/NS/BS (set is true: the payload is an array of strings) or L (an
 * array of AVs that must all be of type elemtag, or NULL) to an array of
 * the column's element type.
 */
static Datum
array_from_av(DdbColumn *col, const cJSON *payload, const char *tag,
			  bool set, const char *elemtag)
{
	int			n;
	int			i = 0;
	Datum	   *values;
	bool	   *nulls;
	const cJSON *e;
	ArrayType  *arr;
	int			dims[1];
	int			lbs[1];

	if (!cJSON_IsArray(payload))
		malformed(col, psprintf("value of type %s is not an array", tag));
	n = cJSON_GetArraySize(payload);
	values = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	nulls = palloc(sizeof(bool) * (n > 0 ? n : 1));

	for (e = payload->child; e != NULL; e = e->next, i++)
	{
		const cJSON *v = e;

		nulls[i] = false;
		if (!set)
		{
			const char *etag = ddb_av_type(e);

			if (etag == NULL)
				malformed(col, "list element is not an attribute value");
			if (strcmp(etag, "NULL") == 0)
			{
				nulls[i] = true;
				values[i] = (Datum) 0;
				continue;
			}
			if (strcmp(etag, elemtag) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
						 errmsg("DynamoDB attribute \"%s\" of type %s cannot be converted to column \"%s\" of type %s",
								ddb_col_attr_name(col), tag, col->colname,
								format_type_be(col->typid)),
						 errdetail("List element %d is of type %s, not %s.",
								   i + 1, etag, elemtag)));
			v = e->child;
		}

		if (strcmp(elemtag, "B") == 0)
			values[i] = bytea_from_base64(col, string_payload(col, v, elemtag),
										  col->elemtype);
		else if (strcmp(elemtag, "N") == 0)
			values[i] = input_call(col, ddb_col_attr_name(col),
								   number_payload(col, v));
		else
			values[i] = input_call(col, ddb_col_attr_name(col),
								   string_payload(col, v, elemtag));
	}

	if (n == 0)
		arr = construct_empty_array(col->elemtype);
	else
	{
		dims[0] = n;
		lbs[0] = 1;
		arr = construct_md_array(values, nulls, 1, dims, lbs, col->elemtype,
								 col->elemlen, col->elembyval, col->elemalign);
	}

	/* a domain over an array type: its constraints */
	if (get_typtype(col->typid) == TYPTYPE_DOMAIN)
	{
		void	   *extra = NULL;

		domain_check(PointerGetDatum(arr), false, col->typid, &extra,
					 CurrentMemoryContext);
	}
	return PointerGetDatum(arr);
}

/*
 * A number's text when it is plain: an optional minus, then digits with
 * at most one point between two of them, 15 digits at the most.  *value
 * is the digits as an integer, *scale how many follow the point.  Such a
 * number is always a valid DynamoDB number (15 digits, magnitudes between
 * 1e-15 and 1e15), and its value and scale are all numeric_in takes from
 * it, so the fast paths below give what the input functions give.
 * Anything else (an exponent, more digits, malformed text) takes the way
 * of the input function, which also makes the errors.
 */
static inline bool
plain_number(const char *s, int64 *value, int *scale)
{
	const char *p = s;
	int64		v = 0;
	int			digits = 0;
	int			point = -1;		/* digits before the point, or -1 */

	if (*p == '-')
		p++;
	for (;; p++)
	{
		if (*p >= '0' && *p <= '9')
		{
			if (++digits > 15)
				return false;
			v = v * 10 + (*p - '0');
		}
		else if (*p == '.' && point < 0 && digits > 0)
			point = digits;
		else
			break;
	}
	if (*p != '\0' || digits == 0 || point == digits)
		return false;
	*value = s[0] == '-' ? -v : v;
	*scale = point < 0 ? 0 : digits - point;
	return true;
}

/*
 * An N value straight to a column of numeric (without typmod), bigint,
 * integer or smallint: what the input function would make of a plain
 * number (plain_number), without its text parse, its checks for NaN and
 * Infinity, or the DynamoDB number check.  False for anything else, which
 * takes the input function's way.
 */
static inline bool
number_direct(DdbColumn *col, const cJSON *v, Datum *result)
{
	int64		n;
	int			scale;

	if (!DDB_IS_STRING(v) || v->valuestring == NULL ||
		!plain_number(v->valuestring, &n, &scale))
		return false;
	switch (col->infunc.fn_oid)
	{
		case F_NUMERIC_IN:
			if (col->typmod >= 0)
				return false;
			*result = NumericGetDatum(int64_div_fast_to_numeric(n, scale));
			return true;
		case F_INT8IN:
			if (scale != 0)
				return false;
			*result = Int64GetDatum(n);
			return true;
		case F_INT4IN:
			if (scale != 0 || n < PG_INT32_MIN || n > PG_INT32_MAX)
				return false;
			*result = Int32GetDatum((int32) n);
			return true;
		case F_INT2IN:
			if (scale != 0 || n < PG_INT16_MIN || n > PG_INT16_MAX)
				return false;
			*result = Int16GetDatum((int16) n);
			return true;
	}
	return false;
}

/* cstring_to_text, allocating inline in a scan's row context. */
static inline Datum
text_datum(const char *s)
{
	size_t		len = strlen(s);
	text	   *t = ddb_bump_palloc(len + VARHDRSZ);

	SET_VARSIZE(t, len + VARHDRSZ);
	memcpy(VARDATA(t), s, len);
	return PointerGetDatum(t);
}

/*
 * One attribute of an item to a column value.  av is NULL when the item
 * lacks the attribute; that and DynamoDB NULL are SQL NULL.  Combinations
 * that lose meaning (S into a number, a set into a scalar) are errors
 * rather than guesses; the caller's error context names the item.
 */
Datum
ddb_av_to_datum(const cJSON *av, DdbColumn *col, bool *isnull)
{
	const char *tag;
	DdbAvTag	t;
	const cJSON *v;
	const char *attr = ddb_col_attr_name(col);

	*isnull = false;
	if (av == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	tag = DDB_AV_TYPE(av);
	if (tag == NULL)
		malformed(col, "not an object with a single type");
	t = av_tag(tag);
	if (t == DDB_AV_NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	v = av->child;

	switch (col->category)
	{
		case DDB_TYPE_JSON:
			return json_from_av(col, av);

		case DDB_TYPE_TEXT:
			/* text takes any string: no error context, no trap */
			if (t == DDB_AV_S && col->infunc.fn_oid == F_TEXTIN)
				return text_datum(string_payload(col, v, tag));
			if (t == DDB_AV_S)
				return input_or_null(col, attr, string_payload(col, v, tag), isnull);
			if (t == DDB_AV_N)
				return input_or_null(col, attr, number_payload(col, v), isnull);
			if (t == DDB_AV_BOOL && cJSON_IsBool(v))
				return bool_value(col, attr, v);
			if (t == DDB_AV_M || t == DDB_AV_L)
				return json_from_av(col, av);
			break;

		case DDB_TYPE_NUMBER:
			if (t == DDB_AV_N)
			{
				Datum		d;

				if (number_direct(col, v, &d))
					return d;
				return input_or_null(col, attr, number_payload(col, v), isnull);
			}
			break;

		case DDB_TYPE_EPOCH:
			if (t == DDB_AV_N)
				return epoch_to_time(col, number_payload(col, v));
			break;

		case DDB_TYPE_BOOL:
			if (t == DDB_AV_BOOL)
			{
				if (!cJSON_IsBool(v))
					malformed(col, "value of type BOOL is not a boolean");
				return bool_value(col, attr, v);
			}
			break;

		case DDB_TYPE_BYTEA:
			if (t == DDB_AV_B)
				return bytea_from_base64(col, string_payload(col, v, tag),
										 col->typid);
			break;

		case DDB_TYPE_TEXT_ARRAY:
		case DDB_TYPE_NUMBER_ARRAY:
		case DDB_TYPE_BYTEA_ARRAY:
			{
				/* the set of the element's type, or a list of it */
				bool		texts = col->category == DDB_TYPE_TEXT_ARRAY;
				bool		numbers = col->category == DDB_TYPE_NUMBER_ARRAY;
				const char *elemtag = texts ? "S" : numbers ? "N" : "B";
				DdbAvTag	settag = texts ? DDB_AV_SS : numbers ? DDB_AV_NS : DDB_AV_BS;

				if (t == settag)
					return array_from_av(col, v, tag, true, elemtag);
				if (t == DDB_AV_L && (!col->wrong_type_null || list_fits(v, elemtag)))
					return array_from_av(col, v, tag, false, elemtag);
			}
			break;

		default:
			elog(ERROR, "unexpected codec category %d", col->category);
	}
	return wrong_type(col, tag, isnull);
}

/*
 * A hole of a key template (a slice of the key string, not NUL-terminated)
 * to the column's type.  Template columns are scalars; the slice is text
 * typed by whoever wrote the key, so it goes through the input function.
 */
Datum
ddb_text_to_datum(const char *s, size_t len, DdbColumn *col)
{
	if (ddb_category_is_array(col->category))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("key template column \"%s\" cannot be of array type %s",
						col->colname, format_type_be(col->typid))));
	return input_call(col, NULL, pnstrdup(s, len));
}

/*
 * The whole item as one plain JSON object, for a document column (json or
 * jsonb; the input function decides which).
 */
Datum
ddb_item_to_document(const cJSON *item, DdbColumn *col)
{
	ddb_buf		buf;
	char		err[256];
	Datum		result;

	if (ddb_category_is_array(col->category))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("document column \"%s\" cannot be of array type %s",
						col->colname, format_type_be(col->typid))));
	ddb_buf_init(&buf);
	if (ddb_item_to_json(item, &buf, err, sizeof(err)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("malformed DynamoDB item for column \"%s\"", col->colname),
				 errdetail("%s", reason_sentence(err))));
	result = input_call(col, NULL, buf.data);
	ddb_buf_free(&buf);
	return result;
}

/* Whether name is in a list of attribute names (char *). */
static bool
name_listed(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp((const char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

/*
 * The attributes of an item that no other column maps (mapped lists those
 * that one does), as one plain JSON object, for an extra column: an item
 * whose attributes are all mapped gives {}.
 */
Datum
ddb_item_to_extra(const cJSON *item, DdbColumn *col, List *mapped)
{
	ddb_buf		buf;
	char		err[256];
	const cJSON *e;
	Datum		result;
	bool		first = true;

	ddb_buf_init(&buf);
	ddb_buf_append(&buf, "{", 1);
	for (e = item ? item->child : NULL; e != NULL; e = e->next)
	{
		if (e->string == NULL || name_listed(mapped, e->string))
			continue;
		if (!first)
			ddb_buf_append(&buf, ",", 1);
		first = false;
		ddb_json_quote(&buf, e->string, strlen(e->string));
		ddb_buf_append(&buf, ":", 1);
		if (ddb_av_to_json(e, &buf, err, sizeof(err)) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("malformed DynamoDB attribute \"%s\"", e->string),
					 errdetail("%s", reason_sentence(err))));
	}
	ddb_buf_append(&buf, "}", 1);
	result = input_call(col, NULL, buf.data);
	ddb_buf_free(&buf);
	return result;
}

/* ----------------------------------------------------------------
 * Typed key template holes
 *
 * A key lookup composes one key text per value, so a hole's text must be
 * the one text of its value, or a lookup misses an item a Scan reads
 * ("CUST#007" reads as cust_id 7; cust_id = 7 asks for "CUST#7").  For the
 * types below each value has one canonical text: the type's output, with
 * dates and times in ISO form and UTC (ddb_output_text), and numeric
 * without trailing fractional zeros (7.0 = 7, so both are "7").  Reading
 * such a hole, an item whose text is not canonical ("007", "7.0", "+7",
 * "2024-1-5") is not a row of the entity, as an item of another shape is
 * not.  Holes of other types (float, char(n), interval, ...) read any text
 * their input function takes, and conditions on them stay local.
 * ----------------------------------------------------------------
 */

/* Whether values of typid have one canonical text each (see above). */
bool
ddb_hole_type_canonical(Oid typid)
{
	Oid			base = getBaseType(typid);

	if (type_is_enum(base))
		return true;			/* a value is its label */
	switch (base)
	{
		case TEXTOID:
		case VARCHAROID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case NUMERICOID:
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case TIMEOID:
		case UUIDOID:
		case BOOLOID:
			return true;
		default:
			return false;
	}
}

/* The canonical text of a value of type typid, for a key template hole. */
char *
ddb_canonical_key_text(Datum value, Oid typid)
{
	Oid			out;
	bool		isvarlena;
	FmgrInfo	flinfo;

	if (getBaseType(typid) == NUMERICOID)
		value = DirectFunctionCall1(numeric_trim_scale, value);
	getTypeOutputInfo(typid, &out, &isvarlena);
	fmgr_info(out, &flinfo);
	return ddb_output_text(&flinfo, typid, value);
}

/*
 * Sets up, once per column (from ddb_codec_column_init), what the canonical
 * check needs: the base type's own input and output functions (a domain's
 * input would run its constraints, which must not happen inside the
 * check's error trap).  They live in CurrentMemoryContext, which the
 * caller has made long-lived.
 */
static void
canon_init(DdbColumn *col)
{
	MemoryContext cxt = CurrentMemoryContext;
	int32		typmod = -1;
	Oid			base = getBaseTypeAndTypmod(col->typid, &typmod);
	Oid			infunc;
	Oid			outfunc;
	bool		isvarlena;

	if (col->typmod >= 0)
		typmod = col->typmod;
	col->canon_typmod = typmod;
	col->canon_base = base;
	if (!ddb_hole_type_canonical(base) || base == TEXTOID ||
		(base == VARCHAROID && typmod < 0))
	{
		col->canon_state = DDB_CANON_ANY;	/* any text is its own canonical text */
		return;
	}
	getTypeInputInfo(base, &infunc, &col->canon_ioparam);
	fmgr_info_cxt(infunc, &col->canon_in, cxt);
	getTypeOutputInfo(base, &outfunc, &isvarlena);
	fmgr_info_cxt(outfunc, &col->canon_out, cxt);
	col->canon_state = DDB_CANON_CHECK;
}

/* Whether every text is canonical for a hole of this column (text, varchar). */
bool
ddb_key_text_free(DdbColumn *col)
{
	Assert(col->canon_state != DDB_CANON_UNSET);
	return col->canon_state == DDB_CANON_ANY && ddb_hole_type_canonical(col->typid);
}

/*
 * Whether the text of a key template hole (a slice, not NUL-terminated) is
 * the canonical text of the value it reads as, for the hole's column.  A
 * text the type does not take at all is not canonical either: the input
 * function's data error is caught here (only for the built-in types above,
 * whose input functions hold no resources when they fail).
 */
bool
ddb_key_text_canonical(const char *s, size_t len, DdbColumn *col)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	char	   *str;
	volatile bool ok = false;

	Assert(col->canon_state != DDB_CANON_UNSET);
	if (col->canon_state == DDB_CANON_ANY)
		return true;
	str = pnstrdup(s, len);
	PG_TRY();
	{
		Datum		d = InputFunctionCall(&col->canon_in, str, col->canon_ioparam,
										  col->canon_typmod);
		char	   *back;

		if (col->canon_base == NUMERICOID)
			d = DirectFunctionCall1(numeric_trim_scale, d);
		back = ddb_output_text(&col->canon_out, col->canon_base, d);
		ok = (strlen(back) == len && memcmp(back, s, len) == 0);
	}
	PG_CATCH();
	{
		swallow_data_exception(oldcxt);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}
