/*-------------------------------------------------------------------------
 * scan_explain.c
 *	  EXPLAIN of one relation's scan (also each side of a join): the
 *	  planned request as the executor would send it, the key values named
 *	  as the query writes them, and what is checked on each item.
 *-------------------------------------------------------------------------
 */
#include "scan_int.h"

#include "commands/explain.h"
#include "nodes/nodeFuncs.h"

/*
 * A key value as EXPLAIN shows it: composed from the constants' texts and
 * the names of runtime values ($1, u.user_id), an IN list as "{...}".
 */
static cJSON *
shown_key_value(DdbScanState *st, DdbKeySpec *spec)
{
	List	   *idx = spec->exprs;
	const char *values[DDB_TEMPLATE_MAX_HOLES + 1];
	const char *extra = spec->extra;
	bool		all_const = true;
	char		err[256];
	char	   *text = NULL;
	int			i;
	cJSON	   *av = cJSON_CreateObject();

	for (i = 0; i < list_length(idx); i++)
	{
		int			e = list_nth_int(idx, i);
		Expr	   *ex = list_nth(st->plan_exprs, e);
		const char *shown = strVal(list_nth(st->shown, e));

		while (IsA(ex, RelabelType))
			ex = ((RelabelType *) ex)->arg;
		if (i == spec->in_pos || list_member_int(spec->in_zip, i))
			values[i] = "{...}";
		else if (IsA(ex, Const) && !((Const *) ex)->constisnull)
			values[i] = ddb_scan_value_text(((Const *) ex)->constvalue, ((Const *) ex)->consttype,
								   spec->keytype, spec->tmpl >= 0, spec->mode);
		else
		{
			values[i] = *shown ? shown : "?";
			all_const = false;
		}
	}
	if (spec->tmpl >= 0 && spec->mode >= DDB_SPEC_RANGE_LO)
	{
		/* an end of a key range; a highest key is named, not spelled out */
		DdbAttrTemplate *at = list_nth(st->opts->templates, spec->tmpl);
		int			n = list_length(idx);
		int			top_len;

		text = ddb_scan_hole_range_end(at->tmpl, values, n, spec->mode, extra, &top_len);
		if (text == NULL)
			text = psprintf("(%s)", at->text);
		else if (top_len >= 0 && (all_const || spec->mode == DDB_SPEC_RANGE_TOP))
			text = psprintf("%s (highest key with this prefix)", pnstrdup(text, top_len));
		else if (top_len >= 0)
		{
			/* the bound is known when the scan starts: say how the end is made */
			text = ddb_template_prefix(at->tmpl, values, n - 1, err, sizeof(err));
			text = psprintf("%s%s%s (highest key with this prefix, or with a shorter value's)",
							text ? text : "", values[n - 1], extra);
		}
		extra = "";
	}
	else if (spec->tmpl >= 0)
	{
		DdbAttrTemplate *at = list_nth(st->opts->templates, spec->tmpl);

		text = spec->prefix ? ddb_template_prefix(at->tmpl, values, list_length(idx), err, sizeof(err))
			: ddb_template_compose(at->tmpl, values, err, sizeof(err));
		if (text == NULL)
			text = psprintf("(%s)", at->text);
	}
	else
		text = list_length(idx) > 0 ? pstrdup(values[0]) : pstrdup("");
	if (spec->in_pos >= 0)
	{
		Expr	   *ex = list_nth(st->plan_exprs, list_nth_int(idx, spec->in_pos));
		const char *shown = strVal(list_nth(st->shown, list_nth_int(idx, spec->in_pos)));

		text = psprintf("%s (one per element of %s)", text,
						*shown ? shown : IsA(ex, Const) ? "a constant array" : "an array");
	}
	if (*extra)
		text = psprintf("%s%s", text, extra);
	cJSON_AddStringToObject(av, spec->keytype == 'N' ? "N" : spec->keytype == 'B' ? "B" : "S", text);
	return av;
}

/*
 * The request as EXPLAIN shows it: the planned request, rendered as the
 * executor renders it, with the key values as shown_key_value names them.
 */
static char *
shown_request(DdbScanState *st)
{
	List	   *values = NIL;
	ListCell   *lc;

	foreach(lc, st->req->keys)
		values = lappend(values, shown_key_value(st, lfirst(lc)));
	return cJSON_PrintUnformatted(ddb_read_request_json(st->req, values));
}

/* EXPLAIN lines of one scan (also each side of a join). */
void
ddb_scan_explain(DdbScanState *st, ExplainState *es)
{
	DdbReadRequest *req = st->req;

	ExplainPropertyText("DynamoDB Operation", ddb_op_names[st->op], es);
	ExplainPropertyText("DynamoDB Table", st->opts->table, es);
	if (req->index)
		ExplainPropertyText("DynamoDB Index", req->index, es);
	if (req->key_condition)
		ExplainPropertyText("DynamoDB Key Condition", req->key_condition, es);
	if (req->filter)
		ExplainPropertyText("DynamoDB Filter", req->filter, es);
	if (req->count)
		ExplainPropertyText("DynamoDB Select", "COUNT", es);
	else if (req->projection)
		ExplainPropertyText("DynamoDB Projection", req->projection, es);
	if (req->backward)
		ExplainPropertyText("DynamoDB Scan Index Forward", "false", es);
	if (req->limit > 0)
		ExplainPropertyInteger("DynamoDB Limit", NULL, req->limit, es);
	if (req->segments > 1)
		ExplainPropertyInteger("DynamoDB Segments", NULL, req->segments, es);
	if (req->fetch)
	{
		ExplainPropertyText("DynamoDB Fetch", "BatchGetItem of the index items' keys, up to 100 per call", es);
		if (req->fetch_projection)
			ExplainPropertyText("DynamoDB Fetch Projection", req->fetch_projection, es);
	}
	/* an index without the time to live: only the fetched items tell */
	if (req->fetch && st->hide_expired &&
		!(req->values && cJSON_GetObjectItemCaseSensitive(req->values, DDB_TTL_NOW_PH)))
		ExplainPropertyText("DynamoDB Local Check", "time to live", es);
	if (st->flags & DDB_FLAG_MATCH)
		ExplainPropertyText("DynamoDB Local Check", "key templates", es);
	if (st->flags & DDB_FLAG_TYPE_CHECK)
		ExplainPropertyText("DynamoDB Local Check",
							(st->opts->type_attribute && list_length(st->opts->identifiers) == 1) ?
							"type attribute" : "identifier attributes", es);
	if (es->verbose)
		ExplainPropertyText("DynamoDB Request", shown_request(st), es);
	if (es->verbose && req->fetch)
		ExplainPropertyText("DynamoDB Fetch Request",
							cJSON_PrintUnformatted(ddb_fetch_request(st->opts, req,
																	 cJSON_CreateString("(the keys of up to 100 index items)"))),
							es);
}
