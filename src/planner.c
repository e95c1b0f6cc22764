/*-------------------------------------------------------------------------
 * planner.c
 *	  Paths and plans: size estimates, the DynamoDB request a scan will
 *	  send, and the projection it needs.
 *
 * The plan carries the request as JSON text with #name/:value placeholders
 * only; the executor adds paging (ExclusiveStartKey) and segments.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "access/sysattr.h"
#include "foreign/fdwapi.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* Per-relation planning state, kept in baserel->fdw_private. */
typedef struct DdbPlanState
{
	DdbRelOptions *opts;
	double		table_items;
} DdbPlanState;

/* ----------------------------------------------------------------
 * Expression builder: every name and value becomes a placeholder
 * ----------------------------------------------------------------
 */
void
ddb_expr_init(DdbExprBuilder *b)
{
	b->names = cJSON_CreateObject();
	b->values = cJSON_CreateObject();
	b->nnames = 0;
	b->nvalues = 0;
}

/* The #placeholder of an attribute name, reusing one already assigned. */
const char *
ddb_expr_name(DdbExprBuilder *b, const char *attr)
{
	cJSON	   *e;
	char		ph[16];

	cJSON_ArrayForEach(e, b->names)
		if (cJSON_IsString(e) && strcmp(e->valuestring, attr) == 0)
		return e->string;
	snprintf(ph, sizeof(ph), "#n%d", b->nnames++);
	cJSON_AddStringToObject(b->names, ph, attr);
	return cJSON_GetObjectItemCaseSensitive(b->names, ph)->string;
}

/* The :placeholder of a value (an AttributeValue object, now owned by b). */
const char *
ddb_expr_value(DdbExprBuilder *b, cJSON *av)
{
	char		ph[16];

	snprintf(ph, sizeof(ph), ":v%d", b->nvalues++);
	cJSON_AddItemToObject(b->values, ph, av);
	return cJSON_GetObjectItemCaseSensitive(b->values, ph)->string;
}

cJSON *
ddb_av_string(const char *s)
{
	cJSON	   *av = cJSON_CreateObject();

	cJSON_AddStringToObject(av, "S", s);
	return av;
}

/* Adds the names and values maps to a request, when not empty. */
void
ddb_expr_attach(DdbExprBuilder *b, cJSON *req)
{
	if (b->nnames > 0)
		cJSON_AddItemToObject(req, "ExpressionAttributeNames", b->names);
	else
		cJSON_Delete(b->names);
	if (b->nvalues > 0)
		cJSON_AddItemToObject(req, "ExpressionAttributeValues", b->values);
	else
		cJSON_Delete(b->values);
	b->names = b->values = NULL;
}

/*
 * The condition that an entity's key attribute has its template's shape, as
 * far as DynamoDB can check it: the literal text before the first hole.
 * The executor then matches the whole template.
 */
static void
template_condition(DdbExprBuilder *b, StringInfo cond, const char *attr,
				   const ddb_template *t)
{
	char		err[256];
	char	   *prefix;

	if (t == NULL)
		return;
	prefix = ddb_template_prefix(t, NULL, 0, err, sizeof(err));
	if (prefix == NULL || *prefix == '\0')
		return;
	if (cond->len > 0)
		appendStringInfoString(cond, " AND ");
	if (t->nholes == 0)
		appendStringInfo(cond, "%s = %s", ddb_expr_name(b, attr),
						 ddb_expr_value(b, ddb_av_string(prefix)));
	else
		appendStringInfo(cond, "begins_with(%s, %s)", ddb_expr_name(b, attr),
						 ddb_expr_value(b, ddb_av_string(prefix)));
}

void
ddbGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	DdbPlanState *ps = palloc0(sizeof(DdbPlanState));
	double		rows;

	ps->opts = ddb_get_rel_options(foreigntableid, true);
	ps->table_items = ps->opts->desc ? ps->opts->desc->item_count : 1000;
	rows = Max(ps->table_items, 10);
	if (ps->opts->pk_template || ps->opts->type_attribute)
		rows = Max(rows / 4, 1);	/* one entity type of several */
	baserel->rows = clamp_row_est(rows * clauselist_selectivity(root, baserel->baserestrictinfo,
																0, JOIN_INNER, NULL));
	baserel->fdw_private = ps;
}

void
ddbGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	DdbPlanState *ps = baserel->fdw_private;
	Cost		startup = 25;
	Cost		total;

	/* a Scan reads every item of the table, whatever it returns */
	total = startup + Max(ps->table_items, 10) * 0.05 + baserel->rows * cpu_tuple_cost;
	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows,
									 startup, total, NIL, NULL, NULL, NIL));
}

/* Which columns the query needs: targets and local quals. */
static Bitmapset *
needed_columns(RelOptInfo *baserel, List *local_quals)
{
	Bitmapset  *attrs = NULL;
	ListCell   *lc;

	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs);
	foreach(lc, local_quals)
		pull_varattnos((Node *) lfirst(lc), baserel->relid, &attrs);
	return attrs;
}

static void
add_projection(List **names, const char *attr)
{
	ListCell   *lc;

	foreach(lc, *names)
		if (strcmp((char *) lfirst(lc), attr) == 0)
		return;
	*names = lappend(*names, (char *) attr);
}

ForeignScan *
ddbGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				  ForeignPath *best_path, List *tlist, List *scan_clauses,
				  Plan *outer_plan)
{
	DdbPlanState *ps = baserel->fdw_private;
	DdbRelOptions *opts = ps->opts;
	List	   *local = extract_actual_clauses(scan_clauses, false);
	Bitmapset  *attrs = needed_columns(baserel, local);
	bool		whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
	bool		all_attrs = false;
	List	   *retrieved = NIL;
	List	   *proj = NIL;
	DdbExprBuilder b;
	StringInfoData filter;
	cJSON	   *req;
	char	   *text;
	int			i;

	if (!opts->allow_full_scan)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("query on foreign table \"%s\" would scan the whole DynamoDB table \"%s\"",
						get_rel_name(foreigntableid), opts->table),
				 errhint("Add a condition on the partition key%s, or set allow_full_scan to true.",
						 opts->pk_template ? " (the columns of pk_template)" : "")));

	for (i = 0; i < opts->ncolumns; i++)
	{
		DdbColumn  *col = &opts->columns[i];

		if (!whole_row &&
			!bms_is_member(col->attnum - FirstLowInvalidHeapAttributeNumber, attrs))
			continue;
		retrieved = lappend_int(retrieved, col->attnum);
		if (col->source == DDB_COL_DOCUMENT)
			all_attrs = true;
		else if (col->source == DDB_COL_ATTRIBUTE)
			proj = lappend(proj, col->attrname);
	}

	ddb_expr_init(&b);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableName", opts->table);

	/* entity tables: only items whose keys have the templates' shape */
	initStringInfo(&filter);
	template_condition(&b, &filter, opts->partition_key, opts->pk_template);
	if (opts->sort_key)
		template_condition(&b, &filter, opts->sort_key, opts->sk_template);
	if (opts->type_attribute)
	{
		if (filter.len > 0)
			appendStringInfoString(&filter, " AND ");
		appendStringInfo(&filter, "%s = %s", ddb_expr_name(&b, opts->type_attribute),
						 ddb_expr_value(&b, ddb_av_string(opts->type_value)));
	}

	if (!all_attrs)
	{
		StringInfoData pe;
		ListCell   *lc;

		/* key attributes always: they name the item in errors and carry templates */
		proj = lcons(opts->partition_key, proj);
		if (opts->sort_key)
			proj = list_insert_nth(proj, 1, opts->sort_key);
		initStringInfo(&pe);
		{
			List	   *uniq = NIL;

			foreach(lc, proj)
				add_projection(&uniq, (char *) lfirst(lc));
			foreach(lc, uniq)
			{
				if (pe.len > 0)
					appendStringInfoString(&pe, ", ");
				appendStringInfoString(&pe, ddb_expr_name(&b, (char *) lfirst(lc)));
			}
		}
		cJSON_AddStringToObject(req, "ProjectionExpression", pe.data);
	}
	if (filter.len > 0)
		cJSON_AddStringToObject(req, "FilterExpression", filter.data);
	ddb_expr_attach(&b, req);
	if (opts->consistent_read)
		cJSON_AddBoolToObject(req, "ConsistentRead", true);
	cJSON_AddStringToObject(req, "ReturnConsumedCapacity", "TOTAL");
	text = cJSON_PrintUnformatted(req);

	return make_foreignscan(tlist, local, baserel->relid, NIL,
							list_make5(makeString(pstrdup("Scan")),
									   makeString(pstrdup("")),
									   makeString(pstrdup(text)),
									   makeInteger(opts->parallel_segments),
									   retrieved),
							NIL, NIL, outer_plan);
}
