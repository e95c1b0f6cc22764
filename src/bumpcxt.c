/*-------------------------------------------------------------------------
 * bumpcxt.c
 *	  A memory context that allocates by bumping a pointer, for the pages
 *	  and rows of a scan.
 *
 * A Scan page of 1 MB parses into tens of thousands of small pieces (about
 * 36 an item: the cJSON nodes, names and values), and all of them go at
 * once when the next page comes; a row's values go when the next row
 * comes.  AllocSet and Generation keep the books a chunk needs to be freed
 * alone, and with palloc's own work an allocation cost 50 to 60
 * instructions, a sixth of a scan's.  Here an allocation is a bounds check
 * and a pointer bump; pfree gives memory back only when the chunk is the
 * last one made (a buffer grown and freed at once), and everything else
 * waits for the reset.  PostgreSQL 17 has such a context; 15 does not.
 *
 * Every chunk is preceded by its size and its context, the context last,
 * as PostgreSQL 15 asks of every context type: pfree, repalloc and
 * GetMemoryChunkSpace read it at the pointer less sizeof(void *).  The node
 * tag is GenerationContext's (assert-enabled builds accept only the three
 * built-in tags); nothing reads it but those assertions.
 *
 * A reset keeps one block.  When the context held more than that block, the
 * block kept is made half as big again as all it held (up to keep_max), so
 * that the next page fits in memory already mapped instead of being
 * faulted in again, zeroed, from the kernel.
 *
 * ddb_bump_palloc is palloc for the C libraries' hooks (cJSON, json_core,
 * codec_core): in a bump context it allocates inline, without palloc's
 * call through the context's methods.
 *-------------------------------------------------------------------------
 */
#include "bumpcxt.h"

/*
 * PostgreSQL 14 and 15 let an extension define a context type: a chunk
 * names its context in the word before it, and the methods are a table of
 * the context's own.  PostgreSQL 16 ties a chunk to its context type
 * through a fixed list of types that an extension cannot add to, and 13's
 * methods differ: there the pages and rows use a Generation context, with
 * palloc for the hooks (the end of this file).
 */
#if PG_VERSION_NUM >= 140000 && PG_VERSION_NUM < 160000

/* A block of memory from malloc; its chunks follow the header. */
typedef struct DdbBumpBlock
{
	struct DdbBumpBlock *next;	/* older block */
	Size		size;			/* the whole block, header included */
} DdbBumpBlock;

/* What precedes every chunk: the context must be the last field. */
typedef struct DdbBumpChunk
{
	Size		size;			/* usable bytes, MAXALIGNed */
	MemoryContext context;
} DdbBumpChunk;

typedef struct DdbBumpContext
{
	MemoryContextData header;
	char	   *free;			/* next free byte of the newest block */
	char	   *end;			/* end of the newest block */
	DdbBumpBlock *blocks;		/* newest first; the last one is kept by a reset */
	Size		init_size;		/* size of the first block */
	Size		next_size;		/* size of the next block (doubles) */
	Size		keep_max;		/* most a reset keeps */
} DdbBumpContext;

#define BUMP_BLOCKHDRSZ MAXALIGN(sizeof(DdbBumpBlock))
#define BUMP_CHUNKHDRSZ sizeof(DdbBumpChunk)
#define BUMP_MAX_BLOCK ((Size) 8 * 1024 * 1024)

StaticAssertDecl(sizeof(DdbBumpChunk) % MAXIMUM_ALIGNOF == 0,
				 "a chunk header must keep chunks MAXALIGNed");

static void *bump_alloc(MemoryContext context, Size size);
static void bump_free(MemoryContext context, void *pointer);
static void *bump_realloc(MemoryContext context, void *pointer, Size size);
static void bump_reset(MemoryContext context);
static void bump_delete(MemoryContext context);
static Size bump_chunk_space(MemoryContext context, void *pointer);
static bool bump_is_empty(MemoryContext context);
static void bump_stats(MemoryContext context, MemoryStatsPrintFunc printfunc,
					   void *passthru, MemoryContextCounters *totals,
					   bool print_to_stderr);
#ifdef MEMORY_CONTEXT_CHECKING
static void bump_check(MemoryContext context);
#endif

static const MemoryContextMethods bump_methods = {
	bump_alloc,
	bump_free,
	bump_realloc,
	bump_reset,
	bump_delete,
	bump_chunk_space,
	bump_is_empty,
	bump_stats
#ifdef MEMORY_CONTEXT_CHECKING
	,bump_check
#endif
};

/* Makes block the newest, its space the one bumped into. */
static void
use_block(DdbBumpContext *set, DdbBumpBlock *block)
{
	block->next = set->blocks;
	set->blocks = block;
	set->free = (char *) block + BUMP_BLOCKHDRSZ;
	set->end = (char *) block + block->size;
}

/*
 * A context whose first block has init_size bytes and whose reset keeps
 * at most keep_max.
 */
MemoryContext
ddb_bump_context_create(MemoryContext parent, const char *name,
						Size init_size, Size keep_max)
{
	DdbBumpContext *set;
	DdbBumpBlock *block;

	init_size = MAXALIGN(Max(init_size, (Size) 1024));
	set = (DdbBumpContext *) malloc(MAXALIGN(sizeof(DdbBumpContext)));
	block = (DdbBumpBlock *) malloc(init_size);
	if (set == NULL || block == NULL)
	{
		free(set);
		free(block);
		MemoryContextStats(TopMemoryContext);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed while creating memory context \"%s\".", name)));
	}
	set->blocks = NULL;
	block->size = init_size;
	use_block(set, block);
	set->init_size = init_size;
	set->next_size = init_size;
	set->keep_max = Max(keep_max, init_size);
	MemoryContextCreate((MemoryContext) set, T_GenerationContext, &bump_methods,
						parent, name);
	((MemoryContext) set)->mem_allocated = init_size;
	return (MemoryContext) set;
}

/* The chunk at the newest block's free space (the caller checked it fits). */
static inline void *
bump(DdbBumpContext *set, Size asize)
{
	DdbBumpChunk *chunk = (DdbBumpChunk *) set->free;

	set->free += asize + BUMP_CHUNKHDRSZ;
	chunk->size = asize;
	chunk->context = (MemoryContext) set;
	return chunk + 1;
}

static void *
bump_alloc(MemoryContext context, Size size)
{
	DdbBumpContext *set = (DdbBumpContext *) context;
	Size		asize = MAXALIGN(size);
	Size		need = asize + BUMP_CHUNKHDRSZ;
	DdbBumpBlock *block;
	Size		bsize;

	if ((Size) (set->end - set->free) >= need)
		return bump(set, asize);

	if (need > set->next_size / 8 && set->blocks != NULL)
	{
		/* a block of its own, behind the newest, which goes on filling */
		DdbBumpChunk *chunk;

		bsize = BUMP_BLOCKHDRSZ + need;
		block = (DdbBumpBlock *) malloc(bsize);
		if (block == NULL)
			return NULL;
		block->size = bsize;
		block->next = set->blocks->next;
		set->blocks->next = block;
		context->mem_allocated += bsize;
		chunk = (DdbBumpChunk *) ((char *) block + BUMP_BLOCKHDRSZ);
		chunk->size = asize;
		chunk->context = context;
		return chunk + 1;
	}

	bsize = Max(set->next_size, BUMP_BLOCKHDRSZ + need);
	block = (DdbBumpBlock *) malloc(bsize);
	if (block == NULL)
		return NULL;
	block->size = bsize;
	use_block(set, block);
	context->mem_allocated += bsize;
	set->next_size = Min(bsize * 2, BUMP_MAX_BLOCK);
	return bump(set, asize);
}

/* Only the last chunk made comes back at once; the rest waits for the reset. */
static void
bump_free(MemoryContext context, void *pointer)
{
	DdbBumpContext *set = (DdbBumpContext *) context;
	DdbBumpChunk *chunk = (DdbBumpChunk *) pointer - 1;

	if ((char *) pointer + chunk->size == set->free)
		set->free = (char *) chunk;
}

static void *
bump_realloc(MemoryContext context, void *pointer, Size size)
{
	DdbBumpContext *set = (DdbBumpContext *) context;
	DdbBumpChunk *chunk = (DdbBumpChunk *) pointer - 1;
	Size		asize = MAXALIGN(size);
	void	   *result;

	if (asize <= chunk->size)
		return pointer;
	/* the last chunk made grows in place when its block has room */
	if ((char *) pointer + chunk->size == set->free &&
		(Size) (set->end - (char *) pointer) >= asize)
	{
		set->free = (char *) pointer + asize;
		chunk->size = asize;
		return pointer;
	}
	result = bump_alloc(context, size);
	if (result != NULL)
		memcpy(result, pointer, chunk->size);
	return result;
}

/*
 * Frees every block but the oldest, which is kept; when the context held
 * more than it, the kept block grows to half as much again as the context
 * held (up to keep_max).
 */
static void
bump_reset(MemoryContext context)
{
	DdbBumpContext *set = (DdbBumpContext *) context;
	DdbBumpBlock *block = set->blocks;
	DdbBumpBlock *keep = NULL;
	Size		held = context->mem_allocated;

	while (block != NULL)
	{
		DdbBumpBlock *next = block->next;

		if (next == NULL)
			keep = block;
		else
			free(block);
		block = next;
	}
	set->blocks = NULL;
	context->mem_allocated = 0;
	if (keep != NULL && held > keep->size && held <= set->keep_max / 3 * 2)
	{
		Size		want = TYPEALIGN(64 * 1024, held + held / 2);
		DdbBumpBlock *bigger = (DdbBumpBlock *) malloc(want);

		/* without the memory, the block it had */
		if (bigger != NULL)
		{
			free(keep);
			keep = bigger;
			keep->size = want;
		}
	}
	if (keep != NULL)
	{
		use_block(set, keep);
		context->mem_allocated = keep->size;
	}
	else
		set->free = set->end = NULL;
	set->next_size = set->init_size;
}

static void
bump_delete(MemoryContext context)
{
	DdbBumpContext *set = (DdbBumpContext *) context;
	DdbBumpBlock *block = set->blocks;

	while (block != NULL)
	{
		DdbBumpBlock *next = block->next;

		free(block);
		block = next;
	}
	free(set);
}

static Size
bump_chunk_space(MemoryContext context, void *pointer)
{
	return ((DdbBumpChunk *) pointer - 1)->size + BUMP_CHUNKHDRSZ;
}

static bool
bump_is_empty(MemoryContext context)
{
	DdbBumpContext *set = (DdbBumpContext *) context;

	return set->blocks == NULL ||
		(set->blocks->next == NULL &&
		 set->free == (char *) set->blocks + BUMP_BLOCKHDRSZ);
}

static void
bump_stats(MemoryContext context, MemoryStatsPrintFunc printfunc,
		   void *passthru, MemoryContextCounters *totals, bool print_to_stderr)
{
	DdbBumpContext *set = (DdbBumpContext *) context;
	DdbBumpBlock *block;
	Size		nblocks = 0;
	Size		total = 0;
	Size		freespace = set->blocks ? (Size) (set->end - set->free) : 0;

	for (block = set->blocks; block != NULL; block = block->next)
	{
		nblocks++;
		total += block->size;
	}
	if (printfunc)
	{
		char		line[200];

		snprintf(line, sizeof(line),
				 "%zu total in %zu blocks; %zu free; %zu used",
				 total, nblocks, freespace, total - freespace);
		printfunc(context, passthru, line, print_to_stderr);
	}
	if (totals)
	{
		totals->nblocks += nblocks;
		totals->totalspace += total;
		totals->freespace += freespace;
	}
}

#ifdef MEMORY_CONTEXT_CHECKING
static void
bump_check(MemoryContext context)
{
	/* chunks are not tracked one by one: nothing to check */
}
#endif

/*
 * palloc for the C libraries' allocation hooks.  In a bump context the
 * chunk is made here when it fits the newest block; anything else is
 * palloc's.  Clearing isReset is what palloc would do: a reset of a
 * context that believes itself empty does nothing.
 */
void *
ddb_bump_palloc(size_t size)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (cxt->methods == &bump_methods && size <= MaxAllocSize)
	{
		DdbBumpContext *set = (DdbBumpContext *) cxt;
		Size		asize = MAXALIGN(size);

		if ((Size) (set->end - set->free) >= asize + BUMP_CHUNKHDRSZ)
		{
			cxt->isReset = false;
			return bump(set, asize);
		}
	}
	return palloc(size);
}

#else							/* not PostgreSQL 14 or 15 */

MemoryContext
ddb_bump_context_create(MemoryContext parent, const char *name,
						Size init_size, Size keep_max)
{
#if PG_VERSION_NUM >= 150000
	return GenerationContextCreate(parent, name, 0, MAXALIGN(Max(init_size, (Size) 1024)),
								   Max(keep_max, (Size) ALLOCSET_DEFAULT_MAXSIZE));
#else
	return GenerationContextCreate(parent, name, SLAB_LARGE_BLOCK_SIZE);
#endif
}

void *
ddb_bump_palloc(size_t size)
{
	return palloc(size);
}

#endif
