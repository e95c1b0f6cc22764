#!/usr/bin/env bash
# test/difftest.sh SEED N
#	  Differential test (test/difftest.py): N random queries from SEED on
#	  ddbrel foreign tables and on plain tables holding the same rows, in a
#	  C and an ICU en-US database.  Prints its seed and, last, the harness
#	  line "difftest differential: P passed, F failed".
#
# Inside test/run.sh the servers are running already; run by hand it starts
# its own (test/env.sh) and builds nothing: install the extension first
# (test/setup.sh build, with PG_CONFIG from test/private_pg.sh).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEED="${1:-$(date +%s)}"
N="${2:-300}"

if [ -z "${DDB_ENDPOINT:-}" ] || [ -z "${PGHOST:-}" ]; then
	# shellcheck source=test/env.sh
	source "$ROOT/test/env.sh"
	if ! ddb_env_start >/dev/null; then
		echo "difftest: could not start postgres/dynalite"
		echo "difftest differential: 0 passed, 1 failed"
		exit 1
	fi
fi
exec /usr/bin/python3 "$ROOT/test/difftest.py" "$SEED" "$N"
