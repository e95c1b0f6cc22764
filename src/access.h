/*-------------------------------------------------------------------------
 * access.h
 *	  What planner.c and access.c share: how conditions bind key attributes,
 *	  and the access (operation, table or index) chosen for them.
 *
 * Only planner.c and access.c include this; the rest of ddbrel sees the
 * planner through the ddb_rel_* functions of ddbrel.h.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_ACCESS_H
#define DDB_ACCESS_H

#include "ddbrel.h"

#include "nodes/pathnodes.h"

/* How a key attribute is bound. */
typedef enum KeyBindKind
{
	KB_NONE,
	KB_PREFIX,					/* begins_with */
	KB_RANGE,					/* < <= > >= BETWEEN */
	KB_IN,						/* one of several values */
	KB_EQ						/* one value */
} KeyBindKind;

/* A binding of one key attribute, from quals. */
typedef struct KeyBind
{
	const char *attr;
	char		keytype;		/* 'S', 'N', 'B' */
	KeyBindKind kind;
	int			which;			/* template index in opts->templates, or -1: raw */
	List	   *exprs;			/* values: raw: 1 (EQ/IN); template: bound holes */
	int			in_pos;			/* position in exprs that is an array (IN), or -1 */
	List	   *in_zip;			/* other array positions, paired with in_pos's */
	char	   *extra;			/* constant prefix text: raw begins_with, or appended
								 * to a template prefix */
	DdbQual    *lo;				/* RANGE bounds (either may be NULL) */
	DdbQual    *hi;
	List	   *consumed;		/* RestrictInfos this binding represents exactly */
	RestrictInfo *in_ri;		/* KB_IN: the IN condition */
	bool		tmpl_exact;		/* template: key condition implies the match */
	int			spec_mode;		/* raw: DDB_SPEC_EPOCH_* for a date or time kept
								 * as an epoch number, else DDB_SPEC_WHOLE */
} KeyBind;

/* A condition with its classification. */
typedef struct QualInfo
{
	RestrictInfo *ri;
	DdbQual    *q;				/* NULL when it is not a simple column test */
} QualInfo;

/*
 * One way to read the relation.  An index with multi-attribute keys binds
 * each of its partition-key attributes (pk, then more_pk) by equality, and
 * its sort-key attributes left to right: sk_eq by equality, then sk (the
 * last one bound, by equality, a range or a prefix).
 */
typedef struct Access
{
	DdbOp		op;
	DdbIndexDesc *index;		/* NULL: the table */
	KeyBind    *pk;				/* partition key of the table or index */
	KeyBind    *sk;				/* sort key condition, or NULL */
	List	   *more_pk;		/* KeyBind: the other partition-key attributes */
	List	   *sk_eq;			/* KeyBind: sort-key attributes before sk */
	bool		fetch;			/* the index does not hold every attribute the
								 * query needs: its items' keys are looked up
								 * in the table (BatchGetItem) */
	int			nkeys;			/* IN: values, for costing */
	List	   *consumed;		/* RestrictInfos represented exactly */
	double		rows;
	Cost		cost;
} Access;

/* the fewest items a table is planned for (see ddbGetForeignRelSize) */
#define DDB_MIN_TABLE_ITEMS 100000.0

/* Per-relation planning state, kept in baserel->fdw_private. */
typedef struct DdbPlanState
{
	DdbRelOptions *opts;
	double		table_items;
	Bitmapset  *attrs;			/* columns the query reads (targets and quals) */
	Access	   *base;			/* best access with the relation's own quals */
} DdbPlanState;

/* access.c */
extern List *ddb_classify_all(DdbRelOptions *opts, Index relid, List *rinfos);
extern Access *ddb_choose_access(DdbPlanState *ps, List *quals);
extern KeyBind *ddb_bind_template(DdbRelOptions *opts, int which, List *quals);
extern bool ddb_hole_takes_any_text(DdbRelOptions *opts, const char *hole);
extern int	ddb_epoch_spec_mode(DdbColumn *col);
extern bool ddb_index_projects(DdbRelOptions *opts, DdbIndexDesc *ix, const char *attr);

#endif							/* DDB_ACCESS_H */
