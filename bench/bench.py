#!/usr/bin/python3
# bench/bench.py
#	  The benchmark driver: ddbrel (through psql) against boto3 on one local
#	  DynamoDB (dynalite or DynamoDB Local), same data, same machine,
#	  interleaved; prints a markdown table and writes bench/RESULTS.md
#	  (bench/RESULTS.local.md on DynamoDB Local).
#
# Run by bench/run.sh, which builds and installs the extension, starts a
# private PostgreSQL 15 + the DynamoDB server DDB_BACKEND names (test/env.sh)
# and exports PGHOST, PGPORT, PGUSER, DDB_ENDPOINT, DDB_TMP, DDB_BACKEND,
# DDB_SERVER_PID and the AWS_* dummies.
#
# Timing.  SQL is timed with psql's \timing: from sending the statement to
# having the whole result in psql (printing excluded, output goes to
# /dev/null), in a fresh session per sample after a warm-up statement that
# caches DescribeTable and opens the HTTP connection; session start-up is not
# counted.  boto3 is timed with time.perf_counter() around the work, with a
# client created (and warmed by one call) beforehand.  Each number is the
# median of --reps samples (3); the two sides alternate sample by sample.
#
# Beside wall time each sample records the CPU time of the client (the
# PostgreSQL backend, or this Python process) and of the server process
# (dynalite's node or DynamoDB Local's java; /proc/<pid>/stat), which shows
# whether the shared server dominates.
#
# Latency.  --latency-ms 0,5,20 runs the workloads once per value.  Above 0
# both sides talk to test/faultproxy.py instead of dynalite, which holds
# every answer back that many milliseconds (its "delay" fault at rate 1):
# a stand-in for a real region, where each request costs a round trip.
# At 0 the clients talk to dynalite directly.  The workloads that depend on
# round trips run at every latency (LATENCY_KEYS); the CPU-bound and memory
# rows run at 0 only.
#
# Must run as /usr/bin/python3 (Debian's, with python3-boto3).

import argparse
import concurrent.futures
import ctypes
import datetime
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

import boto3
import botocore

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PSQL = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Sizes per scale; any of them can be overridden with BENCH_<NAME> (upper case).
SCALES = {
    "default": dict(n_scan=100000, part=1000, lookups=1000, users=200, orders=5,
                    join_n=100, students=100, lectures=200, join_m=50,
                    n_load=20000, qin=50, n_wide=10000, n_big=1000000, reps=3),
    "small": dict(n_scan=10000, part=1000, lookups=1000, users=60, orders=5,
                  join_n=100, students=20, lectures=100, join_m=50,
                  n_load=2000, qin=50, n_wide=2000, n_big=100000, reps=3),
}

# The measurements that run again at each added latency above 0.
LATENCY_KEYS = {
    "sql_ctas_1", "py_scan_1", "sql_ctas_4", "py_scan_4",
    "sql_join", "sql_any", "py_batch_get", "py_batch_get_pool",
    "sql_1n", "py_1n_best", "sql_mn", "py_mn_best",
    "sql_chain", "py_chain", "sql_qin", "sql_qjoin", "py_qin_pool",
    "sql_insert_up", "py_batch_writer", "sql_migrate", "py_migrate",
}

T_SCAN = "BenchScan"
T_PART = "BenchPart"
T_APP = "BenchApp"
T_SCHOOL = "BenchSchool"
T_LOAD = "BenchLoad"
T_MIG = "BenchMig"
T_WIDE = "BenchWide"
T_BIG = "BenchBig"

T0 = time.monotonic()


def log(msg):
    print("bench [%5.1fs] %s" % (time.monotonic() - T0, msg), file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------

CITIES = ["Berlin", "Paris", "Lisbon", "Oslo"]
NOTE = ("lorem ipsum dolor sit amet " * 5)[:100]


def scan_item(i, pk=None, sk="A"):
    """One ~200-byte item (DynamoDB's size: names + values)."""
    return {
        "PK": {"S": pk or "ITEM#%07d" % i},
        "SK": {"S": sk},
        "id": {"N": str(i)},
        "name": {"S": "name-%07d" % i},
        "email": {"S": "user%07d@example.com" % i},
        "city": {"S": CITIES[i % 4]},
        "score": {"N": "%d.%02d" % (i % 1000, i % 100)},
        "active": {"BOOL": i % 2 == 0},
        "note": {"S": NOTE},
    }


def item_size(item):
    """DynamoDB's item size, roughly (numbers count as their digits)."""
    n = 0
    for k, av in item.items():
        (t, v), = av.items()
        n += len(k.encode()) + (1 if t == "BOOL" else len(str(v).encode()))
    return n


# The same rows in SQL, for INSERT ... SELECT (g is the item number).
SQL_ROW = ("'ITEM#' || lpad(g::text, 7, '0'), 'A', g, 'name-' || lpad(g::text, 7, '0'), "
           "'user' || lpad(g::text, 7, '0') || '@example.com', "
           "(ARRAY['Berlin','Paris','Lisbon','Oslo'])[g %% 4 + 1], "
           "(g %% 1000) + (g %% 100) / 100.0, g %% 2 = 0, '%s'" % NOTE)


def key_schema(gsi=False):
    args = dict(
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST")
    if gsi:
        args["GlobalSecondaryIndexes"] = [{
            "IndexName": "GSI1",
            "KeySchema": [{"AttributeName": "SK", "KeyType": "HASH"},
                          {"AttributeName": "PK", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}]
    return args


def create_table(client, name, gsi=False):
    try:
        client.delete_table(TableName=name)
        client.get_waiter("table_not_exists").wait(TableName=name,
                                                   WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    except client.exceptions.ResourceNotFoundException:
        pass
    client.create_table(TableName=name, **key_schema(gsi))
    client.get_waiter("table_exists").wait(TableName=name,
                                           WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})


def bulk_put(client, table, items, threads=4):
    """Setup loading: raw BatchWriteItem, 25 a call, a few threads."""
    chunks = [items[i:i + 25] for i in range(0, len(items), 25)]

    def put(chunk):
        req = {table: [{"PutRequest": {"Item": it}} for it in chunk]}
        while req:
            req = client.batch_write_item(RequestItems=req).get("UnprocessedItems")

    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        list(ex.map(put, chunks))


def bulk_put_range(client, table, n, make, threads=4, slab=20000):
    """bulk_put of make(0) .. make(n - 1), a slab at a time (1,000,000 items do not fit a list)."""
    for lo in range(0, n, slab):
        bulk_put(client, table, [make(i) for i in range(lo, min(n, lo + slab))], threads)


WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango"]


def wide_body(i):
    r = random.Random(i)
    return " ".join(r.choice(WORDS) for _ in range(600))


def wide_item(i):
    """A large item (~4 kB on the wire): a text of 600 words, a map of 10 numbers."""
    return {
        "PK": {"S": "WIDE#%07d" % i},
        "SK": {"S": "A"},
        "body": {"S": wide_body(i)},
        "attrs": {"M": {"a%02d" % k: {"N": str((i * 7 + k * 13) % 1000)} for k in range(10)}},
        "title": {"S": "wide item %d" % i},
    }


# Workload 8's jsonb expression: PostgreSQL's own CPU per row dominates (a
# regular expression over the 3.6 kB text), not dynalite's.
WIDE_EXPR = "length(regexp_replace(item->>'body', '[aeiou]', '', 'g')) > 2340"


def wide_matches(i):
    return len(re.sub("[aeiou]", "", wide_body(i))) > 2340


def count_items(client, table):
    n = 0
    for page in client.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
        n += page["Count"]
    return n


# ----------------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------------

def proc_cpu(pid):
    """utime + stime of a process (all threads), seconds."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return float("nan")


def vm_hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Sample:
    def __init__(self, wall, client_cpu, server_cpu, requests=None, rows=None,
                 stats=None, hwm=None, note=None, proxy_cpu=None):
        self.wall = wall
        self.proxy_cpu = proxy_cpu	# the fault proxy's CPU, when latency is added
        self.client_cpu = client_cpu
        self.server_cpu = server_cpu
        self.requests = requests	# total requests sent
        self.rows = rows			# rows / items the client ended up with
        self.stats = stats or []	# ddbrel.stats() rows: (op, req, retries, scanned, returned)
        self.hwm = hwm				# (VmHWM before, after) in kB
        self.note = note


class Psql:
    """One psql session driven through pipes; one backend."""

    def __init__(self):
        self.p = subprocess.Popen([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.n = 0
        self.pid = int(self.run("SELECT pg_backend_pid();")[0])

    def run(self, sql):
        self.n += 1
        mark = "__bench_mark_%d__" % self.n
        try:
            self.p.stdin.write(sql.rstrip() + "\n\\echo " + mark + "\n")
            self.p.stdin.flush()
        except BrokenPipeError:
            pass
        lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                self.p.wait()
                raise BenchError("psql failed on:\n%s\n%s" % (sql.strip(), "".join(lines).strip()))
            line = line.rstrip("\n")
            if line == mark:
                return lines
            lines.append(line)

    def timed(self, sql):
        """(seconds, rows) of one statement, its output discarded."""
        out = self.run("\\o /dev/null\n\\timing on\n%s\n\\timing off\n\\o\n\\echo __rows :ROW_COUNT"
                       % sql.rstrip())
        secs = None
        rows = None
        for line in out:
            m = re.match(r"^Time: ([0-9.]+) ms", line)
            if m:
                secs = float(m.group(1)) / 1000.0
            m = re.match(r"^__rows (\d+)", line)
            if m:
                rows = int(m.group(1))
        if secs is None:
            raise BenchError("no timing for:\n%s\n%s" % (sql, "\n".join(out)))
        return secs, rows

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait()


def psql_script(sql):
    """Runs a script in its own session; (ok, output)."""
    p = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                       input=sql, text=True, capture_output=True)
    return p.returncode == 0, (p.stdout + p.stderr).strip()


# test/env.sh's DDB_BACKEND values: name in the report, what the process is
SERVERS = {
    "dynalite": ("dynalite", "dynalite's node process (single-threaded JavaScript)"),
    "local": ("DynamoDB Local", "DynamoDB Local's java process (SQLite in memory)"),
}


def results_name(scale, backend):
    """bench/RESULTS[.local][.<scale>].md"""
    parts = ["RESULTS"]
    if backend != "dynalite":
        parts.append(backend)
    if scale != "default":
        parts.append(scale)
    return os.path.join(HERE, ".".join(parts) + ".md")


STATS_SQL = ("SELECT operation, requests, retries, items_scanned, items_returned "
             "FROM ddbrel.stats() WHERE operation <> 'DescribeTable' ORDER BY 1;")


class Bench:
    def __init__(self, args):
        self.args = args
        self.scale = args.scale
        self.sz = dict(SCALES[args.scale])
        for k in self.sz:
            v = os.environ.get("BENCH_" + k.upper())
            if v:
                self.sz[k] = int(v)
        if args.reps:
            self.sz["reps"] = args.reps
        self.reps = self.sz["reps"]
        self.endpoint = os.environ["DDB_ENDPOINT"]
        self.backend = os.environ.get("DDB_BACKEND", "dynalite")
        if self.backend not in SERVERS:
            raise BenchError("DDB_BACKEND=%s: not dynalite or local" % self.backend)
        self.proxy = os.environ.get("DDB_PROXY_ENDPOINT")
        self.dyn_pid = int(os.environ["DDB_SERVER_PID"])
        self.proxy_pid = int(os.environ.get("DDB_PROXY_PID") or 0)
        self.tmp = os.environ["DDB_TMP"]
        self.cfg = botocore.config.Config(max_pool_connections=16,
                                          retries={"max_attempts": 10, "mode": "standard"})
        # setup and checks talk to dynalite directly and are not counted
        self.admin = boto3.client("dynamodb", endpoint_url=self.endpoint, config=self.cfg)
        self.lats = list(args.latency_ms)
        self.lat = 0
        self.suffix = ""
        self.nreq = 0
        self._make_clients(self.endpoint)
        self.samples = {}		# key -> [Sample]
        self.labels = {}		# key -> text
        self.plans = {}			# key -> EXPLAIN text
        self.sql = {}			# key -> statement
        self.notes = {}			# key -> "not yet supported" etc.
        self.items = {}			# key -> DynamoDB items a measurement handles, when not its rows
        self.profiles = {}
        self.codec = {}
        self.timings = {}		# phase -> seconds
        self.write_support = None
        with open("/proc/loadavg") as f:
            self.load_start = " ".join(f.read().split()[:3])

    def _count(self, **kwargs):
        self.nreq += 1

    def _make_clients(self, endpoint):
        """The measured boto3 clients (low-level and resource), requests counted."""
        self.client = boto3.client("dynamodb", endpoint_url=endpoint, config=self.cfg)
        self.resource = boto3.resource("dynamodb", endpoint_url=endpoint, config=self.cfg)
        self.client.meta.events.register("before-send.dynamodb", self._count)
        self.resource.meta.client.meta.events.register("before-send.dynamodb", self._count)

    def set_latency(self, ms):
        """Points both sides at dynalite (0) or at the fault proxy holding answers ms back."""
        if ms > 0 and not self.proxy:
            raise BenchError("--latency-ms needs the fault proxy (DDB_PROXY_ENDPOINT, test/env.sh)")
        self.lat = ms
        self.suffix = "" if ms == 0 else "@%dms" % ms
        if self.proxy:
            cfg = {"mode": "off"} if ms == 0 else {"mode": "rate", "rate": 1.0, "kinds": ["delay"],
                                                   "delay_ms": ms}
            req = urllib.request.Request(self.proxy.rstrip("/") + "/__fault",
                                         data=json.dumps(cfg).encode(), method="POST")
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(req, timeout=10) as r:
                r.read()
        endpoint = self.endpoint if ms == 0 else self.proxy
        self._make_clients(endpoint)
        ok, out = psql_script("ALTER SERVER ddb OPTIONS (SET endpoint '%s');" % endpoint)
        if not ok:
            raise BenchError("could not point server ddb at %s:\n%s" % (endpoint, out))
        log("added latency %d ms: %s" % (ms, endpoint))

    # -- one sample of each kind ---------------------------------------------

    def sql_sample(self, key, stmt, warm, pre=None):
        s = Psql()
        try:
            for w in warm:
                s.run(w)
            if pre:
                s.run(pre)
            s.run("SELECT ddbrel.stats_reset();")
            hwm0 = vm_hwm_kb(s.pid)
            c0, d0, p0 = proc_cpu(s.pid), proc_cpu(self.dyn_pid), self.proxy_cpu()
            secs, rows = s.timed(stmt)
            c1, d1, p1 = proc_cpu(s.pid), proc_cpu(self.dyn_pid), self.proxy_cpu()
            hwm1 = vm_hwm_kb(s.pid)
            stats = []
            for line in s.run(STATS_SQL):
                op, req, ret, scanned, returned = line.split("|")
                stats.append((op, int(req), int(ret), int(scanned), int(returned)))
        finally:
            s.close()
        return Sample(secs, c1 - c0, d1 - d0, requests=sum(x[1] for x in stats),
                      rows=rows, stats=stats, hwm=(hwm0, hwm1),
                      proxy_cpu=(p1 - p0) if self.lat > 0 else None)

    def py_sample(self, fn, pre=None):
        if pre:
            pre()
        self.client.describe_table(TableName=T_SCAN)	# connection is warm
        self.nreq = 0
        c0, d0, p0 = time.process_time(), proc_cpu(self.dyn_pid), self.proxy_cpu()
        t0 = time.perf_counter()
        result = fn()
        t1 = time.perf_counter()
        c1, d1, p1 = time.process_time(), proc_cpu(self.dyn_pid), self.proxy_cpu()
        rows = result if isinstance(result, int) else len(result)
        return Sample(t1 - t0, c1 - c0, d1 - d0, requests=self.nreq, rows=rows,
                      proxy_cpu=(p1 - p0) if self.lat > 0 else None)

    def proxy_cpu(self):
        return proc_cpu(self.proxy_pid) if self.proxy_pid and self.lat > 0 else 0.0

    # -- a workload: named measurements, interleaved over the reps --------------

    def run_workload(self, name, measures, reps=None):
        """measures: list of (key, label, kind, spec); kind 'sql' or 'py'.

        Above 0 ms of added latency only the LATENCY_KEYS run, under keys
        with the latency appended ("sql_join@5ms")."""
        if self.lat > 0:
            measures = [m for m in measures if m[0] in LATENCY_KEYS]
            if not measures:
                return
            name = "%s at %d ms" % (name, self.lat)
            measures = [(k + self.suffix, label, kind, spec) for k, label, kind, spec in measures]
        log("workload %s" % name)
        t0 = time.monotonic()
        for key, label, kind, spec in measures:
            self.labels[key] = label
            self.samples.setdefault(key, [])
            if spec.get("items"):
                self.items[key] = spec["items"]
            if kind == "sql":
                self.sql[key] = spec["stmt"]
                if key not in self.plans and spec.get("explain", True) and self.lat == 0:
                    self.plans[key] = self.explain(spec["stmt"], spec["warm"], spec.get("pre"))
        for rep in range(reps or self.reps):
            order = measures if rep % 2 == 0 else list(reversed(measures))
            for key, label, kind, spec in order:
                if key in self.notes:
                    continue
                if kind == "sql":
                    smp = self.sql_sample(key, spec["stmt"], spec["warm"], spec.get("pre"))
                else:
                    smp = self.py_sample(spec["fn"], spec.get("pre"))
                if spec.get("check"):
                    spec["check"](smp)
                self.samples[key].append(smp)
                log("  %-16s rep %d: %8.1f ms  rows %s  requests %s" % (
                    key, rep + 1, smp.wall * 1000, smp.rows, smp.requests))
        self.timings[name] = time.monotonic() - t0

    def explain(self, stmt, warm, pre=None):
        if stmt.lstrip().upper().startswith("CREATE TEMP TABLE"):
            stmt = stmt.split(" AS ", 1)[1]
        s = Psql()
        try:
            for w in warm:
                s.run(w)
            if pre:
                s.run(pre)
            return "\n".join(s.run("EXPLAIN (COSTS OFF) " + stmt.rstrip().rstrip(";") + ";"))
        except BenchError as e:
            return "EXPLAIN failed: %s" % e
        finally:
            s.close()

    def median(self, key, attr="wall"):
        vals = [getattr(s, attr) for s in self.samples.get(key, []) if getattr(s, attr) is not None]
        return statistics.median(vals) if vals else None

    # ------------------------------------------------------------------------
    # Setup
    # ------------------------------------------------------------------------

    def setup(self, only):
        sz = self.sz
        t0 = time.monotonic()
        c = self.admin
        log("creating tables and loading data (n_scan=%d)" % sz["n_scan"])
        for t, gsi in ((T_SCAN, False), (T_PART, False), (T_APP, True), (T_SCHOOL, True)):
            create_table(c, t, gsi)

        t1 = time.monotonic()
        bulk_put(c, T_SCAN, [scan_item(i) for i in range(sz["n_scan"])])
        self.timings["load %d items (BatchWriteItem, 4 threads)" % sz["n_scan"]] = time.monotonic() - t1

        part = [scan_item(i, pk="P#%d" % p, sk="ITEM#%04d" % i)
                for p in (1, 2) for i in range(1, sz["part"] + 1)]
        bulk_put(c, T_PART, part)

        app = []
        for u in range(1, sz["users"] + 1):
            uid = "U%04d" % u
            app.append({"PK": {"S": "USER#" + uid}, "SK": {"S": "USER#" + uid},
                        "name": {"S": "User %d" % u}, "email": {"S": "u%d@example.com" % u}})
            for o in range(1, (sz["join_n"] if u == 1 else sz["orders"]) + 1):
                oid = "%s-%04d" % (uid, o)
                app.append({"PK": {"S": "USER#" + uid}, "SK": {"S": "ORDER#" + oid},
                            "total": {"N": "%d.%02d" % (o * 7 % 300, o % 100)},
                            "status": {"S": ("shipped", "pending")[o % 2]},
                            "created_at": {"S": "2025-05-%02dT10:00:00Z" % (o % 28 + 1)}})
        bulk_put(c, T_APP, app)

        school = []
        for l in range(1, sz["lectures"] + 1):
            lid = "L%04d" % l
            school.append({"PK": {"S": "LECTURE#" + lid}, "SK": {"S": "LECTURE#" + lid},
                           "title": {"S": "Lecture %d" % l}})
        for s in range(1, sz["students"] + 1):
            sid = "S%04d" % s
            school.append({"PK": {"S": "STUDENT#" + sid}, "SK": {"S": "STUDENT#" + sid},
                           "name": {"S": "Student %d" % s}})
            n = sz["join_m"] if s == 1 else 3
            for k in range(n):
                lid = "L%04d" % ((s * 7 + k * 3) % sz["lectures"] + 1) if s != 1 else "L%04d" % (k + 1)
                school.append({"PK": {"S": "STUDENT#" + sid}, "SK": {"S": "LECTURE#" + lid},
                               "enrolled_on": {"S": "2025-01-%02d" % (k % 28 + 1)}})
        # a student may draw one lecture twice: keep the last
        school = list({(i["PK"]["S"], i["SK"]["S"]): i for i in school}.values())
        bulk_put(c, T_SCHOOL, school)

        got = count_items(c, T_SCAN)
        if got != sz["n_scan"]:
            raise BenchError("%s has %d items, want %d" % (T_SCAN, got, sz["n_scan"]))
        if "8" in only:
            create_table(c, T_WIDE)
            t1 = time.monotonic()
            bulk_put_range(c, T_WIDE, sz["n_wide"], wide_item)
            self.timings["load %d wide items" % sz["n_wide"]] = time.monotonic() - t1
        if "9" in only:
            create_table(c, T_BIG)
            t1 = time.monotonic()
            log("loading %d items into %s" % (sz["n_big"], T_BIG))
            bulk_put_range(c, T_BIG, sz["n_big"], scan_item)
            got = count_items(c, T_BIG)
            if got != sz["n_big"]:
                raise BenchError("%s has %d items, want %d" % (T_BIG, got, sz["n_big"]))
            self.timings["load %d items (BatchWriteItem, 4 threads)" % sz["n_big"]] = time.monotonic() - t1
        qin = min(sz["qin"], sz["users"] - 1)
        self.qin_users = ["U%04d" % u for u in range(2, qin + 2)]

        ft_cols = ("pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'), "
                   "id int, name text, email text, city text, score numeric, active bool, note text")
        ok, out = psql_script("""
CREATE EXTENSION IF NOT EXISTS ddbrel;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddbrel OPTIONS (region 'us-east-1', endpoint '%(ep)s');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb
  OPTIONS (access_key_id 'benchkey', secret_access_key 'bench-secret');
CREATE FOREIGN TABLE scan_1 (%(cols)s) SERVER ddb OPTIONS (table '%(scan)s');
CREATE FOREIGN TABLE scan_4 (%(cols)s) SERVER ddb OPTIONS (table '%(scan)s', parallel_segments '4');
CREATE FOREIGN TABLE part (%(cols)s) SERVER ddb OPTIONS (table '%(part)s');
CREATE FOREIGN TABLE load_ft (%(cols)s) SERVER ddb OPTIONS (table '%(load)s');
CREATE FOREIGN TABLE load_up (%(cols)s) SERVER ddb OPTIONS (table '%(load)s', upsert 'true');
CREATE FOREIGN TABLE users (user_id text, name text, email text) SERVER ddb
  OPTIONS (table '%(app)s', pk_template 'USER#{user_id}', sk_template 'USER#{user_id}');
CREATE FOREIGN TABLE orders (user_id text, order_id text, total numeric, status text) SERVER ddb
  OPTIONS (table '%(app)s', pk_template 'USER#{user_id}', sk_template 'ORDER#{order_id}');
CREATE FOREIGN TABLE students (student_id text, name text) SERVER ddb
  OPTIONS (table '%(school)s', pk_template 'STUDENT#{student_id}', sk_template 'STUDENT#{student_id}');
CREATE FOREIGN TABLE lectures (lecture_id text, title text) SERVER ddb
  OPTIONS (table '%(school)s', pk_template 'LECTURE#{lecture_id}', sk_template 'LECTURE#{lecture_id}');
CREATE FOREIGN TABLE attendance (student_id text, lecture_id text, enrolled_on date) SERVER ddb
  OPTIONS (table '%(school)s', pk_template 'STUDENT#{student_id}', sk_template 'LECTURE#{lecture_id}');
CREATE FOREIGN TABLE wide (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'),
  item jsonb OPTIONS (document 'true')) SERVER ddb OPTIONS (table '%(wide)s', parallel_workers '2');
CREATE FOREIGN TABLE scan_big (%(cols)s) SERVER ddb OPTIONS (table '%(big)s');
CREATE TABLE bench_users AS
  SELECT 'U' || lpad(g::text, 4, '0') AS user_id FROM generate_series(2, %(qin)d + 1) g;
ANALYZE bench_users;
CREATE SCHEMA mig;
CREATE TABLE mig.items (item_id int PRIMARY KEY, name text, email text, city text, score numeric,
                        active bool, note text);
INSERT INTO mig.items
  SELECT g, 'name-' || lpad(g::text, 7, '0'), 'user' || lpad(g::text, 7, '0') || '@example.com',
         (ARRAY['Berlin','Paris','Lisbon','Oslo'])[g %% 4 + 1],
         round((g %% 1000) + (g %% 100) / 100.0, 2), g %% 2 = 0, '%(note)s'
    FROM generate_series(1, %(nload)d) g;
ANALYZE mig.items;
CREATE TABLE bench_keys AS
  SELECT 'ITEM#' || lpad(((g * 7919) %% %(n)d)::text, 7, '0') AS pk, 'A'::text AS sk
    FROM generate_series(1, %(lookups)d) g;
ANALYZE bench_keys;
SELECT count(DISTINCT pk) FROM bench_keys;
""" % dict(ep=self.endpoint, cols=ft_cols, scan=T_SCAN, part=T_PART, load=T_LOAD,
           app=T_APP, school=T_SCHOOL, n=sz["n_scan"], lookups=sz["lookups"],
           wide=T_WIDE, big=T_BIG, qin=len(self.qin_users), note=NOTE, nload=sz["n_load"]))
        if not ok:
            raise BenchError("SQL setup failed:\n" + out)
        ok, out = psql_script("SELECT version();")
        self.pg_version = out.strip()
        d = c.describe_table(TableName=T_SCAN)["Table"]
        self.item_count = (d.get("ItemCount"), d.get("TableSizeBytes"))
        self.keys = [("ITEM#%07d" % ((g * 7919) % sz["n_scan"]), "A")
                     for g in range(1, sz["lookups"] + 1)]
        self.timings["setup (tables, data, SQL objects)"] = time.monotonic() - t0
        log("setup done")

    # ------------------------------------------------------------------------
    # Workloads
    # ------------------------------------------------------------------------

    def w1_scan(self):
        c = self.client
        n = self.sz["n_scan"]
        warm = ["SELECT 1 FROM scan_1 WHERE pk = 'warm' AND sk = 'x';",
                "SELECT 1 FROM scan_4 WHERE pk = 'warm' AND sk = 'x';"]

        def scan_all(segments, select=None):
            def seg(i):
                kw = dict(TableName=T_SCAN)
                if segments > 1:
                    kw.update(Segment=i, TotalSegments=segments)
                if select:
                    kw["Select"] = select
                out = []
                cnt = 0
                for page in c.get_paginator("scan").paginate(**kw):
                    if select:
                        cnt += page["Count"]
                    else:
                        out.extend(page["Items"])
                return cnt if select else out

            def fn():
                if segments == 1:
                    return seg(0)
                with concurrent.futures.ThreadPoolExecutor(segments) as ex:
                    parts = list(ex.map(seg, range(segments)))
                if select:
                    return sum(parts)
                items = []
                for p in parts:
                    items.extend(p)
                return items
            return fn

        def rows_are(want, what="rows"):
            def check(smp):
                if smp.rows != want:
                    raise BenchError("%s: got %s %s, want %d" % (what, smp.rows, what, want))
            return check

        m = []
        for segs, ft in ((1, "scan_1"), (4, "scan_4")):
            m += [
                ("sql_count_%d" % segs, "SELECT count(*) FROM %s" % ft, "sql",
                 dict(stmt="SELECT count(*) FROM %s;" % ft, warm=warm, items=n)),
                ("py_scan_%d" % segs, "boto3 Scan paginator, all items into a list%s"
                 % ("" if segs == 1 else ", 4 threads x 1 segment"), "py",
                 dict(fn=scan_all(segs), check=rows_are(n))),
                ("sql_ctas_%d" % segs, "CREATE TEMP TABLE t AS SELECT * FROM %s" % ft, "sql",
                 dict(stmt="CREATE TEMP TABLE t AS SELECT * FROM %s;" % ft, warm=warm,
                      check=rows_are(n))),
                ("py_count_%d" % segs, "boto3 Scan Select=COUNT%s"
                 % ("" if segs == 1 else ", 4 threads x 1 segment"), "py",
                 dict(fn=scan_all(segs, "COUNT"), check=rows_are(n), items=n)),
            ]
        self.run_workload("1 full scan", m)

    def w2_partition(self):
        c = self.client
        part = self.sz["part"]

        def query(kce, vals):
            def fn():
                out = []
                for page in c.get_paginator("query").paginate(
                        TableName=T_PART, KeyConditionExpression=kce,
                        ExpressionAttributeValues=vals):
                    out.extend(page["Items"])
                return out
            return fn

        n_bw = len([i for i in range(1, part + 1) if ("ITEM#%04d" % i).startswith("ITEM#05")])
        warm = ["SELECT 1 FROM part WHERE pk = 'warm' AND sk = 'x';"]
        m = [
            ("sql_q_key", "SELECT * FROM part WHERE pk = 'P#1'", "sql",
             dict(stmt="SELECT * FROM part WHERE pk = 'P#1';", warm=warm,
                  check=self.want_rows(part))),
            ("py_q_key", "boto3 Query paginator PK = :p", "py",
             dict(fn=query("PK = :p", {":p": {"S": "P#1"}}), check=self.want_rows(part))),
            ("sql_q_bw", "SELECT * FROM part WHERE pk = 'P#1' AND sk LIKE 'ITEM#05%'", "sql",
             dict(stmt="SELECT * FROM part WHERE pk = 'P#1' AND sk LIKE 'ITEM#05%';", warm=warm,
                  check=self.want_rows(n_bw))),
            ("py_q_bw", "boto3 Query paginator PK = :p AND begins_with(SK, :s)", "py",
             dict(fn=query("PK = :p AND begins_with(SK, :s)",
                           {":p": {"S": "P#1"}, ":s": {"S": "ITEM#05"}}),
                  check=self.want_rows(n_bw))),
        ]
        self.run_workload("2 one partition", m)

    def want_rows(self, want):
        def check(smp):
            if smp.rows != want:
                raise BenchError("got %s rows, want %d" % (smp.rows, want))
        return check

    def w3_lookups(self):
        c = self.client
        keys = self.keys
        nk = len(set(keys))

        def get_loop():
            out = []
            for pk, sk in keys:
                r = c.get_item(TableName=T_SCAN, Key={"PK": {"S": pk}, "SK": {"S": sk}})
                if "Item" in r:
                    out.append(r["Item"])
            return out

        def batch_get():
            out = []
            uniq = list(dict.fromkeys(keys))
            for i in range(0, len(uniq), 100):
                req = {T_SCAN: {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}}
                                         for pk, sk in uniq[i:i + 100]]}}
                while req:
                    r = c.batch_get_item(RequestItems=req)
                    out.extend(r["Responses"].get(T_SCAN, []))
                    req = r.get("UnprocessedKeys")
            return out

        def batch_get_pool():
            uniq = list(dict.fromkeys(keys))

            def one(chunk):
                got = []
                req = {T_SCAN: {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in chunk]}}
                while req:
                    r = c.batch_get_item(RequestItems=req)
                    got.extend(r["Responses"].get(T_SCAN, []))
                    req = r.get("UnprocessedKeys")
                return got
            out = []
            with concurrent.futures.ThreadPoolExecutor(8) as ex:
                for got in ex.map(one, [uniq[i:i + 100] for i in range(0, len(uniq), 100)]):
                    out.extend(got)
            return out

        warm = ["SELECT 1 FROM scan_1 WHERE pk = 'warm' AND sk = 'x';"]
        m = [
            ("sql_join", "local table of keys JOIN foreign table (plan PostgreSQL picks)", "sql",
             dict(stmt="SELECT b.* FROM bench_keys k JOIN scan_1 b ON b.pk = k.pk AND b.sk = k.sk;",
                  warm=warm, check=self.want_rows(nk))),
            ("py_get_loop", "boto3 get_item loop", "py",
             dict(fn=get_loop, check=self.want_rows(nk))),
            ("sql_join_lat", "same join, one GetItem per key (LATERAL ... OFFSET 0)", "sql",
             dict(stmt="SELECT b.* FROM bench_keys k CROSS JOIN LATERAL "
                       "(SELECT * FROM scan_1 f WHERE f.pk = k.pk AND f.sk = k.sk OFFSET 0) b;",
                  warm=warm, check=self.want_rows(nk))),
            ("py_batch_get", "boto3 batch_get_item, 100 keys a call", "py",
             dict(fn=batch_get, check=self.want_rows(nk))),
            ("py_batch_get_pool", "boto3 batch_get_item, 100 keys a call, 8 threads", "py",
             dict(fn=batch_get_pool, check=self.want_rows(nk))),
            ("sql_any", "WHERE pk = ANY(ARRAY(SELECT pk FROM bench_keys)) AND sk = 'A'", "sql",
             dict(stmt="SELECT * FROM scan_1 WHERE pk = ANY(ARRAY(SELECT pk FROM bench_keys)) "
                       "AND sk = 'A';", warm=warm, check=self.want_rows(nk))),
        ]
        self.run_workload("3 point lookups", m)

    def w4_joins(self):
        c = self.client
        jn, jm = self.sz["join_n"], self.sz["join_m"]

        def one_n_naive():
            u = c.get_item(TableName=T_APP, Key={"PK": {"S": "USER#U0001"}, "SK": {"S": "USER#U0001"}})["Item"]
            out = []
            for page in c.get_paginator("query").paginate(
                    TableName=T_APP, KeyConditionExpression="PK = :p AND begins_with(SK, :o)",
                    ExpressionAttributeValues={":p": {"S": "USER#U0001"}, ":o": {"S": "ORDER#"}},
                    ProjectionExpression="PK, SK"):
                for k in page["Items"]:
                    o = c.get_item(TableName=T_APP, Key=k)["Item"]
                    out.append((u["name"]["S"], o["SK"]["S"][6:], o["total"]["N"]))
            return out

        def one_n_best():
            user = None
            orders = []
            for page in c.get_paginator("query").paginate(
                    TableName=T_APP, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "USER#U0001"}}):
                for it in page["Items"]:
                    if it["SK"]["S"].startswith("USER#"):
                        user = it
                    elif it["SK"]["S"].startswith("ORDER#"):
                        orders.append(it)
            return [(user["name"]["S"], o["SK"]["S"][6:], o["total"]["N"]) for o in orders]

        def att():
            out = []
            for page in c.get_paginator("query").paginate(
                    TableName=T_SCHOOL, KeyConditionExpression="PK = :p AND begins_with(SK, :l)",
                    ExpressionAttributeValues={":p": {"S": "STUDENT#S0001"}, ":l": {"S": "LECTURE#"}}):
                out.extend(page["Items"])
            return out

        def m_n_naive():
            out = []
            for a in att():
                lid = a["SK"]["S"]
                l = c.get_item(TableName=T_SCHOOL, Key={"PK": {"S": lid}, "SK": {"S": lid}})["Item"]
                out.append((lid[8:], l["title"]["S"]))
            return out

        def m_n_best():
            ids = [a["SK"]["S"] for a in att()]
            out = []
            for i in range(0, len(ids), 100):
                req = {T_SCHOOL: {"Keys": [{"PK": {"S": x}, "SK": {"S": x}} for x in ids[i:i + 100]]}}
                while req:
                    r = c.batch_get_item(RequestItems=req)
                    out.extend((l["PK"]["S"][8:], l["title"]["S"]) for l in r["Responses"].get(T_SCHOOL, []))
                    req = r.get("UnprocessedKeys")
            return out

        warm = ["SELECT 1 FROM users WHERE user_id = 'warm';",
                "SELECT 1 FROM orders WHERE user_id = 'warm' AND order_id = 'x';",
                "SELECT 1 FROM attendance WHERE student_id = 'warm' AND lecture_id = 'x';",
                "SELECT 1 FROM lectures WHERE lecture_id = 'warm';"]
        m = [
            ("sql_1n", "1:N users JOIN orders USING (user_id) WHERE user_id = 'U0001'", "sql",
             dict(stmt="SELECT u.name, o.order_id, o.total FROM users u JOIN orders o USING (user_id) "
                       "WHERE u.user_id = 'U0001';", warm=warm, check=self.want_rows(jn))),
            ("py_1n_naive", "boto3 naive: get_item user, query order keys, get_item per order", "py",
             dict(fn=one_n_naive, check=self.want_rows(jn))),
            ("py_1n_best", "boto3 by hand: one Query of the user's partition", "py",
             dict(fn=one_n_best, check=self.want_rows(jn))),
            ("sql_mn", "M:N attendance JOIN lectures USING (lecture_id) WHERE student_id = 'S0001'", "sql",
             dict(stmt="SELECT a.lecture_id, l.title FROM attendance a JOIN lectures l USING (lecture_id) "
                       "WHERE a.student_id = 'S0001';", warm=warm, check=self.want_rows(jm))),
            ("py_mn_naive", "boto3 naive: query attendance, get_item per lecture", "py",
             dict(fn=m_n_naive, check=self.want_rows(jm))),
            ("py_mn_best", "boto3 by hand: query attendance + batch_get_item lectures", "py",
             dict(fn=m_n_best, check=self.want_rows(jm))),
        ]
        self.run_workload("4 joins", m)

    def w5_load(self):
        c = self.client
        n = self.sz["n_load"]
        csv = os.path.join(self.tmp, "bench_load.csv")
        with open(csv, "w") as f:
            for i in range(1, n + 1):
                it = scan_item(i)
                f.write("%s,%s,%s,%s,%s,%s,%s,%s,%s\n" % (
                    it["PK"]["S"], it["SK"]["S"], i, it["name"]["S"], it["email"]["S"],
                    it["city"]["S"], it["score"]["N"], "t" if i % 2 == 0 else "f", NOTE))
        os.chmod(csv, 0o644)

        def fresh():
            create_table(self.admin, T_LOAD)

        def check_loaded(smp):
            got = count_items(self.admin, T_LOAD)
            if got != n:
                raise BenchError("%s holds %d items after the load, want %d" % (T_LOAD, got, n))
            smp.rows = got

        def batch_writer():
            tbl = self.resource.Table(T_LOAD)
            with tbl.batch_writer() as bw:
                for i in range(1, n + 1):
                    bw.put_item(Item={
                        "PK": "ITEM#%07d" % i, "SK": "A", "id": i, "name": "name-%07d" % i,
                        "email": "user%07d@example.com" % i, "city": CITIES[i % 4],
                        "score": _decimal("%d.%02d" % (i % 1000, i % 100)),
                        "active": i % 2 == 0, "note": NOTE})
            return n

        # does INSERT into a foreign table work yet?
        fresh()
        ok, out = psql_script("INSERT INTO load_ft (pk, sk, id) VALUES ('probe', 'probe', 0);")
        if ok:
            self.write_support = "yes"
        elif "cannot insert into foreign table" in out:
            self.write_support = "not yet supported"
        else:
            self.write_support = "error: " + out.splitlines()[-1] if out else "error"
        log("INSERT into a foreign table: %s" % self.write_support)

        warm = ["SELECT 1 FROM load_ft WHERE pk = 'warm' AND sk = 'x';"]
        warm_up = ["SELECT 1 FROM load_up WHERE pk = 'warm' AND sk = 'x';"]
        m = [
            ("sql_insert", "INSERT INTO load_ft SELECT ... FROM generate_series(1, %d)" % n, "sql",
             dict(stmt="INSERT INTO load_ft SELECT %s FROM generate_series(1, %d) g;" % (SQL_ROW, n),
                  warm=warm, check=check_loaded, explain=False, items=n)),
            ("py_batch_writer", "boto3 Table.batch_writer, put_item per row", "py",
             dict(fn=batch_writer, pre=fresh, check=check_loaded, items=n)),
            ("sql_insert_up", "same INSERT into load_up (upsert 'true')", "sql",
             dict(stmt="INSERT INTO load_up SELECT %s FROM generate_series(1, %d) g;" % (SQL_ROW, n),
                  warm=warm_up, check=check_loaded, explain=False, items=n)),
            ("sql_copy", "COPY load_ft FROM '<csv file>' (FORMAT csv)", "sql",
             dict(stmt="COPY load_ft FROM '%s' (FORMAT csv);" % csv, warm=warm, check=check_loaded,
                  explain=False, items=n)),
            ("sql_copy_up", "COPY load_up FROM '<csv file>' (upsert 'true')", "sql",
             dict(stmt="COPY load_up FROM '%s' (FORMAT csv);" % csv, warm=warm_up, check=check_loaded,
                  explain=False, items=n)),
        ]
        if self.write_support != "yes":
            for k in ("sql_insert", "sql_insert_up", "sql_copy", "sql_copy_up"):
                self.notes[k] = self.write_support
        # SQL samples need a fresh table too: wrap sql_sample
        orig = self.sql_sample

        def sql_sample_fresh(key, stmt, warm_, pre=None):
            fresh()
            return orig(key, stmt, warm_, pre)
        self.sql_sample = sql_sample_fresh
        try:
            self.run_workload("5 load", m)
        finally:
            self.sql_sample = orig

    def w6_chain(self):
        """students JOIN attendance JOIN lectures with the student bound; orders of many users."""
        c = self.client
        jm = self.sz["join_m"]
        users = self.qin_users
        n_orders = len(users) * self.sz["orders"]

        def chain():
            student = None
            ids = []
            for page in c.get_paginator("query").paginate(
                    TableName=T_SCHOOL, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "STUDENT#S0001"}}):
                for it in page["Items"]:
                    if it["SK"]["S"].startswith("STUDENT#"):
                        student = it
                    elif it["SK"]["S"].startswith("LECTURE#"):
                        ids.append(it["SK"]["S"])
            out = []
            for i in range(0, len(ids), 100):
                req = {T_SCHOOL: {"Keys": [{"PK": {"S": x}, "SK": {"S": x}} for x in ids[i:i + 100]]}}
                while req:
                    r = c.batch_get_item(RequestItems=req)
                    out.extend((student["name"]["S"], l["PK"]["S"][8:], l["title"]["S"])
                               for l in r["Responses"].get(T_SCHOOL, []))
                    req = r.get("UnprocessedKeys")
            return out

        def orders_pool():
            def one(uid):
                got = []
                for page in c.get_paginator("query").paginate(
                        TableName=T_APP, KeyConditionExpression="PK = :p AND begins_with(SK, :o)",
                        ExpressionAttributeValues={":p": {"S": "USER#" + uid}, ":o": {"S": "ORDER#"}}):
                    got.extend(page["Items"])
                return got
            out = []
            with concurrent.futures.ThreadPoolExecutor(8) as ex:
                for got in ex.map(one, users):
                    out.extend(got)
            return out

        warm = ["SELECT 1 FROM students WHERE student_id = 'warm';",
                "SELECT 1 FROM attendance WHERE student_id = 'warm' AND lecture_id = 'x';",
                "SELECT 1 FROM lectures WHERE lecture_id = 'warm';",
                "SELECT 1 FROM orders WHERE user_id = 'warm' AND order_id = 'x';"]
        in_list = ", ".join("'%s'" % u for u in users)
        m = [
            ("sql_chain", "students JOIN attendance JOIN lectures WHERE student_id = 'S0001'", "sql",
             dict(stmt="SELECT s.name, a.lecture_id, l.title FROM students s "
                       "JOIN attendance a USING (student_id) JOIN lectures l USING (lecture_id) "
                       "WHERE s.student_id = 'S0001';", warm=warm, check=self.want_rows(jm))),
            ("py_chain", "boto3 by hand: one Query of the student's partition + batch_get_item lectures",
             "py", dict(fn=chain, check=self.want_rows(jm))),
            ("sql_qin", "orders WHERE user_id IN (%d users)" % len(users), "sql",
             dict(stmt="SELECT * FROM orders WHERE user_id IN (%s);" % in_list, warm=warm,
                  check=self.want_rows(n_orders))),
            ("sql_qjoin", "local table of %d user ids JOIN orders (plan PostgreSQL picks)" % len(users),
             "sql", dict(stmt="SELECT o.* FROM bench_users k JOIN orders o USING (user_id);", warm=warm,
                         check=self.want_rows(n_orders))),
            ("py_qin_pool", "boto3 Query per user, 8 threads", "py",
             dict(fn=orders_pool, check=self.want_rows(n_orders))),
        ]
        self.run_workload("6 join chain and many partitions", m)

    def w7_migrate(self):
        """CALL ddbrel.migrate() of a local table against boto3 create_table + batch_writer."""
        n = self.sz["n_load"]

        def fresh():
            try:
                self.admin.delete_table(TableName=T_MIG)
                self.admin.get_waiter("table_not_exists").wait(
                    TableName=T_MIG, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
            except self.admin.exceptions.ResourceNotFoundException:
                pass
            ok, out = psql_script("DROP SCHEMA IF EXISTS mig_ddb CASCADE;")
            if not ok:
                raise BenchError("could not drop schema mig_ddb:\n" + out)

        def check(smp):
            got = count_items(self.admin, T_MIG)
            if got != n:
                raise BenchError("%s holds %d items after the migration, want %d" % (T_MIG, got, n))
            smp.rows = got

        def boto3_migrate():
            c = self.client
            c.create_table(TableName=T_MIG, **key_schema(gsi=True))
            c.get_waiter("table_exists").wait(TableName=T_MIG,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
            tbl = self.resource.Table(T_MIG)
            with tbl.batch_writer() as bw:
                for i in range(1, n + 1):
                    bw.put_item(Item={
                        "PK": "ITEM#%d" % i, "SK": "ITEM#%d" % i, "name": "name-%07d" % i,
                        "email": "user%07d@example.com" % i, "city": CITIES[i % 4],
                        "score": _decimal("%d.%02d" % (i % 1000, i % 100)),
                        "active": i % 2 == 0, "note": NOTE})
            return n

        m = [
            ("sql_migrate", "CALL ddbrel.migrate() of a %d-row table (verify => 'none')" % n, "sql",
             dict(stmt="CALL ddbrel.migrate('mig', 'ddb', '%s', 'mig_ddb', verify => 'none', "
                       "restart => true);" % T_MIG, warm=[], pre=None, check=check, explain=False,
                  items=n)),
            ("py_migrate", "boto3 create_table + Table.batch_writer, put_item per row", "py",
             dict(fn=boto3_migrate, check=check, items=n)),
        ]
        orig_sql, orig_py = self.sql_sample, self.py_sample

        def sql_fresh(key, stmt, warm_, pre=None):
            fresh()
            return orig_sql(key, stmt, warm_, pre)

        def py_fresh(fn, pre=None):
            fresh()
            return orig_py(fn, pre)
        self.sql_sample, self.py_sample = sql_fresh, py_fresh
        try:
            self.run_workload("7 migrate", m)
        finally:
            self.sql_sample, self.py_sample = orig_sql, orig_py

    def w8_parallel(self):
        """A CPU-bound scan (large items, a jsonb expression) with 0 and 2 parallel workers."""
        n = self.sz["n_wide"]
        stmt = "SELECT count(*) FROM wide WHERE %s;" % WIDE_EXPR
        want = sum(1 for i in range(n) if wide_matches(i))
        warm = ["SELECT 1 FROM wide WHERE pk = 'warm' AND sk = 'x';"]

        def check(smp):
            if smp.rows != 1:
                raise BenchError("count(*) returned %s rows" % smp.rows)

        m = [
            ("sql_par0", "count over a jsonb expression, max_parallel_workers_per_gather = 0", "sql",
             dict(stmt=stmt, warm=warm, pre="SET max_parallel_workers_per_gather = 0;", items=n,
                  check=check)),
            ("sql_par2", "the same, max_parallel_workers_per_gather = 2", "sql",
             dict(stmt=stmt, warm=warm, pre="SET max_parallel_workers_per_gather = 2;", items=n,
                  check=check)),
        ]
        self.par_want = want
        self.run_workload("8 parallel workers", m)
        ok, out = psql_script(stmt)
        self.par_result = out.strip()
        if ok and out.strip() != str(want):
            raise BenchError("the parallel workload counted %s rows, want %d" % (out.strip(), want))

    def w9_big(self):
        """Backend peak memory of a scan of n_big items, against n_scan (workload 1)."""
        n = self.sz["n_big"]
        warm = ["SELECT 1 FROM scan_big WHERE pk = 'warm' AND sk = 'x';"]
        m = [("sql_ctas_big", "CREATE TEMP TABLE t AS SELECT * FROM scan_big (%d items)" % n, "sql",
              dict(stmt="CREATE TEMP TABLE t AS SELECT * FROM scan_big;", warm=warm,
                   check=self.want_rows(n)))]
        self.run_workload("9 scan of %d items" % n, m, reps=1)

    # ------------------------------------------------------------------------
    # CPU per item (callgrind on a standalone harness) and profiles
    # ------------------------------------------------------------------------

    def codec_cost(self):
        log("codec harness: callgrind")
        exe = os.path.join(HERE, "codec_bench")
        if not os.path.exists(exe):
            self.codec["error"] = "bench/codec_bench was not built"
            return
        resp = os.path.join(self.tmp, "scan_response.json")
        items = []
        size = 0
        i = 0
        while size < 1000000:
            it = scan_item(i)
            items.append(it)
            size += len(json.dumps(it, separators=(",", ":"))) + 1
            i += 1
        body = {"Count": len(items), "Items": items, "ScannedCount": len(items),
                "LastEvaluatedKey": {"PK": items[-1]["PK"], "SK": items[-1]["SK"]},
                "ConsumedCapacity": {"TableName": T_SCAN, "CapacityUnits": 128.5}}
        with open(resp, "w") as f:
            json.dump(body, f, separators=(",", ":"))
        self.codec["items"] = len(items)
        self.codec["bytes"] = os.path.getsize(resp)
        self.codec["item_size"] = item_size(items[0])
        for fn in ("bench_parse", "bench_parse_ddb", "bench_convert"):
            out = os.path.join(self.tmp, "callgrind.%s" % fn)
            p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                                "--toggle-collect=" + fn, exe, resp],
                               capture_output=True, text=True)
            ir = None
            if p.returncode == 0 and os.path.exists(out):
                with open(out) as f:
                    for line in f:
                        if line.startswith("summary:") or line.startswith("totals:"):
                            ir = int(line.split()[1])
            if ir is None:
                self.codec["error"] = "callgrind failed: " + p.stderr[-500:]
                return
            self.codec[fn] = ir
        p = subprocess.run([exe, resp, "30"], capture_output=True, text=True)
        for kv in p.stdout.split():
            k, _, v = kv.partition("=")
            self.codec["native_" + k] = v

    def profile(self):
        """perf record on the backend and on the server during one SELECT * scan."""
        if not shutil.which("perf"):
            self.profiles["error"] = "perf not installed"
            return
        log("profile: perf record on the backend and the server during CREATE TEMP TABLE ... scan_1")
        warm = ["SELECT 1 FROM scan_1 WHERE pk = 'warm' AND sk = 'x';"]
        s = Psql()
        procs = {}
        try:
            for w in warm:
                s.run(w)
            for name, pid in (("backend", s.pid), ("server", self.dyn_pid)):
                out = os.path.join(self.tmp, "perf.%s.data" % name)
                procs[name] = (subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(pid), "-o", out],
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out)
            time.sleep(0.5)
            c0, d0 = proc_cpu(s.pid), proc_cpu(self.dyn_pid)
            secs, rows = s.timed("CREATE TEMP TABLE t AS SELECT * FROM scan_1;")
            c1, d1 = proc_cpu(s.pid), proc_cpu(self.dyn_pid)
            self.profiles["wall"] = secs
            self.profiles["cpu"] = (c1 - c0, d1 - d0)
        finally:
            for name, (p, out) in procs.items():
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
            s.close()
        for name, (p, out) in procs.items():
            r = subprocess.run(["perf", "report", "-i", out, "--stdio", "--no-children", "-g", "none",
                                "--sort", "dso,symbol", "--percent-limit", "1.5"],
                               capture_output=True, text=True)
            lines = [perf_line(l) for l in r.stdout.splitlines() if l.strip() and not l.startswith("#")]
            self.profiles[name] = lines[:18] if lines else ["(no samples: %s)" % r.stderr.strip()[-200:]]
            r = subprocess.run(["perf", "report", "-i", out, "--stdio", "--no-children", "-g", "none",
                                "--sort", "dso", "--percent-limit", "1"],
                               capture_output=True, text=True)
            lines = [perf_line(l) for l in r.stdout.splitlines() if l.strip() and not l.startswith("#")]
            self.profiles[name + "_dso"] = lines[:10]
            if name == "backend":
                r = subprocess.run(["perf", "report", "-i", out, "--stdio", "--children", "-g", "none",
                                    "--sort", "symbol", "--percent-limit", "2"],
                                   capture_output=True, text=True)
                want = re.compile(r"ddb|Foreign|heap_insert|InputFunctionCall|cJSON|curl|strn?cmp|palloc|"
                                  r"pwrite|page_fault|ExecutorRun")
                lines = [perf_line(l) for l in r.stdout.splitlines()
                         if l.strip() and not l.startswith("#") and want.search(l)]
                self.profiles["backend_children"] = lines[:20]

    # ------------------------------------------------------------------------
    # Report
    # ------------------------------------------------------------------------

    def versions(self):
        v = {}
        v["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        v["nproc"] = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    v["memory"] = "%.1f GiB" % (int(line.split()[1]) / 1048576)
        v["cpu"] = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    v["cpu"] = line.split(":", 1)[1].strip()
                    break
        v["kernel"] = platform.release()
        with open("/proc/loadavg") as f:
            v["loadavg"] = " ".join(f.read().split()[:3])
        v["postgres"] = self.pg_version
        try:
            with open(os.path.join(ROOT, "node_modules/dynalite/package.json")) as f:
                v["dynalite"] = json.load(f)["version"]
        except OSError:
            v["dynalite"] = "?"
        try:
            with open(os.path.join(ROOT, "node_modules/amplify-dynamodb-simulator/emulator/README.txt")) as f:
                m = re.search(r"\(([0-9]+\.[0-9]+\.[0-9]+)\)", f.read())
            v["local"] = m.group(1) if m else "?"
        except OSError:
            v["local"] = "?"
        v["java"] = subprocess.run(["java", "-version"], capture_output=True,
                                   text=True).stderr.splitlines()[0:1] if shutil.which("java") else []
        v["java"] = v["java"][0] if v["java"] else "?"
        v["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
        v["boto3"] = "%s (botocore %s, Python %s)" % (boto3.__version__, botocore.__version__,
                                                       platform.python_version())
        try:
            lib = ctypes.CDLL("libcurl.so.4")
            lib.curl_version.restype = ctypes.c_char_p
            v["libcurl"] = lib.curl_version().decode()
        except OSError:
            v["libcurl"] = "?"
        try:
            lib = ctypes.CDLL("libcjson.so.1")
            lib.cJSON_Version.restype = ctypes.c_char_p
            v["cjson"] = lib.cJSON_Version().decode()
        except OSError:
            v["cjson"] = "?"
        g = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True).stdout.strip()
        d = subprocess.run(["git", "--no-optional-locks", "-C", ROOT, "status", "--porcelain",
                            "--untracked-files=no", "src", "sql"],
                           capture_output=True, text=True).stdout.strip()
        v["ddbrel"] = (g or "?") + (" + uncommitted changes in src/ or sql/" if d else "")
        return v

    def fmt_t(self, secs):
        if secs is None:
            return "n/a"
        if secs >= 1:
            return "%.2f s" % secs
        return "%.1f ms" % (secs * 1000)

    def row(self, num, what, sql_key, py_key):
        """One line of the main table."""
        sq = self.median(sql_key)
        py = self.median(py_key)
        if sql_key in self.notes:
            dd = self.notes[sql_key]
            ratio = "n/a"
        else:
            dd = self.fmt_t(sq)
            ratio = "%.2f×" % (py / sq) if sq and py else "n/a"
        req_s = self.req_text(sql_key)
        req_p = self.req_text(py_key)
        return "| %s | %s | %s | %s | %s | **%s** | %s / %s |" % (
            num, what, self.labels.get(sql_key, sql_key), dd, self.labels.get(py_key, py_key) + ": " + self.fmt_t(py),
            ratio, req_s, req_p)

    def req_text(self, key):
        if key in self.notes or not self.samples.get(key):
            return "–"
        r = self.samples[key][0].requests
        return str(r)

    def speedup(self, sql_key, py_key):
        sq = self.median(sql_key)
        py = self.median(py_key)
        return py / sq if sq and py and sql_key not in self.notes else None

    def stats_text(self, key):
        if not self.samples.get(key):
            return "–"
        st = self.samples[key][0].stats
        return ", ".join("%s %d req, %d scanned, %d returned%s" % (
            op, req, sc, rt, (", %d retries" % ret) if ret else "") for op, req, ret, sc, rt in st) or "none"

    def report(self):
        if getattr(self, "v", None) is None:
            self.v = self.versions()
            self.total_time = time.monotonic() - T0
        v = self.v
        sz = self.sz
        backend = getattr(self, "backend", None) or "dynalite"
        server, server_proc = SERVERS[backend]
        L = []
        add = L.append
        main_rows = [
            ("1a", "full scan, 1 segment", "sql_count_1", "py_scan_1"),
            ("1b", "full scan, 1 segment", "sql_ctas_1", "py_scan_1"),
            ("1c", "full scan, 1 segment (count only)", "sql_count_1", "py_count_1"),
            ("1d", "full scan, 4 segments", "sql_count_4", "py_scan_4"),
            ("1e", "full scan, 4 segments", "sql_ctas_4", "py_scan_4"),
            ("1f", "full scan, 4 segments (count only)", "sql_count_4", "py_count_4"),
            ("2a", "partition, key query", "sql_q_key", "py_q_key"),
            ("2b", "partition, begins_with", "sql_q_bw", "py_q_bw"),
            ("3a", "%d point lookups" % sz["lookups"], "sql_join", "py_get_loop"),
            ("3b", "%d point lookups" % sz["lookups"], "sql_join_lat", "py_get_loop"),
            ("3c", "%d point lookups" % sz["lookups"], "sql_any", "py_batch_get"),
            ("3d", "%d point lookups" % sz["lookups"], "sql_join", "py_batch_get"),
            ("4a", "1:N join, one parent (%d children)" % sz["join_n"], "sql_1n", "py_1n_naive"),
            ("4b", "1:N join, one parent (%d children)" % sz["join_n"], "sql_1n", "py_1n_best"),
            ("4c", "M:N join, one side (%d rows)" % sz["join_m"], "sql_mn", "py_mn_naive"),
            ("4d", "M:N join, one side (%d rows)" % sz["join_m"], "sql_mn", "py_mn_best"),
            ("5a", "load %d rows" % sz["n_load"], "sql_insert", "py_batch_writer"),
            ("5b", "load %d rows" % sz["n_load"], "sql_insert_up", "py_batch_writer"),
            ("5c", "load %d rows" % sz["n_load"], "sql_copy", "py_batch_writer"),
            ("5d", "load %d rows" % sz["n_load"], "sql_copy_up", "py_batch_writer"),
        ]
        table = ["| # | workload | ddbrel (SQL) | ddbrel time | boto3 | speed-up = boto3 / ddbrel | requests ddbrel / boto3 |",
                 "|---|---|---|---|---|---|---|"]
        for r in main_rows:
            table.append(self.row(*r))

        add("# ddbrel benchmark results")
        add("")
        add("Generated by `%sbench/run.sh%s` (bench/bench.py); every number below comes from one run. "
            "Times are medians of %d samples; **speed-up = boto3 time / ddbrel time** (above 1 means "
            "ddbrel is faster). Both sides talk to the same %s on the same machine, alternating "
            "sample by sample." % ("" if backend == "dynalite" else "DDB_BACKEND=%s " % backend,
                                   ("" if self.scale == "default" else " --scale " + self.scale) +
                                   ("" if (self.lats or [0]) == [0] else
                                    " --latency-ms " + ",".join(str(x) for x in self.lats)),
                                   self.reps, server))
        add("")
        add("Method: SQL is timed with psql's `\\timing` (statement sent until the whole result is in "
            "psql; output discarded, printing not counted) in a fresh session per sample, after a "
            "warm-up statement that caches DescribeTable and opens the HTTP connection. boto3 (low-level "
            "client, created and warmed beforehand) is timed with `time.perf_counter()` around the work, "
            "which includes turning the responses into Python objects, as a user of boto3 would get them. "
            "Requests are counted on both sides; CPU is read from /proc for the client and for %s." % server)
        add("")
        add("## Machine and versions")
        add("")
        add("| | |")
        add("|---|---|")
        add("| date | %s |" % v["date"])
        add("| scale | %s: %s |" % (self.scale, ", ".join("%s=%d" % kv for kv in sz.items())))
        add("| CPU | %s, nproc %s |" % (v["cpu"], v["nproc"]))
        add("| memory | %s |" % v["memory"])
        add("| kernel | %s |" % v["kernel"])
        add("| load average | %s at the start, %s at the end (1, 5, 15 min; other work on the machine "
            "adds noise to both sides alike) |" % (self.load_start, v["loadavg"]))
        add("| PostgreSQL | %s |" % v["postgres"])
        if backend == "local":
            add("| DynamoDB Local | %s (%s; npm amplify-dynamodb-simulator) |" % (v.get("local", "?"),
                                                                              v.get("java", "?")))
        else:
            add("| dynalite | %s (node %s) |" % (v["dynalite"], v["node"]))
        add("| boto3 | %s |" % v["boto3"])
        add("| libcurl | %s |" % v["libcurl"])
        add("| cJSON | %s |" % v["cjson"])
        add("| ddbrel | %s |" % v["ddbrel"])
        add("")
        add("Items of the scan table are ~%d bytes (DynamoDB's measure: names + values; %d bytes of "
            "DynamoDB JSON on the wire)." % (item_size(scan_item(1234)),
                                              len(json.dumps(scan_item(1234), separators=(",", ":")))))
        add("")
        add("%s's DescribeTable reports ItemCount %s and TableSizeBytes %s for the %d-item scan "
            "table (DynamoDB refreshes them about every six hours, DynamoDB Local at once, dynalite "
            "never). The planner takes a table to hold at least 100,000 items whatever ItemCount "
            "says, so the plans are the same on both servers." % (server, self.item_count[0],
                                                                  self.item_count[1], sz["n_scan"]))
        add("")
        add("## Results")
        add("")
        L.extend(table)
        add("")
        add("Requests: what reached %s during the timed statement (ddbrel.stats(), without " % server +
            "DescribeTable) / boto3 HTTP requests (counted with a botocore before-send hook).")
        add("")
        add("### Goals of issue 8")
        add("")
        add("| goal | measured | |")
        add("|---|---|---|")
        for g in self.goals():
            add("| %s | %s | %s |" % g)
        add("")
        self.report_issue19(add)
        add("### What ddbrel sent (first sample of each statement)")
        add("")
        add("| statement | rows | ddbrel.stats() |")
        add("|---|---|---|")
        for key in ("sql_count_1", "sql_ctas_1", "sql_count_4", "sql_ctas_4", "sql_q_key", "sql_q_bw",
                    "sql_join", "sql_join_lat", "sql_any", "sql_1n", "sql_mn", "sql_insert",
                    "sql_insert_up", "sql_copy", "sql_copy_up", "sql_chain", "sql_qin", "sql_qjoin",
                    "sql_migrate", "sql_par0", "sql_par2", "sql_ctas_big"):
            if key in self.notes:
                add("| `%s` | – | %s |" % (self.labels.get(key, key), self.notes[key]))
            elif self.samples.get(key):
                add("| `%s` | %s | %s |" % (self.labels[key], self.samples[key][0].rows, self.stats_text(key)))
        add("")
        add("### Where the time goes: CPU seconds during each measurement (medians)")
        add("")
        add("Client = the PostgreSQL backend for ddbrel, this Python process (all threads) for boto3; "
            "server = %s. From /proc/<pid>/stat, " % server_proc +
            "10 ms resolution. When server CPU is close to wall time the shared server is the bottleneck "
            "for both sides.")
        add("")
        add("With added latency, the fault proxy (Python, one thread per connection) sits between "
            "client and %s; its CPU is in the proxy column." % server)
        add("")
        add("| measurement | wall | client CPU | %s CPU | proxy CPU | client CPU per item |" % server)
        add("|---|---|---|---|---|---|")
        for key in self.labels:
            if key in self.notes or not self.samples.get(key):
                continue
            w = self.median(key)
            cc = self.median(key, "client_cpu")
            sc = self.median(key, "server_cpu")
            pc = self.median(key, "proxy_cpu")
            rows = self.items.get(key) or self.samples[key][0].rows or 0
            lat = key.partition("@")[2]
            add("| %s%s | %s | %.2f s | %.2f s | %s | %s |" % (
                self.labels[key], (" (%s added)" % lat.replace("ms", " ms")) if lat else "",
                self.fmt_t(w), cc, sc, "–" if pc is None else "%.2f s" % pc,
                ("%.1f µs" % (cc / rows * 1e6)) if rows else "–"))
        add("")
        add("### Backend peak memory, workload 1")
        add("")
        add("VmHWM of the backend from /proc/<pid>/status (read as root), after the warm-up statement "
            "and after the measured statement; includes the shared memory the backend touched "
            "(shared_buffers is 32 MB).")
        add("")
        add("| statement | VmHWM before | VmHWM after (max of samples) |")
        add("|---|---|---|")
        for key in ("sql_count_1", "sql_ctas_1", "sql_count_4", "sql_ctas_4"):
            smps = self.samples.get(key) or []
            if smps and smps[0].hwm and smps[0].hwm[0]:
                add("| `%s` | %.1f MB | %.1f MB |" % (
                    self.labels[key], max(s.hwm[0] for s in smps) / 1024,
                    max(s.hwm[1] for s in smps) / 1024))
        add("")
        add("### ddbrel CPU per item decoded (callgrind)")
        add("")
        if "error" in self.codec or "items" not in self.codec:
            add("Not measured: %s" % self.codec.get("error", "not run"))
        else:
            n = self.codec["items"]
            add("`bench/codec_bench` (src/codec_core.c + system cJSON, built with PostgreSQL's CFLAGS) on a "
                "fixed Scan response of %d bytes holding %d items of the scan table's shape, under "
                "`valgrind --tool=callgrind --toggle-collect=<function>`:" % (self.codec["bytes"], n))
            add("")
            add("| step | Ir total | Ir per item | native ns per item |")
            add("|---|---|---|---|")
            add("| `cJSON_Parse` of the response body | %d | %.0f | %s |" % (
                self.codec["bench_parse"], self.codec["bench_parse"] / n,
                self.codec.get("native_parse_ns_per_item", "?")))
            if self.codec.get("bench_parse_ddb"):
                add("| `ddb_json_parse` of the same body (src/json_core.c; the same tree) | %d | %.0f | %s |" % (
                    self.codec["bench_parse_ddb"], self.codec["bench_parse_ddb"] / n,
                    self.codec.get("native_parse_ddb_ns_per_item", "?")))
            add("| `ddb_item_to_json` of every item (document column path) | %d | %.0f | %s |" % (
                self.codec["bench_convert"], self.codec["bench_convert"] / n,
                self.codec.get("native_convert_ns_per_item", "?")))
            add("| total (cJSON_Parse + ddb_item_to_json) | %d | %.0f | |" % (
                self.codec["bench_parse"] + self.codec["bench_convert"],
                (self.codec["bench_parse"] + self.codec["bench_convert"]) / n))
            add("")
            if self.codec.get("native_tree_bytes"):
                add("The parsed page (cJSON tree, malloc'd, counted with malloc_usable_size) takes "
                    "%.1f MB in %s allocations for a %.1f MB response body: %.1f× the body, which "
                    "ddbrel holds per stream (one page being read) besides the next page arriving." % (
                        int(self.codec["native_tree_bytes"]) / 1048576, self.codec["native_tree_allocs"],
                        self.codec["bytes"] / 1048576,
                        int(self.codec["native_tree_bytes"]) / self.codec["bytes"]))
                add("")
            add("Typed columns (the CTAS rows above) go through codec.c's `ddb_av_to_datum` and the "
                "types' input functions instead of `ddb_item_to_json`; the backend profile below covers "
                "that path.")
        add("")
        add("### Profiles during `CREATE TEMP TABLE t AS SELECT * FROM scan_1`")
        add("")
        if "error" in self.profiles:
            add("Not taken: %s" % self.profiles["error"])
        elif "wall" in self.profiles:
            add("One extra run under `perf record -F 999 -g -p <pid>` on the backend and on %s at once: "
                "wall %s, backend CPU %.2f s, %s CPU %.2f s." % (
                    server, self.fmt_t(self.profiles["wall"]), self.profiles["cpu"][0], server,
                    self.profiles["cpu"][1]))
            for name, title in (("backend", "backend"), ("server", server)):
                add("")
                add("%s, by shared object:" % title)
                add("")
                add("```")
                L.extend(self.profiles.get(name + "_dso", []))
                add("```")
                add("")
                add("%s, top symbols (self time, ≥ 1.5%%):" % title)
                add("")
                add("```")
                L.extend(self.profiles.get(name, []))
                add("```")
                if self.profiles.get(name + "_children"):
                    add("")
                    add("%s, selected functions with their callees (children, ≥ 2%%; call chains "
                        "through the stripped libcjson are cut):" % title)
                    add("")
                    add("```")
                    L.extend(self.profiles[name + "_children"])
                    add("```")
        add("")
        add("### Plans")
        add("")
        for key, plan in self.plans.items():
            add("`%s`" % self.sql[key].strip())
            add("")
            add("```")
            add(plan)
            add("```")
            add("")
        add("### Run time")
        add("")
        for k, secs in self.timings.items():
            add("- %s: %.1f s" % (k, secs))
        add("- total (bench.py): %.1f s" % self.total_time)
        add("")
        notes = os.path.join(HERE, "NOTES.md")
        if backend != "dynalite":
            add("The analysis of bench/NOTES.md explains the dynalite run (bench/RESULTS.md); it is "
                "not repeated for %s." % server)
            add("")
        elif os.path.exists(notes):
            with open(notes) as f:
                add(self.render_notes(f.read().rstrip(), v))
            add("")
        return "\n".join(L), table

    LAT_ROWS = [
        ("L1a", "full scan, 1 segment", "sql_ctas_1", "py_scan_1"),
        ("L1b", "full scan, 4 segments", "sql_ctas_4", "py_scan_4"),
        ("L2a", "lookups from a local table", "sql_join", "py_batch_get"),
        ("L2b", "lookups from a local table", "sql_join", "py_batch_get_pool"),
        ("L2c", "lookups, key list as an array", "sql_any", "py_batch_get"),
        ("L3", "three-way chain, student bound", "sql_chain", "py_chain"),
        ("L4a", "1:N join, one parent", "sql_1n", "py_1n_best"),
        ("L4b", "M:N join, one side", "sql_mn", "py_mn_best"),
        ("L5a", "many partitions, IN list", "sql_qin", "py_qin_pool"),
        ("L5b", "many partitions, local table of ids", "sql_qjoin", "py_qin_pool"),
        ("L6", "load (upsert 'true')", "sql_insert_up", "py_batch_writer"),
        ("L7", "migrate()", "sql_migrate", "py_migrate"),
    ]

    def chain_levels(self, key):
        """(partition-level requests, lookup-level requests) of the chain statement."""
        if not self.samples.get(key):
            return None
        q = sum(req for op, req, ret, sc, rt in self.samples[key][0].stats if op in ("Query", "Scan"))
        g = sum(req for op, req, ret, sc, rt in self.samples[key][0].stats
                if op in ("GetItem", "BatchGetItem"))
        return q, g

    def report_issue19(self, add):
        """Latency tables, chain requests, parallel workers, big-scan memory, goals of issue 19."""
        sz = self.sz
        lats = self.lats or [0]
        add("## Latency, lookups, join chains, parallel workers, memory (issue 19)")
        add("")
        add("Each table below ran at one added latency per request: 0 ms is dynalite on the same "
            "machine; above 0, both sides talk to test/faultproxy.py, which forwards each request to "
            "dynalite and holds the answer back that long, as a stand-in for a region's round trip. "
            "The boto3 side is written the way an expert would: threads per Scan segment, "
            "batch_get_item (100 keys a call, in sequence and with 8 threads), one Query of a "
            "partition, Queries in a pool of 8 threads, Table.batch_writer.")
        add("")
        for ms in lats:
            suf = "" if ms == 0 else "@%dms" % ms
            add("### %d ms added per request" % ms)
            add("")
            add("| # | workload | ddbrel (SQL) | ddbrel time | boto3 | speed-up = boto3 / ddbrel | "
                "requests ddbrel / boto3 |")
            add("|---|---|---|---|---|---|---|")
            for num, what, sk, pk in self.LAT_ROWS:
                if self.samples.get(sk + suf) or self.samples.get(pk + suf):
                    add(self.row(num, what, sk + suf, pk + suf))
            add("")
        # the chain
        add("### Three-way chain: requests per level")
        add("")
        add("`students JOIN attendance JOIN lectures WHERE student_id = 'S0001'`: one student, %d "
            "attendance items in the student's partition, %d lectures to look up. Level 1 is the "
            "partition (Query or Scan requests), level 2 the lectures (GetItem and BatchGetItem "
            "requests); the goal is at most 1 + ⌈n/100⌉ requests per level." % (sz["join_m"], sz["join_m"]))
        add("")
        add("| added latency | ddbrel.stats() | level 1 | level 2 | ddbrel time | boto3 (2 requests) |")
        add("|---|---|---|---|---|---|")
        for ms in lats:
            suf = "" if ms == 0 else "@%dms" % ms
            lv = self.chain_levels("sql_chain" + suf)
            if lv:
                add("| %d ms | %s | %d | %d | %s | %s |" % (
                    ms, self.stats_text("sql_chain" + suf), lv[0], lv[1],
                    self.fmt_t(self.median("sql_chain" + suf)), self.fmt_t(self.median("py_chain" + suf))))
        add("")
        # parallel workers
        add("### Parallel workers on a CPU-bound scan")
        add("")
        add("%s items of about %d bytes (DynamoDB JSON): a text of 600 words and a map of 10 "
            "numbers, read as a document column (jsonb); `count(*) WHERE %s`, evaluated in "
            "PostgreSQL, so the backend's CPU, not dynalite's, sets the time. Two cores, shared "
            "with dynalite." % ("{:,}".format(sz["n_wide"]),
                                len(json.dumps(wide_item(1234), separators=(",", ":"))), WIDE_EXPR))
        add("")
        add("| max_parallel_workers_per_gather | time | backend CPU | backend CPU per item | "
            "dynalite CPU | Gather in the plan |")
        add("|---|---|---|---|---|---|")
        for key, w in (("sql_par0", 0), ("sql_par2", 2)):
            if self.samples.get(key):
                cc = self.median(key, "client_cpu")
                add("| %d | %s | %.2f s | %.1f µs | %.2f s | %s |" % (
                    w, self.fmt_t(self.median(key)), cc, cc / sz["n_wide"] * 1e6,
                    self.median(key, "server_cpu"),
                    "yes" if "Gather" in self.plans.get(key, "") else "no"))
        sp = self.par_speedup()
        if sp is not None:
            add("")
            add("Speed-up with 2 workers against 0: %s." % self.fx(sp))
        add("")
        # big scan memory
        add("### Backend peak memory: %s items against %s" % ("{:,}".format(sz["n_big"]),
                                                              "{:,}".format(sz["n_scan"])))
        add("")
        add("| statement | items | time | requests | VmHWM before | VmHWM after (max of samples) |")
        add("|---|---|---|---|---|---|")
        for key, n in (("sql_ctas_1", sz["n_scan"]), ("sql_ctas_big", sz["n_big"])):
            smps = self.samples.get(key) or []
            if smps and smps[0].hwm and smps[0].hwm[0]:
                add("| `%s` | %s | %s | %s | %.1f MB | %.1f MB |" % (
                    self.sql.get(key, key).rstrip(";"), "{:,}".format(n), self.fmt_t(self.median(key)),
                    smps[0].requests, max(x.hwm[0] for x in smps) / 1024,
                    max(x.hwm[1] for x in smps) / 1024))
        add("")
        add("### Goals of issue 19")
        add("")
        add("| goal | measured | |")
        add("|---|---|---|")
        for g in self.goals19():
            add("| %s | %s | %s |" % g)
        add("")

    def par_speedup(self):
        a, b = self.median("sql_par0"), self.median("sql_par2")
        return a / b if a and b else None

    def hwm_max(self, key):
        smps = self.samples.get(key) or []
        return max(x.hwm[1] for x in smps) if smps and smps[0].hwm and smps[0].hwm[1] else None

    def goals19(self):
        out = []
        sz = self.sz

        def g(goal, val, ok):
            out.append((goal, val, "**met**" if ok else ("**not measured**" if ok is None else "**missed**")))

        def sp(sk, pk, ms):
            suf = "" if ms == 0 else "@%dms" % ms
            return self.speedup(sk + suf, pk + suf)

        lats = [ms for ms in (self.lats or [0]) if self.samples.get("sql_join" + ("" if ms == 0 else "@%dms" % ms))]
        vals = [(ms, sp("sql_join", "py_batch_get", ms), sp("sql_join", "py_batch_get_pool", ms)) for ms in lats]
        need = [v for ms, v, _ in vals if ms in (0, 5)]
        g("lookups from a local table ≥ 1.0× boto3 batch_get_item, at 0 and 5 ms",
          "; ".join("%d ms: %s (against 8 threads: %s)" % (ms, self.fx(a), self.fx(b)) for ms, a, b in vals)
          or "not run",
          (all(v is not None and v >= 1.0 for v in need) and len(need) == 2) if need else None)
        chain = [(ms, self.chain_levels("sql_chain" + ("" if ms == 0 else "@%dms" % ms)))
                 for ms in (self.lats or [0])]
        chain = [(ms, lv) for ms, lv in chain if lv]
        limit = 1 + -(-sz["join_m"] // 100)
        if chain:
            lv = chain[0][1]
            g("three-way chain: ≤ 1 + ⌈n/100⌉ requests per level (n = %d: ≤ %d)" % (sz["join_m"], limit),
              "level 1: %d, level 2: %d (%s)" % (lv[0], lv[1], self.stats_text("sql_chain")),
              lv[0] <= limit and lv[1] <= limit)
        else:
            g("three-way chain: ≤ 1 + ⌈n/100⌉ requests per level", "not run", None)
        s5 = sp("sql_ctas_4", "py_scan_4", 5) if 5 in (self.lats or []) else None
        g("full scan, 4 segments, at 5 ms: ≥ 1.0× boto3 with 4 threads",
          "SELECT * into a table %s" % self.fx(s5) if s5 else "not run at 5 ms",
          (s5 >= 1.0) if s5 else None)
        mg = [(ms, sp("sql_migrate", "py_migrate", ms)) for ms in (self.lats or [0])]
        mg = [(ms, v) for ms, v in mg if v is not None]
        g("migrate() ≥ 2× boto3 batch_writer on the same rows (%d rows)" % sz["n_load"],
          "; ".join("%d ms: %s" % (ms, self.fx(v)) for ms, v in mg) or "not run",
          (mg[0][1] >= 2.0) if mg else None)
        h1, hb = self.hwm_max("sql_ctas_1"), self.hwm_max("sql_ctas_big")
        g("%s-item scan: backend peak within 2× its peak on %s items" % (
            "{:,}".format(sz["n_big"]), "{:,}".format(sz["n_scan"])),
          "%.1f MB against %.1f MB (%.2f×)" % (hb / 1024, h1 / 1024, hb / h1) if h1 and hb else "not run",
          (hb <= 2 * h1) if h1 and hb else None)
        ps = self.par_speedup()
        gather = "Gather" in self.plans.get("sql_par2", "")
        out.append(("parallel workers: the speed-up on a CPU-bound scan, 2 workers against 0, 2 cores",
                    ("%s; %s" % (self.fx(ps), "the plan has a Gather" if gather else
                                 "no Gather in the plan"))
                    if ps else "not run", "**stated**" if ps else "**not measured**"))
        cpu = None
        if self.samples.get("sql_ctas_1"):
            cpu = self.median("sql_ctas_1", "client_cpu") / sz["n_scan"] * 1e6
        g("client CPU ≤ 1.5 µs per item on the scan benchmark (CREATE TEMP TABLE ... scan_1), /proc",
          "%.1f µs (10 ms ticks, a shared machine: see the instruction counts in the analysis)" % cpu
          if cpu is not None else "not run", (cpu <= 1.5) if cpu is not None else None)
        return out

    def render_notes(self, text, v):
        """bench/NOTES.md with {{kind:args}} replaced by this run's numbers."""
        def one(m):
            kind, _, arg = m.group(1).partition(":")
            args = arg.split(":") if arg else []
            try:
                if kind == "wall":
                    return self.fmt_t(self.median(args[0]))
                if kind in ("ccpu", "scpu"):
                    x = self.median(args[0], "client_cpu" if kind == "ccpu" else "server_cpu")
                    return "%.2f s" % x
                if kind == "cpuitem":
                    n = self.items.get(args[0]) or self.samples[args[0]][0].rows
                    return "%.1f µs" % (self.median(args[0], "client_cpu") / n * 1e6)
                if kind == "perreq":
                    return "%.0f µs" % (self.median(args[0], "server_cpu") /
                                        self.samples[args[0]][0].requests * 1e6)
                if kind == "speedup":
                    return self.fx(self.speedup(args[0], args[1]))
                if kind == "req":
                    return str(self.samples[args[0]][0].requests)
                if kind == "stats":
                    return self.stats_text(args[0])
                if kind in ("hwm", "hwm0"):
                    i = 1 if kind == "hwm" else 0
                    return "%.1f MB" % (max(x.hwm[i] for x in self.samples[args[0]]) / 1024)
                if kind == "codecper":
                    return "%.0f" % (self.codec[args[0]] / self.codec["items"])
                if kind == "treemb":
                    return "%.1f" % (int(self.codec["native_tree_bytes"]) / 1048576)
                if kind == "size":
                    return "{:,}".format(self.sz[args[0]])
                if kind in v:
                    return v[kind]
            except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
                pass
            return "(n/a: %s)" % m.group(1)
        return re.sub(r"\{\{([^}]+)\}\}", one, text)

    def goals(self):
        out = []

        def g(goal, val, ok, extra=""):
            out.append((goal, val + (" " + extra if extra else ""), "**met**" if ok else "**missed**"))

        s1 = self.speedup("sql_ctas_1", "py_scan_1")
        c1 = self.speedup("sql_count_1", "py_scan_1")
        g("full scan ≥ 1.0× boto3, 1 segment", "SELECT * into a table %s, count(*) %s" % (
            self.fx(s1), self.fx(c1)), s1 is not None and s1 >= 1.0)
        s4 = self.speedup("sql_ctas_4", "py_scan_4")
        c4 = self.speedup("sql_count_4", "py_scan_4")
        g("full scan ≥ 1.5× boto3, 4 segments", "SELECT * into a table %s, count(*) %s" % (
            self.fx(s4), self.fx(c4)), s4 is not None and s4 >= 1.5)
        bad = []
        for key in ("sql_q_key", "sql_q_bw"):
            for op, req, ret, sc, rt in (self.samples.get(key) or [Sample(0, 0, 0)])[0].stats:
                if sc != rt:
                    bad.append("%s: %s scanned %d, returned %d" % (key, op, sc, rt))
        desc = "; ".join("%s: %s" % (self.labels[k].split(" WHERE ")[-1], self.stats_text(k))
                         for k in ("sql_q_key", "sql_q_bw") if k in self.labels) or "not run"
        g("items scanned == items returned, key and begins_with queries", desc, not bad and
          bool(self.samples.get("sql_q_key")))
        r1 = self.samples["sql_1n"][0].requests if self.samples.get("sql_1n") else None
        g("1:N join: 1 request", "%s request(s): %s" % (r1, self.stats_text("sql_1n")), r1 == 1)
        r2 = self.samples["sql_mn"][0].requests if self.samples.get("sql_mn") else None
        g("M:N join: 2 requests", "%s request(s): %s" % (r2, self.stats_text("sql_mn")), r2 == 2)
        sp = {k: self.speedup(k, "py_batch_writer")
              for k in ("sql_insert", "sql_insert_up", "sql_copy", "sql_copy_up")}
        if self.write_support != "yes":
            g("load ≥ 2× boto3 batch_writer", "INSERT/COPY: %s" % self.write_support, False)
        else:
            best_i = max([x for x in (sp["sql_insert"], sp["sql_insert_up"]) if x is not None] or [0])
            best_c = max([x for x in (sp["sql_copy"], sp["sql_copy_up"]) if x is not None] or [0])
            only_up = (best_i >= 2 and best_c >= 2 and
                       not ((sp["sql_insert"] or 0) >= 2 and (sp["sql_copy"] or 0) >= 2))
            g("load ≥ 2× boto3 batch_writer (INSERT ... SELECT and COPY, best table mode of each)",
              "INSERT %s (upsert %s), COPY %s (upsert %s)%s" % (
                  self.fx(sp["sql_insert"]), self.fx(sp["sql_insert_up"]),
                  self.fx(sp["sql_copy"]), self.fx(sp["sql_copy_up"]),
                  "; met only with upsert 'true' (BatchWriteItem), not with the default "
                  "conditional PutItem" if only_up else ""),
              best_i >= 2 and best_c >= 2)
        return out

    def fx(self, x):
        return "n/a" if x is None else "%.2f×" % x


STATE_FIELDS = ("scale", "sz", "reps", "labels", "plans", "sql", "notes", "items", "profiles",
                "codec", "timings", "write_support", "load_start", "pg_version", "item_count",
                "v", "total_time", "backend", "lats")


def save_state(b, path):
    """What report() needs, so the report can be written again (--rerender)."""
    d = {k: getattr(b, k, None) for k in STATE_FIELDS}
    d["samples"] = {k: [vars(x) for x in smps] for k, smps in b.samples.items()}
    with open(path, "w") as f:
        json.dump(d, f)


def load_state(path):
    with open(path) as f:
        d = json.load(f)
    b = Bench.__new__(Bench)
    for k in STATE_FIELDS:
        setattr(b, k, d.get(k))
    b.samples = {k: [Sample(**x) for x in smps] for k, smps in d["samples"].items()}
    for smps in b.samples.values():
        for x in smps:
            x.stats = [tuple(st) for st in x.stats]
    return b


def perf_line(line):
    """A perf report line without the empty IPC columns and the padding."""
    return re.sub(r"\s+-\s+-\s*$", "", line).rstrip()


def _decimal(s):
    import decimal
    return decimal.Decimal(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=sorted(SCALES), default="default")
    ap.add_argument("--reps", type=int, default=0)
    ap.add_argument("--out", default=None, help="results file (default bench/RESULTS.md, "
                    "bench/RESULTS.<scale>.md for other scales, RESULTS.local[.<scale>].md "
                    "on DynamoDB Local)")
    ap.add_argument("--only", default="", help="comma list of workloads 1-9, codec, profile "
                    "(development)")
    ap.add_argument("--latency-ms", default="0", type=lambda v: [int(x) for x in v.split(",")],
                    help="comma list of delays added to every request through the fault proxy, "
                    "e.g. 0,5,20; the workloads run once per value")
    ap.add_argument("--rerender", metavar="STATE", default=None,
                    help="write the report again from a saved run (bench/.last-run.<scale>.json), "
                    "e.g. after editing bench/NOTES.md; runs nothing")
    args = ap.parse_args()
    if args.rerender:
        b = load_state(args.rerender)
        text, table = b.report()
        out = args.out or results_name(b.scale, getattr(b, "backend", None) or "dynalite")
        with open(out, "w") as f:
            f.write(text + "\n")
        print("bench: wrote %s from %s" % (os.path.relpath(out, ROOT), args.rerender))
        return
    b = Bench(args)
    only = set(args.only.split(",")) if args.only else {"1", "2", "3", "4", "5", "6", "7", "8", "9",
                                                        "codec", "profile"}
    b.setup(only)
    steps = [("1", b.w1_scan), ("2", b.w2_partition), ("3", b.w3_lookups), ("4", b.w4_joins),
             ("5", b.w5_load), ("6", b.w6_chain), ("7", b.w7_migrate), ("8", b.w8_parallel),
             ("9", b.w9_big), ("codec", b.codec_cost), ("profile", b.profile)]
    for ms in b.lats:
        b.set_latency(ms)
        for name, fn in steps:
            if name in only and (ms == 0 or name in ("1", "3", "4", "5", "6", "7")):
                fn()
    b.set_latency(0)
    text, table = b.report()
    save_state(b, os.path.join(HERE, ".last-run.%s%s.json" % (
        "" if b.backend == "dynalite" else b.backend + ".", args.scale)))
    out = args.out or results_name(args.scale, b.backend)
    with open(out + ".tmp", "w") as f:
        f.write(text + "\n")
    os.replace(out + ".tmp", out)
    print("\n".join(table))
    print()
    print("| goal | measured | |")
    print("|---|---|---|")
    for g in b.goals() + b.goals19():
        print("| %s | %s | %s |" % g)
    print()
    print("bench: wrote %s (%.0f s)" % (os.path.relpath(out, ROOT), time.monotonic() - T0))


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        sys.exit(1)
