/*-------------------------------------------------------------------------
 * codec_core.h
 *	  Pure C parts of the attribute codec: DynamoDB JSON -> plain JSON text,
 *	  number validation, base64.  No PostgreSQL headers (unit-tested, fuzzed).
 *-------------------------------------------------------------------------
 */
#ifndef DDB_CODEC_CORE_H
#define DDB_CODEC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* Growable byte buffer; memory from the allocator set below (default malloc/realloc). */
typedef struct ddb_buf
{
	char	   *data;			/* always NUL-terminated when non-NULL */
	size_t		len;
	size_t		cap;
} ddb_buf;

extern void ddb_codec_set_allocator(void *(*alloc_fn) (size_t),
									void *(*realloc_fn) (void *, size_t),
									void (*free_fn) (void *));
extern void ddb_buf_init(ddb_buf *b);
extern void ddb_buf_append(ddb_buf *b, const char *s, size_t n);
extern void ddb_buf_free(ddb_buf *b);

/* The type tag of an AttributeValue object ({"S": "x"} -> "S"), or NULL if malformed. */
extern const char *ddb_av_type(const cJSON *av);

/*
 * DynamoDB number text check: optional '-', digits with optional '.', optional
 * exponent; at most 38 significant digits; what DynamoDB itself accepts.
 */
extern bool ddb_number_valid(const char *s);

/*
 * Trims a plain decimal number ("[-]digits[.digits]", as numeric_out
 * writes it) in place to the form DynamoDB stores: no trailing zeros after
 * the point, no bare point, no minus zero ("1.50" -> "1.5", "2.0" -> "2",
 * "-0.0" -> "0").  Other text (exponents) is left alone.
 */
extern void ddb_number_trim(char *s);

/*
 * Exact numeric comparison of two numbers accepted by ddb_number_valid
 * (-1, 0, 1; "1" == "1.0" == "10e-1"), as DynamoDB compares set elements.
 */
extern int	ddb_number_compare(const char *a, const char *b);

/*
 * Appends the plain JSON form of one AttributeValue to out:
 * S -> string, N -> number (text copied exactly, never through double),
 * BOOL -> true/false, NULL -> null, M -> object, L -> array,
 * SS -> array of strings, NS -> array of numbers, B -> base64 string,
 * BS -> array of base64 strings.  Returns 0, or -1 with a message in err
 * (e.g. "attribute value has unknown type \"X\"").
 */
extern int	ddb_av_to_json(const cJSON *av, ddb_buf *out, char *err, size_t errlen);

/* Appends a whole item (object of name -> AttributeValue) as a JSON object. */
extern int	ddb_item_to_json(const cJSON *item, ddb_buf *out, char *err, size_t errlen);

/* Appends s as a JSON string literal (quotes and escapes included). */
extern void ddb_json_quote(ddb_buf *out, const char *s, size_t len);

/*
 * Base64 (RFC 4648, with padding). decode returns decoded length or -1 on bad input.
 * encoded_len does not count the NUL that encode writes after the text.
 * decode is strict (length a multiple of 4, unused bits zero) and accepts
 * out == NULL to only validate.
 */
extern size_t ddb_base64_encoded_len(size_t n);
extern void ddb_base64_encode(const unsigned char *in, size_t n, char *out);	/* NUL-terminates */
extern long ddb_base64_decode(const char *in, size_t n, unsigned char *out);	/* out >= n*3/4+3 */

#endif
