#!/usr/bin/env bash
# test/run.sh
#	  README command 2: set up, start a private PostgreSQL 15 + dynalite, load
#	  the fixtures, run unit tests, fuzzers and pg_regress, then pg_regress
#	  again on AWS's DynamoDB Local, and sum them up.
#
# Every unit binary/script and the fuzz runner print "<kind> <name>: N passed,
# M failed" lines; pg_regress's summary is parsed, once per DynamoDB
# implementation.  A step that crashes, or exits non-zero without reporting a
# failure, counts as one failure; a step whose files do not exist is
# skipped.  The last line is "N passed, M failed"; the exit status is
# non-zero when M > 0.
#
# The regress suite runs on each implementation RUN_BACKENDS names (default
# "dynalite local"; test/env.sh's DDB_BACKEND values), one after the other
# in the same cluster: the DynamoDB server and the fault proxy are switched,
# the fixtures loaded again.  Outputs: results/ and regression.diffs for
# dynalite, results-<backend>/ for the others.  The unit tests, fuzzers and
# valgrind run once; valgrind on VALGRIND_BACKEND (default dynalite).
#
# Environment: RUN_FUZZ_SECONDS (default 15) is handed to test/fuzz/run.sh;
# RUN_VALGRIND=0 skips the valgrind step; RUN_BACKENDS, VALGRIND_BACKEND;
# DIFFTEST_SEEDS and DIFFTEST_QUERIES set the differential test's runs on
# dynalite, DIFFTEST_OTHER_SEEDS (default "4") its runs on the others.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
export PG_CONFIG="${PG_CONFIG:-/usr/bin/pg_config}"

RUN_START=$(date +%s)
PASS=0
FAIL=0
FAILED_STEPS=()

step_failed()
{
	echo "run: FAILED: $*"
	FAIL=$((FAIL + 1))
	FAILED_STEPS+=("$*")
}

summary()
{
	local s

	for s in "${FAILED_STEPS[@]}"; do
		echo "run: failed step: $s"
	done
	echo "$PASS passed, $FAIL failed"
}

# run_logged LOG SECONDS CMD...: run CMD under timeout in the background,
# its output to LOG and (through tail) the console; status in RC.  In the
# background so that INT/TERM reach our trap at once and stop CMD too.
STEP_PID=
TAIL_PID=
run_logged()
{
	local log="$1" secs="$2"
	shift 2

	: >"$log"
	timeout -k 10 "$secs" "$@" >"$log" 2>&1 </dev/null &
	STEP_PID=$!
	tail -n +1 -f --pid="$STEP_PID" "$log" &
	TAIL_PID=$!
	wait "$STEP_PID"
	RC=$?
	wait "$TAIL_PID"
	STEP_PID=
	TAIL_PID=
}

on_signal()
{
	trap - INT TERM HUP
	echo "run: interrupted"
	if [ -n "$STEP_PID" ]; then
		kill -TERM "$STEP_PID" 2>/dev/null	# timeout passes it on to CMD's group
		wait "$STEP_PID" 2>/dev/null
	fi
	[ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null
	exit "$1"	# env.sh's EXIT trap stops the servers
}

# run_counted NAME SECONDS CMD...: run_logged, then add up the
# "<kind> <name>: N passed, M failed" lines CMD printed.
run_counted()
{
	local name="$1" secs="$2" log p f n
	shift 2

	log="$LOGDIR/step.log"
	run_logged "$log" "$secs" "$@"
	read -r p f n < <(awk '
		/^[A-Za-z0-9_.-]+ [^ :]+: [0-9]+ passed, [0-9]+ failed/ {
			sub(/^[^:]+: /, ""); p += $1; f += $3; n++
		}
		END { print p + 0, f + 0, n + 0 }' "$log")
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		step_failed "$name timed out after ${secs}s"
	elif [ "$n" = 0 ]; then
		step_failed "$name printed no count line (exit $RC)"
	elif [ "$RC" != 0 ] && [ "$f" = 0 ]; then
		step_failed "$name exited $RC"
	fi
}

# ---- setup, servers, fixtures ---------------------------------------------
if ! bash test/setup.sh deps; then
	echo "run: test/setup.sh deps failed"
	step_failed "setup"
	summary
	exit 1
fi
BUILD_OK=1
if ! bash test/setup.sh build; then
	BUILD_OK=
	step_failed "build (make && make install)"
fi

read -r -a BACKENDS <<<"${RUN_BACKENDS:-dynalite local}"
[ "${#BACKENDS[@]}" -gt 0 ] || BACKENDS=(dynalite)
export DDB_BACKEND="${BACKENDS[0]}"

# shellcheck source=test/env.sh
source test/env.sh
if ! ddb_env_start; then
	ddb_env_stop 1
	step_failed "starting postgres/$(ddb_backend_name)"
	summary
	exit 1
fi
LOGDIR="$DDB_TMP/run"
mkdir -p "$LOGDIR"
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

if ! bash test/fixtures/load_all.sh; then
	step_failed "fixtures on $(ddb_backend_name) (test/fixtures/load_all.sh)"
fi

# ---- (a) unit tests -------------------------------------------------------
shopt -s nullglob
unit_sources=(test/unit/test_*.c)
if [ "${#unit_sources[@]}" -gt 0 ]; then
	echo "run: make -C test/unit"
	if ! make -k -C test/unit; then
		step_failed "make -C test/unit"
	fi
fi
for bin in test/unit/test_*; do
	case "$bin" in
		*.c | *.h | *.o | *.d | *.py | *.sh | *.dSYM) continue ;;
	esac
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		continue
	fi
	echo "run: $bin"
	run_counted "$bin" 600 "$bin"
done
if [ -f test/unit/sigv4_crosscheck.py ]; then
	echo "run: test/unit/sigv4_crosscheck.py"
	run_counted sigv4_crosscheck.py 600 /usr/bin/python3 test/unit/sigv4_crosscheck.py
fi
if [ -f test/unit/casemap_crosscheck.js ]; then
	echo "run: test/unit/casemap_crosscheck.js"
	run_counted casemap_crosscheck.js 600 node test/unit/casemap_crosscheck.js
fi

# ---- (b) fuzzers ----------------------------------------------------------
if [ -f test/fuzz/run.sh ]; then
	echo "run: test/fuzz/run.sh ${RUN_FUZZ_SECONDS:-15}"
	run_counted "test/fuzz/run.sh" 1800 bash test/fuzz/run.sh "${RUN_FUZZ_SECONDS:-15}"
fi

# ---- (c) pg_regress and (d) secrets, on each DynamoDB implementation ------
# regress_on BACKEND OUTDIR: the suite against the server now running;
# outputs in OUTDIR/results and OUTDIR/regression.diffs.
regress_on()
{
	local backend="$1" outdir="$2" rc p f tests name
	local -a sec_extra

	name="$(ddb_backend_name)"
	mapfile -t tests < <(bash test/regress_tests.sh "$backend")
	if [ "${#tests[@]}" = 0 ]; then
		return
	fi
	if [ -z "$BUILD_OK" ]; then
		echo "run: pg_regress on $name skipped: the extension did not build; ${#tests[@]} tests count as failed"
		FAIL=$((FAIL + ${#tests[@]}))
		return
	fi
	rm -rf "$outdir/results"
	rm -f "$outdir/regression.diffs" "$outdir/regression.out"
	mkdir -p "$outdir"
	echo "run: make installcheck on $name (${#tests[@]} tests)"
	run_logged "$LOGDIR/regress-$backend.log" 2400 make installcheck PG_CONFIG="$PG_CONFIG" \
		REGRESS="${tests[*]}" EXTRA_REGRESS_OPTS="--outputdir=$outdir"
	rc=$RC
	# pg_regress 15: " All N tests passed. ", " F of T tests failed. ",
	# " F of T tests failed, I of these failures ignored. ",
	# " P of T tests passed, I failed test(s) ignored. "
	read -r p f < <(awk '
		/^ *All [0-9]+ tests passed\./ { print $2, 0; found = 1; exit }
		/^ *[0-9]+ of [0-9]+ tests failed, [0-9]+ of these failures ignored\./ {
			print $3 - $1, $1 - $6; found = 1; exit }
		/^ *[0-9]+ of [0-9]+ tests failed\./ { print $3 - $1, $1; found = 1; exit }
		/^ *[0-9]+ of [0-9]+ tests passed, [0-9]+ failed test\(s\) ignored\./ {
			print $1, 0; found = 1; exit }
		END { if (!found) print "x x" }' "$LOGDIR/regress-$backend.log")
	if [ "$p" = x ]; then
		echo "run: pg_regress on $name printed no summary (exit $rc); ${#tests[@]} tests count as failed"
		FAIL=$((FAIL + ${#tests[@]}))
		FAILED_STEPS+=("pg_regress on $name crashed (exit $rc)")
	else
		echo "run: pg_regress on $name: $p passed, $f failed"
		PASS=$((PASS + p))
		FAIL=$((FAIL + f))
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			step_failed "make installcheck on $name exited $rc"
		fi
		[ "$f" = 0 ] || FAILED_STEPS+=("pg_regress on $name: $f failed (see $outdir/regression.diffs)")
	fi
	if [ -s "$outdir/regression.diffs" ]; then
		echo "run: ---- $name: regression.diffs (first 300 lines) ----"
		head -n 300 "$outdir/regression.diffs"
		echo "run: ---- end of regression.diffs ----"
	fi

	# Every secret_access_key/session_token of sql/*.sql (and the
	# postmaster's environment secret) is looked for in the whole server
	# log, every regress output and 13_security's debug5 session; needs
	# both servers still up.
	if [ -f test/secrets_check.py ]; then
		sec_extra=()
		[ -f "$DDB_TMP/security_debug5.out" ] && sec_extra+=("$DDB_TMP/security_debug5.out")
		echo "run: test/secrets_check.py ($name)"
		DDB_RESULTS_DIR="$outdir/results" run_counted "secrets_check.py on $name" 300 \
			/usr/bin/python3 test/secrets_check.py "$ROOT" "$DDB_TMP/postgres.log" "${sec_extra[@]}"
	fi
}

for i in "${!BACKENDS[@]}"; do
	backend="${BACKENDS[$i]}"
	if [ "$i" -gt 0 ]; then
		echo "run: switching to $backend"
		if ! ddb_backend_switch "$backend"; then
			n=$(bash test/regress_tests.sh "$backend" | wc -l)
			step_failed "starting $(ddb_backend_name); its $n regress tests count as failed"
			FAIL=$((FAIL + n))
			continue
		fi
		if ! bash test/fixtures/load_all.sh; then
			step_failed "fixtures on $(ddb_backend_name) (test/fixtures/load_all.sh)"
		fi
	fi
	if [ "$backend" = dynalite ]; then
		regress_on "$backend" "$ROOT"
	else
		regress_on "$backend" "$ROOT/results-$backend"
	fi

	# (c2) differential test: ddbrel against plain tables holding the same
	# rows; rerun one with "bash test/difftest.sh SEED N".
	if [ -f test/difftest.sh ] && [ -n "$BUILD_OK" ]; then
		if [ "$backend" = dynalite ]; then
			seeds="${DIFFTEST_SEEDS:-1 2 3}"
		else
			seeds="${DIFFTEST_OTHER_SEEDS:-4}"
		fi
		for seed in $seeds; do
			echo "run: test/difftest.sh $seed ${DIFFTEST_QUERIES:-800} on $(ddb_backend_name)"
			run_counted "test/difftest.sh $seed on $(ddb_backend_name)" 900 \
				bash test/difftest.sh "$seed" "${DIFFTEST_QUERIES:-800}"
		done
	fi
	echo "run: $(ddb_backend_name) done after $(($(date +%s) - RUN_START)) s"
done

# ---- (e) the regress suite under valgrind (own cluster; 4-6 min) ----------
# RUN_VALGRIND=0 skips it.
if [ -f test/valgrind.sh ] && [ -n "$BUILD_OK" ] && [ "${RUN_VALGRIND:-1}" != 0 ]; then
	echo "run: test/valgrind.sh (on ${VALGRIND_BACKEND:-dynalite})"
	DDB_BACKEND="${VALGRIND_BACKEND:-dynalite}" run_counted test/valgrind.sh 1200 bash test/valgrind.sh
fi

# ---- done -----------------------------------------------------------------
echo "run: $(($(date +%s) - RUN_START)) s in all"
status=0
[ "$FAIL" = 0 ] || status=1
ddb_env_stop "$status"		# before the summary, so it stays the last line
summary
exit "$status"
