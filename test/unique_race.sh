#!/usr/bin/env bash
# test/unique_race.sh TABLE N
#	  Two sessions at once each try to insert N rows (id, email) into TABLE,
#	  whose email column is unique: session a inserts ('a1', 'e1'), ...,
#	  session b ('b1', 'e1'), ..., each row its own transaction.  For each
#	  value one session wins; the other's COMMIT fails with unique_violation
#	  (or, when both commit at the same moment, serialization_failure, and
#	  it tries again).  Silent unless something else fails.  Uses
#	  PGDATABASE etc.
set -euo pipefail
table=$1 n=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

session()
{
	local s=$1 i err
	err="$tmp/$s.err"
	for i in $(seq 1 "$n"); do
		for attempt in $(seq 1 50); do
			if psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$err" \
				-c "INSERT INTO $table (id, email) VALUES ('$s$i', 'e$i')"; then
				break
			elif grep -q 'duplicate value for unique column' "$err"; then
				break
			elif grep -q 'could not serialize access' "$err"; then
				continue
			else
				cat "$err" >&2
				exit 1
			fi
		done
	done
}

session a &
a=$!
session b &
b=$!
wait "$a" || { echo "unique_race.sh: session a failed" >&2; exit 1; }
wait "$b" || { echo "unique_race.sh: session b failed" >&2; exit 1; }
