#!/usr/bin/env bash
# bench/run.sh
#	  The benchmark command: ddbrel against boto3 on one local DynamoDB, as
#	  ratios.
#
#	[DDB_BACKEND=dynalite|local] bench/run.sh [--scale small|default] [--reps N] [--out FILE]
#	             [--latency-ms MS[,MS...]]
#
# Installs what is missing and builds the extension (test/setup.sh), starts a
# private PostgreSQL 15 + dynalite, or AWS's DynamoDB Local with
# DDB_BACKEND=local (test/env.sh; both are stopped on exit), builds the codec
# harness (bench/Makefile), then runs bench/bench.py, which loads the data,
# runs the workloads, prints a markdown table and writes bench/RESULTS.md
# (bench/RESULTS.<scale>.md for other scales; RESULTS.local.md and
# RESULTS.local.<scale>.md on DynamoDB Local).
#
# --latency-ms 0,5,20 runs the workloads once per value, with that many
# milliseconds added to every request by test/faultproxy.py (both sides go
# through it above 0), as a stand-in for a real region's round trip.
#
# Sizes can be overridden one by one with BENCH_N_SCAN, BENCH_PART,
# BENCH_LOOKUPS, BENCH_JOIN_N, BENCH_JOIN_M, BENCH_N_LOAD, BENCH_REPS ...
# (see SCALES in bench/bench.py).  Not part of test/run.sh: a slow machine
# makes this slower, never red.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

args=()
while [ $# -gt 0 ]; do
	case "$1" in
		--scale)
			[ $# -ge 2 ] || { echo "usage: $0 [--scale small|default]" >&2; exit 2; }
			case "$2" in small | default) ;; *) echo "bench: unknown scale \"$2\" (small, default)" >&2; exit 2 ;; esac
			args+=(--scale "$2")
			shift 2
			;;
		--scale=*)
			args+=(--scale "${1#--scale=}")
			shift
			;;
		--latency-ms=*)
			args+=(--latency-ms "${1#--latency-ms=}")
			shift
			;;
		--reps | --out | --only | --latency-ms)
			[ $# -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; }
			args+=("$1" "$2")
			shift 2
			;;
		-h | --help)
			sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
			exit 0
			;;
		*)
			echo "usage: $0 [--scale small|default] [--reps N] [--out FILE] [--latency-ms MS[,MS...]]" >&2
			exit 2
			;;
	esac
done

start=$(date +%s)
bash test/setup.sh
make -s -C bench codec_bench PG_CONFIG="${PG_CONFIG:-/usr/bin/pg_config}"

# shellcheck source=test/env.sh
source test/env.sh
ddb_env_start
export DDB_BACKEND DDB_SERVER_PID DDB_PROXY_PID DDB_TMP PG_BIN

# The load workloads are bulk loads: they take the batched path
# (ddbrel.write_mode 'immediate'), as docs/writes.md advises, rather than
# one transaction of at most 100 items.
export PGOPTIONS="-c ddbrel.write_mode=immediate"
/usr/bin/python3 bench/bench.py "${args[@]}"
echo "bench: done in $(($(date +%s) - start)) s"
