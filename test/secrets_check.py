#!/usr/bin/env python3
"""test/secrets_check.py
	  After the regress run: no secret of the tests may appear in the server
	  log or in what the tests printed, except where the client's own SQL
	  text is echoed back.

Usage: secrets_check.py ROOT LOG [OTHER_OUTPUT...]

The secrets are the values of every secret_access_key and session_token
option written in ROOT/sql/*.sql, the postmaster's environment secret of
ROOT/test/env.sh, and every secret, session token and authorization token
test/credservers.py knows or has issued (the file $DDB_ISSUED_SECRETS).
Looked for in:

  LOG             the server log (test/env.sh: $DDB_TMP/postgres.log); a
                  secret may appear only in a STATEMENT entry, which is
                  PostgreSQL echoing the text of a failing statement
                  (log_min_error_statement), e.g. CREATE USER MAPPING;
  ROOT/results/*.out  (or $DDB_RESULTS_DIR/*.out) what each regress file
                  printed; a secret may appear
                  only on a line psql echoed from the file itself, or in a
                  "LINE n:" excerpt of it in an error;
  OTHER_OUTPUT    further captured output (13_security's debug5 session),
                  where it may not appear at all.

Prints the offending lines and, last, "security secrets_in_logs: N passed,
M failed", one check per secret.
"""
import glob
import os
import re
import sys

OPTION_RE = re.compile(r"\b(secret_access_key|session_token)\s+'((?:[^']|'')*)'", re.I)
ENTRY_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S+ \[\d+\] ")
SEVERITY_RE = re.compile(r"^(?:\S+@\S+ )?([A-Z0-9]+):  ")
LINE_RE = re.compile(r"^LINE \d+: (.*)$")
MIN_SECRET_LEN = 8


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def secrets_of(root):
    found = {}
    for path in sorted(glob.glob(os.path.join(root, "sql", "*.sql"))):
        for m in OPTION_RE.finditer(read(path)):
            value = m.group(2).replace("''", "'")
            found.setdefault(value, os.path.relpath(path, root))
    env = os.path.join(root, "test", "env.sh")
    if os.path.exists(env):
        m = re.search(r"^DDB_SERVER_SECRET_ACCESS_KEY=(\S+)", read(env), re.M)
        if m:
            found.setdefault(m.group(1).strip("'\""), "test/env.sh")
    # every secret and token test/credservers.py knows or has issued
    issued = os.environ.get("DDB_ISSUED_SECRETS")
    if issued and os.path.exists(issued):
        for line in read(issued).split("\n"):
            if line.strip():
                found.setdefault(line.strip(), "test/credservers.py")
    return found


def log_entries(text):
    """(first line number, severity, text) of each log entry."""
    entries = []
    for n, line in enumerate(text.split("\n"), 1):
        m = ENTRY_RE.match(line)
        if m or not entries:
            rest = line[m.end():] if m else line
            s = SEVERITY_RE.match(rest)
            entries.append([n, s.group(1) if s else "?", line])
        else:
            entries[-1][2] += "\n" + line
    return entries


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, log = sys.argv[1], sys.argv[2]
    others = sys.argv[3:]
    secrets = secrets_of(root)
    bad = {s: 0 for s in secrets}
    checked = [s for s in secrets if len(s) >= MIN_SECRET_LEN]
    for s in secrets:
        if len(s) < MIN_SECRET_LEN:
            print("secrets_check: %r (%s) is too short to look for" % (s, secrets[s]))

    def report(secret, where, text):
        bad[secret] += 1
        if bad[secret] <= 5:
            print("secrets_check: secret of %s in %s:" % (secrets[secret], where))
            print("    " + text.strip().replace("\n", "\n    ")[:2000])

    # the server log
    if os.path.exists(log):
        for n, severity, text in log_entries(read(log)):
            for s in checked:
                if s in text and severity != "STATEMENT":
                    report(s, "%s:%d (%s)" % (log, n, severity), text)
    else:
        print("secrets_check: no server log %s" % log)
        return 1

    # regress outputs: only echoed input
    results_dir = os.environ.get("DDB_RESULTS_DIR") or os.path.join(root, "results")
    results = sorted(glob.glob(os.path.join(results_dir, "*.out")))
    if not results:
        print("secrets_check: no regress outputs in %s" % results_dir)
        return 1
    for path in results:
        name = os.path.splitext(os.path.basename(path))[0]
        sql = os.path.join(root, "sql", name + ".sql")
        source = read(sql) if os.path.exists(sql) else ""
        source_lines = set(source.split("\n"))
        for n, line in enumerate(read(path).split("\n"), 1):
            hits = [s for s in checked if s in line]
            if not hits or line in source_lines:
                continue
            m = LINE_RE.match(line)
            if m and m.group(1).strip(". ") in source:
                continue
            for s in hits:
                report(s, "%s:%d" % (os.path.relpath(path, root), n), line)

    # other captured output: nowhere
    for path in others:
        if not os.path.exists(path):
            print("secrets_check: %s missing" % path)
            return 1
        for n, line in enumerate(read(path).split("\n"), 1):
            for s in checked:
                if s in line:
                    report(s, "%s:%d" % (path, n), line)

    failed = sum(1 for s in checked if bad[s])
    print("secrets_check: %d secrets looked for in %s, %d regress outputs%s"
          % (len(checked), log, len(results),
             "".join(", " + o for o in others)))
    print("security secrets_in_logs: %d passed, %d failed" % (len(checked) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
