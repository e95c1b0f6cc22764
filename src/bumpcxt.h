/*-------------------------------------------------------------------------
 * bumpcxt.h
 *	  A memory context that allocates by bumping a pointer (bumpcxt.c).
 *-------------------------------------------------------------------------
 */
#ifndef DDB_BUMPCXT_H
#define DDB_BUMPCXT_H

#include "postgres.h"

#include "utils/memutils.h"

extern MemoryContext ddb_bump_context_create(MemoryContext parent, const char *name,
											 Size init_size, Size keep_max);
extern void *ddb_bump_palloc(size_t size);

#endif							/* DDB_BUMPCXT_H */
