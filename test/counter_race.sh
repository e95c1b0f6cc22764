#!/usr/bin/env bash
# test/counter_race.sh
#	  Two sessions add 1 to the same counter 100 times each, at the same
#	  time (sql/15_writes.sql checks the sum).  Uses PGDATABASE etc.
set -euo pipefail
sql="DO \$\$ BEGIN FOR i IN 1..100 LOOP UPDATE writes.counters SET n = n + 1 WHERE id = 'c1'; END LOOP; END \$\$"
psql -X -q -v ON_ERROR_STOP=1 -c "$sql" &
a=$!
psql -X -q -v ON_ERROR_STOP=1 -c "$sql" &
b=$!
wait "$a"
wait "$b"
