#!/usr/bin/env bash
# test/regress_tests.sh [BACKEND]
#	  Prints the regress tests (sql/NN_name.sql as NN_name, in order) that
#	  run on one DynamoDB implementation: BACKEND, else $DDB_BACKEND, else
#	  dynalite.
#
# A file runs everywhere unless its first line is "-- backends: NAME ...",
# e.g. "-- backends: local" for a feature dynalite does not have
# (UpdateTimeToLive, TransactWriteItems ...): then only on those named.
# Used by the Makefile (REGRESS), test/run.sh and test/valgrind.sh.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
backend="${1:-${DDB_BACKEND:-dynalite}}"

for f in "$ROOT"/sql/[0-9]*.sql; do
	[ -f "$f" ] || continue
	IFS= read -r first <"$f" || first=
	case "$first" in
		"-- backends:"*)
			case " ${first#-- backends:} " in
				*" $backend "*) ;;
				*) continue ;;
			esac
			;;
	esac
	f="${f##*/}"
	echo "${f%.sql}"
done
