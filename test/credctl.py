#!/usr/bin/python3
"""test/credctl.py
	  Command-line client of test/credservers.py, for regress tests (psql \\!
	  and backquotes), and the credential_process of the test profiles.

	credctl.py reset                     zero the counters
	credctl.py config KEY=VALUE ...      lifetime=SECONDS, imds=ok|refuse_put|no_role,
	                                     ecs=ok|deny, web=ok|deny
	credctl.py stats [NAME ...]          "name=value" lines, sorted; the names
	                                     given (a missing one prints 0), or all;
	                                     "ddbrel-<pid>" shows as ddbrel-PID
	credctl.py [--ctl URL] process-credentials
	                                     a credential_process answer (Version 1
	                                     JSON) with fresh credentials
	credctl.py process-fail              a credential_process that fails

The control URL is --ctl, else $DDB_CREDSRV_CTL (set by test/env.sh).  On
failure prints one line to stderr and exits 1.
"""
import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request


def call(ctl, path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(ctl.rstrip("/") + path, data=data,
                                 method="GET" if data is None else "POST")
    req.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as resp:
            return json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError) as e:
        sys.exit("credctl: %s: %s" % (path, e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctl", default=os.environ.get("DDB_CREDSRV_CTL"))
    ap.add_argument("command", choices=["reset", "config", "stats",
                                        "process-credentials", "process-fail"])
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()

    if a.command == "process-fail":
        sys.stderr.write("credctl: the SSO session has expired; run aws sso login\n")
        return 3
    if not a.ctl:
        sys.exit("credctl: no control URL (--ctl or DDB_CREDSRV_CTL)")
    if a.command == "reset":
        call(a.ctl, "/reset", {})
    elif a.command == "config":
        cfg = {}
        for kv in a.args:
            k, _, v = kv.partition("=")
            cfg[k] = int(v) if v.lstrip("-").isdigit() else v
        call(a.ctl, "/config", cfg)
    elif a.command == "stats":
        stats = call(a.ctl, "/stats")
        names = a.args or sorted(stats)
        for n in names:
            # session names default to ddbrel-<backend pid>
            print("%s=%s" % (n, re.sub(r"ddbrel-\d+", "ddbrel-PID", str(stats.get(n, 0)))))
    elif a.command == "process-credentials":
        print(json.dumps(call(a.ctl, "/issue", {"issuer": "process"})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
