/*-------------------------------------------------------------------------
 * keyrange_core.h
 *	  Key ranges for conditions on a key template hole: the tightest range of
 *	  keys, as DynamoDB orders them, that holds every key whose hole value
 *	  lies in a range.
 *
 * Pure C (no PostgreSQL headers): unit-tested and fuzzed.  DynamoDB orders
 * string keys by the bytes of their UTF-8 text, so a hole of text compared
 * under a bytewise collation (or a value whose text sorts like it) orders
 * the keys of one prefix as its values.  A KeyConditionExpression holds one
 * sort key condition, so every range is sent as BETWEEN, its ends computed
 * here.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_KEYRANGE_CORE_H
#define DDB_KEYRANGE_CORE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * An inclusive range of keys.  hi_top says that hi is the highest key that
 * begins with hi's first hi_top bytes: those bytes followed by the largest
 * characters UTF-8 has, up to max_len bytes (EXPLAIN shows it so rather
 * than as its bytes).
 */
typedef struct ddb_key_range
{
	char	   *lo;				/* NUL-terminated; allocated */
	char	   *hi;
	bool		hi_top;
	size_t		hi_top_len;		/* with hi_top: the length of what hi begins with */
} ddb_key_range;

/*
 * Sets the allocator of the strings the functions below return (default
 * malloc/free).  An allocator returning NULL makes a call fail.
 */
extern void ddb_keyrange_set_allocator(void *(*alloc_fn) (size_t),
									   void (*free_fn) (void *));

/*
 * The range of the keys "prefix V after ..." of a template whose hole V
 * has a value between lo and hi (inclusive, compared bytewise; NULL: no
 * bound on that side), for keys of at most max_len bytes (DynamoDB's 1024
 * for a sort key).  after is the literal that follows the hole in the
 * template, "" when the hole ends it; V never contains it.
 *
 * - lo: prefix + lo (or prefix alone).
 * - hi, when the hole ends the template: prefix + hi, exactly.
 * - hi, when a literal follows: every key prefix + V + after + ... with
 *   V <= hi, and V may be any non-empty prefix of hi (e.g. hi = "ab", after
 *   = "~": V = "a" gives "a~...", above "ab~..."), so the range ends at the
 *   highest key that begins with the greatest prefix + hi[0..k) + after for
 *   k = 1 .. strlen(hi) (at character boundaries).
 * - no hi: the highest key beginning with prefix.
 *
 * Returns 0, or -1 when memory ran out.  The caller frees lo and hi.
 */
extern int	ddb_keyrange_hole(const char *prefix, const char *after,
							  const char *lo, const char *hi, size_t max_len,
							  ddb_key_range *out);

/*
 * The highest key of at most max_len bytes that begins with text (length
 * len): text followed by U+10FFFF up to max_len, then the largest character
 * of the bytes left (U+FFFF, U+07FF or U+007F).  Every key of at most
 * max_len bytes beginning with text is at most that, bytewise.  A text of
 * max_len bytes or more is returned as it is.  NULL when memory ran out.
 */
extern char *ddb_keyrange_top(const char *text, size_t len, size_t max_len);

#endif
