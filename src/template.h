/*-------------------------------------------------------------------------
 * template.h
 *	  Key templates such as "USER#{user_id}": parse, match, compose, prefix.
 *
 * Pure C (no PostgreSQL headers): unit-tested and fuzzed.  Memory comes
 * from the allocator set with ddb_template_set_allocator (default malloc).
 *-------------------------------------------------------------------------
 */
#ifndef DDB_TEMPLATE_H
#define DDB_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#define DDB_TEMPLATE_MAX_HOLES 16

/*
 * A value transform of a hole ("{office:lower}"): the key holds the value
 * case-mapped exactly as JavaScript's toLowerCase() / toUpperCase() map it
 * (full Unicode mappings, Final_Sigma), which is how modeling libraries
 * write their keys.
 */
typedef enum ddb_transform
{
	DDB_TRANSFORM_NONE = 0,
	DDB_TRANSFORM_LOWER,
	DDB_TRANSFORM_UPPER
} ddb_transform;

/*
 * A template is an alternating sequence of literal text and holes.
 * parts[i].is_hole says which; literal text has "{{" and "}}" unescaped.
 */
typedef struct ddb_template_part
{
	bool		is_hole;
	char	   *text;			/* literal text, or the hole's column name */
	size_t		len;
	ddb_transform transform;	/* holes only */
} ddb_template_part;

typedef struct ddb_template
{
	int			nparts;
	ddb_template_part *parts;
	int			nholes;
	const char *holes[DDB_TEMPLATE_MAX_HOLES];	/* hole names in order (point into parts) */
	ddb_transform transforms[DDB_TEMPLATE_MAX_HOLES];	/* of each hole */
} ddb_template;

/* A slice of a key string: a matched hole value (not NUL-terminated). */
typedef struct ddb_slice
{
	const char *ptr;
	size_t		len;
} ddb_slice;

/*
 * Sets the allocator for templates and for the strings that compose and
 * prefix return (release those with free_fn).  NULL restores malloc/free.
 * An allocator that returns NULL makes the call fail with "out of memory".
 * A template must be freed with the free function it was allocated with.
 */
extern void ddb_template_set_allocator(void *(*alloc_fn) (size_t),
									   void (*free_fn) (void *));

/*
 * Parses text.  On error returns NULL and writes a message (lower case, no
 * period, e.g. "unterminated \"{\" at position 5") into err.
 * Rules: "{name}" is a hole (name: [A-Za-z_][A-Za-z0-9_]*), "{name:lower}"
 * and "{name:upper}" holes with a transform, "{{" and "}}"
 * are literal braces, two holes may not be adjacent (there must be a
 * literal between them, or matching is ambiguous), a name may appear once.
 * A ":lower" hole followed by a literal must have, in that literal, a
 * character that is not case-ignorable: lower-casing a final sigma looks
 * at the text after it, which must be known when only a prefix is bound.
 * Also rejected: an empty (or NULL) template, "{}", a "}" that is neither
 * "}}" nor closes a hole, more than DDB_TEMPLATE_MAX_HOLES holes.  Positions
 * in messages are 0-based byte offsets into text ("USER#{" fails at 5).
 * A template without holes ("#METADATA") is valid and matches only itself.
 * Hole names are case sensitive; literal text may hold any bytes (UTF-8).
 * The result is a single allocation: ddb_template_free releases it all.
 */
extern ddb_template *ddb_template_parse(const char *text, char *err, size_t errlen);
extern void ddb_template_free(ddb_template *t);

/* Index of the hole named name, or -1. */
extern int	ddb_template_hole_index(const ddb_template *t, const char *name);

/*
 * Matches key (length keylen) against t.  A hole with a transform matches
 * only text the transform leaves as it is (a ":lower" hole matches no
 * upper-case letter), so that every matched key composes back to itself.  On success fills values[0..nholes-1]
 * (slices of key) and returns true; on failure values are unspecified, and
 * values may be NULL when t has no holes.  A hole matches the shortest
 * non-empty text up to the next occurrence of the literal that follows it:
 * the value ends at the first occurrence of that literal at or after the
 * hole's start, and when that occurrence is right at the start the value
 * would be empty and the key does not match (no backtracking, so a matched
 * value never contains the literal that follows it).  The last hole, when it
 * ends the template, takes the rest, possibly empty ("ORDER#{id}" matches
 * "ORDER#" with id = ""), so begins_with(key, the literal prefix) is
 * exactly the set of keys a one-trailing-hole template matches.
 * Examples: "USER#{id}" on "USER#a#b" gives id = "a#b"; "A#{x}#B#{y}" on
 * "A#1#B#2" gives x = "1", y = "2", on "A#1#2#B#3" x = "1#2"; "{x}#" does
 * not match "a#b#" (x ends at the first "#", then "b#" is left over).
 */
extern bool ddb_template_match(const ddb_template *t, const char *key, size_t keylen,
							   ddb_slice *values);

/*
 * Like ddb_template_match, but also accepts a key cut short right before
 * a hole, after the literal that precedes it (or empty, when the template
 * starts with a hole), as ddb_template_truncate writes it for missing
 * values.  Returns the number of holes with a value (values[0..n-1]);
 * t->nholes for a complete match, where a trailing hole never matches
 * empty text (that is a key cut before it); -1 when the key does not match.
 */
extern int	ddb_template_match_partial(const ddb_template *t, const char *key, size_t keylen,
									   ddb_slice *values);

/*
 * Composes a key from values (one per hole, NUL-terminated strings).
 * Transforms are applied to the values first; what is checked below is the
 * transformed value.
 * Returns a newly allocated string, or NULL with a message in err when a
 * value is NULL, empty (except for a trailing hole), or contains the literal that follows its hole (the
 * key could not be parsed back unambiguously).  Also refused: a value ending
 * with the start of that literal such that the literal would be found
 * earlier ("x#B" before "#B#" composes "x#B#B#", which reads back as "x").
 * So compose and match are inverses: whatever compose returns matches back
 * to the same values, and any matched key composes back to itself (unless a
 * value holds a NUL byte, which a C string cannot carry).
 */
extern char *ddb_template_compose(const ddb_template *t, const char *const *values,
								  char *err, size_t errlen);

/*
 * The longest prefix fixed by binding the first nbound holes (values for
 * holes 0..nbound-1): literal text up to the first unbound hole.  With
 * nbound == nholes it equals the composed key; with nbound == 0 it is the
 * literal text before the first hole, which is "" when the template starts
 * with a hole (values may then be NULL).  Every key that matches t and has
 * those values for the bound holes begins with the prefix.  Returns a newly
 * allocated string, or NULL with a message in err as for compose (also when
 * nbound is outside 0..nholes).
 */
extern char *ddb_template_prefix(const ddb_template *t, const char *const *values,
								 int nbound, char *err, size_t errlen);

/*
 * The key written when only the first nbound values are known (the others
 * missing): the prefix up to the first missing hole, as ElectroDB writes
 * "$app#manager_".  The same text as ddb_template_prefix.
 */
extern char *ddb_template_truncate(const ddb_template *t, const char *const *values,
								   int nbound, char *err, size_t errlen);

/*
 * Case-maps s[start..end) as JavaScript's toLowerCase() or toUpperCase()
 * maps that span inside the whole string s (len bytes of UTF-8): the
 * context around the span decides a final sigma.  Returns a newly
 * allocated NUL-terminated string (the span itself for
 * DDB_TRANSFORM_NONE), or NULL when out of memory.  Bytes that are not
 * UTF-8 are copied as they are.
 */
extern char *ddb_template_casemap(ddb_transform tr, const char *s, size_t len,
								  size_t start, size_t end);

/* The name of a transform ("lower", "upper"), or "" for none. */
extern const char *ddb_transform_name(ddb_transform tr);

#endif
