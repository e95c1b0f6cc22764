#!/usr/bin/env bash
# test/valgrind.sh [test ...]
#	  The regress suite (or the sql/ tests named, e.g. "05_explain 14_names")
#	  with every PostgreSQL process under valgrind memcheck, then a count of
#	  the memory errors whose stack runs through ddbrel code.
#
# Starts its own private cluster + DynamoDB server (test/env.sh: dynalite
# unless DDB_BACKEND says otherwise), loads the fixtures, restarts the
# cluster with pg_ctl -p pointing at a wrapper that execs valgrind on
# postgres (backends are forks of the postmaster, so they are checked
# too), runs pg_regress with its output in $DDB_TMP (not in results/,
# which test/run.sh owns), stops the cluster and reads the valgrind logs.  An error counts when it is an invalid read/write/free or a
# use of uninitialised memory and a frame of any of its stacks is in a
# ddbrel source file (src/<name>.c) or in ddbrel.so.  Known PostgreSQL,
# libcurl and OpenSSL noise is suppressed by test/valgrind.supp.
#
# Debian's PostgreSQL is not built with USE_VALGRIND, so memcheck sees
# palloc chunks only as parts of bigger malloc'd blocks: overruns inside a
# memory context go unseen, uninitialised reads and overruns of malloc'd
# memory (curl buffers, calls, connections) are found.
#
# Last line: "valgrind ddbrel_errors: 1 passed, 0 failed", or 0 passed,
# 1 failed after the offending stacks.  The regress summary under valgrind
# is printed for information (timing-sensitive tests may fail there) and
# does not count.  VALGRIND_EXTRA adds valgrind options (e.g.
# --track-origins=yes); VALGRIND_KEEP=1 keeps the logs in /tmp.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
export PG_CONFIG="${PG_CONFIG:-/usr/bin/pg_config}"
START=$(date +%s)

fail()
{
	echo "valgrind.sh: $*"
	echo "valgrind ddbrel_errors: 0 passed, 1 failed"
	exit 1
}

command -v valgrind >/dev/null || fail "valgrind is not installed (test/setup.sh deps)"
[ -f "$ROOT/test/valgrind.supp" ] || fail "test/valgrind.supp missing"

# shellcheck source=test/env.sh
source test/env.sh
ddb_env_start >/dev/null || fail "could not start postgres/$(ddb_backend_name)"
if ! bash test/fixtures/load_all.sh >"$DDB_TMP/fixtures.log" 2>&1; then
	cat "$DDB_TMP/fixtures.log"
	fail "fixtures did not load"
fi

# ---- restart the cluster under valgrind -----------------------------------
VGDIR="$DDB_TMP/valgrind"
mkdir -p "$VGDIR"
cp "$ROOT/test/valgrind.supp" "$VGDIR/valgrind.supp"
PGPID=$(head -n 1 "$DDB_TMP/data/postmaster.pid")
# the postmaster's own environment (env.sh's clean one), minus pg_ctl's
mapfile -d '' PGENV <"/proc/$PGPID/environ"
KEEP=()
for e in "${PGENV[@]}"; do
	case "$e" in
		PG_GRANDPARENT_PID=*) ;;
		*) KEEP+=("$e") ;;
	esac
done
ddb_as_pg "$PG_BIN/pg_ctl" -D "$DDB_TMP/data" -m fast -w -t 60 stop >/dev/null ||
	fail "could not stop the cluster"
cat >"$VGDIR/postgres" <<EOF
#!/bin/sh
exec valgrind --quiet --trace-children=no --error-limit=no --num-callers=40 \\
	--fullpath-after= --read-var-info=no --leak-check=no --gen-suppressions=all \\
	--suppressions="$VGDIR/valgrind.supp" --log-file="$VGDIR/vg.%p.log" \\
	${VALGRIND_EXTRA:-} "$PG_BIN/postgres" "\$@"
EOF
chmod 0755 "$VGDIR/postgres"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$VGDIR"
# jit off: LLVM's loading under valgrind reports noise inside ld.so
if ! ddb_as_pg env -i "${KEEP[@]}" "$PG_BIN/pg_ctl" -D "$DDB_TMP/data" -p "$VGDIR/postgres" \
		-o "-c jit=off" -l "$DDB_TMP/postgres.log" -w -t 300 start >"$DDB_TMP/pg_ctl.log" 2>&1; then
	cat "$DDB_TMP/pg_ctl.log"
	tail -n 40 "$DDB_TMP/postgres.log"
	fail "the cluster did not start under valgrind"
fi
echo "valgrind.sh: cluster under valgrind after $(($(date +%s) - START)) s; logs in $VGDIR"

# ---- the regress suite ----------------------------------------------------
if [ $# -gt 0 ]; then
	TESTS="$*"
else
	TESTS=$(bash test/regress_tests.sh "$DDB_BACKEND" | tr '\n' ' ')
fi
mkdir -p "$VGDIR/regress"
T0=$(date +%s)
make -s installcheck PG_CONFIG="$PG_CONFIG" REGRESS="$TESTS" \
	EXTRA_REGRESS_OPTS="--outputdir=$VGDIR/regress" >"$VGDIR/regress.log" 2>&1
echo "valgrind.sh: pg_regress under valgrind took $(($(date +%s) - T0)) s (for information):"
grep -E '^(test |ok |not ok )|tests (passed|failed)' "$VGDIR/regress.log" | sed 's/^/    /'

# stop, so that every process has written its log
ddb_as_pg "$PG_BIN/pg_ctl" -D "$DDB_TMP/data" -m fast -w -t 120 stop >/dev/null 2>&1

# ---- read the logs --------------------------------------------------------
# The reader first proves on a probe that it sees a ddbrel frame: a tiny
# program that hands src/response_core.c an object with uninitialised
# members, under the same valgrind options.
NAMES=$(ls src/*.c | sed 's|^src/||; s|\.c$||' | paste -sd '|')
cat >"$VGDIR/probe.c" <<'EOF2'
#include "response_core.h"
#include <stdlib.h>

int
main(void)
{
	cJSON	   *j = malloc(sizeof(cJSON));
	ddb_resp_counts c;

	j->type = cJSON_Object;		/* child and the rest uninitialised */
	ddb_resp_counts_read(j, &c);
	return c.count > 0;
}
EOF2
mkdir -p "$VGDIR/probe"
if ! gcc -g -O1 -Isrc -o "$VGDIR/probe/probe" "$VGDIR/probe.c" src/response_core.c -lcjson; then
	fail "could not build the probe"
fi
valgrind --quiet --error-limit=no --num-callers=40 --fullpath-after= \
	--suppressions="$VGDIR/valgrind.supp" --log-file="$VGDIR/probe/vg.%p.log" \
	"$VGDIR/probe/probe" >/dev/null 2>&1
/usr/bin/python3 - "$VGDIR" "$NAMES" <<'PY'
import glob, os, re, sys

vgdir, names = sys.argv[1], sys.argv[2]
ours = re.compile(r"\((?:[^()]*/)?src/(?:%s)\.c:\d+\)|\(in [^)]*ddbrel\.so\)" % names)
kind = re.compile(r"Invalid (read|write|free)|uninitialised|Mismatched free|overlap|Jump to the invalid address")


def read_logs(d):
    """(files, memory errors, those through ddbrel code) of the vg.*.log in d."""
    errors, files = [], 0
    for path in sorted(glob.glob(os.path.join(d, "vg.*.log"))):
        files += 1
        block = None
        for line in open(path, errors="replace"):
            m = re.match(r"^==\d+== ?(.*)$", line.rstrip("\n"))
            if m is None:
                continue        # suppression text from --gen-suppressions
            text = m.group(1)
            if text == "":
                if block:
                    errors.append((path, block))
                block = None
            elif block is None and not text.startswith(" "):
                block = [text]
            elif block is not None:
                block.append(text)
        if block:
            errors.append((path, block))
    memory = [(p, b) for p, b in errors if kind.search(b[0])]
    return files, memory, [(p, b) for p, b in memory if any(ours.search(l) for l in b)]


pfiles, _, pours = read_logs(os.path.join(vgdir, "probe"))
if not pours:
    print("valgrind.sh: the log reader did not see the probe's error in src/response_core.c")
    sys.exit(1)
files, memory, bad = read_logs(vgdir)
print("valgrind.sh: %d process logs, %d memory errors in all, %d through ddbrel code"
      " (probe: seen)" % (files, len(memory), len(bad)))
for path, block in bad[:20]:
    print("valgrind.sh: in %s:" % path)
    for l in block:
        print("    " + l)
if files == 0:
    print("valgrind.sh: no valgrind logs: did the cluster run under valgrind?")
sys.exit(0 if files > 0 and not bad else 1)
PY
rc=$?
if [ "${VALGRIND_KEEP:-}" = 1 ]; then
	keep=$(mktemp -d /tmp/ddbrel-valgrind.XXXXXX)
	cp -R "$VGDIR/." "$keep/"
	echo "valgrind.sh: logs kept in $keep"
fi
trap - EXIT
ddb_env_stop 0
echo "valgrind.sh: $(($(date +%s) - START)) s in all"
if [ $rc = 0 ]; then
	echo "valgrind ddbrel_errors: 1 passed, 0 failed"
else
	echo "valgrind ddbrel_errors: 0 passed, 1 failed"
fi
exit $rc
