#!/usr/bin/env bash
# test/demo.sh
#	  README command 1: install, start a private PostgreSQL 15 + dynalite,
#	  load seed 000 (users/orders) and run test/demo.sql with psql.  Both
#	  servers are stopped and their temp dir removed when it ends.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash test/setup.sh
# always dynalite: it starts in well under a second
export DDB_BACKEND=dynalite
# shellcheck source=test/env.sh
source test/env.sh
ddb_env_start
bash test/fixtures/seed000.sh
"$PG_BIN/psql" -X -v ON_ERROR_STOP=1 --echo-queries -d postgres -f test/demo.sql
echo "demo: done"
