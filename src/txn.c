/*-------------------------------------------------------------------------
 * txn.c
 *	  A PostgreSQL transaction is a DynamoDB transaction: writes held until
 *	  COMMIT and sent as one TransactWriteItems, savepoints, and the errors
 *	  of a COMMIT that DynamoDB refused.
 *
 * With ddbrel.write_mode = 'transaction' (the default) INSERT, UPDATE and
 * DELETE send nothing: each write becomes a step of the item it writes,
 * kept in a memory context of the top transaction with the subtransaction
 * and command that made it.  Rolling back to a savepoint drops the steps
 * of the subtransactions it ends.  At pre-commit the steps of each item
 * are folded into one action (Put, Update, Delete or ConditionCheck: an
 * INSERT then an UPDATE is one Put of the final item) and the actions go
 * as one TransactWriteItems with a ClientRequestToken that is the same for
 * every attempt, so a retry after a lost answer is applied once.  A
 * transaction of one action that is safe to repeat goes as that plain
 * write (PutItem, UpdateItem, DeleteItem), which every DynamoDB
 * implementation serves.  An error at pre-commit aborts the transaction,
 * as postgres_fdw's does.
 *
 * Reads of the transaction see its held writes (overlay.c asks
 * ddb_txn_view for the items of a table as a command sees them).
 *
 * Limits: DynamoDB makes at most 100 actions atomic, in one account and
 * region, in at most 4 MB.  The write that would be the 101st action, or
 * that goes to a second endpoint or set of credentials, fails at once.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "codec_core.h"
#include "expr_core.h"

#define DDB_TXN_MAX_ACTIONS 100
#define DDB_TXN_MAX_BYTES (4 * 1024 * 1024)

int			ddb_write_mode = DDB_WRITE_TRANSACTION;

/* One write of an item, as held. */
typedef struct HeldStep
{
	DdbHeldKind kind;
	SubTransactionId subid;		/* the subtransaction that made it */
	CommandId	cid;			/* the command that made it */
	cJSON	   *image;			/* PUT: the whole item */
	DdbPatch	patch;			/* UPDATE */
	DdbCond    *cond;			/* on the item as it was before this step */
	DdbCondRole role;
	char	   *what;			/* DDB_ROLE_UNIQUE(_SET): the columns and values */
} HeldStep;

/* The held writes of one item. */
typedef struct HeldItem
{
	char	   *table;
	cJSON	   *key;
	char	   *keytext;		/* PK = "USER#1", SK = "USER#1" */
	char	   *relname;		/* the foreign table of its first write */
	List	   *steps;			/* HeldStep, oldest first */
} HeldItem;

/* The write budget a foreign table set for a DynamoDB table it wrote. */
typedef struct HeldBudget
{
	char	   *table;
	double		units;			/* per second; the lowest of the transaction's */
} HeldBudget;

typedef struct HeldTxn
{
	MemoryContext cxt;
	DdbConn    *conn;			/* every write goes through this account */
	Oid			serverid;
	List	   *items;			/* HeldItem with at least one step */
	List	   *budgets;		/* HeldBudget */
	char		token[37];		/* ClientRequestToken */
} HeldTxn;

static HeldTxn *txn = NULL;

/* Endpoints that answered UnknownOperationException to TransactWriteItems. */
static List *no_transactions = NIL;

/* ----------------------------------------------------------------
 * Items and their steps
 * ----------------------------------------------------------------
 */

/* Names a key for messages: PK = "USER#1", SK = "ORDER#2". */
char *
ddb_key_text(const cJSON *key)
{
	StringInfoData buf;
	const cJSON *e;

	initStringInfo(&buf);
	cJSON_ArrayForEach(e, key)
	{
		const cJSON *v = e->child;

		appendStringInfo(&buf, "%s%s = ", buf.len ? ", " : "", e->string);
		if (v && cJSON_IsString(v) && strcmp(v->string, "S") == 0)
			appendStringInfo(&buf, "\"%s\"", v->valuestring);
		else if (v && cJSON_IsString(v))
			appendStringInfoString(&buf, v->valuestring);
		else
			appendStringInfoString(&buf, "?");
	}
	return buf.data;
}

/* Whether item (or key) has exactly the attributes of key, equal. */
bool
ddb_key_matches(const cJSON *key, const cJSON *item)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, key)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, e->string);

		if (v == NULL || !ddb_av_equal(e, v))
			return false;
	}
	return true;
}

static HeldItem *
find_item(const char *table, const cJSON *key)
{
	ListCell   *lc;

	if (txn == NULL)
		return NULL;
	foreach(lc, txn->items)
	{
		HeldItem   *hi = lfirst(lc);

		if (strcmp(hi->table, table) == 0 && ddb_key_matches(hi->key, key) &&
			cJSON_GetArraySize(hi->key) == cJSON_GetArraySize(key))
			return hi;
	}
	return NULL;
}

/* The sum of two DynamoDB numbers, as DynamoDB would store it. */
static char *
number_add(const char *a, const char *b)
{
	Datum		x = DirectFunctionCall3(numeric_in, CStringGetDatum(a),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	Datum		y = DirectFunctionCall3(numeric_in, CStringGetDatum(b),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out,
														DirectFunctionCall2(numeric_add, x, y)));

	ddb_number_trim(s);
	return s;
}

static cJSON *
number_av(const char *s)
{
	cJSON	   *av = cJSON_CreateObject();

	cJSON_AddStringToObject(av, "N", s);
	return av;
}

/*
 * Applies a patch to an item in place (the overlay of a read, the fold of
 * steps): SET replaces, REMOVE drops, an addition adds to a number.  An
 * addition to an attribute that is not a number fails as DynamoDB's would:
 * false; unless lenient (an item a scan projected, without the attribute),
 * when it is left out.
 */
bool
ddb_patch_apply(cJSON *item, const DdbPatch *patch, bool lenient)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, patch->set)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(item, e->string);
		cJSON_AddItemToObject(item, e->string, cJSON_Duplicate(e, true));
	}
	cJSON_ArrayForEach(e, patch->add)
	{
		cJSON	   *cur = cJSON_GetObjectItemCaseSensitive(item, e->string);
		const cJSON *n = cur ? cJSON_GetObjectItemCaseSensitive(cur, "N") : NULL;
		char	   *sum;

		if (!cJSON_IsString(n) || !cJSON_IsString(e->child))
		{
			if (lenient)
				continue;
			return false;
		}
		sum = number_add(n->valuestring, e->child->valuestring);
		cJSON_ReplaceItemInObjectCaseSensitive(item, e->string, number_av(sum));
	}
	cJSON_ArrayForEach(e, patch->remove)
		cJSON_DeleteItemFromObjectCaseSensitive(item, e->valuestring);
	return true;
}

static void
patch_init(DdbPatch *p)
{
	p->set = cJSON_CreateObject();
	p->add = cJSON_CreateObject();
	p->remove = cJSON_CreateArray();
}

static bool
name_in_array(const cJSON *arr, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0)
		return true;
	return false;
}

static void
remove_name(cJSON *arr, const char *name)
{
	cJSON	   *e;

	for (e = arr->child; e; e = e->next)
		if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0)
		{
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, e));
			return;
		}
}

/* Folds patch q into the patch p accumulated so far (q comes after p). */
static void
patch_merge(DdbPatch *p, const DdbPatch *q)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, q->set)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(p->set, e->string);
		cJSON_DeleteItemFromObjectCaseSensitive(p->add, e->string);
		remove_name(p->remove, e->string);
		cJSON_AddItemToObject(p->set, e->string, cJSON_Duplicate(e, true));
	}
	cJSON_ArrayForEach(e, q->add)
	{
		cJSON	   *s = cJSON_GetObjectItemCaseSensitive(p->set, e->string);
		cJSON	   *a = cJSON_GetObjectItemCaseSensitive(p->add, e->string);
		const char *delta = e->child->valuestring;

		if (s && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "N")))
			cJSON_ReplaceItemInObjectCaseSensitive(p->set, e->string,
												   number_av(number_add(cJSON_GetObjectItemCaseSensitive(s, "N")->valuestring, delta)));
		else if (a)
			cJSON_ReplaceItemInObjectCaseSensitive(p->add, e->string,
												   number_av(number_add(a->child->valuestring, delta)));
		else if (!name_in_array(p->remove, e->string) && s == NULL)
			cJSON_AddItemToObject(p->add, e->string, cJSON_Duplicate(e, true));
	}
	cJSON_ArrayForEach(e, q->remove)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(p->set, e->valuestring);
		cJSON_DeleteItemFromObjectCaseSensitive(p->add, e->valuestring);
		if (!name_in_array(p->remove, e->valuestring))
			cJSON_AddItemToArray(p->remove, cJSON_CreateString(e->valuestring));
	}
}

/*
 * Folds the steps of an item, those made before command `before` (or all,
 * with InvalidCommandId), into its state: what the transaction has made of
 * the item.  Copies in CurrentMemoryContext.
 */
static void
fold_steps(HeldItem *hi, CommandId before, DdbHeldView *v)
{
	ListCell   *lc;
	bool		first = true;

	memset(v, 0, sizeof(*v));
	v->key = hi->key;
	v->state = DDB_HELD_NONE;
	foreach(lc, hi->steps)
	{
		HeldStep   *s = lfirst(lc);

		if (before != InvalidCommandId && s->cid >= before)
			continue;
		if (first)
		{
			v->cond = s->cond;
			v->role = s->role;
			v->what = s->what;
			first = false;
		}
		switch (s->kind)
		{
			case DDB_HELD_PUT:
				v->state = DDB_HELD_IMAGE;
				v->image = cJSON_Duplicate(s->image, true);
				break;
			case DDB_HELD_DELETE:
				v->state = DDB_HELD_ABSENT;
				v->image = NULL;
				break;
			case DDB_HELD_UPDATE:
				if (v->state == DDB_HELD_IMAGE)
				{
					if (!ddb_patch_apply(v->image, &s->patch, false))
						ereport(ERROR,
								(errcode(ERRCODE_DATATYPE_MISMATCH),
								 errmsg("cannot add to an attribute that is not a number in item %s of DynamoDB table \"%s\"",
										hi->keytext, hi->table)));
				}
				else if (v->state != DDB_HELD_ABSENT)
				{
					if (v->state != DDB_HELD_PATCH)
						patch_init(&v->patch);
					patch_merge(&v->patch, &s->patch);
					v->state = DDB_HELD_PATCH;
				}
				break;
			case DDB_HELD_CHECK:
				if (v->state == DDB_HELD_NONE)
					v->state = DDB_HELD_CHECKED;
				break;
		}
	}
}

/* The number of items with held writes. */
static int
nactions(void)
{
	return txn ? list_length(txn->items) : 0;
}

/* The number of actions COMMIT would send now (copied columns ask). */
int
ddb_txn_nactions(void)
{
	return nactions();
}

/* A new ClientRequestToken: a random UUID (version 4), 37 bytes with the NUL. */
void
ddb_new_token(char *out)
{
	uint8		b[16];

	if (!pg_strong_random(b, sizeof(b)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random ClientRequestToken")));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
			 b[12], b[13], b[14], b[15]);
}

/* The server names of two connections, for messages. */
static char *
server_name(Oid serverid)
{
	return GetForeignServer(serverid)->servername;
}

/*
 * The transaction's state, created at its first held write; a write
 * through another endpoint or other credentials cannot be part of it.
 */
static void
check_account(DdbConn *conn)
{
	Oid			serverid;
	Oid			userid;

	ddb_connection_ids(conn, &serverid, &userid);
	if (txn == NULL)
	{
		MemoryContext cxt = AllocSetContextCreate(TopTransactionContext, "ddbrel held writes",
												  ALLOCSET_DEFAULT_SIZES);

		txn = MemoryContextAllocZero(cxt, sizeof(HeldTxn));
		txn->cxt = cxt;
		ddb_new_token(txn->token);
	}
	if (txn->conn == NULL)
	{
		txn->conn = conn;
		txn->serverid = serverid;
		return;
	}
	if (txn->conn != conn && !ddb_connection_same_account(txn->conn, conn))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot write to DynamoDB through servers \"%s\" and \"%s\" in one transaction",
						server_name(txn->serverid), server_name(serverid)),
				 errdetail("Their endpoints, regions or credentials differ, and DynamoDB makes writes atomic only within one TransactWriteItems request to one account and region."),
				 errhint("Commit the writes through server \"%s\" first, or SET ddbrel.write_mode = 'immediate' to write each statement as it runs, without atomicity.",
						 server_name(txn->serverid))));
}

/*
 * Keeps the write budget the statement's foreign table set for table
 * (the lowest, when several did), since COMMIT is a statement of its own
 * whose budgets no foreign table sets.  In the transaction's context.
 */
static void
keep_budget(DdbConn *conn, const char *table)
{
	double		units = ddb_capacity_table_budget(txn->serverid, table, DDB_CAPACITY_WRITE,
												  ddb_connection_statement(conn));
	HeldBudget *hb;
	ListCell   *lc;

	if (units <= 0)
		return;
	foreach(lc, txn->budgets)
	{
		hb = lfirst(lc);
		if (strcmp(hb->table, table) == 0)
		{
			hb->units = Min(hb->units, units);
			return;
		}
	}
	hb = palloc(sizeof(HeldBudget));
	hb->table = pstrdup(table);
	hb->units = units;
	txn->budgets = lappend(txn->budgets, hb);
}

/*
 * The COMMIT's write budgets, as the transaction's foreign tables set
 * them; returns the table whose budget is the lowest, whose pace the
 * TransactWriteItems follows (else first, the table of its first write).
 * What the request consumed is counted against every table it wrote.
 */
static const char *
restore_budgets(DdbConn *conn, const char *first)
{
	const char *pace = first;
	double		lowest = 0;
	ListCell   *lc;

	foreach(lc, txn->budgets)
	{
		HeldBudget *hb = lfirst(lc);

		ddb_capacity_set(txn->serverid, hb->table, DDB_CAPACITY_WRITE,
						 ddb_connection_statement(conn), hb->units, true);
		if (lowest == 0 || hb->units < lowest)
		{
			lowest = hb->units;
			pace = hb->table;
		}
	}
	return pace;
}

/*
 * Holds one write of an item until COMMIT.  The write that would make the
 * 101st action fails here, before anything is sent.
 */
void
ddb_txn_hold(DdbConn *conn, const DdbHeldWrite *w)
{
	HeldItem   *hi;
	HeldStep   *s;
	MemoryContext oldcxt;

	check_account(conn);
	hi = find_item(w->table, w->key);
	if (hi == NULL && nactions() >= DDB_TXN_MAX_ACTIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("transaction would write more than %d DynamoDB items", DDB_TXN_MAX_ACTIONS),
				 errdetail("DynamoDB makes at most %d writes atomic in one TransactWriteItems request; the write of item %s of table \"%s\" would be write %d.",
						   DDB_TXN_MAX_ACTIONS, ddb_key_text(w->key), w->table, DDB_TXN_MAX_ACTIONS + 1),
				 errhint("Commit in smaller transactions, or SET ddbrel.write_mode = 'immediate' to write each statement as it runs, batched and without atomicity (for bulk loads).")));
	oldcxt = MemoryContextSwitchTo(txn->cxt);
	keep_budget(conn, w->table);
	if (hi == NULL)
	{
		hi = palloc0(sizeof(HeldItem));
		hi->table = pstrdup(w->table);
		hi->key = cJSON_Duplicate(w->key, true);
		hi->keytext = ddb_key_text(w->key);
		hi->relname = pstrdup(w->relname ? w->relname : w->table);
		txn->items = lappend(txn->items, hi);
	}
	s = palloc0(sizeof(HeldStep));
	s->kind = w->kind;
	s->subid = GetCurrentSubTransactionId();
	s->cid = GetCurrentCommandId(true);
	if (w->image)
		s->image = cJSON_Duplicate(w->image, true);
	if (w->patch)
	{
		s->patch.set = cJSON_Duplicate(w->patch->set ? w->patch->set : cJSON_CreateObject(), true);
		s->patch.add = cJSON_Duplicate(w->patch->add ? w->patch->add : cJSON_CreateObject(), true);
		s->patch.remove = cJSON_Duplicate(w->patch->remove ? w->patch->remove : cJSON_CreateArray(), true);
	}
	s->cond = ddb_cond_copy(w->cond);
	s->role = w->role;
	s->what = w->what ? pstrdup(w->what) : NULL;
	hi->steps = lappend(hi->steps, s);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * What the transaction holds for an item, all its writes folded in (for
 * INSERT's duplicate check and ON CONFLICT): DDB_HELD_NONE when nothing.
 */
DdbHeldState
ddb_txn_item_state(DdbConn *conn, const char *table, const cJSON *key)
{
	HeldItem   *hi;
	DdbHeldView v;

	if (txn == NULL || txn->conn == NULL ||
		(txn->conn != conn && !ddb_connection_same_account(txn->conn, conn)))
		return DDB_HELD_NONE;
	hi = find_item(table, key);
	if (hi == NULL)
		return DDB_HELD_NONE;
	fold_steps(hi, InvalidCommandId, &v);
	return v.state;
}

/*
 * The held items of a DynamoDB table as command `before` sees them (the
 * writes of earlier commands of the transaction), for reads through conn:
 * a List of DdbHeldView in CurrentMemoryContext, NIL when there are none.
 */
List *
ddb_txn_view(DdbConn *conn, const char *table, CommandId before)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (txn == NULL || txn->conn == NULL ||
		(txn->conn != conn && !ddb_connection_same_account(txn->conn, conn)))
		return NIL;
	foreach(lc, txn->items)
	{
		HeldItem   *hi = lfirst(lc);
		DdbHeldView *v;

		if (strcmp(hi->table, table) != 0)
			continue;
		v = palloc(sizeof(DdbHeldView));
		fold_steps(hi, before, v);
		if (v->state == DDB_HELD_NONE || v->state == DDB_HELD_CHECKED)
		{
			pfree(v);
			continue;
		}
		v->key = cJSON_Duplicate(hi->key, true);
		result = lappend(result, v);
	}
	return result;
}

/*
 * A locked read (SELECT ... FOR UPDATE or FOR SHARE) of an item: at
 * COMMIT the item must be as read, or the transaction fails with
 * serialization_failure.  "As read" is the version column's value when the
 * table has one, else every attribute the scan read (and the absence of
 * the table's other attributes).  An item the transaction writes needs no
 * check of its own: its write carries its condition.
 */
void
ddb_txn_check(DdbConn *conn, DdbRelOptions *opts, const cJSON *item, const char *relname)
{
	DdbHeldWrite w = {0};
	DdbExprBuilder b;
	cJSON	   *key = cJSON_CreateObject();
	DdbColumn  *version = NULL;
	List	   *absent = NIL;
	char	   *cond;
	int			i;

	cJSON_AddItemToObject(key, opts->partition_key,
						  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, opts->partition_key), true));
	if (opts->sort_key)
		cJSON_AddItemToObject(key, opts->sort_key,
							  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, opts->sort_key), true));
	if (ddb_txn_item_state(conn, opts->table, key) != DDB_HELD_NONE)
		return;
	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];

		if (col->version)
			version = col;
		if (col->source == DDB_COL_ATTRIBUTE &&
			!cJSON_GetObjectItemCaseSensitive(item, col->attrname) &&
			!list_member(absent, makeString(col->attrname)))
			absent = lappend(absent, makeString(col->attrname));
	}
	ddb_expr_init(&b);
	if (version)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, version->attrname);

		cond = v ? ddb_deparse_equals(&b, version->attrname, v) :
			ddb_deparse_exists(&b, version->attrname, false);
	}
	else
	{
		List	   *names = NIL;
		ListCell   *lc;

		foreach(lc, absent)
			names = lappend(names, strVal(lfirst(lc)));
		cond = ddb_deparse_unchanged(&b, item, names);
	}
	w.kind = DDB_HELD_CHECK;
	w.table = opts->table;
	w.key = key;
	w.cond = ddb_cond_make(&b, cond);
	w.role = DDB_ROLE_CHANGED;
	w.relname = relname;
	ddb_txn_hold(conn, &w);
}

/* Whether this transaction holds writes (for direct modify's choice). */
bool
ddb_txn_has_writes(void)
{
	return nactions() > 0;
}

/* ----------------------------------------------------------------
 * Subtransactions
 * ----------------------------------------------------------------
 */

static void
free_step(HeldStep *s)
{
	cJSON_Delete(s->image);
	cJSON_Delete(s->patch.set);
	cJSON_Delete(s->patch.add);
	cJSON_Delete(s->patch.remove);
	pfree(s);
}

/*
 * ROLLBACK TO SAVEPOINT (or an error caught by an exception block): the
 * writes of the subtransaction, and of those it contained, are dropped.
 */
void
ddb_txn_subxact_abort(SubTransactionId subid)
{
	ListCell   *lc;

	if (txn == NULL)
		return;
	foreach(lc, txn->items)
	{
		HeldItem   *hi = lfirst(lc);
		ListCell   *sc;

		foreach(sc, hi->steps)
		{
			HeldStep   *s = lfirst(sc);

			if (s->subid >= subid)
			{
				hi->steps = foreach_delete_current(hi->steps, sc);
				free_step(s);
			}
		}
		if (hi->steps == NIL)
			txn->items = foreach_delete_current(txn->items, lc);
	}
	if (txn->items == NIL)
		txn->conn = NULL;		/* another account may be written now */
}

/* RELEASE SAVEPOINT: the writes now belong to the parent. */
void
ddb_txn_subxact_commit(SubTransactionId subid, SubTransactionId parent)
{
	ListCell   *lc;

	if (txn == NULL)
		return;
	foreach(lc, txn->items)
	{
		ListCell   *sc;

		foreach(sc, ((HeldItem *) lfirst(lc))->steps)
		{
			HeldStep   *s = lfirst(sc);

			if (s->subid >= subid)
				s->subid = parent;
		}
	}
}

/* ----------------------------------------------------------------
 * COMMIT
 * ----------------------------------------------------------------
 */

/* One action of the TransactWriteItems, with what its errors name. */
typedef struct Action
{
	HeldItem   *hi;
	DdbHeldView v;
	const char *kind;			/* "Put", "Update", "Delete", "ConditionCheck" */
	cJSON	   *body;			/* the action's parameters */
	bool		counters;		/* an addition: not safe to repeat */
} Action;

/* Builds the action of an item from its folded state. */
static void
build_action(Action *a)
{
	DdbHeldView *v = &a->v;
	DdbExprBuilder b;
	char	   *cond = NULL;
	char	   *update = NULL;

	a->body = cJSON_CreateObject();
	cJSON_AddStringToObject(a->body, "TableName", a->hi->table);
	ddb_expr_init(&b);
	if (v->cond)
		cond = ddb_expr_import(&b, v->cond);
	switch (v->state)
	{
		case DDB_HELD_IMAGE:
			a->kind = "Put";
			cJSON_AddItemToObject(a->body, "Item", cJSON_Duplicate(v->image, true));
			break;
		case DDB_HELD_ABSENT:
			a->kind = "Delete";
			cJSON_AddItemToObject(a->body, "Key", cJSON_Duplicate(a->hi->key, true));
			break;
		case DDB_HELD_PATCH:
			a->kind = "Update";
			cJSON_AddItemToObject(a->body, "Key", cJSON_Duplicate(a->hi->key, true));
			update = ddb_deparse_update(&b, &v->patch);
			a->counters = cJSON_GetArraySize(v->patch.add) > 0;
			if (update)
				cJSON_AddStringToObject(a->body, "UpdateExpression", update);
			break;
		default:
			a->kind = "ConditionCheck";
			cJSON_AddItemToObject(a->body, "Key", cJSON_Duplicate(a->hi->key, true));
			if (cond == NULL)
				cond = ddb_deparse_exists(&b, a->hi->key->child->string, true);
			break;
	}
	if (cond)
		cJSON_AddStringToObject(a->body, "ConditionExpression", cond);
	ddb_expr_attach(&b, a->body);
}

/*
 * Whether the endpoint of conn is known to lack TransactWriteItems and
 * TransactGetItems (it answered UnknownOperationException to one).
 */
bool
ddb_txn_lacks_transactions(DdbConn *conn)
{
	ListCell   *lc;

	foreach(lc, no_transactions)
		if (strcmp((char *) lfirst(lc), ddb_connection_endpoint(conn)) == 0)
		return true;
	return false;
}

void
ddb_txn_set_lacks_transactions(DdbConn *conn)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

	no_transactions = lappend(no_transactions, pstrdup(ddb_connection_endpoint(conn)));
	MemoryContextSwitchTo(oldcxt);
}

/* Names the transaction's request in error contexts. */
static void
commit_context(void *arg)
{
	int			n = *(int *) arg;

	errcontext(ngettext("COMMIT of %d DynamoDB write", "COMMIT of %d DynamoDB writes", n), n);
}

/* A failed condition of action a: the SQLSTATE its role gives. */
static void report_condition(Action *a, bool single) pg_attribute_noreturn();

static void
report_condition(Action *a, bool single)
{
	const char *nothing = single ? NULL :
	gettext_noop("Nothing of the transaction was written.");

	switch (a->v.role)
	{
		case DDB_ROLE_INSERT:
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("duplicate key: an item with key %s already exists in DynamoDB table \"%s\"",
							a->hi->keytext, a->hi->table),
					 nothing ? errdetail("%s", _(nothing)) : 0,
					 errhint("Use INSERT ... ON CONFLICT DO NOTHING to skip existing items, or the table option upsert 'true' to overwrite them.")));
			break;
		case DDB_ROLE_UNIQUE:
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 a->v.what ?
					 errmsg("duplicate value for unique column %s of foreign table \"%s\"",
							a->v.what, a->hi->relname) :
					 errmsg("duplicate value for a unique column of foreign table \"%s\"",
							a->hi->relname),
					 errdetail("The guard item %s of DynamoDB table \"%s\" exists.%s%s",
							   a->hi->keytext, a->hi->table, nothing ? " " : "",
							   nothing ? _(nothing) : "")));
			break;
		case DDB_ROLE_UNIQUE_SET:
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("duplicate values for unique columns %s of foreign table \"%s\"",
							a->v.what, a->hi->relname),
					 errdetail("The guard item %s of DynamoDB table \"%s\" exists.%s%s",
							   a->hi->keytext, a->hi->table, nothing ? " " : "",
							   nothing ? _(nothing) : "")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access to item %s of DynamoDB table \"%s\"",
							a->hi->keytext, a->hi->table),
					 errdetail("The item changed (or was deleted) after this transaction read it.%s%s",
							   nothing ? " " : "", nothing ? _(nothing) : ""),
					 errhint("Run the transaction again.")));
			break;
	}
}

/* A TransactWriteItems refused: the first reason that is not "None". */
static void report_cancelled(Action *actions, int n, const DdbResult *res) pg_attribute_noreturn();

static void
report_cancelled(Action *actions, int n, const DdbResult *res)
{
	const cJSON *reasons = res->error_body ?
	cJSON_GetObjectItemCaseSensitive(res->error_body, "CancellationReasons") : NULL;
	const cJSON *r;
	int			i = 0;

	cJSON_ArrayForEach(r, reasons)
	{
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "Code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(r, "Message");
		const char *c = cJSON_IsString(code) ? code->valuestring : "";
		const char *m = cJSON_IsString(msg) ? msg->valuestring : "";
		Action	   *a = i < n ? &actions[i] : NULL;

		i++;
		if (a == NULL || strcmp(c, "None") == 0 || *c == '\0')
			continue;
		if (strcmp(c, "ConditionalCheckFailed") == 0)
			report_condition(a, false);
		if (strcmp(c, "TransactionConflict") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access to item %s of DynamoDB table \"%s\"",
							a->hi->keytext, a->hi->table),
					 errdetail("Another transaction or write was changing the item (TransactionConflict). Nothing of the transaction was written."),
					 errhint("Run the transaction again.")));
		if (strcmp(c, "ThrottlingError") == 0 || strcmp(c, "ProvisionedThroughputExceeded") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("DynamoDB throttled requests on table \"%s\"", a->hi->table),
					 errdetail("%s: %s (item %s). Nothing of the transaction was written.",
							   c, m, a->hi->keytext),
					 errhint("Run the transaction again.")));
		if (strcmp(c, "ItemCollectionSizeLimitExceeded") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("DynamoDB item collection size limit exceeded on table \"%s\"", a->hi->table),
					 errdetail("%s: %s (item %s). Nothing of the transaction was written.",
							   c, m, a->hi->keytext)));
		if (strcmp(c, "ValidationError") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("DynamoDB rejected the request on table \"%s\"", a->hi->table),
					 errdetail("%s: %s (item %s). Nothing of the transaction was written.",
							   c, m, a->hi->keytext)));
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("DynamoDB cancelled the transaction at item %s of table \"%s\"",
						a->hi->keytext, a->hi->table),
				 errdetail("%s: %s. Nothing of the transaction was written.", c, m)));
	}
	ddb_report_result(res, -1);
}

/*
 * After a plain write was sent more than once and then failed its
 * condition: did an earlier attempt write it?  The failure's item
 * (ReturnValuesOnConditionCheckFailure) or, where the server does not
 * return it, a consistent read says whether the item is as the write
 * leaves it.
 */
static bool
write_landed(DdbConn *conn, Action *a, const DdbResult *res)
{
	const cJSON *item = res->error_body ? cJSON_GetObjectItemCaseSensitive(res->error_body, "Item") : NULL;
	cJSON	   *got = NULL;
	const cJSON *e;

	if (item)
		got = cJSON_Duplicate(item, true);
	else
	{
		cJSON	   *req = cJSON_CreateObject();
		cJSON	   *resp;

		cJSON_AddStringToObject(req, "TableName", a->hi->table);
		cJSON_AddItemToObject(req, "Key", cJSON_Duplicate(a->hi->key, true));
		cJSON_AddBoolToObject(req, "ConsistentRead", true);
		resp = ddb_call(conn, "GetItem", a->hi->table, req);
		got = cJSON_DetachItemFromObjectCaseSensitive(resp, "Item");
	}
	switch (a->v.state)
	{
		case DDB_HELD_ABSENT:
			return got == NULL;
		case DDB_HELD_IMAGE:
			if (got == NULL || cJSON_GetArraySize(got) != cJSON_GetArraySize(a->v.image))
				return false;
			cJSON_ArrayForEach(e, a->v.image)
			{
				const cJSON *o = cJSON_GetObjectItemCaseSensitive(got, e->string);

				if (o == NULL || !ddb_av_equal(e, o))
					return false;
			}
			return true;
		case DDB_HELD_PATCH:
			if (got == NULL || cJSON_GetArraySize(a->v.patch.add) > 0)
				return false;
			cJSON_ArrayForEach(e, a->v.patch.set)
			{
				const cJSON *o = cJSON_GetObjectItemCaseSensitive(got, e->string);

				if (o == NULL || !ddb_av_equal(e, o))
					return false;
			}
			cJSON_ArrayForEach(e, a->v.patch.remove)
				if (cJSON_GetObjectItemCaseSensitive(got, e->valuestring))
				return false;
			return true;
		default:
			return false;
	}
}

/*
 * Sends one action as its plain write.  idempotent: a retry may repeat it
 * (a failed condition on a retry is then checked with write_landed).
 */
static void
send_plain(DdbConn *conn, Action *a, bool idempotent)
{
	cJSON	   *req = cJSON_Duplicate(a->body, true);
	const char *op = strcmp(a->kind, "Put") == 0 ? "PutItem" :
	strcmp(a->kind, "Update") == 0 ? "UpdateItem" : "DeleteItem";
	DdbResult  *res;

	if (cJSON_GetObjectItemCaseSensitive(req, "ConditionExpression"))
		cJSON_AddStringToObject(req, "ReturnValuesOnConditionCheckFailure", "ALL_OLD");
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	res = ddb_call_wait(ddb_call_start_ex(conn, op, a->hi->table, req, idempotent));
	if (res->status == DDB_CALL_OK)
		return;
	if (ddb_result_is(res, "ConditionalCheckFailedException"))
	{
		if (res->attempts > 1 && write_landed(conn, a, res))
			return;
		report_condition(a, true);
	}
	ddb_report_result(res, -1);
}

/* Sends the actions as one TransactWriteItems; false when the endpoint lacks it. */
static bool
send_transaction(DdbConn *conn, Action *actions, int n)
{
	cJSON	   *req = cJSON_CreateObject();
	cJSON	   *items = cJSON_AddArrayToObject(req, "TransactItems");
	char	   *text;
	size_t		len;
	DdbResult  *res;
	int			i;

	for (i = 0; i < n; i++)
	{
		cJSON	   *act = cJSON_CreateObject();

		cJSON_AddItemToObject(act, actions[i].kind, cJSON_Duplicate(actions[i].body, true));
		cJSON_AddItemToArray(items, act);
	}
	cJSON_AddStringToObject(req, "ClientRequestToken", txn->token);
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	text = cJSON_PrintUnformatted(req);
	len = text ? strlen(text) : 0;
	if (text)
		cJSON_free(text);
	if (len > DDB_TXN_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("transaction's DynamoDB writes take %zu bytes, more than the 4 MB of a TransactWriteItems request", len),
				 errdetail("Nothing of the transaction was written."),
				 errhint("Commit in smaller transactions, or SET ddbrel.write_mode = 'immediate' for bulk loads.")));
	/* one token for every attempt: DynamoDB applies it once */
	res = ddb_call_wait(ddb_call_start_ex(conn, "TransactWriteItems",
										  restore_budgets(conn, actions[0].hi->table), req, true));
	if (res->status == DDB_CALL_OK)
		return true;
	if (ddb_result_is(res, "UnknownOperationException"))
		return false;
	if (ddb_result_is(res, "TransactionCanceledException"))
		report_cancelled(actions, n, res);
	ddb_report_result(res, -1);
	return true;				/* not reached */
}

/*
 * Pre-commit: the held writes go out, as one plain write or one
 * TransactWriteItems.  Any error aborts the transaction.
 */
static void
commit_held(void)
{
	Action	   *actions;
	int			n = 0;
	ListCell   *lc;
	ErrorContextCallback errcb;
	DdbConn    *conn = txn->conn;
	MemoryContext oldcxt = MemoryContextSwitchTo(txn->cxt);

	actions = palloc0(sizeof(Action) * Max(list_length(txn->items), 1));
	foreach(lc, txn->items)
	{
		Action	   *a = &actions[n];

		a->hi = lfirst(lc);
		fold_steps(a->hi, InvalidCommandId, &a->v);
		if (a->v.state == DDB_HELD_NONE)
			continue;
		build_action(a);
		n++;
	}
	if (n == 0)
	{
		MemoryContextSwitchTo(oldcxt);
		return;
	}
	errcb.callback = commit_context;
	errcb.arg = &n;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (n == 1 && strcmp(actions[0].kind, "ConditionCheck") != 0 &&
		(!actions[0].counters || ddb_txn_lacks_transactions(conn)))
		send_plain(conn, &actions[0], !actions[0].counters);
	else if (!send_transaction(conn, actions, n))
	{
		/* the endpoint has no TransactWriteItems (dynalite): nothing was applied */
		if (n == 1 && strcmp(actions[0].kind, "ConditionCheck") != 0)
		{
			ddb_txn_set_lacks_transactions(conn);
			send_plain(conn, &actions[0], false);
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("the DynamoDB endpoint of server \"%s\" does not support TransactWriteItems",
							server_name(txn->serverid)),
					 errdetail_plural("The transaction holds %d write, which only a TransactWriteItems request can make. Nothing was written.",
									  "The transaction holds %d writes, which only one TransactWriteItems request can make atomic. Nothing was written.",
									  n, n),
					 errhint("SET ddbrel.write_mode = 'immediate' to write each statement as it runs, without atomicity.")));
	}
	error_context_stack = errcb.previous;
	MemoryContextSwitchTo(oldcxt);
}

/*
 * The top transaction's events: held writes go out at pre-commit, and are
 * dropped at the end either way.  PREPARE TRANSACTION cannot keep them.
 */
void
ddb_txn_xact_event(XactEvent event)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (txn && txn->items != NIL)
				commit_held();
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (txn && txn->items != NIL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that holds DynamoDB writes")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			txn = NULL;			/* its memory goes with TopTransactionContext */
			break;
		default:
			break;
	}
}
