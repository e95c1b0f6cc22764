/*-------------------------------------------------------------------------
 * codec_out.c
 *	  The PostgreSQL -> DynamoDB half of the attribute codec: column values
 *	  to AttributeValues, and key values to key attributes.
 *
 * Values go out as the column type's output text (dates and times in ISO
 * form and UTC, ddb_output_text), numbers checked against DynamoDB's
 * limits and trimmed as DynamoDB keeps them, binary as base64, sets
 * checked for duplicates as DynamoDB checks them.  The other direction,
 * and the column set-up both use, are in codec.c; deparse.c writes
 * expressions with the values made here, never the other way round.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "codec_core.h"
#include "ddbrel.h"

/* DynamoDB nests documents at most 32 levels deep. */
#define DDB_MAX_NESTING 32

/* ----------------------------------------------------------------
 * Key values
 * ----------------------------------------------------------------
 */

/* The text of a datum for a key or template hole (output function). */
char *
ddb_value_text(Datum d, Oid typid)
{
	Oid			out;
	bool		isvarlena;

	FmgrInfo	flinfo;

	getTypeOutputInfo(typid, &out, &isvarlena);
	fmgr_info(out, &flinfo);
	return ddb_output_text(&flinfo, typid, d);
}

/*
 * The AttributeValue of a scalar datum for a key attribute of DynamoDB type
 * keytype ('S', 'N', 'B'), or NULL if the value cannot be such a key.
 */
cJSON *
ddb_key_av(Datum d, Oid typid, char keytype)
{
	cJSON	   *av = cJSON_CreateObject();

	if (keytype == 'B')
	{
		bytea	   *b;
		char	   *enc;

		if (getBaseType(typid) != BYTEAOID)
			return NULL;
		b = DatumGetByteaPP(d);
		enc = palloc(ddb_base64_encoded_len(VARSIZE_ANY_EXHDR(b)) + 1);
		ddb_base64_encode((unsigned char *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), enc);
		cJSON_AddStringToObject(av, "B", enc);
		return av;
	}
	else
	{
		char	   *s = ddb_value_text(d, typid);

		if (keytype == 'N' && !ddb_number_valid(s))
			return NULL;
		cJSON_AddStringToObject(av, keytype == 'N' ? "N" : "S", s);
	}
	return av;
}

/*
 * The AttributeValue of a column's value for a key attribute of type
 * keytype (S, N or B), or NULL when the value cannot be such a key: a
 * date or time kept as an epoch number is an N key of that number.
 */
cJSON *
ddb_column_key_av(DdbColumn *col, Datum value, char keytype)
{
	cJSON	   *av;

	if (col->category != DDB_TYPE_EPOCH)
		return ddb_key_av(value, col->typid, keytype);
	if (keytype != 'N' || !ddb_time_is_finite(value, col->typid))
		return NULL;
	av = cJSON_CreateObject();
	cJSON_AddStringToObject(av, "N", ddb_time_epoch_text(value, col->typid, col->format));
	return av;
}

/* ----------------------------------------------------------------
 * PostgreSQL -> DynamoDB
 * ----------------------------------------------------------------
 */

/*
 * Number text as DynamoDB will take it.  NaN and infinities have no
 * DynamoDB form; more than 38 digits or magnitudes out of range would be
 * rejected by the server with a vaguer message, or silently rounded.
 */
static void
check_number_text(DdbColumn *col, const char *s)
{
	if (ddb_number_valid(s))
		return;
	if (strstr(s, "NaN") != NULL || strstr(s, "Infinity") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot store %s in DynamoDB attribute \"%s\"",
						s, ddb_col_attr_name(col)),
				 errdetail("DynamoDB numbers cannot be NaN or infinite.")));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("number %s cannot be stored in DynamoDB attribute \"%s\"",
					s, ddb_col_attr_name(col)),
			 errdetail("DynamoDB numbers have at most 38 significant digits and magnitudes from 1E-130 to 9.9999999999999999999999999999999999999E+125.")));
}

/* {"<tag>": s}, s copied. */
static cJSON *
make_string_av(const char *tag, const char *s)
{
	cJSON	   *av = cJSON_CreateObject();

	cJSON_AddStringToObject(av, tag, s);
	return av;
}

static char *
bytea_to_base64(Datum value)
{
	bytea	   *b = DatumGetByteaPP(value);
	size_t		len = VARSIZE_ANY_EXHDR(b);
	char	   *out = palloc(ddb_base64_encoded_len(len) + 1);

	ddb_base64_encode((const unsigned char *) VARDATA_ANY(b), len, out);
	return out;
}

/*
 * A jsonb scalar as an AV; numbers as numeric_out text, trimmed as
 * DynamoDB stores them (ddb_number_trim) so that every implementation
 * gives back the same text.
 */
static cJSON *
jsonb_scalar_to_av(DdbColumn *col, JsonbValue *v)
{
	cJSON	   *av;
	char	   *s;

	switch (v->type)
	{
		case jbvNull:
			av = cJSON_CreateObject();
			cJSON_AddTrueToObject(av, "NULL");
			return av;
		case jbvBool:
			av = cJSON_CreateObject();
			cJSON_AddBoolToObject(av, "BOOL", v->val.boolean);
			return av;
		case jbvString:
			s = pnstrdup(v->val.string.val, v->val.string.len);
			return make_string_av("S", s);
		case jbvNumeric:
			s = DatumGetCString(DirectFunctionCall1(numeric_out,
													NumericGetDatum(v->val.numeric)));
			check_number_text(col, s);
			ddb_number_trim(s);
			return make_string_av("N", s);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * A jsonb document as an AV: objects become M, arrays L, scalars S, N,
 * BOOL or NULL.  Walks with the jsonb iterator, keeping the open M/L
 * payloads on a stack bounded by DynamoDB's nesting limit.
 */
static cJSON *
jsonb_to_av(DdbColumn *col, Jsonb *jb)
{
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	cJSON	   *stack[DDB_MAX_NESTING + 1];
	int			depth = 0;
	bool		raw_scalar = false;
	char	   *key = NULL;
	cJSON	   *result = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		cJSON	   *av = NULL;
		cJSON	   *inner = NULL;

		switch (tok)
		{
			case WJB_BEGIN_ARRAY:
				if (v.val.array.rawScalar)
				{
					raw_scalar = true;
					continue;
				}
				/* FALLTHROUGH */
			case WJB_BEGIN_OBJECT:
				if (depth >= DDB_MAX_NESTING)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("value for DynamoDB attribute \"%s\" is nested too deeply",
									ddb_col_attr_name(col)),
							 errdetail("DynamoDB allows at most %d levels of nesting.",
									   DDB_MAX_NESTING)));
				av = cJSON_CreateObject();
				if (tok == WJB_BEGIN_OBJECT)
					inner = cJSON_AddObjectToObject(av, "M");
				else
					inner = cJSON_AddArrayToObject(av, "L");
				break;
			case WJB_KEY:
				key = pnstrdup(v.val.string.val, v.val.string.len);
				continue;
			case WJB_VALUE:
			case WJB_ELEM:
				av = jsonb_scalar_to_av(col, &v);
				break;
			case WJB_END_ARRAY:
			case WJB_END_OBJECT:
				if (raw_scalar)
					raw_scalar = false;
				else
					depth--;
				continue;
			default:
				elog(ERROR, "unexpected jsonb iterator token %d", (int) tok);
		}

		/* attach av to the open container, or make it the result */
		if (depth == 0)
			result = av;
		else if (cJSON_IsObject(stack[depth - 1]))
		{
			if (key == NULL)
				elog(ERROR, "jsonb object value without key");
			cJSON_AddItemToObject(stack[depth - 1], key, av);
			pfree(key);
			key = NULL;
		}
		else
			cJSON_AddItemToArray(stack[depth - 1], av);
		if (inner != NULL)
			stack[depth++] = inner;
	}
	return result;
}

/* Array elements as output text; NULL elements are refused. */
static char **
array_texts(DdbColumn *col, Datum value, bool base64, int *n)
{
	ArrayType  *arr = DatumGetArrayTypeP(value);
	Datum	   *elems;
	bool	   *nulls;
	char	  **texts;
	int			i;

	deconstruct_array(arr, col->elemtype, col->elemlen, col->elembyval,
					  col->elemalign, &elems, &nulls, n);
	if (*n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("DynamoDB does not allow empty sets"),
				 errdetail("Column \"%s\" holds an empty array for attribute \"%s\".",
						   col->colname, ddb_col_attr_name(col))));
	texts = palloc(sizeof(char *) * *n);
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("DynamoDB sets cannot contain null values"),
					 errdetail("Column \"%s\" holds an array with a null element for attribute \"%s\".",
							   col->colname, ddb_col_attr_name(col))));
		if (base64)
			texts[i] = bytea_to_base64(elems[i]);
		else
			texts[i] = ddb_output_text(&col->outfunc, col->elemtype, elems[i]);
	}
	return texts;
}

static int
cmp_text_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static int
cmp_number_ptr(const void *a, const void *b)
{
	return ddb_number_compare(*(char *const *) a, *(char *const *) b);
}

/*
 * DynamoDB rejects a set with two equal elements ("1" and "1.0" are equal
 * numbers); say which one, rather than let the whole write fail remotely.
 */
static void
check_set_duplicates(DdbColumn *col, char **texts, int n, bool numbers)
{
	char	  **sorted = palloc(sizeof(char *) * n);
	int			(*cmp) (const void *, const void *);
	int			i;

	cmp = numbers ? cmp_number_ptr : cmp_text_ptr;
	memcpy(sorted, texts, sizeof(char *) * n);
	qsort(sorted, n, sizeof(char *), cmp);
	for (i = 1; i < n; i++)
	{
		if (cmp(&sorted[i - 1], &sorted[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("DynamoDB does not allow duplicate values in a set"),
					 errdetail("Value \"%s\" appears more than once in the array for attribute \"%s\".",
							   sorted[i], ddb_col_attr_name(col))));
	}
	pfree(sorted);
}

/* An array column as SS, NS or BS. */
static cJSON *
array_to_set_av(DdbColumn *col, Datum value, const char *tag)
{
	int			n;
	char	  **texts;
	cJSON	   *av;
	cJSON	   *set;
	int			i;

	texts = array_texts(col, value, tag[0] == 'B', &n);
	if (tag[0] == 'N')
	{
		for (i = 0; i < n; i++)
			check_number_text(col, texts[i]);
	}
	check_set_duplicates(col, texts, n, tag[0] == 'N');

	av = cJSON_CreateObject();
	set = cJSON_AddArrayToObject(av, tag);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(set, cJSON_CreateString(texts[i]));
	return av;
}

/*
 * A (non-null) column value as a new AV, for writes: the reverse of
 * ddb_av_to_datum.  SQL NULL is the caller's business (NULL AV or REMOVE).
 */
cJSON *
ddb_datum_to_av(Datum value, DdbColumn *col)
{
	cJSON	   *av;
	char	   *s;

	switch (col->category)
	{
		case DDB_TYPE_TEXT:
			return make_string_av("S", ddb_output_text(&col->outfunc, col->typid, value));

		case DDB_TYPE_NUMBER:
			s = ddb_output_text(&col->outfunc, col->typid, value);
			check_number_text(col, s);
			return make_string_av("N", s);

		case DDB_TYPE_BOOL:
			av = cJSON_CreateObject();
			cJSON_AddBoolToObject(av, "BOOL", DatumGetBool(value));
			return av;

		case DDB_TYPE_EPOCH:
			return make_string_av("N", ddb_time_epoch_text(value, col->typid, col->format));

		case DDB_TYPE_BYTEA:
			return make_string_av("B", bytea_to_base64(value));

		case DDB_TYPE_JSON:
			{
				Jsonb	   *jb;

				/* domains share their base type's output function */
				if (col->outfunc.fn_oid == F_JSONB_OUT)
					jb = DatumGetJsonbP(value);
				else
				{
					s = ddb_output_text(&col->outfunc, col->typid, value);
					jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
															CStringGetDatum(s)));
				}
				return jsonb_to_av(col, jb);
			}

		case DDB_TYPE_TEXT_ARRAY:
			return array_to_set_av(col, value, "SS");

		case DDB_TYPE_NUMBER_ARRAY:
			return array_to_set_av(col, value, "NS");

		case DDB_TYPE_BYTEA_ARRAY:
			return array_to_set_av(col, value, "BS");

		default:
			elog(ERROR, "unexpected codec category %d", col->category);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * A column value as text for a key template hole: its canonical text (see
 * below), the same text ddb_text_to_datum reads back.
 */
char *
ddb_datum_to_key_text(Datum value, DdbColumn *col)
{
	if (ddb_category_is_array(col->category))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("key template column \"%s\" cannot be of array type %s",
						col->colname, format_type_be(col->typid))));
	if (getBaseType(col->typid) == NUMERICOID)
		value = DirectFunctionCall1(numeric_trim_scale, value);
	return ddb_output_text(&col->outfunc, col->typid, value);
}
