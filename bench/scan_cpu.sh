#!/usr/bin/env bash
# bench/scan_cpu.sh
#	  Backend CPU per item of a full scan: instructions (callgrind) and CPU
#	  time (/proc), for before/after comparisons of the decode path.
#
#	bench/scan_cpu.sh [--items N] [--reps R] [--sql STATEMENT] [--top K]
#	                  [--keep FILE]
#
# Starts a private PostgreSQL 15 + dynalite (test/env.sh), loads N items of
# the benchmark's scan table shape (bench/bench.py: 9 attributes, ~200
# bytes; default 20000), and measures one statement (default: CREATE TEMP
# TABLE t AS SELECT * FROM scan_1, the "SELECT * into a table" row of
# bench/RESULTS.md) two ways:
#
#	cpu   R runs in fresh sessions; utime + stime of the backend from
#	      /proc/<pid>/stat around the statement, per item.  Moves with the
#	      machine's load (other processes evict caches, and 10 ms ticks).
#	      The backend's minor page faults during the statement, too.
#	Ir    the same statement once more in a single-user backend under
#	      valgrind --tool=callgrind, counting only inside
#	      standard_ExecutorRun: instructions per item, the same on a busy
#	      machine as on an idle one.  The top functions by own (exclusive)
#	      instructions follow.
#
# --keep copies the callgrind profile to FILE (for callgrind_annotate
# --inclusive=yes, or kcachegrind).  Needs the extension installed (bench/run.sh or test/setup.sh build) and
# honours PG_CONFIG.  Takes about a minute for 20000 items.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ITEMS=20000
REPS=5
TOP=25
KEEP=
SQL="CREATE TEMP TABLE t AS SELECT * FROM scan_1;"
while [ $# -gt 0 ]; do
	case "$1" in
		--items | --reps | --sql | --top | --keep)
			[ $# -ge 2 ] || { echo "scan_cpu: $1 needs a value" >&2; exit 2; }
			case "$1" in
				--items) ITEMS="$2" ;;
				--reps) REPS="$2" ;;
				--sql) SQL="$2" ;;
				--top) TOP="$2" ;;
				--keep) KEEP="$2" ;;
			esac
			shift 2
			;;
		-h | --help)
			sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'
			exit 0
			;;
		*)
			echo "usage: $0 [--items N] [--reps R] [--sql STATEMENT] [--top K] [--keep FILE]" >&2
			exit 2
			;;
	esac
done

# shellcheck source=test/env.sh
source test/env.sh
ddb_env_start >/dev/null
export ITEMS REPS SQL

/usr/bin/python3 - <<'PY'
import os, sys, subprocess
sys.path.insert(0, os.path.join(os.environ["DDB_ROOT"], "bench"))
import bench

n = int(os.environ["ITEMS"])
c = bench.boto3.client("dynamodb", endpoint_url=os.environ["DDB_ENDPOINT"])
bench.create_table(c, bench.T_SCAN)
bench.bulk_put(c, bench.T_SCAN, [bench.scan_item(i) for i in range(n)])
if bench.count_items(c, bench.T_SCAN) != n:
    sys.exit("scan_cpu: the table does not hold %d items" % n)
cols = ("pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'), "
        "id int, name text, email text, city text, score numeric, active bool, note text")
ok, out = bench.psql_script("""
CREATE EXTENSION ddbrel;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddbrel OPTIONS (region 'us-east-1', endpoint '%s');
CREATE USER MAPPING FOR CURRENT_USER SERVER ddb
  OPTIONS (access_key_id 'bench-key', secret_access_key 'bench-secret');
CREATE FOREIGN TABLE scan_1 (%s) SERVER ddb OPTIONS (table '%s');
CREATE FOREIGN TABLE scan_doc (pk text OPTIONS (attribute 'PK'), sk text OPTIONS (attribute 'SK'),
  item jsonb OPTIONS (document 'true')) SERVER ddb OPTIONS (table '%s');
""" % (os.environ["DDB_ENDPOINT"], cols, bench.T_SCAN, bench.T_SCAN))
if not ok:
    sys.exit("scan_cpu: SQL setup failed:\n" + out)

def stat(pid):
    """(minor faults, utime, stime) of a process; times in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return int(v[7]), int(v[11]) / bench.CLK_TCK, int(v[12]) / bench.CLK_TCK

# CPU time, fresh session per run, after a warm-up that opens the connection
per = []
faults = []
user = []
system = []
for r in range(int(os.environ["REPS"])):
    s = bench.Psql()
    try:
        s.run("SELECT 1 FROM scan_1 WHERE pk = 'warm' AND sk = 'x';")
        f0, u0, k0 = stat(s.pid)
        secs, rows = s.timed(os.environ["SQL"])
        f1, u1, k1 = stat(s.pid)
    finally:
        s.close()
    per.append((u1 - u0 + k1 - k0) / n * 1e6)
    user.append((u1 - u0) / n * 1e6)
    system.append((k1 - k0) / n * 1e6)
    faults.append(f1 - f0)
for v in (per, faults, user, system):
    v.sort()
mid = len(per) // 2
print("scan_cpu: %d items, statement: %s" % (n, os.environ["SQL"]))
print("scan_cpu: backend CPU per item (/proc, %d runs): min %.2f us, median %.2f us, max %.2f us"
      % (len(per), per[0], per[mid], per[-1]))
print("scan_cpu: of which user %.2f us, system %.2f us (medians)" % (user[mid], system[mid]))
print("scan_cpu: backend minor page faults (median of %d runs): %d, %.2f per item"
      % (len(faults), faults[mid], faults[mid] / n))
PY

# The same statement once in a single-user backend under callgrind.
cat >"$DDB_TMP/cg.sql" <<EOF
SELECT 1 FROM scan_1 WHERE pk = 'warm' AND sk = 'x';
$SQL
EOF
chmod 0644 "$DDB_TMP/cg.sql"
ddb_as_pg "$PG_BIN/pg_ctl" -D "$DDB_TMP/data" -m fast -w -t 60 stop >/dev/null
ddb_as_pg env -i PATH="$PG_BIN:/usr/bin:/bin" LANG=C.UTF-8 HOME="$DDB_TMP" \
	valgrind --tool=callgrind --callgrind-out-file="$DDB_TMP/callgrind.out" \
	--collect-atstart=no --toggle-collect=standard_ExecutorRun \
	"$PG_BIN/postgres" --single -D "$DDB_TMP/data" -c jit=off postgres \
	<"$DDB_TMP/cg.sql" >"$DDB_TMP/callgrind.log" 2>&1 ||
	{ tail -n 30 "$DDB_TMP/callgrind.log" >&2; exit 1; }
grep -q ERROR "$DDB_TMP/callgrind.log" && { grep ERROR "$DDB_TMP/callgrind.log" >&2; exit 1; }
[ -n "$KEEP" ] && cp "$DDB_TMP/callgrind.out" "$KEEP"
ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$DDB_TMP/callgrind.out")
awk -v ir="$ir" -v n="$ITEMS" 'BEGIN { printf "scan_cpu: instructions per item (callgrind, standard_ExecutorRun): %.0f Ir (%.0f Ir in all)\n", ir / n, ir }'
echo "scan_cpu: top functions by own instructions (Ir per item, share):"
callgrind_annotate --inclusive=no "$DDB_TMP/callgrind.out" 2>/dev/null |
	awk -v n="$ITEMS" -v ir="$ir" -v top="$TOP" '
		/^-+$/ { sec++; next }
		sec >= 3 && $1 ~ /^[0-9,]+$/ && !/PROGRAM TOTALS/ && shown < top {
			v = $1; gsub(",", "", v)
			f = $0; sub(/^ *[0-9,]+ +(\([^)]*\) +)?/, "", f)
			printf "  %7.0f  %5.1f%%  %s\n", v / n, 100 * v / ir, f
			shown++
		}'
