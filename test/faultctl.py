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
#	faultctl.py reset                        zero the proxy's counters
#	faultctl.py stats                        the counters as one JSON line
#	faultctl.py index TABLE INDEX --hash A,B [--range C,D] [--types A=S,C=N]
#	                      [--projection ALL]
#	                      declare a multi-attribute index the proxy serves
#	faultctl.py index TABLE INDEX --drop     forget it
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command",
                    choices=["off", "rate", "script", "reset", "stats",
                             "cancel", "index"])
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
            script.append({"kind": kind, "ms": int(ms)} if ms
                          else {"kind": kind})
        call("/__fault", {"mode": "script", "script": script,
                          "ops": split(a.ops), "delay_ms": a.delay_ms})
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
