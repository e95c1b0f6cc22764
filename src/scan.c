/*-------------------------------------------------------------------------
 * scan.c
 *	  The executor side of a foreign scan: paged requests, parallel
 *	  segments, item -> tuple, and EXPLAIN.
 *
 * Each segment keeps one page in its own memory context and one request in
 * flight for the next page, so reading overlaps with the network and memory
 * stays flat (at most two pages per segment) however many pages there are.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

typedef struct DdbSegment
{
	int			segno;
	DdbCall    *call;			/* request for the next page, or NULL */
	bool		last_page;		/* no page after the one being read */
	bool		done;
	MemoryContext cxt;			/* holds the current page */
	cJSON	   *next_item;		/* next item of the current page */
} DdbSegment;

typedef struct DdbScanState
{
	DdbRelOptions *opts;
	DdbConn    *conn;
	char	   *operation;
	char	   *request_text;
	int			nsegments;
	DdbSegment *segs;
	int			cur;
	MemoryContext rowcxt;
	int			nfill;
	DdbColumn **fill;			/* columns to fill, in retrieved order */
	bool		need_match;		/* entity table: match templates */
	bool		started;
	const cJSON *cur_item;		/* for the error context */
	ErrorContextCallback errcb;
	ddb_slice	pkvals[DDB_TEMPLATE_MAX_HOLES];
	ddb_slice	skvals[DDB_TEMPLATE_MAX_HOLES];
} DdbScanState;

/* Names the item being converted, so a bad value points at its key. */
static void
item_error_context(void *arg)
{
	DdbScanState *st = (DdbScanState *) arg;
	const cJSON *pk;
	const cJSON *sk = NULL;
	StringInfoData buf;
	char	   *t;

	if (st->cur_item == NULL)
		return;
	initStringInfo(&buf);
	pk = cJSON_GetObjectItemCaseSensitive(st->cur_item, st->opts->partition_key);
	if (st->opts->sort_key)
		sk = cJSON_GetObjectItemCaseSensitive(st->cur_item, st->opts->sort_key);
	t = pk ? cJSON_PrintUnformatted(pk) : NULL;
	appendStringInfo(&buf, "%s = %s", st->opts->partition_key, t ? t : "?");
	if (sk)
	{
		t = cJSON_PrintUnformatted(sk);
		appendStringInfo(&buf, ", %s = %s", st->opts->sort_key, t ? t : "?");
	}
	errcontext("DynamoDB item {%s} of table \"%s\"", buf.data, st->opts->table);
}

void
ddbBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	DdbScanState *st = palloc0(sizeof(DdbScanState));
	Oid			relid = RelationGetRelid(node->ss.ss_currentRelation);
	List	   *retrieved;
	ListCell   *lc;
	int			i;
	Oid			userid;

	node->fdw_state = st;
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
	{
		st->operation = strVal(list_nth(fsplan->fdw_private, DDB_PRIV_OPERATION));
		st->request_text = strVal(list_nth(fsplan->fdw_private, DDB_PRIV_REQUEST));
		st->nsegments = intVal(list_nth(fsplan->fdw_private, DDB_PRIV_SEGMENTS));
		st->opts = ddb_get_rel_options(relid, false);
		return;
	}
	st->opts = ddb_get_rel_options(relid, true);
	st->operation = strVal(list_nth(fsplan->fdw_private, DDB_PRIV_OPERATION));
	st->request_text = strVal(list_nth(fsplan->fdw_private, DDB_PRIV_REQUEST));
	st->nsegments = intVal(list_nth(fsplan->fdw_private, DDB_PRIV_SEGMENTS));
	retrieved = (List *) list_nth(fsplan->fdw_private, DDB_PRIV_RETRIEVED);

#if PG_VERSION_NUM >= 160000
	userid = fsplan->checkAsUser ? fsplan->checkAsUser : GetUserId();
#else
	{
		RangeTblEntry *rte = exec_rt_fetch(fsplan->scan.scanrelid, estate);

		userid = rte->checkAsUser ? rte->checkAsUser : GetUserId();
	}
#endif
	st->conn = ddb_get_connection(st->opts->serverid, userid);

	st->fill = palloc(sizeof(DdbColumn *) * Max(list_length(retrieved), 1));
	foreach(lc, retrieved)
	{
		for (i = 0; i < st->opts->ncolumns; i++)
			if (st->opts->columns[i].attnum == lfirst_int(lc))
				st->fill[st->nfill++] = &st->opts->columns[i];
	}
	st->need_match = (st->opts->pk_template != NULL || st->opts->sk_template != NULL);
	st->rowcxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel row",
									   ALLOCSET_DEFAULT_SIZES);
	st->segs = palloc0(sizeof(DdbSegment) * st->nsegments);
	for (i = 0; i < st->nsegments; i++)
	{
		st->segs[i].segno = i;
		st->segs[i].cxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel page",
												ALLOCSET_DEFAULT_SIZES);
	}
}

/* Starts the request for a segment's next page (after the key, if any). */
static void
start_page(DdbScanState *st, DdbSegment *seg, const cJSON *last_key)
{
	cJSON	   *req = cJSON_Parse(st->request_text);
	char	   *body;

	if (st->nsegments > 1)
	{
		cJSON_AddNumberToObject(req, "Segment", seg->segno);
		cJSON_AddNumberToObject(req, "TotalSegments", st->nsegments);
	}
	if (last_key)
		cJSON_AddItemToObject(req, "ExclusiveStartKey", cJSON_Duplicate(last_key, true));
	body = cJSON_PrintUnformatted(req);
	seg->call = ddb_call_start(st->conn, st->operation, st->opts->table, body);
	cJSON_free(body);
	cJSON_Delete(req);
}

static void
start_scan(DdbScanState *st)
{
	int			i;

	for (i = 0; i < st->nsegments; i++)
	{
		DdbSegment *seg = &st->segs[i];

		seg->done = false;
		seg->last_page = false;
		seg->next_item = NULL;
		MemoryContextReset(seg->cxt);
		start_page(st, seg, NULL);
	}
	st->cur = 0;
	st->started = true;
}

/*
 * Replaces a segment's page with the response to its request in flight,
 * and at once asks for the page after it.  False when the segment is done.
 */
static bool
next_page(DdbScanState *st, DdbSegment *seg)
{
	MemoryContext oldcxt;
	cJSON	   *resp;
	const cJSON *last;

	if (seg->call == NULL)
	{
		seg->done = true;
		return false;
	}
	MemoryContextReset(seg->cxt);
	oldcxt = MemoryContextSwitchTo(seg->cxt);
	{
		DdbCall    *call = seg->call;

		seg->call = NULL;		/* finish frees it, even when it raises */
		resp = ddb_call_finish(call);
	}
	last = cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedKey");
	if (last && cJSON_GetArraySize(last) > 0)
		start_page(st, seg, last);
	seg->next_item = cJSON_GetObjectItemCaseSensitive(resp, "Items");
	seg->next_item = seg->next_item ? seg->next_item->child : NULL;
	MemoryContextSwitchTo(oldcxt);
	return true;
}

/* Matches an item's keys against the entity templates. */
static bool
match_templates(DdbScanState *st, const cJSON *item)
{
	DdbRelOptions *opts = st->opts;
	const cJSON *v;

	if (opts->pk_template)
	{
		v = cJSON_GetObjectItemCaseSensitive(item, opts->partition_key);
		v = v ? cJSON_GetObjectItemCaseSensitive(v, "S") : NULL;
		if (!cJSON_IsString(v) ||
			!ddb_template_match(opts->pk_template, v->valuestring,
								strlen(v->valuestring), st->pkvals))
			return false;
	}
	if (opts->sk_template)
	{
		int			h;

		v = opts->sort_key ? cJSON_GetObjectItemCaseSensitive(item, opts->sort_key) : NULL;
		v = v ? cJSON_GetObjectItemCaseSensitive(v, "S") : NULL;
		if (!cJSON_IsString(v) ||
			!ddb_template_match(opts->sk_template, v->valuestring,
								strlen(v->valuestring), st->skvals))
			return false;
		/* a column in both templates must have one value */
		if (opts->pk_template)
			for (h = 0; h < opts->sk_template->nholes; h++)
			{
				int			ph = ddb_template_hole_index(opts->pk_template,
														 opts->sk_template->holes[h]);

				if (ph >= 0 &&
					(st->pkvals[ph].len != st->skvals[h].len ||
					 memcmp(st->pkvals[ph].ptr, st->skvals[h].ptr, st->skvals[h].len) != 0))
					return false;
			}
	}
	return true;
}

static void
fill_slot(DdbScanState *st, TupleTableSlot *slot, const cJSON *item)
{
	int			i;

	st->cur_item = item;
	for (i = 0; i < st->nfill; i++)
	{
		DdbColumn  *col = st->fill[i];
		int			att = col->attnum - 1;

		switch (col->source)
		{
			case DDB_COL_ATTRIBUTE:
				slot->tts_values[att] =
					ddb_av_to_datum(cJSON_GetObjectItemCaseSensitive(item, col->attrname),
									col, &slot->tts_isnull[att]);
				break;
			case DDB_COL_DOCUMENT:
				slot->tts_values[att] = ddb_item_to_document(item, col);
				slot->tts_isnull[att] = false;
				break;
			case DDB_COL_TEMPLATE:
				{
					ddb_slice  *s = col->tmpl_key == 0 ? &st->pkvals[col->tmpl_hole]
					: &st->skvals[col->tmpl_hole];

					slot->tts_values[att] = ddb_text_to_datum(s->ptr, s->len, col);
					slot->tts_isnull[att] = false;
				}
				break;
		}
	}
	st->cur_item = NULL;
}

TupleTableSlot *
ddbIterateForeignScan(ForeignScanState *node)
{
	DdbScanState *st = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	MemoryContext oldcxt;

	ExecClearTuple(slot);
	if (!st->started)
		start_scan(st);
	MemoryContextReset(st->rowcxt);

	for (;;)
	{
		DdbSegment *seg = &st->segs[st->cur];
		cJSON	   *item;
		int			i;

		if (seg->done || seg->next_item == NULL)
		{
			bool		any = false;

			/* this segment's page is used up: move on, round robin */
			if (!seg->done && next_page(st, seg) && seg->next_item != NULL)
				continue;
			for (i = 1; i <= st->nsegments; i++)
			{
				int			n = (st->cur + i) % st->nsegments;

				if (!st->segs[n].done)
				{
					st->cur = n;
					any = true;
					break;
				}
			}
			if (!any)
				return slot;
			continue;
		}
		item = seg->next_item;
		seg->next_item = item->next;
		CHECK_FOR_INTERRUPTS();
		if (st->need_match && !match_templates(st, item))
			continue;

		memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
		oldcxt = MemoryContextSwitchTo(st->rowcxt);
		st->errcb.callback = item_error_context;
		st->errcb.arg = st;
		st->errcb.previous = error_context_stack;
		error_context_stack = &st->errcb;
		fill_slot(st, slot, item);
		error_context_stack = st->errcb.previous;
		MemoryContextSwitchTo(oldcxt);
		ExecStoreVirtualTuple(slot);
		return slot;
	}
}

static void
stop_scan(DdbScanState *st)
{
	int			i;

	for (i = 0; i < st->nsegments; i++)
	{
		if (st->segs[i].call)
			ddb_call_cancel(st->segs[i].call);
		st->segs[i].call = NULL;
	}
	st->started = false;
}

void
ddbReScanForeignScan(ForeignScanState *node)
{
	DdbScanState *st = node->fdw_state;

	stop_scan(st);
}

void
ddbEndForeignScan(ForeignScanState *node)
{
	DdbScanState *st = node->fdw_state;

	if (st && st->segs)
		stop_scan(st);
}

void
ddbExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	DdbScanState *st = node->fdw_state;
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	const char *index = strVal(list_nth(fsplan->fdw_private, DDB_PRIV_INDEX));

	ExplainPropertyText("DynamoDB Operation", st->operation, es);
	ExplainPropertyText("DynamoDB Table", st->opts->table, es);
	if (*index)
		ExplainPropertyText("DynamoDB Index", index, es);
	if (st->nsegments > 1)
		ExplainPropertyInteger("DynamoDB Segments", NULL, st->nsegments, es);
	if (es->verbose)
		ExplainPropertyText("DynamoDB Request", st->request_text, es);
}
