#!/usr/bin/env bash
# test/version_race.sh TABLE ID N [block]
#	  Two sessions at once each apply N optimistic updates to one item of
#	  TABLE (a foreign table with columns id, balance, version): read the
#	  version, then UPDATE ... SET balance = balance + 1, version = version +
#	  1 WHERE id = ID AND version = <read>, and try again when the other
#	  session got there first.  By default the UPDATE is a statement of its
#	  own (one conditional UpdateItem: no row when it lost); with "block" the
#	  read and the UPDATE are a transaction block, whose COMMIT fails with
#	  serialization_failure when it lost.  Silent (how often an attempt lost
#	  is up to timing: the item's final balance and version say whether an
#	  update was lost).  Uses PGDATABASE etc.
set -euo pipefail
table=$1 id=$2 n=$3 mode=${4:-statement}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one attempt; prints 1 when it won, 0 when it lost
attempt()
{
	local err=$1
	if [ "$mode" = block ]; then
		psql -X -q -t -A -v ON_ERROR_STOP=1 2>"$err" <<SQL || { grep -q 'could not serialize access' "$err" && echo 0; }
BEGIN;
SELECT version AS v FROM $table WHERE id = '$id' \gset
UPDATE $table SET balance = balance + 1, version = version + 1 WHERE id = '$id' AND version = :v;
SELECT :ROW_COUNT AS won \gset
COMMIT;
SELECT :won;
SQL
	else
		psql -X -q -t -A -v ON_ERROR_STOP=1 2>"$err" <<SQL
SELECT version AS v FROM $table WHERE id = '$id' \gset
UPDATE $table SET balance = balance + 1, version = version + 1 WHERE id = '$id' AND version = :v;
SELECT :ROW_COUNT;
SQL
	fi
}

session()
{
	local done=0 tries=0 r err="$tmp/$1.err"
	while [ "$done" -lt "$n" ]; do
		tries=$((tries + 1))
		if [ "$tries" -gt $((50 * n)) ]; then
			echo "version_race.sh: more than $((50 * n)) attempts" >&2
			exit 1
		fi
		r=$(attempt "$err") || { cat "$err" >&2; exit 1; }
		case "$r" in
			1) done=$((done + 1)) ;;
			0) ;;
			*) echo "version_race.sh: unexpected: $r" >&2; cat "$err" >&2; exit 1 ;;
		esac
	done
}

session a &
a=$!
session b &
b=$!
wait "$a" || { echo "version_race.sh: a session failed" >&2; exit 1; }
wait "$b" || { echo "version_race.sh: a session failed" >&2; exit 1; }
