/*-------------------------------------------------------------------------
 * import.h
 *	  What IMPORT FOREIGN SCHEMA learns from sampled items (import.c), the
 *	  recognition of modeling libraries' items (import_lib.c), and the SQL
 *	  text both write (import_sql.c).
 *
 * Internal to the three files; not part of ddbrel.h.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_IMPORT_H
#define DDB_IMPORT_H

#include "ddbrel.h"

/* How many items of a library's entity are kept to infer its templates. */
#define DDB_IMPORT_LIBRARY_SAMPLES 200

/* the DynamoDB types import.c's type_map knows (S, N, B, BOOL, NULL, M, L, SS, NS, BS) */
#define DDB_IMPORT_NTYPES 10

/* Which libraries' items IMPORT recognises (option library). */
#define DDB_LIB_ELECTRODB	0x01
#define DDB_LIB_TOOLBOX		0x02
#define DDB_LIB_ONETABLE	0x04
#define DDB_LIB_AUTO		(DDB_LIB_ELECTRODB | DDB_LIB_TOOLBOX)

typedef struct ImportOptions
{
	bool		entities;
	int			sample_size;
	char	   *type_attribute;
	int			libraries;		/* DDB_LIB_* recognised */
	bool		saw_type;		/* an item had _type, OneTable's attribute, unused */
} ImportOptions;

/* What the sampled items of one entity say about one key attribute. */
typedef struct KeyStats
{
	char	   *prefix;			/* prefix of the first item, NULL if none */
	char	   *text;			/* whole key of the first item */
	bool		same_prefix;	/* all items had that prefix (or none) */
	bool		same_text;		/* all items had that key */
} KeyStats;

typedef struct SeenAttr
{
	char	   *name;
	int			types;			/* bit i: type_map[i] seen */
	int			items;			/* sampled items that had it */
	int			counts[DDB_IMPORT_NTYPES];	/* of those, by type */
} SeenAttr;

typedef struct Entity
{
	char	   *tag;			/* grouping key */
	char	   *type_value;		/* with type_attribute */
	KeyStats	pk;
	KeyStats	sk;
	bool		keys_equal;		/* pk text == sk text in every item */
	List	   *attrs;			/* SeenAttr *, sorted by seen_attr_cmp */
	int			nitems;			/* sampled items of this entity */
	int			round;			/* naming round (import_entities) */
	char	   *name;
	const char *library;		/* "ElectroDB", "DynamoDB-Toolbox", "OneTable", or NULL */
	List	   *samples;		/* library entities: the first sampled items (cJSON *) */
} Entity;


/* import_sql.c: the SQL text of both importers */
extern char *ddb_import_ident(const char *s);
extern bool ddb_import_name_used(List *used, const char *name);
extern char *ddb_import_unique_name(List **used, const char *base);
extern void ddb_import_append_column(StringInfo buf, const char *colname, const char *type,
									 const char *attrname);
extern void ddb_import_begin_table(StringInfo buf, const char *name);
extern const char *ddb_import_sql_type(int types);
extern void ddb_import_template_literal(StringInfo buf, const char *s);
extern int	ddb_import_type_index(const char *t);
extern const char *ddb_import_type_name(int i);
extern const char *ddb_import_key_sql_type(const char *t);

/* import_lib.c */
extern int	ddb_import_library_option(const char *value);
extern char *ddb_import_library_tag(const cJSON *item, ImportOptions *opts,
									const char **library, char **name);
extern char *ddb_import_library_table(Entity *ent, DdbTableDesc *desc, const char *server);
extern void ddb_import_library_notice(List *entities, DdbTableDesc *desc, ImportOptions *opts);

#endif
