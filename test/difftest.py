#!/usr/bin/python3
# test/difftest.py
#	  Differential test: random SQL on ddbrel foreign tables and on plain
#	  PostgreSQL tables holding the same rows must give the same answers.
#
# Usage: difftest.py SEED N   (test/difftest.sh starts the servers if needed)
#
# From SEED it generates the items of a DynamoDB table (keys with '#', '%',
# '_', '\', unicode, empty holes, keys that are prefixes of others, typed
# holes written canonically and not), works out independently which rows
# each foreign table must show (the reading rules of key templates: a hole
# ends at the first occurrence of the literal after it, a trailing hole
# takes the rest, a typed hole holds its value's canonical text, a
# type_attribute selects), loads those rows into plain tables, and then
# runs N random queries against both, in a database with C collation and
# in an ICU en-US one.  Each query is compared as a multiset of rows, or in
# order where its ORDER BY is a total order.  A statement that fails on one
# side and not the other (or with another SQLSTATE) is a mismatch too.
#
# Some entities declare their key and hole columns COLLATE "C", as IMPORT
# FOREIGN SCHEMA and migrate() do, so that in the en-US database too their
# ranges and ORDER BY become key conditions; one has a date-ordered sort key
# (OD#{created}#{order_id}) whose ranges on either hole are key ranges; one
# keeps times as epoch numbers (column option format), with values of the
# wrong type read as NULL (wrong_type 'null').
#
# Queries: WHERE trees over keys and attributes (=, <>, ranges, BETWEEN
# either way round, IN / = ANY with duplicates and NULLs, LIKE and
# starts_with, IS [NOT] NULL, NOT, AND, OR), cross-type comparisons on
# typed holes, ORDER BY ... LIMIT, count(*), joins (INNER, LEFT, self,
# LATERAL) with extra conditions, and prepared statements executed past the
# generic-plan switch.
#
# The last line is "difftest differential: P passed, F failed" (one count
# per compared execution); the exit status is 1 when F > 0.
import os
import random
import re
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

import boto3
import psycopg2
import psycopg2.extensions

# DynamoDB tables and databases, named after the seed so that runs can go
# side by side; dropped at the end when everything passed.
TABLE = "DiffTest"                 # PK/SK, GSI1 (SK, PK), GSI2 (gsi2pk)
HASH_TABLE = "DiffHash"            # id only
DATABASES = [("ddbdiff_c", "C"), ("ddbdiff_en", "en-US")]


def name_run(seed):
    global TABLE, HASH_TABLE, DATABASES
    TABLE = "DiffTest_%d" % seed
    HASH_TABLE = "DiffHash_%d" % seed
    DATABASES = [("ddbdiff_c_%d" % seed, "C"), ("ddbdiff_en_%d" % seed, "en-US")]

# ----------------------------------------------------------------------------
# Entities: the foreign tables, with the templates and types ddbrel reads by
# ----------------------------------------------------------------------------

# name -> (columns [(name, type)], options, key columns (a unique, total order))
ENTITIES = {
    "raw": ([("pk", "text"), ("sk", "text"), ("name", "text"), ("status", "text"),
             ("total", "numeric"), ("qty", "int"), ("kind", "text")],
            {}, ["pk", "sk"]),
    "users": ([("user_id", "text"), ("name", "text"), ("age", "int")],
              {"pk_template": "USER#{user_id}", "sk_template": "USER#{user_id}"},
              ["user_id"]),
    "orders": ([("user_id", "text"), ("order_id", "text"), ("total", "numeric"),
                ("status", "text"), ("qty", "int")],
               {"pk_template": "USER#{user_id}", "sk_template": "ORDER#{order_id}"},
               ["user_id", "order_id"]),
    "children": ([("user_id", "text"), ("kind", "text"), ("cid", "text")],
                 {"pk_template": "USER#{user_id}", "sk_template": "{kind}#{cid}"},
                 ["user_id", "kind", "cid"]),
    "events": ([("user_id", "text"), ("day", "date"), ("seq", "int"), ("kind", "text")],
               {"pk_template": "USER#{user_id}", "sk_template": "EVT#{day}#{seq}"},
               ["user_id", "day", "seq"]),
    "logs": ([("user_id", "text"), ("at", "timestamptz"), ("n", "bigint"), ("msg", "text")],
             {"pk_template": "USER#{user_id}", "sk_template": "LOG#{at}#{n}"},
             ["user_id", "at", "n"]),
    "custs": ([("cust_id", "int"), ("name", "text")],
              {"pk_template": "CUST#{cust_id}", "sk_template": "CUST#{cust_id}"},
              ["cust_id"]),
    "invs": ([("cust_id", "int"), ("inv_id", "numeric"), ("amount", "numeric")],
             {"pk_template": "CUST#{cust_id}", "sk_template": "INV#{inv_id}"},
             ["cust_id", "inv_id"]),
    "notes": ([("note_id", "text"), ("body", "text"), ("etype", "text")],
              {"pk_template": "NOTE#{note_id}", "sk_template": "META",
               "type_attribute": "_type", "type_value": "note"},
              ["note_id"]),
    "members": ([("member_id", "text"), ("email", "text"), ("name", "text")],
                {"pk_template": "MEMBER#{member_id}", "sk_template": "MEMBER#{member_id}",
                 "gsi2pk_template": "EMAIL#{email}"},
                ["member_id"]),
    "hraw": ([("id", "text"), ("name", "text"), ("qty", "int")],
             {"table": "hash"}, ["id"]),
    "things": ([("thing_id", "text"), ("name", "text"), ("qty", "int")],
               {"table": "hash", "pk_template": "T#{thing_id}"}, ["thing_id"]),
    "nums": ([("num_id", "int"), ("name", "text")],
             {"table": "hash", "pk_template": "N#{num_id}"}, ["num_id"]),
    # the same items under COLLATE "C" keys (see COLLATE)
    "orders_c": ([("user_id", "text"), ("order_id", "text"), ("total", "numeric"),
                  ("status", "text"), ("qty", "int")],
                 {"pk_template": "USER#{user_id}", "sk_template": "ORDER#{order_id}"},
                 ["user_id", "order_id"]),
    "raw_c": ([("pk", "text"), ("sk", "text"), ("name", "text"), ("total", "numeric")],
              {}, ["pk", "sk"]),
    # a date-ordered sort key: ranges on either hole are key ranges
    "dated": ([("user_id", "text"), ("created", "text"), ("order_id", "text"), ("total", "numeric")],
              {"pk_template": "USER#{user_id}", "sk_template": "OD#{created}#{order_id}"},
              ["user_id", "created", "order_id"]),
    # times kept as epoch numbers
    "stamps": ([("user_id", "text"), ("sid", "text"), ("ts_s", "timestamptz"), ("ts_ms", "timestamp"),
                ("d", "date")],
               {"pk_template": "USER#{user_id}", "sk_template": "STAMP#{sid}"},
               ["user_id", "sid"]),
}
# columns that read another attribute than their name
ATTRIBUTE = {("raw", "pk"): "PK", ("raw", "sk"): "SK", ("notes", "etype"): "_type",
             ("raw_c", "pk"): "PK", ("raw_c", "sk"): "SK"}
# other column options
COLUMN_OPTIONS = {("stamps", "ts_s"): {"format": "epoch_seconds"},
                  ("stamps", "ts_ms"): {"format": "epoch_millis", "wrong_type": "null"},
                  ("stamps", "d"): {"format": "epoch_seconds"}}
# columns declared COLLATE "C" (the same on the plain tables)
COLLATE_C = {("orders_c", "user_id"), ("orders_c", "order_id"), ("raw_c", "pk"), ("raw_c", "sk"),
             ("dated", "user_id"), ("dated", "created"), ("dated", "order_id"),
             ("stamps", "user_id"), ("stamps", "sid")}


def table_of(name):
    """The DynamoDB table of an entity: the one with the sort key, or "hash"'s."""
    return HASH_TABLE if ENTITIES[name][1].get("table") == "hash" else TABLE

# ----------------------------------------------------------------------------
# Reading rules (an independent model of what ddbrel must show)
# ----------------------------------------------------------------------------


def parse_template(t):
    parts = []
    for m in re.finditer(r"\{([A-Za-z_][A-Za-z0-9_]*)\}|([^{]+)", t):
        parts.append(("hole", m.group(1)) if m.group(1) else ("lit", m.group(2)))
    return parts


def match_template(parts, key):
    """Hole values of key, or None: a hole ends at the first occurrence of
    the literal after it (never empty), a trailing hole takes the rest."""
    pos = 0
    vals = {}
    for i, (kind, text) in enumerate(parts):
        if kind == "lit":
            if not key.startswith(text, pos):
                return None
            pos += len(text)
        elif i == len(parts) - 1:
            vals[text] = key[pos:]
            pos = len(key)
        else:
            end = key.find(parts[i + 1][1], pos)
            if end <= pos:
                return None
            vals[text] = key[pos:end]
            pos = end
    return vals if pos == len(key) else None


INT_RE = re.compile(r"-?(0|[1-9][0-9]*)\Z")
NUM_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?\Z")


def canonical(text, typ):
    """Whether a hole's text is the one text of the value it reads as."""
    if typ == "text":
        return True
    if typ == "int":
        return bool(INT_RE.match(text)) and text != "-0" and -2**31 <= int(text) < 2**31
    if typ == "bigint":
        return bool(INT_RE.match(text)) and text != "-0" and -2**63 <= int(text) < 2**63
    if typ == "timestamptz":
        # ISO in UTC, fractions without trailing zeros
        m = re.match(r"([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]*[1-9])?\+00\Z", text)
        return bool(m) and canonical(m.group(1), "date") and int(m.group(2)) < 24 and \
            int(m.group(3)) < 60 and int(m.group(4)) < 60
    if typ == "numeric":
        return text in ("NaN", "Infinity", "-Infinity") or (bool(NUM_RE.match(text)) and text != "-0")
    if typ == "date":
        if not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", text):
            return False
        try:
            return date.fromisoformat(text).isoformat() == text
        except ValueError:
            return False
    raise ValueError(typ)


def attr_value(av):
    """An attribute's value as the text PostgreSQL reads (None: NULL)."""
    if av is None or "NULL" in av:
        return None
    if "S" in av:
        return av["S"]
    if "N" in av:
        return av["N"]
    if "BOOL" in av:
        return "true" if av["BOOL"] else "false"
    raise ValueError(av)


def epoch_text(av, typ, fmt, wrong_null):
    """What a column of format fmt reads from an attribute: its UTC text."""
    if av is None or "NULL" in av:
        return None
    if "N" not in av:
        if wrong_null:
            return None
        raise ValueError(av)
    us = Decimal(av["N"]) * (1000 if fmt == "epoch_millis" else 1000000)
    us = int(us)                        # the data has no finer digits
    days, rest = divmod(us, 86400 * 1000000)
    day = date(1970, 1, 1) + timedelta(days=days)
    if typ == "date":
        return day.isoformat()
    secs, frac = divmod(rest, 1000000)
    text = "%s %02d:%02d:%02d" % (day.isoformat(), secs // 3600, secs // 60 % 60, secs % 60)
    if frac:
        text += ("." + "%06d" % frac).rstrip("0")
    return text + ("+00" if typ == "timestamptz" else "")


def entity_rows(name, items):
    cols, opts, _ = ENTITIES[name]
    types = dict(cols)
    pkt = parse_template(opts["pk_template"]) if "pk_template" in opts else None
    skt = parse_template(opts["sk_template"]) if "sk_template" in opts else None
    pk_attr = "PK" if table_of(name) == TABLE else "id"
    rows = []
    for it in items["hash" if table_of(name) == HASH_TABLE else "main"]:
        holes = {}
        ok = True
        for tmpl, attr in ((pkt, pk_attr), (skt, "SK")):
            if tmpl is None:
                continue
            vals = match_template(tmpl, it[attr]["S"])
            if vals is None:
                ok = False
                break
            for h, v in vals.items():
                if not canonical(v, types[h]) or (h in holes and holes[h] != v):
                    ok = False
                holes[h] = v
        if not ok:
            continue
        if "type_attribute" in opts and attr_value(it.get(opts["type_attribute"])) != opts["type_value"]:
            continue
        row = []
        for c, t in cols:
            copts = COLUMN_OPTIONS.get((name, c), {})
            if c in holes:
                row.append(holes[c])
            elif "format" in copts:
                row.append(epoch_text(it.get(c), t, copts["format"], copts.get("wrong_type") == "null"))
            else:
                row.append(attr_value(it.get(ATTRIBUTE.get((name, c), c))))
        rows.append(tuple(row))
    return rows

# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------


TRICKY = ["a", "ab", "abc", "b", "A", "Z", "#", "a#", "#a", "a#b", "%", "a%", "_", "a_b",
          "\\", "a\\b", "\\%", "é", "é#x", "日本", "x y", " ", "1", "10", "9", "0", "-1",
          "ORDER", "USER", "a.b", "o'q", "😀", "a%b_c", "ab#cd#ef", "Ab", "aB"]
CREATED = ["2024-01-05", "2024-01-05T10:00:00Z", "2023-12-31", "2024-02", "2024-01-05 10", "a", "a!",
           "a b", "é", "Z", "9", "10", "2024-01-05T10:00:00.5Z"]
WORDS = ["new", "old", "Al", "al", "shipped", "a", "ab", "%", "_", "x#y", "é", "Zed", "zed",
         "", " ", "o'q", "\\", "true", "5", "-1.5"]


def gen_items(rng):
    items = {}

    def put(pk, sk, **attrs):
        it = {"PK": {"S": pk}, "SK": {"S": sk}}
        for k, v in attrs.items():
            if v is not None:
                it[k] = v
        items[(pk, sk)] = it

    def s(v):
        return {"S": v}

    def n(v):
        return {"N": str(v)}

    def word():
        r = rng.random()
        if r < 0.1:
            return None
        if r < 0.15:
            return {"NULL": True}
        if r < 0.2:
            return n(rng.choice([5, -1.5, 0, 12]))
        if r < 0.23:
            return {"BOOL": rng.random() < 0.5}
        return s(rng.choice(WORDS + TRICKY))

    def number():
        r = rng.random()
        if r < 0.1:
            return None
        if r < 0.15:
            return {"NULL": True}
        return n(rng.choice(["5", "7.5", "-1", "0", "10", "100.25", "-0.5", "12345678901234567890.123",
                             str(rng.randint(-50, 50)), "%d.%d" % (rng.randint(0, 20), rng.randint(1, 9))]))

    def integer():
        return None if rng.random() < 0.15 else n(rng.randint(-5, 30))

    users = rng.sample(TRICKY + [""], rng.randint(8, 16))
    for u in users:
        if rng.random() < 0.85:
            put("USER#" + u, "USER#" + u, name=word(), age=integer(), status=word())
        for o in rng.sample(TRICKY + ["1", "2", "3", "12"], rng.randint(0, 7)):
            put("USER#" + u, "ORDER#" + o, total=number(), status=word(), qty=integer(),
                name=word() if rng.random() < 0.2 else None)
        for _ in range(rng.randint(0, 3)):
            d = date(rng.randint(1000, 2999), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
            seq = str(rng.randint(-3, 12))
            if rng.random() < 0.25:      # not how those values are written
                d, seq = rng.choice([(d.replace("-0", "-", 1), seq), (d, "0" + seq.lstrip("-")),
                                     (d, "+" + seq), (d + "x", seq), ("2024-02-30", seq),
                                     (d, seq + ".0"), (d, "")])
            put("USER#" + u, "EVT#%s#%s" % (d, seq), kind=word())
        for _ in range(rng.randint(0, 2)):
            at = "%04d-%02d-%02d %02d:%02d:%02d%s+00" % (
                rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                rng.randint(0, 59), rng.randint(0, 59), rng.choice(["", "", ".25", ".5"]))
            num = str(rng.choice([rng.randint(-3, 12), 2**40 + rng.randint(0, 3)]))
            if rng.random() < 0.25:      # not how those values are written
                at = rng.choice([at.replace(" ", "T"), at.replace("+00", "+01"), at.replace("+00", "Z"),
                                 at.replace("+00", ""), at.replace("+00", ".50+00"), at])
                num = rng.choice([num, "0" + num.lstrip("-"), "99999999999999999999"])
            put("USER#" + u, "LOG#%s#%s" % (at, num), msg=word())
        for _ in range(rng.randint(0, 4)):    # date-ordered orders, some texts sorting oddly
            created = rng.choice(CREATED)
            put("USER#" + u, "OD#%s#%s" % (created, rng.choice(TRICKY)), total=number())
        for k in range(rng.randint(0, 3)):    # times as epoch numbers
            secs = rng.randint(-2 * 10**9, 4 * 10**9)
            put("USER#" + u, "STAMP#%d%s" % (k, rng.choice(["", "a", "é"])),
                ts_s=n("%d%s" % (secs, rng.choice(["", ".5", ".25", ".000001"]))),
                ts_ms=rng.choice([n("%d%s" % (secs * 1000 + rng.randint(-999, 999), rng.choice(["", ".5"]))),
                                  s("soon"), None]),
                d=n(str(secs // 86400 * 86400)))
        for _ in range(rng.randint(0, 3)):    # other item shapes in the partition
            put("USER#" + u, rng.choice(["X#1", "#x", "a#", "NOHASH", "ORDER", "ORDER#",
                                         "USER#", "x#y#z", "EVT#", "EVT#2024-01-05",
                                         "é#ü", "ORDER#a#b"]), kind=word(), status=word())
    for c in rng.sample(range(-3, 25), rng.randint(6, 14)):
        text = str(c)
        if rng.random() < 0.2:
            text = rng.choice(["0%d" % abs(c), "+%d" % c, "%d.0" % c, " %d" % c, "99999999999", "x"])
        put("CUST#" + text, "CUST#" + text, name=word())
        for _ in range(rng.randint(0, 4)):
            inv = rng.choice(["7", "7.5", "-0.25", "0", "12345678901234567890.5", "3", "100",
                              "NaN", "7.0", "07", "1e2", "-0", ".5", "7.50", str(rng.randint(1, 40))])
            put("CUST#" + text, "INV#" + inv, amount=number())
    for i in range(rng.randint(2, 6)):
        nid = rng.choice(TRICKY + ["n%d" % i])
        put("NOTE#" + nid, rng.choice(["META", "META", "META", "OTHER"]),
            _type=rng.choice([s("note"), s("note"), s("note"), s("other"), None]), body=word())
    # members, found by e-mail through GSI2 (gsi2pk composed from email, or absent with it)
    for m in rng.sample(TRICKY, rng.randint(3, 8)):
        email = rng.choice(TRICKY + ["a@x", "b@x", "A@x"]) if rng.random() < 0.85 else None
        put("MEMBER#" + m, "MEMBER#" + m, email=s(email) if email is not None else None,
            gsi2pk=s("EMAIL#" + email) if email is not None else None, name=word())

    # the table with a partition key only
    hitems = {}
    for k in rng.sample(TRICKY, rng.randint(3, 8)):
        hitems[k] = {"id": s(k), "name": word(), "qty": integer()}
    for k in rng.sample(TRICKY + [""], rng.randint(3, 8)):
        hitems["T#" + k] = {"id": s("T#" + k), "name": word(), "qty": integer()}
    for c in rng.sample(range(-3, 25), rng.randint(3, 8)):
        text = str(c) if rng.random() < 0.8 else rng.choice(["0%d" % abs(c), "+%d" % c, "%d.0" % c])
        hitems["N#" + text] = {"id": s("N#" + text), "name": word()}
    hitems = [{k: v for k, v in it.items() if v is not None} for it in hitems.values()]
    return {"main": list(items.values()), "hash": hitems}

# ----------------------------------------------------------------------------
# Databases
# ----------------------------------------------------------------------------


def sql_literal(v):
    if v is None:
        return "NULL"
    return "'" + v.replace("'", "''") + "'"


# dates and times as the server writes them (in any DateStyle): compared as text
psycopg2.extensions.register_type(psycopg2.extensions.new_type(
    (1082, 1083, 1114, 1184, 1266), "DATETIME_TEXT", lambda value, cur: value))


def connect(dbname):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    return conn


def session_settings(cur, coll):
    """Per database: the en-US one also reads and writes dates in another style and zone."""
    cur.execute("SET statement_timeout = '60s'")
    if coll != "C":
        cur.execute("SET TimeZone = 'America/New_York'")
        cur.execute("SET DateStyle = 'SQL, DMY'")


def setup_databases(items, endpoint, local_keys):
    admin = connect(os.environ.get("PGDATABASE", "postgres"))
    cur = admin.cursor()
    for db, coll in DATABASES:
        cur.execute("DROP DATABASE IF EXISTS %s" % db)
        if coll == "C":
            cur.execute("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'" % db)
        else:
            cur.execute("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' "
                        "LOCALE_PROVIDER icu ICU_LOCALE '%s' LOCALE 'C'" % (db, coll))
    admin.close()
    conns = {}
    for db, _coll in DATABASES:
        conn = connect(db)
        cur = conn.cursor()
        cur.execute("CREATE EXTENSION ddbrel")
        cur.execute("CREATE SERVER ddb FOREIGN DATA WRAPPER ddbrel "
                    "OPTIONS (region 'us-east-1', endpoint %s)" % sql_literal(endpoint))
        cur.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER ddb "
                    "OPTIONS (access_key_id 'difftest', secret_access_key 'difftest')")
        cur.execute("CREATE SCHEMA f")
        cur.execute("CREATE SCHEMA p")
        for name, (cols, opts, _keys) in ENTITIES.items():
            coldefs = []
            for c, t in cols:
                copts = dict(COLUMN_OPTIONS.get((name, c), {}))
                if (name, c) in ATTRIBUTE:
                    copts["attribute"] = ATTRIBUTE[(name, c)]
                coldefs.append("%s %s%s%s" % (c, t, " OPTIONS (%s)" % ", ".join(
                    "%s %s" % (k, sql_literal(v)) for k, v in copts.items()) if copts else "",
                    ' COLLATE "C"' if (name, c) in COLLATE_C else ""))
            o = dict(opts, table=table_of(name))
            cur.execute("CREATE FOREIGN TABLE f.%s (%s) SERVER ddb OPTIONS (%s)" % (
                name, ", ".join(coldefs), ", ".join("%s %s" % (k, sql_literal(v)) for k, v in o.items())))
            cur.execute("CREATE TABLE p.%s (%s)" % (name, ", ".join(
                "%s %s%s" % (c, t, ' COLLATE "C"' if (name, c) in COLLATE_C else "") for c, t in cols)))
            rows = entity_rows(name, items)
            if rows:
                cur.execute("INSERT INTO p.%s VALUES %s" % (name, ", ".join(
                    "(" + ", ".join(sql_literal(v) for v in r) + ")" for r in rows)))
            cur.execute("ANALYZE p.%s" % name)
        # a plain table both sides join to (parameterized key lookups)
        cur.execute("CREATE TABLE public.keys_local (k text, n int)")
        cur.execute("INSERT INTO public.keys_local VALUES %s" % ", ".join(
            "(%s, %s)" % (sql_literal(k), "NULL" if n is None else n) for k, n in local_keys))
        cur.execute("ANALYZE public.keys_local")
        session_settings(cur, coll)
        conns[db] = conn
    return conns


def create_table(client, name, keys, indexes=None):
    try:
        client.delete_table(TableName=name)
        client.get_waiter("table_not_exists").wait(TableName=name)
    except client.exceptions.ResourceNotFoundException:
        pass
    args = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"}
                                     for a in sorted(set(a for a, _ in keys) |
                                                     set(a for ix in (indexes or []) for a, _ in ix[1]))],
            "KeySchema": [{"AttributeName": a, "KeyType": t} for a, t in keys]}
    if indexes:
        args["GlobalSecondaryIndexes"] = [
            {"IndexName": n, "KeySchema": [{"AttributeName": a, "KeyType": t} for a, t in ks],
             "Projection": {"ProjectionType": "ALL"}} for n, ks in indexes]
    client.create_table(**args)
    client.get_waiter("table_exists").wait(TableName=name)


def drop_run():
    admin = connect(os.environ.get("PGDATABASE", "postgres"))
    for db, _coll in DATABASES:
        admin.cursor().execute("DROP DATABASE IF EXISTS %s" % db)
    admin.close()
    client = boto3.client("dynamodb", endpoint_url=os.environ["DDB_ENDPOINT"],
                          region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    for t in (TABLE, HASH_TABLE):
        client.delete_table(TableName=t)


def load_tables(items):
    client = boto3.client("dynamodb", endpoint_url=os.environ["DDB_ENDPOINT"],
                          region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    create_table(client, TABLE, [("PK", "HASH"), ("SK", "RANGE")],
                 [("GSI1", [("SK", "HASH"), ("PK", "RANGE")]), ("GSI2", [("gsi2pk", "HASH")])])
    create_table(client, HASH_TABLE, [("id", "HASH")])
    for which, its in items.items():
        table = HASH_TABLE if which == "hash" else TABLE
        for i in range(0, len(its), 25):
            req = {table: [{"PutRequest": {"Item": it}} for it in its[i:i + 25]]}
            while req:
                resp = client.batch_write_item(RequestItems=req)
                req = resp.get("UnprocessedItems") or None


# ----------------------------------------------------------------------------
# Queries
# ----------------------------------------------------------------------------


class Gen:
    """Random SQL over the entities, with constants drawn from the data."""

    def __init__(self, rng, items):
        self.rng = rng
        self.values = {}            # (entity, column) -> values seen
        for name in ENTITIES:
            cols = ENTITIES[name][0]
            for row in entity_rows(name, items):
                for (c, _t), v in zip(cols, row):
                    if v is not None:
                        self.values.setdefault((name, c), set()).add(v)
        for k in self.values:
            self.values[k] = sorted(self.values[k])

    def pick(self, seq):
        return self.rng.choice(seq)

    def local_keys(self):
        """Rows of public.keys_local: key values of the data, and others."""
        texts = sorted(set(v for (e, c), vals in self.values.items() for v in vals
                           if c in ("user_id", "order_id", "member_id", "thing_id", "id", "email")))
        texts = self.rng.sample(texts, min(len(texts), 14)) + self.rng.sample(TRICKY, 4) + ["", None]
        rows = []
        for k in texts:
            n = self.rng.choice([None, self.rng.randint(-3, 25)])
            rows.append((k, n))
            if self.rng.random() < 0.15:
                rows.append((k, n))          # a duplicate row
        return rows

    # constants ----------------------------------------------------------
    def text_const(self, ent, col):
        r = self.rng.random()
        seen = self.values.get((ent, col), [])
        if seen and r < 0.6:
            v = self.pick(seen)
        elif r < 0.7:
            v = self.pick(["", "x" * 1100, "y" * 2100, "USER#", "ORDER#", "USER#a"])
        else:
            v = self.pick(TRICKY + WORDS)
        return sql_literal(v)

    def int_const(self, ent, col):
        seen = self.values.get((ent, col), [])
        if seen and self.rng.random() < 0.6:
            v = self.pick(seen)
        else:
            v = str(self.rng.randint(-5, 30))
        return self.pick([v, v, "%s::bigint" % v, "%s::smallint" % v if abs(int(v)) < 30000 else v,
                          "%s.0" % v, "'%s'" % v])

    def num_const(self, ent, col):
        seen = [v for v in self.values.get((ent, col), []) if v not in ("NaN",)]
        if seen and self.rng.random() < 0.6:
            v = self.pick(seen)
        else:
            v = self.pick(["7", "7.5", "-1", "0", "5", "100.25", "3"])
        return self.pick([v, v, "%s0" % v if "." in v else "%s.0" % v, "%s::int" % v if re.match(r"-?\d+\Z", v) else v,
                          "'%s'" % v])

    def date_const(self, ent, col):
        seen = self.values.get((ent, col), [])
        v = self.pick(seen) if seen and self.rng.random() < 0.7 else "2024-01-05"
        return self.pick(["'%s'" % v, "'%s'::date" % v, "'%s'::timestamp" % v,
                          "'%s 10:00'::timestamp" % v, "date '%s' + 1" % v])

    def ts_const(self, ent, col):
        seen = self.values.get((ent, col), [])
        v = self.pick(seen) if seen and self.rng.random() < 0.7 else "2024-01-05 10:00:00+00"
        return self.pick(["'%s'" % v, "'%s'::timestamptz" % v, "'%s'::timestamptz + interval '5 hours'" % v,
                          "('%s'::timestamptz)::date" % v, "'%s'::timestamp" % v.replace("+00", "")])

    def plain_ts_const(self, ent, col):
        seen = self.values.get((ent, col), [])
        v = self.pick(seen) if seen and self.rng.random() < 0.7 else "2024-01-05 10:00:00"
        return self.pick(["'%s'" % v, "'%s'::timestamp" % v, "'%s'::timestamp - interval '1 second'" % v,
                          "('%s'::timestamp)::date" % v, "'infinity'::timestamp"])

    def const(self, ent, col):
        t = dict(ENTITIES[ent][0])[col]
        return {"text": self.text_const, "int": self.int_const, "bigint": self.int_const,
                "numeric": self.num_const, "date": self.date_const,
                "timestamptz": self.ts_const, "timestamp": self.plain_ts_const}[t](ent, col)

    # conditions ---------------------------------------------------------
    @staticmethod
    def filtered_attribute(ent, col):
        """Whether a column reads a non-key attribute (conditions on it may be a FilterExpression)."""
        opts = ENTITIES[ent][1]
        for t in [v for k, v in opts.items() if k.endswith("_template")]:
            if "{%s}" % col in t:
                return False
        return ATTRIBUTE.get((ent, col), col) not in ("PK", "SK", "id")

    def like_pattern(self, ent, col):
        """A valid LIKE pattern (as an SQL literal) from a value's prefix."""
        seen = self.values.get((ent, col), [])
        v = self.pick(seen) if seen else self.pick(TRICKY)
        cut = v[:self.rng.randint(0, len(v))]
        esc = re.sub(r"([%_\\])", r"\\\1", cut)
        tail = self.pick(["%", "%", "%", "_%", "%x", "", "%_"])
        return sql_literal(esc + tail)

    def condition(self, ent, alias, depth=0):
        cols = ENTITIES[ent][0]
        col, typ = self.pick(cols)
        ref = "%s.%s" % (alias, col) if alias else col
        r = self.rng.random()
        if depth < 2 and r < 0.12:
            op = self.pick([" AND ", " OR "])
            return "(%s%s%s)" % (self.condition(ent, alias, depth + 1), op,
                                 self.condition(ent, alias, depth + 1))
        if depth < 2 and r < 0.15:
            return "NOT (%s)" % self.condition(ent, alias, depth + 1)
        r = self.rng.random()
        if r < 0.3:
            return "%s = %s" % (ref, self.const(ent, col))
        if r < 0.45:
            vals = [self.const(ent, col) for _ in range(self.rng.randint(1, 4))]
            if self.filtered_attribute(ent, col):
                # dynalite's IN never matches an empty string (DynamoDB's does):
                # no '' in lists a FilterExpression may carry
                vals = [v for v in vals if v != "''"] or ["'a'"]
            if self.rng.random() < 0.5:
                vals.append(vals[0])          # a duplicate
            if self.rng.random() < 0.3:
                vals.insert(self.rng.randint(0, len(vals)), "NULL")
            if self.rng.random() < 0.5:
                return "%s IN (%s)" % (ref, ", ".join(vals))
            return "%s = ANY (ARRAY[%s]::%s[])" % (ref, ", ".join(vals), typ)
        if r < 0.6:
            op = self.pick(["<", "<=", ">", ">=", "<>"])
            return "%s %s %s" % (ref, op, self.const(ent, col))
        if r < 0.68:
            return "%s BETWEEN %s AND %s" % (ref, self.const(ent, col), self.const(ent, col))
        if r < 0.8 and typ == "text":
            f = self.pick(["LIKE", "LIKE", "NOT LIKE", "ILIKE", "^@", "starts_with"])
            pat = self.like_pattern(ent, col)
            if f == "^@" or f == "starts_with":
                lit = self.pick(self.values.get((ent, col), ["a"]))
                lit = sql_literal(lit[:self.rng.randint(0, len(lit))])
                return "%s ^@ %s" % (ref, lit) if f == "^@" else "starts_with(%s, %s)" % (ref, lit)
            return "%s %s %s" % (ref, f, pat)
        if r < 0.85:
            return "%s IS %sNULL" % (ref, self.pick(["", "NOT "]))
        if r < 0.9:
            return "%s IS %sDISTINCT FROM %s" % (ref, self.pick(["", "NOT "]), self.const(ent, col))
        if r < 0.94:
            vals = [self.const(ent, col) for _ in range(self.rng.randint(1, 3))]
            if self.rng.random() < 0.3:
                vals.append("NULL")
            return "%s NOT IN (%s)" % (ref, ", ".join(vals))
        if r < 0.97:
            other, otyp = self.pick(cols)
            oref = "%s.%s" % (alias, other) if alias else other
            if otyp == typ:
                return "%s %s %s" % (ref, self.pick(["=", "<", "<>"]), oref)
        return "%s = %s" % (ref, self.const(ent, col))

    def key_binding(self, ent, alias):
        """Conditions that give ddbrel a key to read by (GetItem, Query)."""
        keys = ENTITIES[ent][2]
        conds = []
        for i, k in enumerate(keys):
            if i > 0 and self.rng.random() < 0.5:
                break
            vals = self.values.get((ent, k), [])
            ref = "%s.%s" % (alias, k) if alias else k
            if vals and self.rng.random() < 0.85:
                typ = dict(ENTITIES[ent][0])[k]
                lit = [sql_literal(v) if typ not in ("int", "bigint") else v for v in
                       self.rng.sample(vals, min(len(vals), self.rng.randint(1, 3)))]
                if len(lit) > 1 or self.rng.random() < 0.3:
                    lit.append(lit[0])
                    conds.append("%s IN (%s)" % (ref, ", ".join(lit)))
                else:
                    conds.append("%s = %s" % (ref, lit[0]))
            else:
                conds.append("%s = %s" % (ref, self.const(ent, k)))
        return conds

    def where(self, ent, alias=None):
        conds = []
        if self.rng.random() < 0.7:
            conds += self.key_binding(ent, alias)
        for _ in range(self.rng.randint(0, 3)):
            conds.append(self.condition(ent, alias))
        return (" WHERE " + " AND ".join(conds)) if conds else ""

    # statements ---------------------------------------------------------
    def select(self):
        """(sql, ordered)"""
        ent = self.pick(list(ENTITIES))
        cols = [c for c, _ in ENTITIES[ent][0]]
        keys = ENTITIES[ent][2]
        w = self.where(ent)
        r = self.rng.random()
        if len(keys) > 1 and r < 0.12:
            # one partition in sort key order, as DynamoDB returns it
            first = keys[0]
            rest = ", ".join(k + self.pick(["", " DESC"]) for k in keys[1:])
            conds = ["%s = %s" % (first, self.const(ent, first))]
            conds += [self.condition(ent, None) for _ in range(self.rng.randint(0, 2))]
            lim = " LIMIT %d" % self.rng.randint(1, 4) if self.rng.random() < 0.7 else ""
            if lim and self.rng.random() < 0.2:
                lim += " OFFSET %d" % self.rng.randint(1, 2)
            return "SELECT * FROM %s WHERE %s ORDER BY %s%s" % (ent, " AND ".join(conds), rest, lim), True
        if r < 0.25:
            return "SELECT count(*) FROM %s%s" % (ent, w), False
        if r < 0.4:
            desc = self.pick(["", " DESC"])
            order = ", ".join(k + desc for k in keys)
            offset = " OFFSET %d" % self.rng.randint(1, 3) if self.rng.random() < 0.25 else ""
            return "SELECT * FROM %s%s ORDER BY %s LIMIT %d%s" % (ent, w, order, self.rng.randint(1, 5),
                                                                offset), True
        sel = ", ".join(self.rng.sample(cols, self.rng.randint(1, len(cols))))
        return "SELECT %s FROM %s%s" % (sel if self.rng.random() < 0.5 else "*", ent, w), False

    JOINS = [
        ("users", "u", "orders", "o", "u.user_id = o.user_id", ["u.name = o.status", "u.age = o.qty", "o.total > 5"]),
        ("orders", "o", "users", "u", "u.user_id = o.user_id", ["u.name = o.status", "u.name < o.status"]),
        ("orders", "o", "orders", "p", "o.user_id = p.user_id", ["o.order_id = p.order_id", "o.status = p.status",
                                                                 "o.total < p.total"]),
        ("users", "u", "users", "v", "u.user_id = v.user_id", ["u.name = v.name", "u.age = v.age"]),
        ("orders", "o", "children", "c", "o.user_id = c.user_id", ["o.order_id = c.cid", "c.kind = 'ORDER'"]),
        ("users", "u", "children", "c", "u.user_id = c.user_id", ["u.user_id = c.cid"]),
        ("custs", "c", "invs", "i", "c.cust_id = i.cust_id", ["c.cust_id = i.inv_id", "i.amount > 5"]),
        ("invs", "i", "custs", "c", "c.cust_id = i.cust_id", ["c.name = 'c1'"]),
        ("events", "e", "users", "u", "e.user_id = u.user_id", ["e.kind = u.name", "e.seq = u.age"]),
        ("users", "u", "events", "e", "e.user_id = u.user_id", ["e.kind = u.name"]),
        ("users", "u", "logs", "g", "g.user_id = u.user_id", ["g.msg = u.name", "g.n = u.age"]),
        ("logs", "g", "events", "e", "g.user_id = e.user_id", ["g.n = e.seq", "g.at::date = e.day"]),
        ("raw", "r", "users", "u", "r.pk = 'USER#' || u.user_id", ["r.sk = 'USER#' || u.user_id"]),
        ("nums", "n", "custs", "c", "n.num_id = c.cust_id", ["n.name = c.name"]),
        ("custs", "c", "nums", "n", "n.num_id = c.cust_id", ["n.name <> c.name"]),
        ("things", "t", "hraw", "h", "h.id = t.thing_id", ["h.qty = t.qty"]),
        ("hraw", "h", "things", "t", "h.id = t.thing_id", ["h.name = t.name"]),
        ("members", "m", "users", "u", "u.user_id = m.member_id", ["u.name = m.name"]),
        ("users", "u", "members", "m", "u.user_id = m.email", ["u.name = m.name"]),
        ("orders", "o", "members", "m", "o.order_id = m.email", ["o.status = m.name"]),
        ("orders_c", "o", "dated", "d", "o.user_id = d.user_id", ["o.order_id = d.order_id", "d.total > o.total",
                                                                  "d.created < o.order_id"]),
        ("dated", "d", "orders_c", "o", "o.user_id = d.user_id", ["o.order_id = d.order_id"]),
        ("orders_c", "o", "stamps", "t", "o.user_id = t.user_id", ["t.sid < o.order_id"]),
    ]

    # foreign tables joined to public.keys_local (k text, n int) on a key
    LOCAL_JOINS = [("orders", "o", "o.user_id = l.k"), ("orders", "o", "o.order_id = l.k"),
                   ("users", "u", "u.user_id = l.k"), ("custs", "c", "c.cust_id = l.n"),
                   ("invs", "i", "i.cust_id = l.n"), ("things", "t", "t.thing_id = l.k"),
                   ("hraw", "h", "h.id = l.k"), ("nums", "n", "n.num_id = l.n"),
                   ("members", "m", "m.email = l.k"), ("raw", "r", "r.pk = l.k"),
                   ("raw", "r", "r.sk = l.k"), ("children", "c", "c.user_id = l.k AND c.kind = 'ORDER'"),
                   ("events", "e", "e.user_id = l.k AND e.seq = l.n")]

    def local_join(self):
        """(sql, settings): a plain table joined to a foreign one, often as a nested loop."""
        ent, al, on = self.pick(self.LOCAL_JOINS)
        kind = self.pick(["JOIN", "JOIN", "LEFT JOIN"])
        where = ""
        if self.rng.random() < 0.5:
            where = " WHERE " + self.condition(ent, al)
        r = self.rng.random()
        if r < 0.2:
            sql = "SELECT * FROM keys_local l WHERE EXISTS (SELECT 1 FROM %s %s WHERE %s%s)" % (
                ent, al, on, (" AND " + self.condition(ent, al)) if self.rng.random() < 0.5 else "")
        elif r < 0.3:
            sql = "SELECT * FROM keys_local l WHERE NOT EXISTS (SELECT 1 FROM %s %s WHERE %s)" % (ent, al, on)
        elif r < 0.4:
            col = on.split(" = ")[0].split(".")[1]
            lcol = on.split(" = ")[1].split(" ")[0]
            sql = "SELECT * FROM %s %s WHERE %s.%s IN (SELECT %s FROM keys_local l)%s" % (
                ent, al, al, col, lcol, (" AND " + self.condition(ent, al)) if self.rng.random() < 0.5 else "")
        else:
            sql = "SELECT * FROM keys_local l %s %s %s ON %s%s" % (kind, ent, al, on, where)
        settings = []
        if self.rng.random() < 0.6:
            settings = ["enable_hashjoin = off", "enable_mergejoin = off"]
            if self.rng.random() < 0.5:
                settings.append("enable_material = off")
        return sql, settings

    def exists(self):
        """A semi- or anti-join between two foreign tables."""
        a, aa, b, ba, on, extras = self.pick(self.JOINS)
        extra = (" AND " + self.pick(extras)) if self.rng.random() < 0.4 else ""
        neg = self.pick(["", "NOT "])
        w = self.where(a, aa)
        w = (w + " AND ") if w else " WHERE "
        return "SELECT * FROM %s %s%s%sEXISTS (SELECT 1 FROM %s %s WHERE %s%s)" % (
            a, aa, w, neg, b, ba, on, extra), False

    def join(self):
        a, aa, b, ba, on, extras = self.pick(self.JOINS)
        kind = self.pick(["JOIN", "JOIN", "LEFT JOIN"])
        cond = on
        for e in extras:
            if self.rng.random() < 0.3:
                cond += " AND " + e
        where = []
        if self.rng.random() < 0.75:
            where += self.key_binding(a, aa)
        if self.rng.random() < 0.2:
            where += self.key_binding(b, ba)
        for _ in range(self.rng.randint(0, 2)):
            ent, al = self.pick([(a, aa), (b, ba)])
            where.append(self.condition(ent, al))
        if self.rng.random() < 0.2:
            where.append(self.pick(extras))
        w = (" WHERE " + " AND ".join(where)) if where else ""
        r = self.rng.random()
        if r < 0.15:
            return "SELECT count(*) FROM %s %s %s %s %s ON %s%s" % (a, aa, kind, b, ba, cond, w), False
        if r < 0.35:
            # both sides' keys: a total order (a LEFT join's missing partner sorts once, last)
            desc = self.pick(["", " DESC"])
            order = ", ".join(["%s.%s%s" % (aa, k, desc) for k in ENTITIES[a][2]] +
                              ["%s.%s" % (ba, k) for k in ENTITIES[b][2]])
            return "SELECT * FROM %s %s %s %s %s ON %s%s ORDER BY %s LIMIT %d" % (
                a, aa, kind, b, ba, cond, w, order, self.rng.randint(1, 6)), True
        return "SELECT * FROM %s %s %s %s %s ON %s%s" % (a, aa, kind, b, ba, cond, w), False

    def lateral(self):
        a, aa, b, ba, on, extras = self.pick(self.JOINS[:6])
        keys = ", ".join("%s.%s" % (ba, k) for k in ENTITIES[b][2])
        w = self.where(a, aa)
        inner_extra = (" AND " + self.condition(b, ba)) if self.rng.random() < 0.4 else ""
        kind = self.pick(["CROSS JOIN LATERAL", "LEFT JOIN LATERAL"])
        tail = " ON true" if kind.startswith("LEFT") else ""
        return ("SELECT * FROM %s %s %s (SELECT * FROM %s %s WHERE %s%s ORDER BY %s LIMIT %d) x%s%s"
                % (a, aa, kind, b, ba, on, inner_extra, keys, self.rng.randint(1, 3), tail, w)), False

    PREPARED = [
        ("orders", "SELECT * FROM orders WHERE user_id = $1", ["text"]),
        ("orders", "SELECT * FROM orders WHERE user_id = $1 AND order_id = $2", ["text", "text"]),
        ("orders", "SELECT * FROM orders WHERE user_id = ANY ($1)", ["text[]"]),
        ("orders", "SELECT count(*) FROM orders WHERE user_id = ANY ($1) AND status = $2", ["text[]", "text"]),
        ("orders", "SELECT * FROM orders WHERE order_id = $1", ["text"]),
        ("users", "SELECT * FROM users WHERE user_id = ANY ($1)", ["text[]"]),
        ("raw", "SELECT pk, sk FROM raw WHERE pk = $1 AND sk BETWEEN $2 AND $3", ["text", "text", "text"]),
        ("raw", "SELECT pk, sk FROM raw WHERE pk = $1 AND sk > $2", ["text", "text"]),
        ("raw", "SELECT pk, sk FROM raw WHERE pk = $1 AND sk <= $2 ORDER BY sk LIMIT 2", ["text", "text"]),
        ("raw", "SELECT pk, sk FROM raw WHERE sk = $1", ["text"]),
        ("raw", "SELECT count(*) FROM raw WHERE pk = ANY ($1) AND sk >= $2", ["text[]", "text"]),
        ("custs", "SELECT * FROM custs WHERE cust_id = $1", ["int"]),
        ("custs", "SELECT * FROM custs WHERE cust_id = ANY ($1)", ["int[]"]),
        ("invs", "SELECT * FROM invs WHERE cust_id = $1 AND inv_id = $2", ["int", "numeric"]),
        ("events", "SELECT * FROM events WHERE user_id = $1 AND day = $2", ["text", "date"]),
        ("children", "SELECT * FROM children WHERE user_id = $1 AND kind LIKE $2", ["text", "pattern"]),
        ("orders", "SELECT * FROM orders WHERE user_id = $1 AND order_id LIKE $2", ["text", "pattern"]),
        ("users", "SELECT * FROM users u JOIN orders o USING (user_id) WHERE u.user_id = ANY ($1)", ["text[]"]),
        ("orders", "SELECT * FROM orders o JOIN users u ON u.user_id = o.user_id AND u.name = o.status "
                   "WHERE o.order_id = $1", ["text"]),
        ("logs", "SELECT * FROM logs WHERE user_id = $1 AND at = $2 AND n = $3", ["text", "timestamptz", "bigint"]),
        ("logs", "SELECT * FROM logs WHERE user_id = $1 AND at = $2", ["text", "timestamptz"]),
        ("things", "SELECT * FROM things WHERE thing_id = ANY ($1)", ["text[]"]),
        ("hraw", "SELECT * FROM hraw WHERE id = $1", ["text"]),
        ("nums", "SELECT * FROM nums WHERE num_id = ANY ($1)", ["int[]"]),
        ("members", "SELECT * FROM members WHERE email = $1", ["text"]),
        ("dated", "SELECT * FROM dated WHERE user_id = $1 AND created BETWEEN $2 AND $3", ["text", "text", "text"]),
        ("dated", "SELECT * FROM dated WHERE user_id = $1 AND created = $2 AND order_id > $3 "
                  "ORDER BY order_id LIMIT 2", ["text", "text", "text"]),
        ("dated", "SELECT * FROM dated WHERE user_id = $1 AND created < $2", ["text", "text"]),
        ("orders_c", "SELECT * FROM orders_c WHERE user_id = $1 AND order_id >= $2 "
                     "ORDER BY order_id DESC LIMIT 3", ["text", "text"]),
        ("raw_c", "SELECT pk, sk FROM raw_c WHERE pk = $1 AND sk < $2 ORDER BY sk DESC LIMIT 2", ["text", "text"]),
        ("stamps", "SELECT * FROM stamps WHERE user_id = $1 AND ts_s > $2", ["text", "timestamptz"]),
        ("stamps", "SELECT sid FROM stamps WHERE ts_ms <= $1 AND d = $2", ["timestamp", "date"]),
        ("keys_local", "SELECT * FROM keys_local l JOIN orders o ON o.user_id = l.k WHERE l.k = ANY ($1)",
         ["text[]"]),
    ]

    def param(self, typ):
        """A parameter value of type typ ("int", "text[]", ...) from the data and edge cases."""
        if typ == "pattern":
            return self.like_pattern(self.pick(["children", "orders"]), self.pick(["kind", "cid", "order_id"]))[1:-1].replace("''", "'")
        base = typ.rstrip("[]")
        pool = []
        for (e, c), vals in self.values.items():
            if dict(ENTITIES[e][0])[c] == base:
                pool += vals
        if base == "text":
            pool += ["", "x" * 1100, "y" * 2100, "USER#", "ORDER#1", None]
        elif base == "numeric":
            pool += ["7.0", "7.50", None]
        elif base in ("int", "bigint"):
            pool += ["0", "7", None]
        elif base == "timestamptz":
            pool += ["2024-01-05 10:00:00+00", None]
        elif base == "timestamp":
            pool += ["2024-01-05 10:00:00", "infinity", None]
        elif base == "date":
            pool += ["2024-01-05", None]
        convert = {"int": int, "bigint": int, "numeric": Decimal}.get(base, str)
        pool = [None if v is None else convert(v) for v in pool if v != "NaN" or base != "numeric"]
        if typ.endswith("[]"):
            vals = [self.pick(pool) for _ in range(self.rng.randint(1, 4))]
            vals.append(vals[0])
            return vals
        return self.pick(pool)

    def prepared(self):
        ent, sql, types = self.pick(self.PREPARED)
        sets = [[self.param(t) for t in types] for _ in range(self.rng.randint(6, 9))]
        return sql, [t if t != "pattern" else "text" for t in types], sets, self.rng.random() < 0.4

# ----------------------------------------------------------------------------
# Running and comparing
# ----------------------------------------------------------------------------


def run(cur, schema, sql, params=None):
    cur.execute("SET search_path = %s, public" % schema)
    try:
        cur.execute(sql, params)
        rows = cur.fetchall() if cur.description else []
        return ("ok", [tuple(None if v is None else str(v) for v in r) for r in rows])
    except psycopg2.Error as e:
        return ("error", e.pgcode, (e.pgerror or "").strip().splitlines()[0] if e.pgerror else "")


def same(a, b, ordered):
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return a[1] == b[1]
    if ordered:
        return a[1] == b[1]
    key = lambda r: tuple((v is None, v or "") for v in r)
    return sorted(a[1], key=key) == sorted(b[1], key=key)


def describe(res):
    if res[0] == "error":
        return "ERROR %s: %s" % (res[1], res[2])
    rows = res[1]
    return "%d rows %s" % (len(rows), rows[:6])


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.shown = 0

    def check(self, db, sql, f, p, ordered, params=None):
        if same(f, p, ordered):
            self.passed += 1
            return
        self.failed += 1
        if self.shown < 40:
            self.shown += 1
            print("MISMATCH [%s] %s%s" % (db, sql, "  params=%r" % (params,) if params is not None else ""))
            print("    ddbrel:   %s" % describe(f))
            print("    postgres: %s" % describe(p))


def main():
    if len(sys.argv) != 3:
        print("usage: difftest.py SEED N", file=sys.stderr)
        return 2
    seed = int(sys.argv[1])
    nqueries = int(sys.argv[2])
    print("difftest: seed %d, %d queries (rerun: bash test/difftest.sh %d %d)" % (seed, nqueries, seed, nqueries))
    rng = random.Random(seed)
    name_run(seed)
    started = time.time()
    items = gen_items(rng)
    load_tables(items)
    gen = Gen(rng, items)
    conns = setup_databases(items, os.environ["DDB_ENDPOINT"], gen.local_keys())
    print("difftest: %d items; rows: %s" % (sum(len(v) for v in items.values()), ", ".join(
        "%s %d" % (n, len(entity_rows(n, items))) for n in ENTITIES)))
    tally = Tally()
    curs = {db: conns[db].cursor() for db in conns}

    # the rows themselves, in full
    for db in conns:
        for name in ENTITIES:
            sql = "SELECT * FROM %s" % name
            tally.check(db, sql, run(curs[db], "f", sql), run(curs[db], "p", sql), False)

    executions = 0
    for i in range(nqueries):
        r = rng.random()
        if r < 0.12:
            sql, types, sets, generic = gen.prepared()
            for db in conns:
                cur = curs[db]
                cur.execute("SET plan_cache_mode = %s" % ("force_generic_plan" if generic else "auto"))
                cur.execute("DEALLOCATE ALL")
                for schema in ("f", "p"):
                    cur.execute("SET search_path = %s, public" % schema)
                    cur.execute("PREPARE q_%s (%s) AS %s" % (schema, ", ".join(types), sql))
                for params in sets:
                    ph = ", ".join(["%s"] * len(params))
                    f = run(cur, "f", "EXECUTE q_f (%s)" % ph, params)
                    p = run(cur, "p", "EXECUTE q_p (%s)" % ph, params)
                    tally.check(db, "PREPARE (%s) AS %s%s" % (", ".join(types), sql,
                                " [generic]" if generic else ""), f, p, "ORDER BY" in sql, params)
                    executions += 1
                cur.execute("DEALLOCATE ALL")
                cur.execute("RESET plan_cache_mode")
            continue
        settings = []
        if r < 0.5:
            sql, ordered = gen.select()
        elif r < 0.78:
            sql, ordered = gen.join()
        elif r < 0.85:
            sql, ordered = gen.lateral()
        elif r < 0.9:
            sql, ordered = gen.exists()
        else:
            (sql, settings), ordered = gen.local_join(), False
        for db in conns:
            for st in settings:
                curs[db].execute("SET " + st)
            f = run(curs[db], "f", sql)
            p = run(curs[db], "p", sql)
            tally.check(db, sql + "".join("  [%s]" % st for st in settings), f, p, ordered)
            executions += 1
            if settings:
                curs[db].execute("RESET ALL")
                session_settings(curs[db], dict(DATABASES)[db])
    for c in conns.values():
        c.close()
    if tally.failed == 0:
        drop_run()
    else:
        print("difftest: kept databases %s and DynamoDB tables %s, %s to look at" % (
            ", ".join(db for db, _ in DATABASES), TABLE, HASH_TABLE))
    print("difftest: %d executions compared in %.0f s" % (tally.passed + tally.failed, time.time() - started))
    print("difftest differential: %d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
