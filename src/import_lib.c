/*-------------------------------------------------------------------------
 * import_lib.c
 *	  IMPORT FOREIGN SCHEMA: recognising the items that modeling libraries
 *	  write (ElectroDB, DynamoDB-Toolbox, OneTable), one foreign table per
 *	  entity with the templates of its keys and index keys.
 *
 * Each library marks its items with an entity attribute:
 *
 *	ElectroDB         __edb_e__ (entity) and __edb_v__ (version); keys
 *	                  "$service#label_value#label_value" and
 *	                  "$entity_version#label_value" or
 *	                  "$collection#entity_version#label_value", every value
 *	                  lower-cased by default, the original kept as its own
 *	                  attribute, a key cut short when a value is missing
 *	DynamoDB-Toolbox  _et (entity), _ct and _md (creation and modification
 *	                  times); keys as the application composes them
 *	OneTable          _type (model); keys from the schema's value templates
 *
 * The items of a table group by that attribute (import.c).  Here each
 * group's sampled items give the templates: ElectroDB's keys are read by
 * their labels (a hole named after each label, ":lower" when every key is
 * lower case, backed by the attribute of that name); other keys become a
 * literal when equal in every item, else a prefix and a hole, the hole
 * named after the attribute whose value it holds in every item (so that
 * the column reads that attribute and the key serves for matching).
 * Every template is checked against every sampled item before it is used.
 * The entity attributes become the table option identifiers; a NOTICE says
 * what was recognised.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/formatting.h"

#include "import.h"
#include "codec_core.h"

#define LIB_ELECTRODB	"ElectroDB"
#define LIB_TOOLBOX		"DynamoDB-Toolbox"
#define LIB_ONETABLE	"OneTable"

/* The string value of attribute attr of an item, or NULL. */
static const char *
string_attr(const cJSON *item, const char *attr)
{
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, attr);
	const cJSON *s = av ? cJSON_GetObjectItemCaseSensitive(av, "S") : NULL;

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* The text of a string or number attribute (a hole's value), or NULL. */
static const char *
scalar_attr(const cJSON *item, const char *attr)
{
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, attr);
	const cJSON *s;

	if (av == NULL)
		return NULL;
	s = cJSON_GetObjectItemCaseSensitive(av, "S");
	if (!cJSON_IsString(s))
		s = cJSON_GetObjectItemCaseSensitive(av, "N");
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/*
 * The import option library: "auto" (the default: ElectroDB and
 * DynamoDB-Toolbox, whose entity attributes no hand-made design uses),
 * "none", "electrodb", "toolbox", "onetable" (_type is also what many
 * hand-made designs call their type attribute, so OneTable is recognised
 * only when asked for), or "all".
 */
int
ddb_import_library_option(const char *value)
{
	if (strcmp(value, "auto") == 0)
		return DDB_LIB_AUTO;
	if (strcmp(value, "none") == 0)
		return 0;
	if (strcmp(value, "electrodb") == 0)
		return DDB_LIB_ELECTRODB;
	if (strcmp(value, "toolbox") == 0)
		return DDB_LIB_TOOLBOX;
	if (strcmp(value, "onetable") == 0)
		return DDB_LIB_ONETABLE;
	if (strcmp(value, "all") == 0)
		return DDB_LIB_ELECTRODB | DDB_LIB_TOOLBOX | DDB_LIB_ONETABLE;
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("import option \"library\" must be auto, none, electrodb, toolbox, onetable or all"),
			 errdetail("\"%s\" is none of them.", value)));
	return 0;					/* keep compiler quiet */
}

/*
 * The grouping tag of an item a library wrote, or NULL: sets *library and
 * *name (the entity's name as the library knows it).
 */
char *
ddb_import_library_tag(const cJSON *item, ImportOptions *opts, const char **library,
					   char **name)
{
	const char *e = string_attr(item, "__edb_e__");
	const char *v = string_attr(item, "__edb_v__");

	if (e && v && (opts->libraries & DDB_LIB_ELECTRODB))
	{
		*library = LIB_ELECTRODB;
		*name = pstrdup(e);
		return psprintf("E\n%s\n%s", e, v);
	}
	if ((e = string_attr(item, "_et")) != NULL && (opts->libraries & DDB_LIB_TOOLBOX))
	{
		*library = LIB_TOOLBOX;
		*name = pstrdup(e);
		return psprintf("T\n%s", e);
	}
	if ((e = string_attr(item, "_type")) != NULL)
	{
		if (!(opts->libraries & DDB_LIB_ONETABLE))
		{
			opts->saw_type = true;
			return NULL;
		}
		*library = LIB_ONETABLE;
		*name = pstrdup(e);
		return psprintf("O\n%s", e);
	}
	return NULL;
}

/* The entity attributes of a library, as the option identifiers holds them. */
static cJSON *
identifiers_of(const Entity *ent)
{
	const cJSON *item = linitial(ent->samples);
	cJSON	   *obj = cJSON_CreateObject();

	if (strcmp(ent->library, LIB_ELECTRODB) == 0)
	{
		cJSON_AddStringToObject(obj, "__edb_e__", string_attr(item, "__edb_e__"));
		cJSON_AddStringToObject(obj, "__edb_v__", string_attr(item, "__edb_v__"));
	}
	else if (strcmp(ent->library, LIB_TOOLBOX) == 0)
		cJSON_AddStringToObject(obj, "_et", string_attr(item, "_et"));
	else
		cJSON_AddStringToObject(obj, "_type", string_attr(item, "_type"));
	return obj;
}

/* Toolbox's timestamps: columns named as Toolbox names them. */
static const char *
timestamp_column(const Entity *ent, const char *attr)
{
	if (strcmp(ent->library, LIB_TOOLBOX) != 0)
		return NULL;
	if (strcmp(attr, "_ct") == 0)
		return "created";
	if (strcmp(attr, "_md") == 0)
		return "modified";
	return NULL;
}

/* One hole of an inferred template. */
typedef struct LibHole
{
	char	   *name;			/* the hole's (and its column's) name */
	const char *attr;			/* the attribute that holds its value, or NULL */
} LibHole;

/* A template inferred for one key attribute of an entity. */
typedef struct LibKey
{
	const char *attr;
	char	   *text;			/* the template, or NULL when none fits */
	List	   *holes;			/* LibHole * */
	bool		partition;		/* a partition key (of the table or an index) */
	bool		table_key;		/* the table's own partition or sort key */
} LibKey;

/* The seen attribute whose lower-cased name is label, or NULL. */
static SeenAttr *
attr_by_label(const Entity *ent, const char *label)
{
	ListCell   *lc;

	foreach(lc, ent->attrs)
	{
		SeenAttr   *sa = lfirst(lc);

		if (pg_strcasecmp(sa->name, label) == 0 && strlen(sa->name) == strlen(label))
			return sa;
	}
	return NULL;
}

/* The seen attribute named name, or NULL. */
static SeenAttr *
attr_named(const Entity *ent, const char *name)
{
	ListCell   *lc;

	foreach(lc, ent->attrs)
		if (strcmp(((SeenAttr *) lfirst(lc))->name, name) == 0)
		return lfirst(lc);
	return NULL;
}

/* Whether a label can name a hole (the template grammar's names). */
static bool
label_ok(const char *s, size_t len)
{
	size_t		i;

	if (len == 0 || !(isalpha((unsigned char) s[0]) || s[0] == '_'))
		return false;
	for (i = 0; i < len; i++)
		if (!(isalnum((unsigned char) s[i]) || s[i] == '_') || (unsigned char) s[i] >= 0x80)
			return false;
	return true;
}

/* Whether every sampled key of attr is lower case as JavaScript writes it. */
static bool
keys_lower_case(const Entity *ent, const char *attr)
{
	ListCell   *lc;

	foreach(lc, ent->samples)
	{
		const char *k = string_attr(lfirst(lc), attr);
		char	   *low;
		bool		same;

		if (k == NULL)
			continue;
		low = ddb_template_casemap(DDB_TRANSFORM_LOWER, k, strlen(k), 0, strlen(k));
		same = strcmp(low, k) == 0;
		pfree(low);
		if (!same)
			return false;
	}
	return true;
}

/*
 * Whether every sampled item that has the key attribute matches the
 * template: completely, or (truncate) cut short before a missing value.
 */
static bool
template_fits(const Entity *ent, const char *attr, const char *text, bool truncate)
{
	char		err[256];
	ddb_template *t = ddb_template_parse(text, err, sizeof(err));
	ddb_slice	vals[DDB_TEMPLATE_MAX_HOLES];
	ListCell   *lc;
	bool		ok = (t != NULL);

	foreach(lc, ent->samples)
	{
		const char *k = string_attr(lfirst(lc), attr);

		if (!ok)
			break;
		if (k == NULL)
			continue;
		if (truncate ? ddb_template_match_partial(t, k, strlen(k), vals) < 0
			: !ddb_template_match(t, k, strlen(k), vals))
			ok = false;
	}
	if (t)
		ddb_template_free(t);
	return ok;
}

/*
 * An ElectroDB key: "$service" (partition keys) or "$entity_version" or
 * "$collection#entity_version" (sort keys), then "#label_value" parts.
 * Built from the sampled key with the most parts, then checked on all.
 */
static void
electrodb_key(const Entity *ent, LibKey *lk)
{
	const char *e = string_attr(linitial(ent->samples), "__edb_e__");
	const char *v = string_attr(linitial(ent->samples), "__edb_v__");
	char	   *ev = psprintf("%s_%s", e, v);
	const char *best = NULL;
	int			best_parts = -1;
	bool		lower = keys_lower_case(ent, lk->attr);
	StringInfoData buf;
	char	  **segs;
	int			nsegs = 0;
	int			i;
	char	   *copy;
	char	   *p;
	ListCell   *lc;

	foreach(lc, ent->samples)
	{
		const char *k = string_attr(lfirst(lc), lk->attr);
		int			n = 0;
		const char *q;

		if (k == NULL)
			continue;
		for (q = k; *q; q++)
			n += (*q == '#');
		if (n > best_parts)
		{
			best = k;
			best_parts = n;
		}
	}
	if (best == NULL || best[0] != '$')
		return;
	copy = pstrdup(best);
	segs = palloc(sizeof(char *) * (best_parts + 1));
	for (p = copy; p; nsegs++)
	{
		segs[nsegs] = p;
		p = strchr(p, '#');
		if (p)
			*p++ = '\0';
	}

	initStringInfo(&buf);
	ddb_import_template_literal(&buf, segs[0]);
	i = 1;
	if (!lk->partition && strcmp(segs[0] + 1, ev) != 0 && nsegs > 1 && strcmp(segs[1], ev) == 0)
	{
		appendStringInfoChar(&buf, '#');
		ddb_import_template_literal(&buf, segs[1]);
		i = 2;
	}
	for (; i < nsegs; i++)
	{
		char	   *us = strchr(segs[i], '_');
		size_t		llen = us ? (size_t) (us - segs[i]) : 0;
		LibHole    *hole;
		SeenAttr   *sa;
		ListCell   *lc2;

		if (us == NULL || !label_ok(segs[i], llen))
			return;
		hole = palloc0(sizeof(LibHole));
		hole->name = pnstrdup(segs[i], llen);
		foreach(lc2, lk->holes)
			if (strcmp(((LibHole *) lfirst(lc2))->name, hole->name) == 0)
			return;				/* a label twice: not a key we can read back */
		sa = attr_by_label(ent, hole->name);
		hole->attr = sa ? sa->name : NULL;
		lk->holes = lappend(lk->holes, hole);
		/* a number's text has no case: its (numeric) column takes no transform */
		appendStringInfo(&buf, "#%s_{%s%s}", hole->name, hole->name,
						 lower && (sa == NULL || strcmp(ddb_import_sql_type(sa->types), "text") == 0) ?
						 ":lower" : "");
	}
	if (template_fits(ent, lk->attr, buf.data, !lk->table_key))
		lk->text = buf.data;
	else
		lk->holes = NIL;
}

/*
 * The attribute whose value (string or number text) is, in every sampled
 * item with key attribute attr, the key with prefix cut off; or NULL.
 */
static const char *
attribute_holding(const Entity *ent, const char *attr, size_t prefixlen)
{
	ListCell   *lc;

	foreach(lc, ent->attrs)
	{
		SeenAttr   *sa = lfirst(lc);
		ListCell   *lc2;
		bool		all = true;

		if (strcmp(sa->name, attr) == 0)
			continue;
		foreach(lc2, ent->samples)
		{
			const char *k = string_attr(lfirst(lc2), attr);
			const char *v = scalar_attr(lfirst(lc2), sa->name);

			if (k == NULL)
				continue;
			if (v == NULL || strlen(k) < prefixlen || strcmp(k + prefixlen, v) != 0)
			{
				all = false;
				break;
			}
		}
		if (all)
			return sa->name;
	}
	return NULL;
}

/*
 * A key the application composes: a literal when equal in every item,
 * else its common prefix (text up to the first '#') and a hole named after
 * the attribute that holds the rest, or after the prefix.
 */
static void
composed_key(const Entity *ent, LibKey *lk)
{
	const char *first = NULL;
	bool		same_text = true;
	bool		same_prefix = true;
	size_t		plen = 0;
	ListCell   *lc;
	StringInfoData buf;
	LibHole    *hole;

	foreach(lc, ent->samples)
	{
		const char *k = string_attr(lfirst(lc), lk->attr);
		const char *hash;

		if (k == NULL)
		{
			if (lk->table_key)
				return;
			continue;
		}
		if (first == NULL)
		{
			first = k;
			hash = strchr(k, '#');
			plen = (hash && hash != k) ? (size_t) (hash - k + 1) : 0;
			continue;
		}
		same_text = same_text && strcmp(first, k) == 0;
		same_prefix = same_prefix && plen > 0 && strncmp(first, k, plen) == 0;
	}
	if (first == NULL)
		return;
	initStringInfo(&buf);
	if (same_text)
	{
		ddb_import_template_literal(&buf, first);
		lk->text = buf.data;
		return;
	}
	if (!same_prefix)
		plen = 0;
	hole = palloc0(sizeof(LibHole));
	hole->attr = attribute_holding(ent, lk->attr, plen);
	if (hole->attr)
		hole->name = asc_tolower(hole->attr, strlen(hole->attr));
	else
	{
		char	   *base = ddb_import_ident(plen ? pnstrdup(first, plen) : lk->attr);

		hole->name = psprintf("%s_id", base ? base : "key");
	}
	if (!label_ok(hole->name, strlen(hole->name)))
		return;
	if (plen)
		ddb_import_template_literal(&buf, pnstrdup(first, plen));
	appendStringInfo(&buf, "{%s}", hole->name);
	if (!template_fits(ent, lk->attr, buf.data, false))
		return;
	lk->holes = list_make1(hole);
	lk->text = buf.data;
}

/* The key attributes of the table and its indexes, each once. */
static List *
key_attributes(DdbTableDesc *desc)
{
	List	   *keys = list_make1(desc->pk_attr);
	ListCell   *lc;

	if (desc->sk_attr)
		keys = list_append_unique_ptr(keys, desc->sk_attr);
	foreach(lc, desc->indexes)
	{
		DdbIndexDesc *ix = lfirst(lc);
		bool		seen = false;
		ListCell   *lc2;
		int			pass;

		for (pass = 0; pass < 2; pass++)
		{
			const char *a = pass == 0 ? ix->pk_attr : ix->sk_attr;

			if (a == NULL)
				continue;
			seen = false;
			foreach(lc2, keys)
				if (strcmp((char *) lfirst(lc2), a) == 0)
				seen = true;
			if (!seen)
				keys = lappend(keys, (char *) a);
		}
	}
	return keys;
}

/* Whether attr is a partition key of an index (or of the table). */
static bool
is_partition_key(DdbTableDesc *desc, const char *attr)
{
	ListCell   *lc;

	if (strcmp(desc->pk_attr, attr) == 0)
		return true;
	foreach(lc, desc->indexes)
		if (strcmp(((DdbIndexDesc *) lfirst(lc))->pk_attr, attr) == 0)
		return true;
	return false;
}

/* The hole of lk that column name backs, or NULL. */
static LibHole *
hole_named(List *keys, const char *name, bool table_keys_only)
{
	ListCell   *lc;

	foreach(lc, keys)
	{
		LibKey	   *lk = lfirst(lc);
		ListCell   *lc2;

		if (lk->text == NULL || (table_keys_only && !lk->table_key))
			continue;
		foreach(lc2, lk->holes)
			if (strcmp(((LibHole *) lfirst(lc2))->name, name) == 0)
			return lfirst(lc2);
	}
	return NULL;
}

/*
 * The foreign table of one entity a library wrote: columns for its
 * attributes (holes of the table's keys first), its key templates, index
 * key templates, and the identifiers.
 */
char *
ddb_import_library_table(Entity *ent, DdbTableDesc *desc, const char *server)
{
	bool		edb = strcmp(ent->library, LIB_ELECTRODB) == 0;
	cJSON	   *ids = identifiers_of(ent);
	List	   *keys = NIL;
	List	   *used_cols = NIL;
	StringInfoData buf;
	ListCell   *lc;
	LibKey	   *pk = NULL;
	LibKey	   *sk = NULL;
	char	   *idtext;

	foreach(lc, key_attributes(desc))
	{
		LibKey	   *lk = palloc0(sizeof(LibKey));

		lk->attr = lfirst(lc);
		if (cJSON_GetObjectItemCaseSensitive(ids, lk->attr))
			continue;			/* an entity attribute is an identifier, not a key */
		lk->partition = is_partition_key(desc, lk->attr);
		lk->table_key = strcmp(lk->attr, desc->pk_attr) == 0 ||
			(desc->sk_attr && strcmp(lk->attr, desc->sk_attr) == 0);
		if (edb)
			electrodb_key(ent, lk);
		if (lk->text == NULL)
			composed_key(ent, lk);
		if (lk->text == NULL && lk->table_key)
		{
			/* any key at all: a hole that reads it whole */
			LibHole    *hole = palloc0(sizeof(LibHole));
			char	   *base = ddb_import_ident(lk->attr);

			hole->name = base ? base : pstrdup("key");
			lk->holes = list_make1(hole);
			lk->text = psprintf("{%s}", hole->name);
		}
		/*
		 * An index key hole that no attribute holds is read from the key
		 * (read_from_key); one only ElectroDB's labels name, since another
		 * library's hole named after its prefix may not be a value at all.
		 */
		if (lk->text && !lk->table_key && !edb)
		{
			ListCell   *lc2;

			foreach(lc2, lk->holes)
				if (((LibHole *) lfirst(lc2))->attr == NULL &&
					hole_named(keys, ((LibHole *) lfirst(lc2))->name, true) == NULL)
				lk->text = NULL;
		}
		if (strcmp(lk->attr, desc->pk_attr) == 0)
			pk = lk;
		else if (desc->sk_attr && strcmp(lk->attr, desc->sk_attr) == 0)
			sk = lk;
		keys = lappend(keys, lk);
	}

	ddb_import_begin_table(&buf, ent->name);
	/* holes of the table's keys: backed by their attribute, or the key alone */
	foreach(lc, keys)
	{
		LibKey	   *lk = lfirst(lc);
		ListCell   *lc2;

		if (!lk->table_key || lk->text == NULL)
			continue;
		foreach(lc2, lk->holes)
		{
			LibHole    *hole = lfirst(lc2);
			SeenAttr   *sa = hole->attr ? attr_named(ent, hole->attr) : NULL;

			if (ddb_import_name_used(used_cols, hole->name))
				continue;
			used_cols = lappend(used_cols, hole->name);
			appendStringInfo(&buf, "%s\n  %s %s", buf.data[buf.len - 1] == '(' ? "" : ",",
							 quote_identifier(hole->name),
							 sa ? ddb_import_sql_type(sa->types) : "text");
			/* the attribute option makes the key serve only for matching */
			if (sa)
				appendStringInfo(&buf, " OPTIONS (attribute %s)", quote_literal_cstr(sa->name));
		}
	}
	/* the other attributes, by name */
	foreach(lc, ent->attrs)
	{
		SeenAttr   *sa = lfirst(lc);
		const char *ts = timestamp_column(ent, sa->name);
		ListCell   *lc2;
		bool		skip = cJSON_GetObjectItemCaseSensitive(ids, sa->name) != NULL;
		char	   *colname;

		foreach(lc2, keys)
			if (strcmp(((LibKey *) lfirst(lc2))->attr, sa->name) == 0 &&
				((LibKey *) lfirst(lc2))->text != NULL)
			skip = true;
		if (skip)
			continue;
		colname = ts ? pstrdup(ts) : asc_tolower(sa->name, strlen(sa->name));
		if (hole_named(keys, colname, true) && hole_named(keys, colname, true)->attr &&
			strcmp(hole_named(keys, colname, true)->attr, sa->name) == 0)
			continue;			/* already there, as a key's hole */
		colname = ddb_import_unique_name(&used_cols, colname);
		ddb_import_append_column(&buf, colname, ts ? "text" : ddb_import_sql_type(sa->types),
								 sa->name);
		if (ts)
			appendStringInfoString(&buf,
								   " DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
	}
	/* holes of index keys only: no attribute, the value read from the key */
	foreach(lc, keys)
	{
		LibKey	   *lk = lfirst(lc);
		ListCell   *lc2;

		if (lk->table_key || lk->text == NULL)
			continue;
		foreach(lc2, lk->holes)
		{
			LibHole    *hole = lfirst(lc2);

			if (hole->attr || ddb_import_name_used(used_cols, hole->name))
				continue;
			used_cols = lappend(used_cols, hole->name);
			appendStringInfo(&buf, "%s\n  %s text OPTIONS (read_from_key 'true')",
							 buf.data[buf.len - 1] == '(' ? "" : ",", quote_identifier(hole->name));
		}
	}
	appendStringInfo(&buf, "\n) SERVER %s\nOPTIONS (table %s, pk_template %s",
					 quote_identifier(server), quote_literal_cstr(desc->name),
					 quote_literal_cstr(pk->text));
	if (sk)
		appendStringInfo(&buf, ", sk_template %s", quote_literal_cstr(sk->text));
	foreach(lc, keys)
	{
		LibKey	   *lk = lfirst(lc);

		if (lk->table_key || lk->text == NULL)
			continue;
		appendStringInfo(&buf, ",\n  %s %s", quote_identifier(psprintf("%s_template", lk->attr)),
						 quote_literal_cstr(lk->text));
		if (edb)
			appendStringInfo(&buf, ", %s 'truncate'",
							 quote_identifier(psprintf("%s_missing", lk->attr)));
	}
	idtext = cJSON_PrintUnformatted(ids);
	appendStringInfo(&buf, ",\n  identifiers %s)", quote_literal_cstr(idtext));
	cJSON_Delete(ids);
	return buf.data;
}

/*
 * One NOTICE per library a table's items were recognised as written by:
 * its entities (the list of names is a value, so "entity" or "entities"
 * comes from the plural forms of the message) and the attributes that
 * gave the library away.
 */
void
ddb_import_library_notice(List *entities, DdbTableDesc *desc, ImportOptions *opts)
{
	static const char *const libs[] = {LIB_ELECTRODB, LIB_TOOLBOX, LIB_ONETABLE};
	int			i;

	for (i = 0; i < (int) lengthof(libs); i++)
	{
		StringInfoData names;
		ListCell   *lc;
		int			n = 0;

		initStringInfo(&names);
		foreach(lc, entities)
		{
			Entity	   *ent = lfirst(lc);

			if (ent->library && strcmp(ent->library, libs[i]) == 0)
			{
				appendStringInfo(&names, "%s%s", names.len ? ", " : "", ent->name);
				n++;
			}
		}
		if (n == 0)
			continue;
		ereport(NOTICE,
				(errmsg_plural("DynamoDB table \"%s\" holds items written by %s: entity %s",
							   "DynamoDB table \"%s\" holds items written by %s: entities %s",
							   n, desc->name, libs[i], names.data),
				 i == 0 ?
				 errdetail("Recognised by the attributes %s and %s; each entity's templates were inferred from its sampled items.",
						   "__edb_e__", "__edb_v__") :
				 errdetail("Recognised by the attribute %s; each entity's templates were inferred from its sampled items.",
						   i == 1 ? "_et" : "_type")));
	}
	if (opts->saw_type && opts->libraries == DDB_LIB_AUTO)
		ereport(NOTICE,
				(errmsg("items of DynamoDB table \"%s\" have a _type attribute, as OneTable writes them",
						desc->name),
				 errhint("To group them by it, import with type_attribute '_type', or with library 'onetable' for OneTable's items.")));
	opts->saw_type = false;
}
