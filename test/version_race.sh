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
	psql -X -q -v ON_ERROR_STOP=1 -c "DO \$\$
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
END \$\$" 2>&1 | sed -n 's/.*NOTICE:  lost \([0-9]*\).*/\1/p'
}

block_session()
{
	local done=0 lost=0
	while [ "$done" -lt "$n" ]; do
		if psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL
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
		else
			lost=$((lost + 1))
		fi
	done
	echo "$lost"
}

"${mode}_session" >"$tmp/a" &
a=$!
"${mode}_session" >"$tmp/b" &
b=$!
wait "$a"
wait "$b"
