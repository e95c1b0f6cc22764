/*-------------------------------------------------------------------------
 * unique.c
 *	  Unique columns: a guard item per value, written, deleted or moved with
 *	  its row in the transaction's TransactWriteItems.
 *
 * A value of a unique column owns the item
 *   PK = UNIQUE#<entity>.<attribute>#<value> (and SK the same)
 * where the entity is the table's type_value, or the foreign table's name.
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

static cJSON *
guard_key(DdbRelOptions *opts, Relation rel, DdbColumn *col, const char *text)
{
	cJSON	   *key = cJSON_CreateObject();
	char	   *k;

	if (opts->desc && (opts->desc->pk_type != 'S' || (opts->sort_key && opts->desc->sk_type != 'S')))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unique column \"%s\" needs DynamoDB table \"%s\" to have string keys",
						col->colname, opts->table),
				 errdetail("Its guard items have keys of the form UNIQUE#<entity>.<attribute>#<value>.")));
	k = psprintf("UNIQUE#%s.%s#%s",
				 opts->type_value ? opts->type_value : RelationGetRelationName(rel),
				 col->attrname, text);
	cJSON_AddItemToObject(key, opts->partition_key, ddb_av_string(k));
	if (opts->sort_key)
		cJSON_AddItemToObject(key, opts->sort_key, ddb_av_string(k));
	return key;
}

/*
 * The guard writes of a row change, from the old values (NULL for an
 * INSERT) to the new ones (NULL for a DELETE): a value that goes away
 * deletes its guard, a new one puts its guard on condition that none
 * exists.  Held with the row's own write; for an upsert load (not held),
 * returned as PutRequests instead, unchecked.
 */
List *
ddb_unique_guards(DdbConn *conn, DdbRelOptions *opts, Relation rel, bool held,
				  Datum *oldv, bool *oldn, Datum *newv, bool *newn, const cJSON *rowkey)
{
	List	   *puts = NIL;
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
		if (ot && nt && strcmp(ot, nt) == 0)
			continue;
		if (ot && held)
		{
			DdbHeldWrite w = {0};

			w.kind = DDB_HELD_DELETE;
			w.table = opts->table;
			w.key = guard_key(opts, rel, col, ot);
			w.relname = RelationGetRelationName(rel);
			ddb_txn_hold(conn, &w);
		}
		if (nt)
		{
			cJSON	   *key = guard_key(opts, rel, col, nt);
			cJSON	   *item = cJSON_Duplicate(key, true);
			cJSON	   *owner = cJSON_CreateObject();
			DdbHeldState st = held ?
			ddb_txn_item_state(conn, opts->table, key) : DDB_HELD_NONE;

			/* a value this transaction gave to another row already */
			if (st == DDB_HELD_IMAGE || st == DDB_HELD_PATCH || st == DDB_HELD_CHECKED)
				ereport(ERROR,
						(errcode(ERRCODE_UNIQUE_VIOLATION),
						 errmsg("duplicate value for unique column \"%s\" = '%s' of foreign table \"%s\"",
								col->colname, nt, RelationGetRelationName(rel)),
						 errdetail("This transaction gave that value to another row.")));

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
				w.role = DDB_ROLE_UNIQUE;
				w.relname = RelationGetRelationName(rel);
				w.what = psprintf("\"%s\" = '%s'", col->colname, nt);
				ddb_txn_hold(conn, &w);
			}
			else
			{
				cJSON	   *pr = cJSON_CreateObject();

				cJSON_AddItemToObject(cJSON_AddObjectToObject(pr, "PutRequest"), "Item", item);
				puts = lappend(puts, pr);
			}
		}
	}
	return puts;
}

