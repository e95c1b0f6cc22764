#!/usr/bin/env bash
# test/private_pg.sh
#	  Make a private copy of the PostgreSQL 15 installation, so that several
#	  checkouts can build, install and test ddbrel on one machine at once
#	  without overwriting each other's ddbrel.so and install script.
#
#	export PG_CONFIG=$(bash test/private_pg.sh [DIR])
#
# DIR defaults to .build/pg in the checkout.  The copy keeps Debian's layout
# under DIR (usr/lib/postgresql/15, usr/share/postgresql/15), so PostgreSQL
# finds its share and lib directories relative to its binaries; the server
# headers are a symlink.  Prints the copy's pg_config.  Idempotent.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC_CONFIG="${SRC_PG_CONFIG:-/usr/bin/pg_config}"
DIR="${1:-$ROOT/.build/pg}"
bindir=$("$SRC_CONFIG" --bindir)			# /usr/lib/postgresql/15/bin
libroot=$(dirname "$bindir")				# /usr/lib/postgresql/15
shareroot=$("$SRC_CONFIG" --sharedir)		# /usr/share/postgresql/15
incroot=$(dirname "$("$SRC_CONFIG" --includedir-server)")	# /usr/include/postgresql/15

if [ ! -x "$DIR$bindir/pg_config" ]; then
	mkdir -p "$DIR$(dirname "$libroot")" "$DIR$(dirname "$shareroot")" \
		"$DIR$(dirname "$incroot")"
	cp -a "$libroot" "$DIR$(dirname "$libroot")/"
	cp -a "$shareroot" "$DIR$(dirname "$shareroot")/"
	ln -sfn "$incroot" "$DIR$incroot"
	chmod -R a+rX "$DIR"
fi
echo "$DIR$bindir/pg_config"
