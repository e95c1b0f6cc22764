#!/usr/bin/env bash
# test/version_race.sh TABLE ID N [block]
#	  Two sessions at once each apply N optimistic updates to one item of
#	  TABLE (a foreign table with columns id, balance, version): read the
#	  version, then UPDATE ... SET balance = balance + 1, version = version +
#	  1 WHERE id = ID AND version = <read>, and try again when the other
#	  session got there first.  By default each attempt is a statement (one
#	  conditional UpdateItem, no row updated when it lost); with "block" it
#	  is a transaction block of its own, whose COMMIT fails with
#	  serialization_failure when it lost.  Silent (how often an attempt lost
#	  is up to timing: the item's final balance and version say whether an
#	  update was lost).  Uses PGDATABASE etc.
set -euo pipefail
table=$1 id=$2 n=$3 mode=${4:-statement}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

statement_session()
{
	local out
	out=$(mktemp -p "$tmp")
	psql -X -q -v ON_ERROR_STOP=1 >"$out" 2>&1 -c "DO \$\$
DECLARE
  v int;
  k int;
  done int := 0;
  lost int := 0;
BEGIN
  WHILE done < $n LOOP
    SELECT version INTO v FROM $table WHERE id = '$id';
    UPDATE $table SET balance = balance + 1, version = version + 1
     WHERE id = '$id' AND version = v;
    GET DIAGNOSTICS k = ROW_COUNT;
    IF k = 1 THEN done := done + 1; ELSE lost := lost + 1; END IF;
  END LOOP;
  RAISE NOTICE 'lost %', lost;
END \$\$" || { cat "$out" >&2; exit 1; }
	sed -n 's/.*NOTICE:  lost \([0-9]*\).*/\1/p' "$out"
}

block_session()
{
	local done=0 lost=0 err
	err=$(mktemp -p "$tmp")
	while [ "$done" -lt "$n" ]; do
		if [ "$lost" -gt $((50 * n)) ]; then
			echo "version_race.sh: more than $((50 * n)) attempts lost" >&2
			exit 1
		fi
		if psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$err" <<SQL
BEGIN;
DO \$\$
DECLARE
  v int;
  k int;
BEGIN
  SELECT version INTO v FROM $table WHERE id = '$id';
  UPDATE $table SET balance = balance + 1, version = version + 1 WHERE id = '$id' AND version = v;
  GET DIAGNOSTICS k = ROW_COUNT;
  IF k = 0 THEN
    RAISE EXCEPTION 'lost before COMMIT';
  END IF;
END \$\$;
COMMIT;
SQL
		then
			done=$((done + 1))
		elif grep -q -e 'could not serialize access' -e 'lost before COMMIT' "$err"; then
			lost=$((lost + 1))
		else
			cat "$err" >&2
			exit 1
		fi
	done
	echo "$lost"
}

"${mode}_session" >"$tmp/a" &
a=$!
"${mode}_session" >"$tmp/b" &
b=$!
wait "$a" || { echo "version_race.sh: a session failed" >&2; exit 1; }
wait "$b" || { echo "version_race.sh: a session failed" >&2; exit 1; }
