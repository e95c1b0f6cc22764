/*-------------------------------------------------------------------------
 * unique.c
 *	  Unique columns: a guard item per value, written, deleted or moved with
 *	  its row in the transaction's TransactWriteItems.
 *
 * A value of a unique column owns the item
 *   PK = UNIQUE#<entity>.<attribute>#<value> (and SK the same)
 * where the entity is the table's type_value, or the foreign table's name.
 * A combination of values of a set of columns unique together (the table
 * option unique) owns
 *   PK = UNIQUE#<entity>.<attribute>,<attribute>...#<length>:<value>#...
 * each value preceded by its length, so that no two combinations share a
 * key whatever characters they hold.
 * No entity template starts with "UNIQUE#", so entity scans never see
 * them.  INSERT puts the guard (attribute_not_exists), DELETE deletes it,
 * UPDATE moves it, all in the transaction's TransactWriteItems.  An
 * upsert load (not held) writes the guards unchecked, batched with its
 * rows: the source's own constraint holds for it (migrate()).
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "utils/rel.h"

#include "codec_core.h"

/* The text of a unique column's value in its guard's key. */
static char *
guard_value_text(DdbColumn *col, Datum value)
{
	char	   *t = ddb_datum_to_key_text(value, col);

	if (col->category == DDB_TYPE_NUMBER)
		ddb_number_trim(t);
	return t;
}

/*
 * The text of a set's values in its guard's key: each value preceded by
 * its length in bytes, so that no two combinations give the same text
 * whatever characters the values hold.  NULL when a value is NULL: as in
 * SQL, a combination with a NULL is unique.
 */
static char *
set_value_text(DdbRelOptions *opts, DdbUniqueSet *set, Datum *values, bool *isnull)
{
	StringInfoData buf;
	int			i;

	if (values == NULL)
		return NULL;
	initStringInfo(&buf);
	for (i = 0; i < set->ncols; i++)
	{
		DdbColumn  *col = &opts->columns[set->cols[i]];
		char	   *t;

		if (isnull[col->attnum - 1])
			return NULL;
		t = guard_value_text(col, values[col->attnum - 1]);
		appendStringInfo(&buf, "%s%zu:%s", i ? "#" : "", strlen(t), t);
	}
	return buf.data;
}

/* How a set and its values read in messages: ("a", "b") = ('x', 'y'). */
static char *
set_what(DdbRelOptions *opts, DdbUniqueSet *set, Datum *values)
{
	StringInfoData names;
	StringInfoData vals;
	int			i;

	initStringInfo(&names);
	initStringInfo(&vals);
	for (i = 0; i < set->ncols; i++)
	{
		DdbColumn  *col = &opts->columns[set->cols[i]];

		appendStringInfo(&names, "%s\"%s\"", i ? ", " : "", col->colname);
		appendStringInfo(&vals, "%s'%s'", i ? ", " : "",
						 guard_value_text(col, values[col->attnum - 1]));
	}
	return psprintf("(%s) = (%s)", names.data, vals.data);
}

static cJSON *
guard_key(DdbRelOptions *opts, Relation rel, const char *colname, const char *attrs,
		  const char *text)
{
	cJSON	   *key = cJSON_CreateObject();
	char	   *k;

	if (opts->desc && (opts->desc->pk_type != 'S' || (opts->sort_key && opts->desc->sk_type != 'S')))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unique column \"%s\" needs DynamoDB table \"%s\" to have string keys",
						colname, opts->table),
				 errdetail("Its guard items have keys of the form UNIQUE#<entity>.<attribute>#<value>.")));
	k = psprintf("UNIQUE#%s.%s#%s",
				 opts->type_value ? opts->type_value : RelationGetRelationName(rel),
				 attrs, text);
	cJSON_AddItemToObject(key, opts->partition_key, ddb_av_string(k));
	if (opts->sort_key)
		cJSON_AddItemToObject(key, opts->sort_key, ddb_av_string(k));
	return key;
}

/*
 * One guard's change: the old value's text (NULL when none) gives way to
 * the new one's.  what names the column or set and the new value, for
 * messages; set tells which.  Appends an upsert load's PutRequest to
 * *puts.
 */
static void
guard_change(DdbConn *conn, DdbRelOptions *opts, Relation rel, bool held,
			 const char *colname, const char *attrs, const char *ot, const char *nt,
			 const char *what, bool set, const cJSON *rowkey, List **puts)
{
	if (ot && nt && strcmp(ot, nt) == 0)
		return;
	if (ot && held)
	{
		DdbHeldWrite w = {0};

		w.kind = DDB_HELD_DELETE;
		w.table = opts->table;
		w.key = guard_key(opts, rel, colname, attrs, ot);
		w.relname = RelationGetRelationName(rel);
		ddb_txn_hold(conn, &w);
	}
	if (nt)
	{
		cJSON	   *key = guard_key(opts, rel, colname, attrs, nt);
		cJSON	   *item = cJSON_Duplicate(key, true);
		cJSON	   *owner = cJSON_CreateObject();
		DdbHeldState st = held ?
		ddb_txn_item_state(conn, opts->table, key) : DDB_HELD_NONE;

		/* a value this transaction gave to another row already */
		if (st == DDB_HELD_IMAGE || st == DDB_HELD_PATCH || st == DDB_HELD_CHECKED)
		{
			if (set)
				ereport(ERROR,
						(errcode(ERRCODE_UNIQUE_VIOLATION),
						 errmsg("duplicate values for unique columns %s of foreign table \"%s\"",
								what, RelationGetRelationName(rel)),
						 errdetail("This transaction gave those values to another row.")));
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("duplicate value for unique column %s of foreign table \"%s\"",
							what, RelationGetRelationName(rel)),
					 errdetail("This transaction gave that value to another row.")));
		}

		cJSON_AddItemToObject(owner, "M", cJSON_Duplicate(rowkey, true));
		cJSON_AddItemToObject(item, "unique_owner", owner);
		if (held)
		{
			DdbHeldWrite w = {0};
			DdbExprBuilder b;

			ddb_expr_init(&b);
			w.kind = DDB_HELD_PUT;
			w.table = opts->table;
			w.key = key;
			w.image = item;
			w.cond = ddb_cond_make(&b, ddb_deparse_exists(&b, opts->partition_key, false));
			w.role = set ? DDB_ROLE_UNIQUE_SET : DDB_ROLE_UNIQUE;
			w.relname = RelationGetRelationName(rel);
			w.what = pstrdup(what);
			ddb_txn_hold(conn, &w);
		}
		else
		{
			cJSON	   *pr = cJSON_CreateObject();

			cJSON_AddItemToObject(cJSON_AddObjectToObject(pr, "PutRequest"), "Item", item);
			*puts = lappend(*puts, pr);
		}
	}
}

/*
 * The guard writes of a row change, from the old values (NULL for an
 * INSERT) to the new ones (NULL for a DELETE): a value that goes away
 * deletes its guard, a new one puts its guard on condition that none
 * exists.  Held with the row's own write; for an upsert load (not held),
 * returned as PutRequests instead, unchecked.  Unique columns first, then
 * the sets of the table option unique.
 */
List *
ddb_unique_guards(DdbConn *conn, DdbRelOptions *opts, Relation rel, bool held,
				  Datum *oldv, bool *oldn, Datum *newv, bool *newn, const cJSON *rowkey)
{
	List	   *puts = NIL;
	ListCell   *lc;
	int			i;

	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];
		int			att = col->attnum - 1;
		char	   *ot;
		char	   *nt;

		if (!col->unique)
			continue;
		ot = (oldv && !oldn[att]) ? guard_value_text(col, oldv[att]) : NULL;
		nt = (newv && !newn[att]) ? guard_value_text(col, newv[att]) : NULL;
		guard_change(conn, opts, rel, held, col->colname, col->attrname, ot, nt,
					 nt ? psprintf("\"%s\" = '%s'", col->colname, nt) : NULL, false,
					 rowkey, &puts);
	}
	foreach(lc, opts->unique_sets)
	{
		DdbUniqueSet *set = lfirst(lc);
		char	   *ot = set_value_text(opts, set, oldv, oldn);
		char	   *nt = set_value_text(opts, set, newv, newn);

		guard_change(conn, opts, rel, held, opts->columns[set->cols[0]].colname, set->attrs,
					 ot, nt, nt ? set_what(opts, set, newv) : NULL, true, rowkey, &puts);
	}
	return puts;
}
