/*-------------------------------------------------------------------------
 * text_hash.h
 *	  A hash table keyed by text, for finding equal keys (printed as JSON)
 *	  in linear time: the distinct key values of a scan, the items a
 *	  lookup join found for each driving item, and the items of a
 *	  partition join by partition.
 *
 * simplehash.h instantiated with static inline functions: each file that
 * includes this header has its own copy, as PostgreSQL's own users of
 * simplehash do.  The table does not copy the texts: they must live as
 * long as the table (the same memory context, or a longer-lived one).
 *-------------------------------------------------------------------------
 */
#ifndef DDB_TEXT_HASH_H
#define DDB_TEXT_HASH_H

#include "common/hashfn.h"
#include "nodes/pg_list.h"

typedef struct DdbTextEntry
{
	const char *text;			/* the key */
	uint32		hash;
	char		status;			/* simplehash's */
	List	   *items;			/* what the caller keeps under the key */
} DdbTextEntry;

#define SH_PREFIX		ddb_text_hash
#define SH_ELEMENT_TYPE DdbTextEntry
#define SH_KEY_TYPE		const char *
#define SH_KEY			text
#define SH_HASH_KEY(tb, key) hash_bytes((const unsigned char *) (key), (int) strlen(key))
#define SH_EQUAL(tb, a, b)	(strcmp((a), (b)) == 0)
#define SH_SCOPE		static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)	((a)->hash)
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#endif							/* DDB_TEXT_HASH_H */
