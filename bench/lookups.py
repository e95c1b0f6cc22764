#!/usr/bin/python3
# bench/lookups.py
#	  A quick side-by-side of workload 3's lookups only: a local table of
#	  keys joined to a ddbrel table (batched lookups) against boto3's
#	  batch_get_item, in sequence and with 8 threads, at each added latency.
#
#	source test/env.sh && ddb_env_start
#	/usr/bin/python3 bench/lookups.py [--latency-ms 0,5] [--reps 7] [--n 5000] [--lookups 1000]
#
# Same items, keys and statements as bench.py's workload 3 (it imports
# them), without the rest of the set-up: for iterating on src/batchjoin.c.
# Prints each sample and the medians; the machine's noise is the reader's
# to judge (samples alternate, side by side).  Writes nothing.
import argparse
import concurrent.futures
import json
import os
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import boto3  # noqa: E402

TABLE = "BenchLookups"


def set_delay(ms):
    proxy = os.environ["DDB_PROXY_ENDPOINT"]
    cfg = {"mode": "off"} if ms == 0 else {"mode": "rate", "rate": 1.0, "kinds": ["delay"],
                                           "delay_ms": ms}
    req = urllib.request.Request(proxy.rstrip("/") + "/__fault", data=json.dumps(cfg).encode(),
                                 method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=10) as r:
        r.read()
    return os.environ["DDB_ENDPOINT"] if ms == 0 else proxy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency-ms", default="0,5")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--lookups", type=int, default=1000)
    a = ap.parse_args()
    ep = os.environ["DDB_ENDPOINT"]
    cfg = bench.botocore.config.Config(max_pool_connections=16,
                                       retries={"max_attempts": 10, "mode": "standard"})
    admin = boto3.client("dynamodb", endpoint_url=ep, config=cfg)
    bench.create_table(admin, TABLE)
    bench.bulk_put(admin, TABLE, [bench.scan_item(i) for i in range(a.n)])
    cols = ("pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'), "
            "id int, name text, email text, city text, score numeric, active bool, note text")
    ok, out = bench.psql_script("""
CREATE EXTENSION IF NOT EXISTS ddbrel;
DROP SERVER IF EXISTS lk CASCADE;
CREATE SERVER lk FOREIGN DATA WRAPPER ddbrel OPTIONS (region 'us-east-1', endpoint '%s');
CREATE USER MAPPING FOR CURRENT_USER SERVER lk
  OPTIONS (access_key_id 'benchkey', secret_access_key 'bench-secret');
CREATE FOREIGN TABLE lk_items (%s) SERVER lk OPTIONS (table '%s');
DROP TABLE IF EXISTS lk_keys;
CREATE TABLE lk_keys AS
  SELECT 'ITEM#' || lpad(((g * 7919) %% %d)::text, 7, '0') AS pk, 'A'::text AS sk
    FROM generate_series(1, %d) g;
ANALYZE lk_keys;
""" % (ep, cols, TABLE, a.n, a.lookups))
    if not ok:
        sys.exit(out)
    keys = [("ITEM#%07d" % ((g * 7919) % a.n), "A") for g in range(1, a.lookups + 1)]
    uniq = list(dict.fromkeys(keys))
    stmt = "SELECT b.* FROM lk_keys k JOIN lk_items b ON b.pk = k.pk AND b.sk = k.sk;"

    def chunk_get(c, chunk):
        got = []
        req = {TABLE: {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in chunk]}}
        while req:
            r = c.batch_get_item(RequestItems=req)
            got.extend(r["Responses"].get(TABLE, []))
            req = r.get("UnprocessedKeys")
        return got

    chunks = [uniq[i:i + 100] for i in range(0, len(uniq), 100)]
    for ms in [int(x) for x in a.latency_ms.split(",")]:
        endpoint = set_delay(ms)
        client = boto3.client("dynamodb", endpoint_url=endpoint, config=cfg)
        client.describe_table(TableName=TABLE)
        ok, out = bench.psql_script("ALTER SERVER lk OPTIONS (SET endpoint '%s');" % endpoint)
        s = bench.Psql()
        s.run(stmt)			# warm: connection, DescribeTable
        print(" ".join(l for l in s.run("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + stmt)
                       if "Round" in l or "Batch" in l))
        res = {"ddbrel join": [], "boto3 batch_get_item": [], "boto3 batch_get_item, 8 threads": []}
        for rep in range(a.reps):
            secs, rows = s.timed(stmt)
            assert rows == len(uniq), rows
            res["ddbrel join"].append(secs)
            t0 = time.perf_counter()
            n = sum(len(chunk_get(client, ch)) for ch in chunks)
            res["boto3 batch_get_item"].append(time.perf_counter() - t0)
            assert n == len(uniq)
            t0 = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(8) as ex:
                n = sum(len(g) for g in ex.map(lambda ch: chunk_get(client, ch), chunks))
            res["boto3 batch_get_item, 8 threads"].append(time.perf_counter() - t0)
            assert n == len(uniq)
        s.close()
        med = {k: statistics.median(v) for k, v in res.items()}
        for k, v in res.items():
            print("%d ms  %-32s median %7.1f ms  (%s)" % (ms, k, med[k] * 1000,
                                                         " ".join("%.0f" % (x * 1000) for x in v)))
        for k in ("boto3 batch_get_item", "boto3 batch_get_item, 8 threads"):
            print("%d ms  ratio %s / ddbrel: %.2fx" % (ms, k, med[k] / med["ddbrel join"]))
    set_delay(0)


if __name__ == "__main__":
    main()
