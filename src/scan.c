/*-------------------------------------------------------------------------
 * scan.c
 *	  The executor side of a foreign scan: key values, request streams,
 *	  paging, the fetch step of an index that lacks attributes (fetch.c),
 *	  item -> tuple.  Its EXPLAIN is scan_explain.c's; the scan state both
 *	  read is in scan_int.h.
 *
 * A scan is a list of streams: the segments of a Scan, one Query per
 * partition key value, one GetItem, or BatchGetItem calls of up to 100
 * keys.  Up to DDB_MAX_INFLIGHT streams have a request in flight at once.
 * One stream is read at a time, to its end, with the request for its next
 * page in flight while its page is read; the page being read is the only
 * one held, so memory stays flat however many pages and streams there are.
 *
 * Pages live in one page context per scan, reset for each page, and rows
 * in a row context reset for each row: bump contexts (bumpcxt.c), since a
 * page or a row is allocated piece by piece and freed all at once.  The
 * block a reset keeps grows to what a page took, so the memory (a page of
 * 1 MB parses into about 6 MB of cJSON tree) is not given back to malloc
 * and faulted in again, zeroed, for the next page.
 *
 * An item becomes a row in one pass over its attributes: a hash table
 * built with the scan maps each attribute name to the columns (and key or
 * type checks) that read it, so no column searches the item by name.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "bumpcxt.h"
#include "codec_core.h"
#include "keyrange_core.h"
#include "limits_core.h"

#define DDB_MAX_INFLIGHT 8

/*
 * The page and row contexts: their first blocks, and the most memory they
 * keep from one page (or row) to the next.
 */
#define DDB_PAGE_FIRST_BLOCK ((Size) 64 * 1024)
#define DDB_PAGE_KEEP_MAX ((Size) 64 * 1024 * 1024)
#define DDB_ROW_FIRST_BLOCK ((Size) 8 * 1024)
#define DDB_ROW_KEEP_MAX ((Size) 1024 * 1024)

#include "scan_int.h"



/* Names the item being converted, so a bad value points at its key. */
static void
item_error_context(void *arg)
{
	DdbScanState *st = (DdbScanState *) arg;
	const char *names[2];
	int			i;
	StringInfoData buf;

	if (st->cur_item == NULL)
		return;
	names[0] = st->opts->partition_key;
	names[1] = st->opts->sort_key;
	initStringInfo(&buf);
	for (i = 0; i < 2; i++)
	{
		const cJSON *av = names[i] ? cJSON_GetObjectItemCaseSensitive(st->cur_item, names[i]) : NULL;
		ddb_buf		jb;
		char		err[128];

		if (av == NULL)
			continue;
		ddb_buf_init(&jb);
		if (ddb_av_to_json(av, &jb, err, sizeof(err)) != 0)
			continue;
		appendStringInfo(&buf, "%s%s = %s", buf.len ? ", " : "", names[i], jb.data);
	}
	errcontext("DynamoDB item {%s} of table \"%s\"", buf.data, st->opts->table);
}

/* FNV-1a: attribute names are short, and this is all the spread they need. */
static inline uint32
attr_hash(const char *name)
{
	uint32		h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char) *name) * 16777619u;
	return h;
}

/* strcmp(a, b) == 0 for the short names of attributes, inline. */
static inline bool
name_eq(const char *a, const char *b)
{
	for (; *a == *b; a++, b++)
		if (*a == '\0')
			return true;
	return false;
}

/* Adds name -> slot to the map (name may already be there). */
static void
attr_map_add(DdbScanState *st, const char *name, int slot)
{
	uint32		h = attr_hash(name);
	uint32		i = h & st->attrmask;

	for (;; i = (i + 1) & st->attrmask)
	{
		DdbAttrEntry *e = &st->attrmap[i];

		if (e->name == NULL)
		{
			e->name = name;
			e->hash = h;
			e->slot = slot;
			st->slot_next[slot] = -1;
			return;
		}
		if (e->hash == h && strcmp(e->name, name) == 0)
		{
			int			s = e->slot;

			/* keep the chain in slot order */
			while (st->slot_next[s] >= 0)
				s = st->slot_next[s];
			st->slot_next[s] = slot;
			st->slot_next[slot] = -1;
			return;
		}
	}
}

/*
 * Builds the attribute map of a scan, once: the attribute each fill column
 * reads, and the key and type attributes that shape checks read.  Called
 * in the memory context the scan state lives in.
 */
static void
build_attr_map(DdbScanState *st)
{
	int			nslots = DDB_NUM_SLOTS(st);
	uint32		size = 8;
	int			i;

	while (size < (uint32) nslots * 2)
		size <<= 1;
	st->attrmap = palloc0(sizeof(DdbAttrEntry) * size);
	st->attrmask = size - 1;
	for (i = 0; i < DDB_POS_GUESSES; i++)
		st->posguess[i] = -1;
	st->slot_next = palloc(sizeof(int) * nslots);
	st->avs = palloc0(sizeof(cJSON *) * nslots);
	for (i = 0; i < st->nfill; i++)
		if ((st->fill[i]->source == DDB_COL_ATTRIBUTE || st->fill[i]->backed) &&
			st->fill[i]->attrname)
			attr_map_add(st, st->fill[i]->attrname, i);
	if (st->opts->partition_key)
		attr_map_add(st, st->opts->partition_key, DDB_SLOT_PK(st));
	if (st->opts->sort_key)
		attr_map_add(st, st->opts->sort_key, DDB_SLOT_SK(st));
	for (i = 0; i < list_length(st->opts->identifiers); i++)
		attr_map_add(st, ((DdbIdentifier *) list_nth(st->opts->identifiers, i))->attr,
					 DDB_SLOT_ID(st, i));
}

/*
 * Points each slot at the item's attribute of its name, or NULL, in one
 * pass over the attributes.  The same answers as looking each name up with
 * cJSON_GetObjectItemCaseSensitive: the first attribute of a name wins, and
 * the search ends at a member without a name (only a malformed item has
 * one).  The items of a page mostly list their attributes in one order, so
 * the name at each position is first compared with the one found there in
 * the item before, and hashed only when it differs.
 */
static void
map_item(DdbScanState *st, const cJSON *item)
{
	const cJSON *e;
	int			pos = 0;

	memset(st->avs, 0, sizeof(cJSON *) * DDB_NUM_SLOTS(st));
	st->mapped = item;
	if (item == NULL)
		return;
	for (e = item->child; e != NULL && e->string != NULL; e = e->next, pos++)
	{
		const DdbAttrEntry *ent = NULL;

		if (pos < DDB_POS_GUESSES && st->posguess[pos] >= 0 &&
			name_eq(st->attrmap[st->posguess[pos]].name, e->string))
			ent = &st->attrmap[st->posguess[pos]];
		else
		{
			uint32		h = attr_hash(e->string);
			uint32		i = h & st->attrmask;

			for (;; i = (i + 1) & st->attrmask)
			{
				ent = &st->attrmap[i];
				if (ent->name == NULL ||
					(ent->hash == h && name_eq(ent->name, e->string)))
					break;
			}
			if (pos < DDB_POS_GUESSES)
				st->posguess[pos] = ent->name ? (int) i : -1;
		}
		if (ent->name != NULL && st->avs[ent->slot] == NULL)
		{
			int			slot;

			for (slot = ent->slot; slot >= 0; slot = st->slot_next[slot])
				st->avs[slot] = e;
		}
	}
}

/* The map of item, made now unless the last map_item was of item. */
static inline void
ensure_mapped(DdbScanState *st, const cJSON *item)
{
	if (st->mapped != item)
		map_item(st, item);
}

/*
 * A scan of one relation from its packed DdbScanPlan (ddb_build_scan's):
 * used by a plain foreign scan and by both sides of a pushed-down join.
 * exprs are the key value expressions, evaluated in parent's context.
 */
DdbScanState *
ddb_scan_create(Oid relid, List *priv, List *exprs, PlanState *parent, Oid userid,
				bool explain_only)
{
	EState	   *estate = parent->state;
	DdbScanState *st = palloc0(sizeof(DdbScanState));
	DdbScanPlan *plan = ddb_scan_plan_unpack(priv);
	List	   *retrieved = plan->retrieved;
	ListCell   *lc;
	int			i;

	st->req = plan->request;
	st->op = st->req->op;
	st->index = st->req->index ? st->req->index : "";
	st->flags = plan->flags;
	st->shown = plan->shown;
	st->plan_flags = st->flags;
	st->plan_limit = st->req->limit;
	st->cid = ddb_overlay_command(estate);
	st->plan_exprs = exprs;
	st->check_shape = true;
	/* the plan was just made, so the table description is cached */
	st->opts = ddb_get_rel_options_as(relid, userid);
	st->residual_attr = ddb_request_key_schema(st->opts, st->index).sk;
	st->hide_expired = (st->opts->ttl_attr != NULL && !st->opts->include_expired);
	if (st->hide_expired)
	{
		/* the statement's start, in epoch seconds, as the TTL attribute counts */
		TimestampTz now = GetCurrentStatementStartTimestamp();

		st->ttl_now = floor((double) now / USECS_PER_SEC) +
			(double) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
		st->ttl_old = st->ttl_now - DDB_TTL_HORIZON_SECONDS;
	}
	if (explain_only)
		return st;
	st->conn = ddb_get_connection(st->opts->serverid, userid);
	ddb_connection_use_table(st->conn, st->opts);
	if (st->req->fetch)
		st->fetch = ddb_fetch_create(st->conn, st->opts, st->req, estate->es_query_cxt);
	st->exprstates = ExecInitExprList(exprs, parent);
	st->econtext = parent->ps_ExprContext;
	st->fill = palloc(sizeof(DdbColumn *) * Max(list_length(retrieved), 1));
	foreach(lc, retrieved)
	{
		for (i = 0; i < st->opts->ncolumns; i++)
			if (st->opts->columns[i].attnum == lfirst_int(lc))
				st->fill[st->nfill++] = &st->opts->columns[i];
	}
	build_attr_map(st);
	st->rowcxt = ddb_bump_context_create(estate->es_query_cxt, "ddbrel row",
										 DDB_ROW_FIRST_BLOCK, DDB_ROW_KEEP_MAX);
	st->scancxt = AllocSetContextCreate(estate->es_query_cxt, "ddbrel scan",
										ALLOCSET_DEFAULT_SIZES);
	st->pagecxt = ddb_bump_context_create(estate->es_query_cxt, "ddbrel page",
										  DDB_PAGE_FIRST_BLOCK, DDB_PAGE_KEEP_MAX);
	return st;
}

/*
 * A scan state that is never run: it checks item shapes and converts
 * items into rows of relid (every column), for ddbrel.collection().
 */
DdbScanState *
ddb_scan_create_bare(Oid relid)
{
	DdbScanState *st = palloc0(sizeof(DdbScanState));
	int			i;

	st->opts = ddb_get_rel_options_as(relid, GetUserId());
	st->op = DDB_OP_QUERY;		/* what ddbrel.collection() reads items with */
	st->check_shape = true;
	if (st->opts->identifiers)
		st->flags |= DDB_FLAG_TYPE_CHECK;
	st->fill = palloc(sizeof(DdbColumn *) * Max(st->opts->ncolumns, 1));
	for (i = 0; i < st->opts->ncolumns; i++)
		st->fill[st->nfill++] = &st->opts->columns[i];
	st->index = "";
	build_attr_map(st);
	return st;
}

/* The user whose mapping a scan uses: the view owner, or the current user. */
Oid
ddb_scan_user(ForeignScan *fsplan, EState *estate)
{
#if PG_VERSION_NUM >= 160000
	return fsplan->checkAsUser ? fsplan->checkAsUser : GetUserId();
#else
	Index		rti = fsplan->scan.scanrelid;
	RangeTblEntry *rte;

	if (rti == 0)
		rti = bms_next_member(fsplan->fs_relids, -1);
	rte = exec_rt_fetch(rti, estate);
	return ddb_rte_user(rte);
#endif
}

/* BeginForeignScan of a base relation (ddbrel.c sends joins to join.c). */
void
ddb_scan_begin(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;

	node->fdw_state = ddb_scan_create(RelationGetRelid(node->ss.ss_currentRelation),
									  fsplan->fdw_private, fsplan->fdw_exprs,
									  (PlanState *) node, ddb_scan_user(fsplan, estate),
									  (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0);
	/* SELECT ... FOR UPDATE / FOR SHARE of this table */
	{
		ListCell   *lc;

		foreach(lc, estate->es_plannedstmt->rowMarks)
		{
			PlanRowMark *rc = lfirst(lc);

			if (rc->rti == fsplan->scan.scanrelid && rc->strength != LCS_NONE)
				((DdbScanState *) node->fdw_state)->locked = true;
		}
	}
}

/* ----------------------------------------------------------------
 * Key values
 * ----------------------------------------------------------------
 */

/*
 * Text of one value for a key or template hole; B keys as base64, template
 * holes in their canonical text (codec.c).
 */
char *
ddb_scan_value_text(Datum d, Oid typid, char keytype, bool hole, int mode)
{
	if (mode == DDB_SPEC_EPOCH_S || mode == DDB_SPEC_EPOCH_MS)
	{
		/*
		 * A date or time kept as an epoch number.  Infinities have none:
		 * numbers beyond every finite time's (DynamoDB's numbers reach
		 * 1E125) order as they do.
		 */
		if (!ddb_time_is_finite(d, typid))
		{
			bool		neg;

			if (getBaseType(typid) == DATEOID)
				neg = DATE_IS_NOBEGIN(DatumGetDateADT(d));
			else
				neg = TIMESTAMP_IS_NOBEGIN(DatumGetTimestamp(d));
			return pstrdup(neg ? "-1E125" : "1E125");
		}
		return ddb_time_epoch_text(d, typid, mode == DDB_SPEC_EPOCH_MS ?
								   DDB_FORMAT_EPOCH_MILLIS : DDB_FORMAT_EPOCH_SECONDS);
	}
	if (keytype == 'B' && getBaseType(typid) == BYTEAOID)
	{
		bytea	   *b = DatumGetByteaPP(d);
		char	   *enc = palloc(ddb_base64_encoded_len(VARSIZE_ANY_EXHDR(b)) + 1);

		ddb_base64_encode((unsigned char *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), enc);
		return enc;
	}
	if (hole)
		return ddb_canonical_key_text(d, typid);
	return ddb_value_text(d, typid);
}

/*
 * The texts an expression gives: one, or each element of an array (IN).
 * A NULL element stays as a NULL entry (it matches nothing) so that two
 * lists from one array stay aligned.
 */
static List *
eval_texts(DdbScanState *st, int idx, bool is_array, char keytype, bool hole, int mode)
{
	ExprState  *es = list_nth(st->exprstates, idx);
	Oid			typid = exprType((Node *) es->expr);
	bool		isnull;
	Datum		d = ExecEvalExpr(es, st->econtext, &isnull);
	List	   *result = NIL;

	if (isnull)
		return NIL;
	if (!is_array)
		return list_make1(ddb_scan_value_text(d, typid, keytype, hole, mode));
	{
		ArrayType  *arr = DatumGetArrayTypeP(d);
		Oid			elemtype = ARR_ELEMTYPE(arr);
		int16		elmlen;
		bool		elmbyval;
		char		elmalign;
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			i;

		get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
		deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign, &elems, &nulls, &n);
		for (i = 0; i < n; i++)
			result = lappend(result, nulls[i] ? NULL : ddb_scan_value_text(elems[i], elemtype, keytype, hole, mode));
	}
	return result;
}

/*
 * An end of the key range of a range on a template hole (mode: a
 * DDB_SPEC_RANGE_* or DDB_SPEC_BEGINS), from the values of the holes bound
 * by equality and, for RANGE_LO and RANGE_HI, the bound after them.  NULL
 * when a value cannot form a key (no item matches).  *top_len, when not
 * NULL, is set to the length of the prefix a highest key was made of, or
 * to -1.
 */
char *
ddb_scan_hole_range_end(ddb_template *t, const char *const *values, int n, int mode,
			   const char *after, int *top_len)
{
	bool		bounded = (mode == DDB_SPEC_RANGE_LO || mode == DDB_SPEC_RANGE_HI);
	const char *bound = bounded ? values[n - 1] : NULL;
	char		err[256];
	char	   *prefix;
	ddb_key_range r;

	if (top_len)
		*top_len = -1;
	prefix = ddb_template_prefix(t, values, bounded ? n - 1 : n, err, sizeof(err));
	if (prefix == NULL)
		return NULL;
	if (mode == DDB_SPEC_BEGINS)
		return prefix;
	if (ddb_keyrange_hole(prefix, after,
						  mode == DDB_SPEC_RANGE_LO ? bound : NULL,
						  mode == DDB_SPEC_RANGE_LO ? NULL : bound,
						  DDB_LIMIT_SORT_KEY_BYTES, &r) != 0)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (mode == DDB_SPEC_RANGE_LO)
		return r.lo;
	if (top_len && r.hi_top)
		*top_len = (int) r.hi_top_len;
	return r.hi;
}

/*
 * The AttributeValues a key spec stands for: usually one, several for IN,
 * none when a value is NULL or cannot form a key (no item can match).  For
 * IN, an element that cannot form a key is a NULL entry, keeping positions.
 */
static List *
spec_values(DdbScanState *st, DdbKeySpec *spec)
{
	char		keytype = spec->keytype;
	int			which = spec->tmpl;
	List	   *idx = spec->exprs;
	int			in_pos = spec->in_pos;
	const char *extra = spec->extra;
	int			mode = spec->mode;
	bool		prefix = spec->prefix;
	List	   *texts[DDB_TEMPLATE_MAX_HOLES + 1];
	List	   *result = NIL;
	int			n = list_length(idx);
	int			i;
	ListCell   *lc;

	for (i = 0; i < n; i++)
	{
		texts[i] = eval_texts(st, list_nth_int(idx, i),
							  i == in_pos || list_member_int(spec->in_zip, i),
							  keytype, which >= 0, mode);
		if (texts[i] == NIL)
			return NIL;
	}

	if (which < 0)
	{
		/* a raw key attribute: the value itself, or a constant prefix */
		if (n == 0)
			return list_make1(ddb_av_string(extra));
		foreach(lc, texts[0])
		{
			cJSON	   *av = cJSON_CreateObject();
			char	   *s = lfirst(lc);

			if (s == NULL || (keytype == 'N' && !ddb_number_valid(s)))
				av = NULL;
			else
				cJSON_AddStringToObject(av, keytype == 'N' ? "N" : keytype == 'B' ? "B" : "S", s);
			result = lappend(result, av);
		}
		return result;
	}

	/* a template: compose (or prefix) once per value of the IN hole */
	{
		DdbAttrTemplate *at = list_nth(st->opts->templates, which);
		List	   *variants = in_pos >= 0 ? texts[in_pos] : list_make1(NULL);

		if (mode >= DDB_SPEC_RANGE_LO)
		{
			const char *values[DDB_TEMPLATE_MAX_HOLES + 1];
			char	   *key;

			for (i = 0; i < n; i++)
				values[i] = linitial(texts[i]);
			key = ddb_scan_hole_range_end(at->tmpl, values, n, mode, extra, NULL);
			return key ? list_make1(ddb_av_string(key)) : NIL;
		}

		foreach(lc, variants)
		{
			const char *values[DDB_TEMPLATE_MAX_HOLES];
			char		err[256];
			char	   *key;
			bool		anynull = false;

			for (i = 0; i < n; i++)
			{
				/* in_zip's arrays: the element at the same position */
				values[i] = (i == in_pos) ? (char *) lfirst(lc) :
					list_member_int(spec->in_zip, i) ?
					(foreach_current_index(lc) < list_length(texts[i]) ?
					 (char *) list_nth(texts[i], foreach_current_index(lc)) : NULL) :
					(char *) linitial(texts[i]);
				anynull |= (in_pos >= 0 && values[i] == NULL);
			}
			key = NULL;
			if (!anynull)
				key = prefix ? ddb_template_prefix(at->tmpl, values, n, err, sizeof(err))
					: ddb_template_compose(at->tmpl, values, err, sizeof(err));
			if (key == NULL)
			{
				/* a value the template cannot hold matches nothing */
				result = lappend(result, NULL);
				continue;
			}
			if (*extra)
				key = psprintf("%s%s", key, extra);
			result = lappend(result, ddb_av_string(key));
		}
	}
	return result;
}

/* ----------------------------------------------------------------
 * Streams
 * ----------------------------------------------------------------
 */

/*
 * Makes the requests of this (re)scan, once at its start, from the plan's
 * request and the key values evaluated now; each is a stream, unless it
 * can match nothing.
 */
static void
build_streams(DdbScanState *st)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(st->scancxt);
	List	   *values = NIL;
	List	   *reqs;
	ListCell   *lc;

	st->nstreams = 0;
	foreach(lc, st->req->keys)
	{
		List	   *v = spec_values(st, (DdbKeySpec *) lfirst(lc));

		if (v == NIL || (list_length(v) == 1 && linitial(v) == NULL))
		{
			/* some key value is NULL or impossible: no item can match */
			MemoryContextSwitchTo(oldcxt);
			return;
		}
		values = lappend(values, v);
	}

	if (st->op == DDB_OP_SCAN && st->parallel)
	{
		/* a participant of a parallel scan claims segments as it goes */
		st->streams = palloc0(sizeof(DdbStream) * st->req->segments);
		MemoryContextSwitchTo(oldcxt);
		return;
	}
	reqs = ddb_read_requests(st->req, values);
	st->streams = palloc0(sizeof(DdbStream) * Max(list_length(reqs), 1));
	foreach(lc, reqs)
	{
		DdbStream  *s = &st->streams[st->nstreams];

		memset(&s->residual, 0, sizeof(s->residual));
		if (!ddb_request_fits(st->opts, st->index, ddb_op_names[st->op], lfirst(lc),
							  &s->residual))
			continue;
		s->request = lfirst(lc);
		/* the transaction's own writes: a Scan's segments share one set of extras */
		if (st->overlay)
		{
			ddb_overlay_prepare(st->overlay, s->request);
			if (st->op != DDB_OP_SCAN || st->nstreams == 0)
				s->extras = ddb_overlay_extras(st->overlay, s->request);
		}
		/* one snapshot for the keys of a lookup, where the isolation level asks */
		if ((st->op == DDB_OP_GET_ITEM || st->op == DDB_OP_BATCH_GET_ITEM) &&
			IsolationUsesXactSnapshot() && !ddb_txn_lacks_transactions(st->conn))
		{
			cJSON	   *tr = ddb_overlay_transact_get(st->opts->table, st->op, s->request);

			if (tr)
			{
				s->plain = s->request;
				s->request = tr;
			}
		}
		st->nstreams++;
	}
	MemoryContextSwitchTo(oldcxt);
}

static void
stream_send(DdbScanState *st, DdbStream *s, cJSON *req)
{
	s->call = ddb_call_start(st->conn,
							 ddb_op_names[s->plain ? DDB_OP_TRANSACT_GET_ITEMS : st->op],
							 st->opts->table, req);
	if (!s->started)
	{
		s->started = true;
		st->inflight++;
	}
}

/*
 * A participant of a parallel scan claims the next segment (parallel.c)
 * when none of its segments has a request in flight: so it asks for the
 * first page of its next segment while it reads the last page of the one
 * before, and leaves the other segments to the other participants.
 */
static void
claim_segment(DdbScanState *st)
{
	MemoryContext oldcxt;
	DdbStream  *s;
	cJSON	   *req;
	int			seg;
	int			i;

	for (i = 0; i < st->nstreams; i++)
		if (st->streams[i].call != NULL)
			return;
	if (st->nstreams >= st->req->segments)
		return;
	/* the counter only grows, so a number is handed out once; it may run past the end */
	if (pg_atomic_read_u32(&st->parallel->next) >= st->parallel->nsegments ||
		(seg = (int) pg_atomic_fetch_add_u32(&st->parallel->next, 1)) >= (int) st->parallel->nsegments)
		return;
	oldcxt = MemoryContextSwitchTo(st->scancxt);
	req = ddb_read_request_json(st->req, NIL);
	cJSON_AddNumberToObject(req, "Segment", seg);
	cJSON_AddNumberToObject(req, "TotalSegments", st->req->segments);
	s = &st->streams[st->nstreams];
	if (ddb_request_fits(st->opts, st->index, ddb_op_names[st->op], req, &s->residual))
	{
		st->nstreams++;
		s->request = req;
		stream_send(st, s, req);
	}
	MemoryContextSwitchTo(oldcxt);
}

/* Starts streams until DDB_MAX_INFLIGHT are busy. */
static void
start_more(DdbScanState *st)
{
	int			i;

	if (st->parallel && st->op == DDB_OP_SCAN)
	{
		claim_segment(st);
		return;
	}
	for (i = 0; i < st->nstreams && st->inflight < DDB_MAX_INFLIGHT; i++)
		if (!st->streams[i].started)
			stream_send(st, &st->streams[i], st->streams[i].request);
}

/*
 * Empties the page context for the next page.  The context keeps a block
 * as big as the pages before took (bumpcxt.c), so that the next page
 * reuses memory that is already mapped.
 */
static void
reset_page(DdbScanState *st)
{
	st->mapped = NULL;
	MemoryContextReset(st->pagecxt);
}

/*
 * What overlay.c needs of the planned request, as the request's JSON
 * members: the index, the direction and whether DynamoDB filters.
 */
static char *
overlay_request_text(DdbScanState *st)
{
	cJSON	   *r = cJSON_CreateObject();
	char	   *text;

	if (st->req->index)
		cJSON_AddStringToObject(r, "IndexName", st->req->index);
	if (st->req->backward)
		cJSON_AddBoolToObject(r, "ScanIndexForward", false);
	if (st->req->filter)
		cJSON_AddStringToObject(r, "FilterExpression", st->req->filter);
	text = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	return text;
}

static void
start_scan(DdbScanState *st)
{
	MemoryContext oldcxt;

	/* the expiry filter's times: this statement's */
	if (st->hide_expired && st->req->values &&
		cJSON_GetObjectItemCaseSensitive(st->req->values, DDB_TTL_NOW_PH) != NULL)
	{
		char		buf[64];
		cJSON	   *av;

		snprintf(buf, sizeof(buf), "%.0f", st->ttl_old);
		av = cJSON_CreateObject();
		cJSON_AddStringToObject(av, "N", buf);
		cJSON_ReplaceItemInObjectCaseSensitive(st->req->values, DDB_TTL_OLD_PH, av);
		snprintf(buf, sizeof(buf), "%.0f", st->ttl_now);
		av = cJSON_CreateObject();
		cJSON_AddStringToObject(av, "N", buf);
		cJSON_ReplaceItemInObjectCaseSensitive(st->req->values, DDB_TTL_NOW_PH, av);
	}
	MemoryContextReset(st->scancxt);
	reset_page(st);
	st->streams = NULL;
	st->nstreams = 0;
	st->inflight = 0;
	st->cur = 0;
	st->received = 0;
	st->flags = st->plan_flags;
	st->limit = st->plan_limit;
	st->count = st->req->count;
	/* held writes of the transaction: no Limit or COUNT, real items */
	oldcxt = MemoryContextSwitchTo(st->scancxt);
	st->overlay = ddb_overlay_begin(st->conn, st->opts, st->cid, st->op, overlay_request_text(st));
	MemoryContextSwitchTo(oldcxt);
	if (st->overlay)
	{
		st->limit = 0;
		st->count = false;
	}
	build_streams(st);
	start_more(st);
	st->started = true;
	if (st->fetch)
	{
		ddb_fetch_reset(st->fetch);
		st->fetch_done = false;
	}
}

/*
 * Replaces a stream's page with the response to its request in flight, and
 * at once asks for the next page.  False when the stream is finished.
 */
static bool
next_page(DdbScanState *st, DdbStream *s)
{
	MemoryContext oldcxt;
	cJSON	   *resp;
	cJSON	   *items = NULL;
	DdbCall    *call = s->call;

	if (call == NULL)
	{
		if (!s->done)
		{
			s->done = true;
			st->inflight--;
			start_more(st);
		}
		return false;
	}
	s->call = NULL;				/* finish frees it, even when it raises */
	reset_page(st);
	oldcxt = MemoryContextSwitchTo(st->pagecxt);
	if (s->plain)
	{
		DdbResult  *res = ddb_call_wait(call);

		if (ddb_result_is(res, "UnknownOperationException"))
		{
			/* a server without it (dynalite): the plain lookup, item by item consistent */
			ddb_txn_set_lacks_transactions(st->conn);
			s->request = s->plain;
			s->plain = NULL;
			stream_send(st, s, s->request);
			MemoryContextSwitchTo(oldcxt);
			s->next_item = NULL;
			return true;
		}
		if (res->status != DDB_CALL_OK)
			ddb_report_result(res, -1);
		items = ddb_overlay_transact_items(res->json);
		s->next_item = items->child;
		MemoryContextSwitchTo(oldcxt);
		return true;
	}
	resp = ddb_call_finish(call);

	if (st->op == DDB_OP_GET_ITEM)
	{
		cJSON	   *item = cJSON_DetachItemFromObjectCaseSensitive(resp, "Item");

		items = cJSON_CreateArray();
		if (item)
			cJSON_AddItemToArray(items, item);
	}
	else if (st->op == DDB_OP_BATCH_GET_ITEM)
	{
		items = cJSON_GetObjectItemCaseSensitive(
												 cJSON_GetObjectItemCaseSensitive(resp, "Responses"), st->opts->table);
		/* keys DynamoDB did not get to: asked for again, with backoff and a budget */
		s->call = ddb_batch_resend(st->conn, "BatchGetItem", st->opts->table, resp,
								   &s->resends, -1);
	}
	else
	{
		/* a stream with a residual sent no Limit and asked for its items */
		int64		limit = s->residual.active ? 0 : st->limit;

		items = cJSON_GetObjectItemCaseSensitive(resp, "Items");
		if (st->count)
		{
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(resp, "Count");
			const cJSON *e;

			s->count = cJSON_IsNumber(c) ? (int64) c->valuedouble : 0;
			if (s->residual.active)
			{
				s->count = 0;
				cJSON_ArrayForEach(e, items)
					if (ddb_limits_residual_admits(&s->residual,
												   cJSON_GetObjectItemCaseSensitive(e, st->residual_attr)))
					s->count++;
			}
			items = NULL;		/* count rows only */
		}
		st->received += st->count ? s->count : cJSON_GetArraySize(items);
		/* with a pushed LIMIT, no page beyond the rows the query can use */
		if (limit == 0 || st->received < limit)
		{
			cJSON	   *req = ddb_next_page(s->request, resp);

			if (req && limit > 0)
				cJSON_ReplaceItemInObjectCaseSensitive(req, "Limit",
													   cJSON_CreateNumber((double) (limit - st->received)));
			if (req)
				stream_send(st, s, req);
		}
		if (s->call == NULL && st->parallel)
			start_more(st);
	}
	s->next_item = items ? items->child : NULL;
	MemoryContextSwitchTo(oldcxt);
	return true;
}

/* The column a template hole names (option.c made sure there is one). */
static DdbColumn *
hole_column(DdbRelOptions *opts, const char *name)
{
	int			i;

	for (i = 0; i < opts->ncolumns; i++)
		if (strcmp(opts->columns[i].colname, name) == 0)
			return &opts->columns[i];
	return NULL;
}

/* Whether every hole of t holds its column's canonical text (codec.c). */
static bool
holes_canonical(ddb_template *t, ddb_slice *vals, DdbColumn **cols)
{
	int			h;

	for (h = 0; h < t->nholes; h++)
		if (cols[h] && !ddb_key_text_canonical(vals[h].ptr, vals[h].len, cols[h]))
			return false;
	return true;
}

/*
 * Matches an item's keys against the entity templates: their shape, and
 * in typed holes the one text each value has.
 */
static bool
match_templates(DdbScanState *st, const cJSON *item)
{
	DdbRelOptions *opts = st->opts;
	const cJSON *v;

	ensure_mapped(st, item);
	if (!st->holes_known)
	{
		int			h;

		for (h = 0; opts->pk_template && h < opts->pk_template->nholes; h++)
			st->pkcols[h] = hole_column(opts, opts->pk_template->holes[h]);
		for (h = 0; opts->sk_template && h < opts->sk_template->nholes; h++)
			st->skcols[h] = hole_column(opts, opts->sk_template->holes[h]);
		st->holes_known = true;
	}
	if (opts->pk_template)
	{
		v = st->avs[DDB_SLOT_PK(st)];
		v = v ? cJSON_GetObjectItemCaseSensitive(v, "S") : NULL;
		if (!cJSON_IsString(v) ||
			!ddb_template_match(opts->pk_template, v->valuestring,
								strlen(v->valuestring), st->pkvals) ||
			!holes_canonical(opts->pk_template, st->pkvals, st->pkcols))
			return false;
	}
	if (opts->sk_template)
	{
		int			h;

		v = st->avs[DDB_SLOT_SK(st)];
		v = v ? cJSON_GetObjectItemCaseSensitive(v, "S") : NULL;
		if (!cJSON_IsString(v) ||
			!ddb_template_match(opts->sk_template, v->valuestring,
								strlen(v->valuestring), st->skvals) ||
			!holes_canonical(opts->sk_template, st->skvals, st->skcols))
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

/* Whether an item holds every identifier attribute with its value. */
static bool
identifiers_match(DdbScanState *st, const cJSON *item)
{
	int			i;

	ensure_mapped(st, item);
	for (i = 0; i < list_length(st->opts->identifiers); i++)
	{
		DdbIdentifier *id = list_nth(st->opts->identifiers, i);
		const cJSON *v = st->avs[DDB_SLOT_ID(st, i)];

		v = v ? cJSON_GetObjectItemCaseSensitive(v, "S") : NULL;
		if (!cJSON_IsString(v) || strcmp(v->valuestring, id->value) != 0)
			return false;
	}
	return true;
}

/*
 * Whether an item's time to live is past: its TTL attribute is a number
 * of epoch seconds at or before the statement's start, and not so far
 * before it that DynamoDB never deletes it.  The FilterExpression says the
 * same where there is one; GetItem, BatchGetItem and joins have only this.
 */
static bool
item_expired(DdbScanState *st, const cJSON *item)
{
	const cJSON *av;
	const cJSON *n;
	double		v;

	if (!st->hide_expired)
		return false;
	av = cJSON_GetObjectItemCaseSensitive(item, st->opts->ttl_attr);
	n = av ? cJSON_GetObjectItemCaseSensitive(av, "N") : NULL;
	if (!cJSON_IsString(n) || !ddb_number_valid(n->valuestring))
		return false;
	v = strtod(n->valuestring, NULL);
	return v >= st->ttl_old && v <= st->ttl_now;
}

/* Whether an item is of this relation's entity: key templates and identifiers. */
static bool
item_matches(DdbScanState *st, const cJSON *item)
{
	if (item_expired(st, item))
		return false;
	if ((st->opts->pk_template || st->opts->sk_template) && !match_templates(st, item))
		return false;
	if (st->opts->identifiers && (st->flags & DDB_FLAG_TYPE_CHECK) &&
		!identifiers_match(st, item))
		return false;
	return true;
}

/* Marks a Select=COUNT row: an item with no attributes. */
static const cJSON count_row;

/*
 * The next item the requests return, with the checks of ddb_scan_next;
 * for a fetching scan, the index's items, unchecked (they lack the
 * attributes the checks read), held items marked in st->held_item.
 */
static const cJSON *
scan_next(DdbScanState *st)
{
	bool		check = (st->fetch == NULL);

	if (!st->started)
		start_scan(st);
	st->held_item = false;

	while (st->nstreams > 0)
	{
		DdbStream  *s = &st->streams[st->cur];
		cJSON	   *item;

		if (s->count > 0)
		{
			s->count--;
			return &count_row;
		}
		if (s->done || s->next_item == NULL)
		{
			int			i;
			bool		any = false;

			if (!s->done && s->started && next_page(st, s))
				continue;
			/* the stream is finished: the held items it adds that are left */
			if (s->done && s->extras != NIL)
			{
				item = linitial(s->extras);
				s->extras = list_delete_first(s->extras);
				if (check && st->check_shape && !ddb_scan_item_matches(st, item))
					continue;
				st->held_item = true;
				return item;
			}
			/* this stream is finished or not started: move on */
			for (i = 1; i <= st->nstreams; i++)
			{
				int			n = (st->cur + i) % st->nstreams;

				if (!st->streams[n].done)
				{
					st->cur = n;
					any = true;
					break;
				}
			}
			if (!any)
				break;
			if (!st->streams[st->cur].started)
				start_more(st);
			continue;
		}
		item = s->next_item;
		if (st->overlay)
		{
			MemoryContext oldcxt;

			/* held items that sort before this one come first */
			if (s->extras != NIL && ddb_overlay_before(st->overlay, linitial(s->extras), item))
			{
				item = linitial(s->extras);
				s->extras = list_delete_first(s->extras);
				if (check && st->check_shape && !ddb_scan_item_matches(st, item))
					continue;
				st->held_item = true;
				return item;
			}
			s->next_item = item->next;
			oldcxt = MemoryContextSwitchTo(st->pagecxt);
			item = unconstify(cJSON *, ddb_overlay_filter(st->overlay, item));
			MemoryContextSwitchTo(oldcxt);
			if (item == NULL)
				continue;
		}
		else
			s->next_item = item->next;
		CHECK_FOR_INTERRUPTS();
		if (s->residual.active &&
			!ddb_limits_residual_admits(&s->residual,
										cJSON_GetObjectItemCaseSensitive(item, st->residual_attr)))
			continue;
		if (check && (st->check_shape ? !item_matches(st, item) : item_expired(st, item)))
			continue;
		return item;
	}
	return NULL;
}

/*
 * The next item of a fetching scan: the index's items are taken in
 * batches of up to DDB_BATCH_GET_MAX keys, whose items are fetched and
 * come back in the index's order, then checked as any scan's.
 */
static const cJSON *
fetch_next(DdbScanState *st)
{
	if (!st->started)
		start_scan(st);
	for (;;)
	{
		const cJSON *item = ddb_fetch_next(st->fetch);

		if (item != NULL)
		{
			if (st->check_shape ? !item_matches(st, item) : item_expired(st, item))
				continue;
			return item;
		}
		if (st->fetch_done)
			return NULL;
		ddb_fetch_reset(st->fetch);
		st->mapped = NULL;		/* the map may be of an item just freed */
		while (!st->fetch_done && !ddb_fetch_full(st->fetch))
		{
			const cJSON *ix = scan_next(st);

			if (ix == NULL)
				st->fetch_done = true;
			else
				ddb_fetch_add(st->fetch, ix, st->held_item);
		}
		ddb_fetch_run(st->fetch);
	}
}

/*
 * The next item of a scan that is of this entity's shape (when
 * check_shape), &count_row for a row counted by Select=COUNT, or NULL at
 * the end.  The item lives until the scan moves past its page.
 */
const cJSON *
ddb_scan_next(DdbScanState *st)
{
	if (st->fetch)
		return fetch_next(st);
	return scan_next(st);
}

/*
 * Whether an item is of this relation's entity: key templates and type.
 * The item may come from anywhere (another scan, a copy), so it is mapped
 * afresh.
 */
bool
ddb_scan_item_matches(DdbScanState *st, const cJSON *item)
{
	st->mapped = NULL;
	return item_matches(st, item);
}

/*
 * A column with read_from_key that the item has no attribute for: its
 * value in the index key that holds it, when the key matches the template
 * (cut short before the hole, or without the key: NULL).  A transformed
 * hole gives the transformed text.
 */
static void
read_from_index_key(DdbScanState *st, const cJSON *item, DdbColumn *col, Datum *value,
					bool *isnull)
{
	DdbAttrTemplate *at = list_nth(st->opts->templates, col->key_tmpl);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, at->attr);
	ddb_slice	vals[DDB_TEMPLATE_MAX_HOLES];

	v = v ? cJSON_GetObjectItemCaseSensitive(v, "S") : NULL;
	*isnull = true;
	if (cJSON_IsString(v) &&
		ddb_template_match_partial(at->tmpl, v->valuestring, strlen(v->valuestring), vals) >
		col->key_hole)
	{
		*value = ddb_text_to_datum(vals[col->key_hole].ptr, vals[col->key_hole].len, col);
		*isnull = false;
	}
}

/*
 * Converts an item's attributes into values[attnum - 1], for the columns
 * the plan retrieves.  Errors name the attribute and the item's key.
 * Uses the map of the item when the shape check just made it.
 */
static void
fill_values(DdbScanState *st, const cJSON *item, Datum *values, bool *nulls, bool rematch)
{
	int			i;
	int64		wrong = ddb_codec_wrong_type_count;

	if (rematch && (st->opts->pk_template || st->opts->sk_template))
		(void) match_templates(st, item);
	ensure_mapped(st, item);
	st->cur_item = item;
	st->errcb.callback = item_error_context;
	st->errcb.arg = st;
	st->errcb.previous = error_context_stack;
	error_context_stack = &st->errcb;
	for (i = 0; i < st->nfill; i++)
	{
		DdbColumn  *col = st->fill[i];
		int			att = col->attnum - 1;

		switch (col->source)
		{
			case DDB_COL_ATTRIBUTE:
				if (st->avs[i] == NULL && col->read_from_key)
					read_from_index_key(st, item, col, &values[att], &nulls[att]);
				else
					values[att] = ddb_av_to_datum(st->avs[i], col, &nulls[att]);
				break;
			case DDB_COL_DOCUMENT:
				values[att] = ddb_item_to_document(item, col);
				nulls[att] = false;
				break;
			case DDB_COL_EXTRA:
				values[att] = ddb_item_to_extra(item, col, st->opts->mapped_attrs);
				nulls[att] = false;
				break;
			case DDB_COL_TEMPLATE:
				/* a backed hole: its attribute, the key only without one */
				if (col->backed && st->avs[i] != NULL)
				{
					values[att] = ddb_av_to_datum(st->avs[i], col, &nulls[att]);
					break;
				}
				{
					ddb_slice  *sl = col->tmpl_key == 0 ? &st->pkvals[col->tmpl_hole]
					: &st->skvals[col->tmpl_hole];

					values[att] = ddb_text_to_datum(sl->ptr, sl->len, col);
					nulls[att] = false;
				}
				break;
		}
	}
	error_context_stack = st->errcb.previous;
	st->cur_item = NULL;
	/* values of the wrong type read as NULL (wrong_type 'null') */
	ddb_stats.wrong_type[st->op] += ddb_codec_wrong_type_count - wrong;
}

/* fill_values for an item from anywhere: mapped afresh. */
void
ddb_scan_fill(DdbScanState *st, const cJSON *item, Datum *values, bool *nulls)
{
	st->mapped = NULL;
	fill_values(st, item, values, nulls, true);
}

/*
 * The Key of a GetItem plan for the current parameter values, or NULL when
 * a key value is NULL or cannot be a key (no item can match): for a direct
 * modify, which writes that item without reading it.
 */
cJSON *
ddb_scan_key(DdbScanState *st)
{
	cJSON	   *key = NULL;

	Assert(st->op == DDB_OP_GET_ITEM);
	MemoryContextReset(st->scancxt);
	st->streams = NULL;
	st->nstreams = 0;
	build_streams(st);
	if (st->nstreams > 0)
		key = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(st->streams[0].request, "Key"), true);
	st->nstreams = 0;
	return key;
}

DdbRelOptions *
ddb_scan_opts(DdbScanState *st)
{
	return st->opts;
}

void
ddb_scan_set_check_shape(DdbScanState *st, bool check)
{
	st->check_shape = check;
}

TupleTableSlot *
ddb_scan_iterate(ForeignScanState *node)
{
	DdbScanState *st = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	const cJSON *item;
	MemoryContext oldcxt;

	ExecClearTuple(slot);
	MemoryContextReset(st->rowcxt);
	item = ddb_scan_next(st);
	if (item == NULL)
		return slot;
	if (item == &count_row)
	{
		ExecStoreAllNullTuple(slot);
		return slot;
	}
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	oldcxt = MemoryContextSwitchTo(st->rowcxt);
	/* ddb_scan_next just matched the item's keys when it checked its shape */
	fill_values(st, item, slot->tts_values, slot->tts_isnull, !st->check_shape);
	MemoryContextSwitchTo(oldcxt);
	ExecStoreVirtualTuple(slot);
	/* a locked row (one the query's conditions keep) is checked at COMMIT */
	if (st->locked && ddb_write_mode == DDB_WRITE_TRANSACTION)
	{
		ExprContext *econtext = node->ss.ps.ps_ExprContext;

		econtext->ecxt_scantuple = slot;
		if (node->ss.ps.qual == NULL || ExecQual(node->ss.ps.qual, econtext))
			ddb_txn_check(st->conn, st->opts, item,
						  RelationGetRelationName(node->ss.ss_currentRelation));
	}
	return slot;
}

void
ddb_scan_stop(DdbScanState *st)
{
	int			i;

	for (i = 0; i < st->nstreams; i++)
	{
		if (st->streams[i].call)
			ddb_call_cancel(st->streams[i].call);
		st->streams[i].call = NULL;
	}
	st->nstreams = 0;
	st->started = false;
}

/*
 * Sends a (re)started scan's first requests now rather than at its first
 * row, without waiting for their answers: batchjoin.c's next round travels
 * while it joins the round before.
 */
void
ddb_scan_prefetch(ForeignScanState *node)
{
	DdbScanState *st = node->fdw_state;

	if (st && !st->started)
		start_scan(st);
}

/* A rescan starts over at the next ddb_scan_next, with fresh key values. */
void
ddb_scan_rescan(ForeignScanState *node)
{
	ddb_scan_stop(node->fdw_state);
}

void
ddb_scan_end(ForeignScanState *node)
{
	DdbScanState *st = node->fdw_state;

	if (st && st->conn)
	{
		ddb_scan_stop(st);
	}
}

/*
 * Whether the transaction holds writes of the scan's table that it must
 * see: only this backend knows them, so no worker may read for it.
 */
bool
ddb_scan_holds_writes(DdbScanState *st)
{
	return ddb_txn_view(st->conn, st->opts->table, st->cid) != NIL;
}

/* The number of segments the plan gave a Scan. */
int
ddb_scan_segments(DdbScanState *st)
{
	return st->req->segments;
}

/*
 * Makes st a participant of a parallel scan: from its next (re)start it
 * reads only the segments it claims from the counter (NULL: all of them).
 */
void
ddb_scan_set_parallel(DdbScanState *st, DdbSegmentCounter *segments)
{
	st->parallel = segments;
}
