/*-------------------------------------------------------------------------
 * scan_int.h
 *	  The state of one relation's scan, shared by scan.c (which runs it)
 *	  and scan_explain.c (which shows it); nothing else includes this.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_SCAN_INT_H
#define DDB_SCAN_INT_H

#include "ddbrel.h"

#include "executor/execdesc.h"
#include "nodes/execnodes.h"

#include "limits_core.h"

typedef struct DdbStream
{
	cJSON	   *request;		/* first request of the stream (scan context) */
	DdbCall    *call;			/* request for the next page, or NULL */
	int			resends;		/* BatchGetItem: resends of unprocessed keys */
	bool		started;
	bool		done;
	cJSON	   *next_item;		/* next item of the current page */
	int64		count;			/* COUNT mode: rows still to emit from this page */
	List	   *extras;			/* held items the stream adds (overlay.c), in order */
	cJSON	   *plain;			/* TransactGetItems: the GetItem or BatchGetItem
								 * it replaces, for a server without it */
	ddb_key_residual residual;	/* sort key bound checked here, not sent */
} DdbStream;

/*
 * Slots of the attribute map: one per column read from a named attribute
 * (its index in fill; a key hole backed by an attribute too), then the key
 * attributes and the identifier attributes that entity checks read.
 */
#define DDB_SLOT_PK(st)		((st)->nfill)
#define DDB_SLOT_SK(st)		((st)->nfill + 1)
#define DDB_SLOT_ID(st, i)	((st)->nfill + 2 + (i))
#define DDB_NUM_SLOTS(st)	((st)->nfill + 2 + list_length((st)->opts->identifiers))

/* Positions of an item whose map entry is remembered from the item before. */
#define DDB_POS_GUESSES 32

/* One attribute name of the map; slots reading the same name are chained. */
typedef struct DdbAttrEntry
{
	const char *name;			/* NULL: empty */
	uint32		hash;
	int			slot;			/* first slot reading this attribute */
} DdbAttrEntry;

struct DdbScanState
{
	DdbRelOptions *opts;
	DdbConn    *conn;
	DdbReadRequest *req;		/* the planned request, unpacked once */
	DdbOp		op;
	List	   *shown;			/* how EXPLAIN names each of plan_exprs */
	int			flags;
	int64		received;		/* items received so far (for limit) */
	List	   *plan_exprs;		/* key value expressions (for EXPLAIN) */
	List	   *exprstates;		/* of plan_exprs */
	const char *index;
	const char *residual_attr;	/* sort key of what a Query reads (residual checks) */
	bool		check_shape;	/* skip items not of this entity's shape */
	bool		hide_expired;	/* skip items whose time to live is past */
	double		ttl_old;		/* ... when their TTL lies in [ttl_old, ttl_now] */
	double		ttl_now;
	ExprContext *econtext;
	MemoryContext scancxt;		/* requests of one (re)scan */
	int			nstreams;
	DdbStream  *streams;
	int			cur;
	int			inflight;
	MemoryContext rowcxt;
	MemoryContext pagecxt;		/* the page being read */
	int			nfill;
	DdbColumn **fill;
	/* attribute map (build_attr_map) */
	DdbAttrEntry *attrmap;		/* open addressing, attrmask + 1 entries */
	uint32		attrmask;
	int		   *slot_next;		/* next slot reading the same name, or -1 */
	const cJSON **avs;			/* per slot: the mapped item's attribute */
	const cJSON *mapped;		/* the item avs describe, or NULL */
	int			posguess[DDB_POS_GUESSES];	/* per position: map entry last seen there, or -1 */
	bool		started;
	const cJSON *cur_item;
	DdbOverlay *overlay;		/* the transaction's held items of the table */
	CommandId	cid;			/* the command whose snapshot the scan reads with */
	int			plan_flags;
	int64		plan_limit;
	int64		limit;			/* Limit sent: the plan's, or 0 over held writes */
	bool		count;			/* Select=COUNT sent: the plan's, not over held writes */
	bool		locked;			/* FOR UPDATE / FOR SHARE: rows checked at COMMIT */
	ErrorContextCallback errcb;
	ddb_slice	pkvals[DDB_TEMPLATE_MAX_HOLES];
	ddb_slice	skvals[DDB_TEMPLATE_MAX_HOLES];
	bool		holes_known;	/* pkcols and skcols are filled in */
	DdbColumn  *pkcols[DDB_TEMPLATE_MAX_HOLES];	/* the column of each hole */
	DdbColumn  *skcols[DDB_TEMPLATE_MAX_HOLES];
	DdbSegmentCounter *parallel;	/* segments shared with a Gather's workers */
	DdbFetch   *fetch;			/* a Query on an index whose items are fetched
								 * (fetch.c), or NULL */
	bool		fetch_done;		/* the index Query has no item left */
	bool		held_item;		/* the item scan_next just gave is one the
								 * transaction holds whole (overlay.c) */
};

/* scan.c, for scan_explain.c */
extern char *ddb_scan_value_text(Datum d, Oid typid, char keytype, bool hole, int mode);
extern char *ddb_scan_hole_range_end(ddb_template *t, const char *const *values, int n,
									 int mode, const char *after, int *top_len);

#endif							/* DDB_SCAN_INT_H */
