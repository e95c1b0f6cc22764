#!/usr/bin/python3
# test/faultctl.py
#	  Command-line client of test/faultproxy.py, for regress tests (psql \!
#	  and backquotes).  Silent on success except "stats"; on failure it
#	  prints one line to stderr and exits 1.
#
#	faultctl.py off
#	faultctl.py rate RATE [--seed N] [--kinds k1,k2] [--ops Op1,Op2]
#	                      [--delay-ms MS]
#	faultctl.py script KIND[:MS] ... [--ops Op1,Op2] [--delay-ms MS]
#	                                  [--reasons]  (throttles say why)
#	                                  [--patch JSON]  (for "patch" entries)
#	faultctl.py capacity READ_UNITS WRITE_UNITS [--window-ms MS]
#	    throttle reads (writes) while the answers of the last window
#	    consumed more than READ_UNITS (WRITE_UNITS) per second; 0: never
#	faultctl.py reset                        zero the proxy's counters
#	faultctl.py stats                        the counters as one JSON line
#	faultctl.py index TABLE INDEX --hash A,B [--range C,D] [--types A=S,C=N]
#	                      [--projection ALL]
#	                      declare a multi-attribute index the proxy serves
#	faultctl.py index TABLE INDEX --drop     forget it
#	faultctl.py log-check [--table T] [--kind read|write] [--budget N]
#	                      [--seconds S] [--tolerance F]
#	    what the proxy logged since the last reset, as one JSON line of
#	    facts that do not depend on timing: the operations seen, whether
#	    every request on items asked for ConsumedCapacity, and with
#	    --budget, whether the capacity the matching requests consumed over
#	    any window of S seconds (default 5) stayed within (1 + F) * N * S
#	    (F default 0.1), whether any was throttled, whether fewer than
#	    half were; the measured numbers go to $DDB_TMP/capacity.log
#	faultctl.py units [--table T]            the capacity units the answers
#	    logged since the last reset say they consumed (of table T), summed
#	faultctl.py cancel APPNAME [--timeout S]
#	    wait until a backend whose application_name is APPNAME runs a query
#	    containing "cancel-me", then pg_cancel_backend it (uses psql and the
#	    PG* environment); meant to run in the background with "&".
#
# The proxy is $DDB_PROXY_ENDPOINT (set by test/env.sh).

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request


def proxy_url(path):
    base = os.environ.get("DDB_PROXY_ENDPOINT")
    if not base:
        sys.exit("faultctl: DDB_PROXY_ENDPOINT is not set")
    return base.rstrip("/") + path


def call(path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(proxy_url(path), data=data,
                                 method="GET" if data is None else "POST")
    req.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as e:
        sys.exit("faultctl: %s: %s" % (path, e.read().decode(errors="replace")))
    except OSError as e:
        sys.exit("faultctl: %s: %s" % (path, e))


def split(s):
    return [x for x in (s or "").split(",") if x]


def cancel(app, timeout):
    """Cancels the backend of application_name app once it runs cancel-me."""
    psql = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"),
                        "psql")
    sql = ("SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
           "WHERE application_name = '%s' AND state = 'active' "
           "AND query LIKE '%%cancel-me%%' AND pid <> pg_backend_pid()"
           % app.replace("'", "''"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = subprocess.run([psql, "-X", "-A", "-t", "-q", "-c", sql],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True)
        if r.returncode == 0 and "t" in r.stdout.split():
            return
        time.sleep(0.05)
    sys.exit("faultctl: no active backend %r to cancel" % app)


ITEM_OPS = {"GetItem", "BatchGetItem", "Query", "Scan", "PutItem",
            "UpdateItem", "DeleteItem", "BatchWriteItem"}
READS = {"GetItem", "BatchGetItem", "Query", "Scan"}


def log_check(a):
    """Facts about the proxy's log since the last reset (see the top)."""
    entries = call("/__log")["entries"]
    items = [e for e in entries if e["op"] in ITEM_OPS]
    out = {"ops": sorted({e["op"] for e in entries}),
           "all_asked_capacity": all(e["asked"] for e in items)}
    if a.budget is None:
        return out
    sel = [e for e in items
           if (a.table is None or e["table"] == a.table)
           and (a.kind is None or (e["op"] in READS) == (a.kind == "read"))]
    done = [e for e in sel if e["units"] is not None]
    throttled = sum(1 for e in sel if e["throttled"])
    worst = 0.0
    for i, e in enumerate(done):
        total = sum(f["units"] for f in done[i:] if f["t"] < e["t"] + a.seconds)
        worst = max(worst, total)
    limit = (1 + a.tolerance) * a.budget * a.seconds
    span = done[-1]["t"] - done[0]["t"] if len(done) > 1 else 0.0
    units = sum(e["units"] for e in done)
    out.update({"within_budget": worst <= limit,
                "throttled_some": throttled > 0,
                "throttled_under_half": 2 * throttled < len(sel)})
    tmp = os.environ.get("DDB_TMP")
    if tmp:
        with open(os.path.join(tmp, "capacity.log"), "a") as f:
            f.write("%s table=%s kind=%s budget=%g: requests=%d throttled=%d "
                    "units=%.1f span=%.1fs mean=%.1f/s worst %gs window=%.1f "
                    "(%.3f of budget, limit %.1f)\n"
                    % (time.strftime("%H:%M:%S"), a.table, a.kind, a.budget,
                       len(sel), throttled, units, span,
                       units / span if span else 0, a.seconds, worst,
                       worst / (a.budget * a.seconds), limit))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command",
                    choices=["off", "rate", "script", "capacity", "reset",
                             "stats", "log-check", "units", "cancel", "index"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kinds")
    ap.add_argument("--ops")
    ap.add_argument("--delay-ms", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--hash")
    ap.add_argument("--range")
    ap.add_argument("--types")
    ap.add_argument("--projection", default="ALL")
    ap.add_argument("--drop", action="store_true")
    ap.add_argument("--reasons", action="store_true")
    ap.add_argument("--patch")
    ap.add_argument("--window-ms", type=int, default=1000)
    ap.add_argument("--table")
    ap.add_argument("--kind", choices=["read", "write"])
    ap.add_argument("--budget", type=float)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--tolerance", type=float, default=0.1)
    a = ap.parse_args()

    if a.command == "off":
        call("/__fault", {"mode": "off"})
    elif a.command == "rate":
        if len(a.args) != 1:
            sys.exit("faultctl: rate needs one argument")
        call("/__fault", {"mode": "rate", "rate": float(a.args[0]),
                          "seed": a.seed, "kinds": split(a.kinds),
                          "ops": split(a.ops), "delay_ms": a.delay_ms})
    elif a.command == "script":
        script = []
        for s in a.args:
            kind, _, ms = s.partition(":")
            entry = {"kind": kind, "ms": int(ms)} if ms else {"kind": kind}
            if a.reasons:
                entry["reasons"] = True
            if kind == "patch":
                entry["patch"] = json.loads(a.patch or "{}")
            script.append(entry)
        call("/__fault", {"mode": "script", "script": script,
                          "ops": split(a.ops), "delay_ms": a.delay_ms})
    elif a.command == "capacity":
        if len(a.args) != 2:
            sys.exit("faultctl: capacity needs read and write units")
        call("/__fault", {"mode": "capacity", "read_units": float(a.args[0]),
                          "write_units": float(a.args[1]),
                          "window_ms": a.window_ms})
    elif a.command == "log-check":
        print(json.dumps(log_check(a), sort_keys=True))
    elif a.command == "units":
        print(sum(e["units"] for e in call("/__log")["entries"]
                  if e["units"] is not None
                  and (a.table is None or e["table"] == a.table)))
    elif a.command == "reset":
        call("/__reset", {})
    elif a.command == "stats":
        print(json.dumps(call("/__stats"), sort_keys=True))
    elif a.command == "index":
        if len(a.args) != 2:
            sys.exit("faultctl: index needs a table and an index name")
        cfg = {"table": a.args[0], "index": a.args[1]}
        if a.drop:
            cfg["drop"] = True
        else:
            cfg.update({"hash": split(a.hash), "range": split(a.range),
                        "types": dict(t.split("=", 1) for t in split(a.types)),
                        "projection": a.projection})
        call("/__index", cfg)
    elif a.command == "cancel":
        if len(a.args) != 1:
            sys.exit("faultctl: cancel needs an application_name")
        cancel(a.args[0], a.timeout)


if __name__ == "__main__":
    main()
