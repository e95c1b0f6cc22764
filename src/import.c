/*-------------------------------------------------------------------------
 * import.c
 *	  IMPORT FOREIGN SCHEMA: DynamoDB tables, or the entities of a
 *	  single-table design, as foreign tables.
 *
 * The remote schema is a DynamoDB table name ("AppData"), or "*" for every
 * table ListTables returns; a named table that does not exist is an error.
 * LIMIT TO / EXCEPT name the foreign tables to create, since PostgreSQL
 * filters the generated statements by name: in a raw import the
 * lower-cased DynamoDB table names (LIMIT TO (appdata)), with entities the
 * entity tables (LIMIT TO ("user")).
 *
 * Raw import (default): one foreign table per DynamoDB table, named like it
 * lower-cased, with a column per attribute of AttributeDefinitions (keys of
 * the table and its indexes: partition key, sort key, then the others)
 * typed S text COLLATE "C", N numeric, B bytea, and "item jsonb OPTIONS
 * (document 'true')"; table options table, partition_key, sort_key (if
 * any).  Key strings are declared COLLATE "C" because DynamoDB orders keys
 * by their bytes: under any other collation no range or ORDER BY on them
 * could become a key condition.
 *
 * Every import samples items (a paginated Scan of sample_size items,
 * default 1000, 0..100000; 0 samples nothing in a raw import) and says in
 * a NOTICE per foreign table how many sampled items had each attribute,
 * and of which types.  entities 'true' creates one foreign table per
 * entity of the sample (sample_size at least 1); type_attribute 'a' groups
 * items by the value of attribute a (items without a string or number
 * there are skipped), and requires entities 'true'.
 *
 * A key's prefix is its text up to and including the first '#', when that
 * '#' is not the first character ("USER#123" -> "USER#").  Without
 * type_attribute, items group by (partition key prefix, sort key prefix);
 * keys without a prefix group by their text up to the second '#' if they
 * start with '#' ("#METADATA"), else all together (UUIDs, numbers).  In a
 * group a key becomes prefix + hole when all items share the prefix, else
 * a literal when identical in all items, else a bare hole named after its
 * attribute.  Holes are "<prefix lower-cased>_id" columns of type text COLLATE "C";
 * keys with one prefix that were equal in every item share the hole
 * ('USER#{user_id}' twice), otherwise the sort key's is "<prefix>_id2".
 *
 * An entity is named after its sort key prefix ("ORDER#" -> "order"), or
 * its partition key's when the sort key is a literal, a bare hole or has
 * the same prefix, or else the DynamoDB table; with type_attribute, after
 * the type value.  Names keep [a-z0-9_] only.  Entities whose keys have
 * two different prefixes are named last, those whose partition key names
 * another entity first; a name already taken becomes "<pk>_<sk>"
 * ("STUDENT#"/"LECTURE#" -> "student_lecture"; "USER#"/"#SETTINGS" next
 * to "USER#"/"#PROFILE" -> "user_settings"), then "_2", "_3" ..., as
 * clashing column names do.  Other attributes seen (not the table's keys, not the type
 * attribute) follow the holes in order of their lower-cased names: S text,
 * N numeric, BOOL boolean, B bytea, M/L jsonb, SS text[], NS numeric[], BS
 * bytea[], only NULL text, mixed types jsonb; "attribute" options keep the
 * original names.  Neither the order of the items a Scan returns nor the
 * order of the attributes in an item is the same on every DynamoDB
 * implementation, so entities are named in order of their grouping keys
 * and columns sorted by name: the same items give the same statements.  Table options: table, pk_template, sk_template (if the
 * table has a sort key), type_attribute and type_value.  A table without
 * items gets a NOTICE and no foreign table.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/memutils.h"

#include "ddbrel.h"
#include "codec_core.h"
#include "import.h"

#define DEFAULT_SAMPLE_SIZE 1000
#define MAX_SAMPLE_SIZE 100000

/* Parses the OPTIONS of IMPORT FOREIGN SCHEMA, rejecting unknown ones. */
static void
parse_import_options(List *options, ImportOptions *opts)
{
	ListCell   *lc;
	char	   *needs_entities = NULL;
	bool		sample_given = false;

	opts->entities = false;
	opts->sample_size = DEFAULT_SAMPLE_SIZE;
	opts->type_attribute = NULL;
	opts->libraries = DDB_LIB_AUTO;
	opts->saw_type = false;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		char	   *value = defGetString(def);

		if (strcmp(def->defname, "entities") == 0)
			opts->entities = ddb_parse_bool_option(def->defname, value);
		else if (strcmp(def->defname, "sample_size") == 0)
		{
			opts->sample_size = ddb_parse_int_option(def->defname, value,
													 0, MAX_SAMPLE_SIZE);
			sample_given = true;
		}
		else if (strcmp(def->defname, "type_attribute") == 0)
		{
			if (*value == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"%s\" must not be empty", def->defname)));
			opts->type_attribute = value;
			needs_entities = def->defname;
		}
		else if (strcmp(def->defname, "library") == 0)
		{
			opts->libraries = ddb_import_library_option(value);
			needs_entities = def->defname;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid import option \"%s\"", def->defname),
					 errhint("Valid import options are entities, sample_size, type_attribute and library.")));
	}
	if (needs_entities && !opts->entities)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("import option \"%s\" requires entities 'true'",
						needs_entities)));
	/* entities are made from samples: at least one */
	if (sample_given && opts->entities && opts->sample_size < 1)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"sample_size\" requires an integer between %d and %d",
						1, MAX_SAMPLE_SIZE),
				 errdetail("\"%d\" is not.", opts->sample_size)));
}

/*
 * Says what a sample found, for the foreign table made from it: how many
 * of the sampled items had each attribute, and with which types.  The
 * table's key attributes and the type attribute, which every item has,
 * are left out.  At most NOTICE_ATTRS attributes are named.
 */
#define NOTICE_ATTRS 100
static void
report_sample(const char *tabname, DdbTableDesc *desc, Entity *ent)
{
	StringInfoData buf;
	ListCell   *lc;
	int			n = 0;

	initStringInfo(&buf);
	foreach(lc, ent->attrs)
	{
		SeenAttr   *seen = lfirst(lc);
		int			i;
		bool		mixed = (seen->types & (seen->types - 1)) != 0;
		bool		first = true;

		if (n++ == NOTICE_ATTRS)
		{
			appendStringInfo(&buf, "; and %d more", list_length(ent->attrs) - NOTICE_ATTRS);
			break;
		}
		appendStringInfo(&buf, "%s%s %d (", n > 1 ? "; " : "", seen->name, seen->items);
		for (i = 0; i < DDB_IMPORT_NTYPES; i++)
		{
			if (seen->counts[i] == 0)
				continue;
			appendStringInfo(&buf, "%s%s", first ? "" : ", ", ddb_import_type_name(i));
			if (mixed)
				appendStringInfo(&buf, " %d", seen->counts[i]);
			first = false;
		}
		appendStringInfoChar(&buf, ')');
	}
	if (ent->attrs == NIL)
		ereport(NOTICE,
				(errmsg("foreign table \"%s\": %d sampled items of DynamoDB table \"%s\"",
						tabname, ent->nitems, desc->name),
				 errdetail("The items have no attributes besides their keys.")));
	else
		ereport(NOTICE,
				(errmsg("foreign table \"%s\": %d sampled items of DynamoDB table \"%s\"",
						tabname, ent->nitems, desc->name),
				 errdetail("How many of them had each attribute, and of which types: %s.",
						   buf.data)));
}

/*
 * The raw foreign table of one DynamoDB table: its key attributes as typed
 * columns (partition key, sort key, then index keys) and the whole item.
 * sample, when not NULL, is what sampling its items found.
 */
static char *
raw_table_cmd(DdbTableDesc *desc, const char *server, List **used_tables, Entity *sample)
{
	StringInfoData buf;
	List	   *used_cols = NIL;
	List	   *defs = desc->attr_types;
	char	   *tabname = ddb_import_unique_name(used_tables, asc_tolower(desc->name, strlen(desc->name)));
	int			pass,
				i;

	ddb_import_begin_table(&buf, tabname);
	/* pass 0: partition key, 1: sort key, 2: the other attributes */
	for (pass = 0; pass < 3; pass++)
	{
		for (i = 0; i + 1 < list_length(defs); i += 2)
		{
			char	   *attr = (char *) list_nth(defs, i);
			int			which = 2;

			if (strcmp(attr, desc->pk_attr) == 0)
				which = 0;
			else if (desc->sk_attr && strcmp(attr, desc->sk_attr) == 0)
				which = 1;

			if (which == pass)
				ddb_import_append_column(&buf, ddb_import_unique_name(&used_cols, asc_tolower(attr, strlen(attr))),
										 ddb_import_key_sql_type(list_nth(defs, i + 1)), attr);
		}
	}
	ddb_import_append_column(&buf, ddb_import_unique_name(&used_cols, "item"), "jsonb", NULL);
	appendStringInfo(&buf, " OPTIONS (document 'true')\n) SERVER %s\n"
					 "OPTIONS (table %s, partition_key %s",
					 quote_identifier(server), quote_literal_cstr(desc->name),
					 quote_literal_cstr(desc->pk_attr));
	if (desc->sk_attr)
		appendStringInfo(&buf, ", sort_key %s", quote_literal_cstr(desc->sk_attr));
	appendStringInfoChar(&buf, ')');
	if (sample)
		report_sample(tabname, desc, sample);
	return buf.data;
}

/*
 * Text of a key (or type) attribute: S and N as they are, B as its base64
 * text; NULL when absent or of another type (sampling skips the item).
 */
static const char *
key_text(const cJSON *item, const char *attr)
{
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, attr);
	const char *type;

	if (av == NULL || (type = ddb_av_type(av)) == NULL)
		return NULL;
	if (strcmp(type, "S") != 0 && strcmp(type, "N") != 0 && strcmp(type, "B") != 0)
		return NULL;
	return cJSON_GetStringValue(av->child);
}

/* The prefix of a key ("USER#" of "USER#123"), or NULL; palloc'd. */
static char *
key_prefix(const char *text)
{
	const char *hash = strchr(text, '#');

	if (hash == NULL || hash == text)
		return NULL;
	return pnstrdup(text, hash - text + 1);
}

/*
 * The part of the grouping tag for one key: its prefix, or for a key
 * without one a marker that keeps "#METADATA"-like constants apart while
 * collapsing free-form values (ids, numbers) into one group.
 */
static void
append_key_tag(StringInfo tag, const char *text, const char *prefix)
{
	const char *next;

	if (prefix)
		appendStringInfo(tag, "P%s", prefix);
	else if (text[0] == '#')
	{
		next = strchr(text + 1, '#');
		appendStringInfo(tag, "L%.*s", next ? (int) (next - text + 1) : (int) strlen(text),
						 text);
	}
	else
		appendStringInfoChar(tag, 'B');
	appendStringInfoChar(tag, '\n');
}

/* Folds one item's key into what its entity's items say of that key. */
static void
key_stats_add(KeyStats *ks, const char *text, const char *prefix, bool first)
{
	if (first)
	{
		ks->text = pstrdup(text);
		ks->prefix = prefix ? pstrdup(prefix) : NULL;
		ks->same_prefix = ks->same_text = true;
		return;
	}
	ks->same_text = ks->same_text && strcmp(ks->text, text) == 0;
	ks->same_prefix = ks->same_prefix &&
		(prefix == NULL ? ks->prefix == NULL :
		 ks->prefix != NULL && strcmp(ks->prefix, prefix) == 0);
}

/* The Entity or SeenAttr of a list whose first field, a string, is name. */
static void *
find_named(List *list, const char *name)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(*(char **) lfirst(lc), name) == 0)
			return lfirst(lc);
	return NULL;
}

static void count_attributes(const cJSON *item, DdbTableDesc *desc, ImportOptions *opts,
							 Entity *ent);
static void sample_entity_item(const cJSON *item, DdbTableDesc *desc, ImportOptions *opts,
							   List **entities);

/*
 * Adds one sampled item to what the sample says: to its entity, or in a
 * raw import to the one group of all items.  Allocates only what the
 * entities keep; the item belongs to the page.
 */
static void
sample_item(const cJSON *item, DdbTableDesc *desc, ImportOptions *opts,
			List **entities)
{
	if (!opts->entities)
	{
		/* a raw import: one group of every item, for the NOTICE */
		Entity	   *ent = *entities ? linitial(*entities) : NULL;

		if (ent == NULL)
		{
			ent = palloc0(sizeof(Entity));
			ent->tag = pstrdup("");
			*entities = list_make1(ent);
		}
		count_attributes(item, desc, opts, ent);
		return;
	}
	sample_entity_item(item, desc, opts, entities);
}

/*
 * Folds the attributes of one item into what its entity's items say of
 * them: which there are, how many items have each, with which types.  The
 * table's key attributes and the type attribute are on every item and are
 * left out.
 */
static void
count_attributes(const cJSON *item, DdbTableDesc *desc, ImportOptions *opts, Entity *ent)
{
	const cJSON *attr;

	ent->nitems++;
	cJSON_ArrayForEach(attr, item)
	{
		SeenAttr   *seen;
		const char *t = ddb_av_type(attr);
		int			ti;

		if (t == NULL || attr->string == NULL || strcmp(attr->string, desc->pk_attr) == 0 ||
			(desc->sk_attr && strcmp(attr->string, desc->sk_attr) == 0) ||
			(opts->type_attribute && strcmp(attr->string, opts->type_attribute) == 0))
			continue;
		if ((seen = find_named(ent->attrs, attr->string)) == NULL)
		{
			seen = palloc0(sizeof(SeenAttr));
			seen->name = pstrdup(attr->string);
			ent->attrs = lappend(ent->attrs, seen);
		}
		ti = ddb_import_type_index(t);
		seen->types |= 1 << ti;
		seen->items++;
		seen->counts[ti]++;
	}
}

/* Adds one sampled item to its entity, creating the entity on first sight. */
static void
sample_entity_item(const cJSON *item, DdbTableDesc *desc, ImportOptions *opts,
				   List **entities)
{
	const char *pk = key_text(item, desc->pk_attr);
	const char *sk = desc->sk_attr ? key_text(item, desc->sk_attr) : NULL;
	const char *type_value = NULL;
	char	   *pk_prefix,
			   *sk_prefix = NULL;
	StringInfoData tag;
	Entity	   *ent;
	bool		first = false;

	const char *library = NULL;
	char	   *libtag = NULL;
	char	   *libname = NULL;

	if (pk == NULL || (desc->sk_attr && sk == NULL))
		return;
	if (opts->type_attribute &&
		(type_value = key_text(item, opts->type_attribute)) == NULL)
		return;
	/* items a modeling library wrote group by the entity it names */
	if (opts->type_attribute == NULL)
		libtag = ddb_import_library_tag(item, opts, &library, &libname);
	pk_prefix = key_prefix(pk);
	if (sk)
		sk_prefix = key_prefix(sk);

	initStringInfo(&tag);
	if (type_value)
		appendStringInfoString(&tag, type_value);
	else if (libtag)
		appendStringInfoString(&tag, libtag);
	else
	{
		append_key_tag(&tag, pk, pk_prefix);
		if (sk)
			append_key_tag(&tag, sk, sk_prefix);
	}
	if ((ent = find_named(*entities, tag.data)) == NULL)
	{
		ent = palloc0(sizeof(Entity));
		ent->tag = pstrdup(tag.data);
		ent->type_value = type_value ? pstrdup(type_value) : libname;
		ent->library = library;
		ent->keys_equal = true;
		*entities = lappend(*entities, ent);
		first = true;
	}
	if (ent->library && list_length(ent->samples) < DDB_IMPORT_LIBRARY_SAMPLES)
		ent->samples = lappend(ent->samples, cJSON_Duplicate(item, true));
	key_stats_add(&ent->pk, pk, pk_prefix, first);
	if (sk)
	{
		key_stats_add(&ent->sk, sk, sk_prefix, first);
		ent->keys_equal = ent->keys_equal && strcmp(pk, sk) == 0;
	}

	count_attributes(item, desc, opts, ent);
	pfree(tag.data);
	if (pk_prefix)
		pfree(pk_prefix);
	if (sk_prefix)
		pfree(sk_prefix);
}

/*
 * Samples up to opts->sample_size items of a table with a paginated Scan
 * and returns its entities in order of discovery.  Each response lives in
 * its own context, reset once its items are folded into the entities.
 */
static List *
sample_entities(DdbConn *conn, DdbTableDesc *desc, ImportOptions *opts)
{
	MemoryContext keepcxt = CurrentMemoryContext;
	MemoryContext pagecxt;
	List	   *entities = NIL;
	cJSON	   *req;
	cJSON	   *resp;
	const cJSON *item;
	int			seen = 0;

	pagecxt = AllocSetContextCreate(CurrentMemoryContext, "ddbrel import sample",
									ALLOCSET_DEFAULT_SIZES);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableName", desc->name);
	cJSON_AddNumberToObject(req, "Limit", opts->sample_size);
	while (req != NULL && seen < opts->sample_size)
	{
		cJSON	   *next;

		MemoryContextSwitchTo(pagecxt);
		resp = ddb_call(conn, "Scan", desc->name, req);

		MemoryContextSwitchTo(keepcxt);
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(resp, "Items"))
		{
			if (seen >= opts->sample_size)
				break;
			sample_item(item, desc, opts, &entities);
			seen++;
		}
		/* the next page's request must survive the reset */
		next = ddb_next_page(req, resp);
		cJSON_Delete(req);
		req = next;
		if (req)
			cJSON_ReplaceItemInObjectCaseSensitive(req, "Limit",
												   cJSON_CreateNumber(opts->sample_size - seen));
		MemoryContextReset(pagecxt);
	}
	if (req)
		cJSON_Delete(req);

	MemoryContextDelete(pagecxt);
	return entities;
}

/* Key kinds after sampling. */
static bool
key_prefixed(const KeyStats *ks)
{
	return ks->same_prefix && ks->prefix != NULL;
}

static bool
key_literal(const KeyStats *ks)
{
	return !key_prefixed(ks) && ks->same_text;
}

/* The name a key contributes to its entity's name, or NULL. */
static char *
key_name(const KeyStats *ks)
{
	if (key_prefixed(ks))
		return ddb_import_ident(ks->prefix);
	if (key_literal(ks))
		return ddb_import_ident(ks->text);
	return NULL;
}

/* Keys with two different prefixes: a relationship such as attendance. */
static bool
entity_is_link(const Entity *ent, const DdbTableDesc *desc)
{
	return desc->sk_attr && key_prefixed(&ent->pk) && key_prefixed(&ent->sk) &&
		strcmp(ent->pk.prefix, ent->sk.prefix) != 0;
}

/* Chooses an entity's table name (see the rules at the top of the file). */
static void
name_entity(Entity *ent, DdbTableDesc *desc, List **used_tables)
{
	char	   *pkn = key_name(&ent->pk);
	char	   *skn = key_name(&ent->sk);
	char	   *base;

	if (ent->type_value)
		base = ddb_import_ident(ent->type_value);
	else if (key_prefixed(&ent->sk) &&
			 !(key_prefixed(&ent->pk) && strcmp(ent->pk.prefix, ent->sk.prefix) == 0))
		base = skn;
	else
		base = pkn ? pkn : skn;
	if (base == NULL)
		base = ddb_import_ident(desc->name);
	if (base == NULL)
		base = "entity";
	if (!ent->type_value && pkn && skn && strcmp(pkn, skn) != 0 &&
		ddb_import_name_used(*used_tables, base))
		base = psprintf("%s_%s", pkn, skn);
	ent->name = ddb_import_unique_name(used_tables, base);
}

/*
 * Template of one key, and the name of its hole (NULL for a literal).
 * avoid is a hole name that must not be reused (the other key's).
 */
static char *
key_template(const KeyStats *ks, const char *attr, const char *suffix,
			 const char *avoid, char **hole)
{
	StringInfoData buf;
	char	   *base;

	initStringInfo(&buf);
	*hole = NULL;
	if (key_literal(ks))
	{
		ddb_import_template_literal(&buf, ks->text);
		return buf.data;
	}
	if (key_prefixed(ks) && (base = ddb_import_ident(ks->prefix)) != NULL)
	{
		ddb_import_template_literal(&buf, ks->prefix);
		*hole = psprintf("%s%s", base, suffix);
	}
	else
	{
		if (key_prefixed(ks))
			ddb_import_template_literal(&buf, ks->prefix);
		base = ddb_import_ident(attr);
		*hole = base ? base : pstrdup("key");
	}
	if (avoid && strcmp(*hole, avoid) == 0)
		*hole = psprintf("%s2", *hole);
	appendStringInfo(&buf, "{%s}", *hole);
	return buf.data;
}

/*
 * The foreign table of one entity: template holes first, then the
 * attributes seen, then the options tying it to its items.
 */
static char *
entity_table_cmd(Entity *ent, DdbTableDesc *desc, ImportOptions *opts,
				 const char *server)
{
	StringInfoData buf;
	List	   *used_cols = NIL;
	char	   *pk_tmpl,
			   *sk_tmpl = NULL;
	char	   *pk_hole,
			   *sk_hole = NULL;
	ListCell   *lc;

	pk_tmpl = key_template(&ent->pk, desc->pk_attr, "_id", NULL, &pk_hole);
	if (desc->sk_attr)
	{
		bool		shared = key_prefixed(&ent->pk) && key_prefixed(&ent->sk) &&
			strcmp(ent->pk.prefix, ent->sk.prefix) == 0;

		if (shared && ent->keys_equal)
			sk_tmpl = key_template(&ent->sk, desc->sk_attr, "_id", NULL, &sk_hole);
		else
			sk_tmpl = key_template(&ent->sk, desc->sk_attr,
								   shared ? "_id2" : "_id", pk_hole, &sk_hole);
	}

	ddb_import_begin_table(&buf, ent->name);
	/* holes order their keys by their bytes, as C does (key_sql_type) */
	if (pk_hole)
		ddb_import_append_column(&buf, ddb_import_unique_name(&used_cols, pk_hole), ddb_import_key_sql_type("S"), NULL);
	if (sk_hole && !(pk_hole && strcmp(pk_hole, sk_hole) == 0))
		ddb_import_append_column(&buf, ddb_import_unique_name(&used_cols, sk_hole), ddb_import_key_sql_type("S"), NULL);
	foreach(lc, ent->attrs)
	{
		SeenAttr   *seen = (SeenAttr *) lfirst(lc);

		ddb_import_append_column(&buf, ddb_import_unique_name(&used_cols, asc_tolower(seen->name, strlen(seen->name))),
					  ddb_import_sql_type(seen->types), seen->name);
	}
	appendStringInfo(&buf, "\n) SERVER %s\nOPTIONS (table %s, pk_template %s",
					 quote_identifier(server), quote_literal_cstr(desc->name),
					 quote_literal_cstr(pk_tmpl));
	if (sk_tmpl)
		appendStringInfo(&buf, ", sk_template %s", quote_literal_cstr(sk_tmpl));
	if (ent->type_value)
		appendStringInfo(&buf, ", type_attribute %s, type_value %s",
						 quote_literal_cstr(opts->type_attribute),
						 quote_literal_cstr(ent->type_value));
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

static int
entity_name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(((Entity *) lfirst(a))->name, ((Entity *) lfirst(b))->name);
}

static int
entity_tag_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(((Entity *) lfirst(a))->tag, ((Entity *) lfirst(b))->tag);
}

/* Columns by lower-cased name ("createdAt" before "status"), then bytes. */
static int
seen_attr_cmp(const ListCell *a, const ListCell *b)
{
	const char *x = ((SeenAttr *) lfirst(a))->name;
	const char *y = ((SeenAttr *) lfirst(b))->name;
	int			c = pg_strcasecmp(x, y);

	return c != 0 ? c : strcmp(x, y);
}

/*
 * Samples one table and adds a statement per entity, sorted by name.
 * Entities are named in rounds, each in order of grouping key: plain ones
 * first, then links from an entity already named (a user's orders), then
 * other links (a tag's posts), so that the later a link comes the likelier
 * it takes "<pk>_<sk>" instead of the name its sort key suggests.
 */
static bool import_wanted(ImportForeignSchemaStmt *stmt, const char *name);

static List *
import_entities(ImportForeignSchemaStmt *stmt, DdbConn *conn, DdbTableDesc *desc,
				ImportOptions *opts, const char *server, List **used_tables, List *cmds)
{
	List	   *entities = sample_entities(conn, desc, opts);
	ListCell   *lc;
	int			round;

	if (entities == NIL)
	{
		ereport(NOTICE,
				(errmsg("DynamoDB table \"%s\" has no items to sample, no foreign table created",
						desc->name)));
		return cmds;
	}
	/* the order of a Scan's items and of an item's attributes varies */
	list_sort(entities, entity_tag_cmp);
	foreach(lc, entities)
		list_sort(((Entity *) lfirst(lc))->attrs, seen_attr_cmp);
	foreach(lc, entities)
	{
		Entity	   *ent = (Entity *) lfirst(lc);

		if (entity_is_link(ent, desc))
			ent->round = 2;
		else
			name_entity(ent, desc, used_tables);
	}
	foreach(lc, entities)
	{
		Entity	   *ent = (Entity *) lfirst(lc);
		char	   *pkn = key_name(&ent->pk);

		if (ent->round == 2 && pkn && ddb_import_name_used(*used_tables, pkn))
			ent->round = 1;
	}
	for (round = 1; round <= 2; round++)
	{
		foreach(lc, entities)
		{
			if (((Entity *) lfirst(lc))->round == round)
				name_entity((Entity *) lfirst(lc), desc, used_tables);
		}
	}
	list_sort(entities, entity_name_cmp);
	ddb_import_library_notice(entities, desc, opts);
	foreach(lc, entities)
	{
		Entity	   *ent = (Entity *) lfirst(lc);

		cmds = lappend(cmds, ent->library ? ddb_import_library_table(ent, desc, server)
					   : entity_table_cmd(ent, desc, opts, server));
		/* PostgreSQL drops what LIMIT TO or EXCEPT leave out: no word on it */
		if (import_wanted(stmt, ent->name))
			report_sample(ent->name, desc, ent);
	}
	return cmds;
}

/*
 * Whether PostgreSQL will keep the foreign table called name after LIMIT
 * TO or EXCEPT: the same test it applies to the statements returned.
 */
static bool
import_wanted(ImportForeignSchemaStmt *stmt, const char *name)
{
	ListCell   *lc;

	if (stmt->list_type == FDW_IMPORT_SCHEMA_ALL)
		return true;
	foreach(lc, stmt->table_list)
	{
		if (strcmp(((RangeVar *) lfirst(lc))->relname, name) == 0)
			return stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO;
	}
	return stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT;
}

/*
 * Whether a raw import would keep the table (named like it in lower
 * case): tested early for "*" to spare DescribeTable calls.
 */
static bool
raw_table_wanted(ImportForeignSchemaStmt *stmt, const char *table)
{
	return import_wanted(stmt, asc_tolower(table, strlen(table)));
}

/*
 * ImportForeignSchema callback: returns CREATE FOREIGN TABLE statements for
 * a DynamoDB table or all of them; PostgreSQL applies LIMIT TO / EXCEPT to
 * the result and creates the tables in the target schema.
 */
List *
ddbImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ImportOptions opts;
	DdbConn    *conn;
	List	   *tables;
	List	   *cmds = NIL;
	List	   *used_tables = NIL;
	ListCell   *lc;
	bool		all = strcmp(stmt->remote_schema, "*") == 0;

	parse_import_options(stmt->options, &opts);
	conn = ddb_get_connection(serverOid, GetUserId());

	if (all)
		tables = ddb_list_tables(conn);
	else
		tables = list_make1(stmt->remote_schema);

	foreach(lc, tables)
	{
		char	   *table = (char *) lfirst(lc);
		DdbTableDesc *desc;

		if (all && !opts.entities && !raw_table_wanted(stmt, table))
			continue;
		desc = ddb_describe_table(conn, table, true);
		if (desc == NULL)
		{
			if (all)
				continue;		/* dropped since ListTables */
			ereport(ERROR,
					(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
					 errmsg("DynamoDB table \"%s\" does not exist", table),
					 errhint("The remote schema of IMPORT FOREIGN SCHEMA names a DynamoDB table, or \"*\" for all of them.")));
		}
		if (opts.entities)
			cmds = import_entities(stmt, conn, desc, &opts, stmt->server_name,
								   &used_tables, cmds);
		else
		{
			List	   *sample = NIL;

			if (raw_table_wanted(stmt, table))
				sample = sample_entities(conn, desc, &opts);

			if (sample)
				list_sort(((Entity *) linitial(sample))->attrs, seen_attr_cmp);
			else if (opts.sample_size > 0 && raw_table_wanted(stmt, table))
				ereport(NOTICE,
						(errmsg("DynamoDB table \"%s\" has no items to sample", desc->name)));
			cmds = lappend(cmds, raw_table_cmd(desc, stmt->server_name, &used_tables,
											   sample ? linitial(sample) : NULL));
		}
	}

	return cmds;
}
