/*-------------------------------------------------------------------------
 * deparse_request.c
 *	  The read requests of a scan: how planner.c hands them to scan.c in
 *	  ForeignScan->fdw_private, and the JSON they become.
 *
 * deparse.c writes the expressions of a request; this file puts a request
 * together from them.  What the planner fixes travels in fdw_private,
 * which must be a tree of plain nodes (copyObject, EXPLAIN of a cached
 * plan): each structure below has one function that packs it into a List
 * and one that reads it back, and no other code knows the positions.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include "nodes/value.h"

/* ----------------------------------------------------------------
 * Key specs
 * ----------------------------------------------------------------
 */

/* Positions of a packed DdbKeySpec. */
enum KeySpecField
{
	SPEC_NAME,					/* String */
	SPEC_ROLE,					/* Integer */
	SPEC_KEYTYPE,				/* Integer: 'S', 'N' or 'B' */
	SPEC_TMPL,					/* Integer */
	SPEC_EXPRS,					/* IntList */
	SPEC_IN_POS,				/* Integer */
	SPEC_EXTRA,					/* String */
	SPEC_PREFIX,				/* Integer: 0 or 1 */
	SPEC_NFIELDS
};

/* A key spec as plain nodes, for fdw_private. */
List *
ddb_key_spec_pack(const DdbKeySpec *spec)
{
	List	   *l = NIL;

	l = lappend(l, makeString(pstrdup(spec->name)));
	l = lappend(l, makeInteger(spec->role));
	l = lappend(l, makeInteger(spec->keytype));
	l = lappend(l, makeInteger(spec->tmpl));
	l = lappend(l, list_copy(spec->exprs));
	l = lappend(l, makeInteger(spec->in_pos));
	l = lappend(l, makeString(pstrdup(spec->extra ? spec->extra : "")));
	l = lappend(l, makeInteger(spec->prefix ? 1 : 0));
	Assert(list_length(l) == SPEC_NFIELDS);
	return l;
}

/* A key spec read back from ddb_key_spec_pack's List. */
DdbKeySpec *
ddb_key_spec_unpack(List *packed)
{
	DdbKeySpec *spec = palloc0(sizeof(DdbKeySpec));

	Assert(list_length(packed) == SPEC_NFIELDS);
	spec->name = strVal(list_nth(packed, SPEC_NAME));
	spec->role = intVal(list_nth(packed, SPEC_ROLE));
	spec->keytype = (char) intVal(list_nth(packed, SPEC_KEYTYPE));
	spec->tmpl = intVal(list_nth(packed, SPEC_TMPL));
	spec->exprs = (List *) list_nth(packed, SPEC_EXPRS);
	spec->in_pos = intVal(list_nth(packed, SPEC_IN_POS));
	spec->extra = strVal(list_nth(packed, SPEC_EXTRA));
	spec->prefix = intVal(list_nth(packed, SPEC_PREFIX)) != 0;
	return spec;
}
