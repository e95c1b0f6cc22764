#!/usr/bin/env bash
# test/setup.sh
#	  Install what the demo and the tests need on Debian 12, then build and
#	  install the extension.  Idempotent; fast when everything is in place.
#
#	test/setup.sh          deps + build
#	test/setup.sh deps     Debian packages and npm ci only
#	test/setup.sh build    make && make install only
#
# Node 20 and npm come with the machine (not from apt); never apt-get npm.
# Java runs AWS DynamoDB Local (DDB_BACKEND=local): Debian's
# openjdk-17-jre-headless is added when no java is on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PG_CONFIG="${PG_CONFIG:-/usr/bin/pg_config}"

PACKAGES=(postgresql-15 postgresql-server-dev-15 libcurl4-openssl-dev
	libcjson-dev libssl-dev libxml2-dev python3-boto3 python3-psycopg2 awscli make gcc clang valgrind
	locales)

install_packages()
{
	local p missing=()

	if ! command -v java >/dev/null; then
		PACKAGES+=(openjdk-17-jre-headless)
	fi
	for p in "${PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
			missing+=("$p")
		fi
	done
	if [ "${#missing[@]}" = 0 ]; then
		echo "setup: Debian packages present"
		return 0
	fi
	echo "setup: installing ${missing[*]}"
	if [ "$(id -u)" != 0 ]; then
		echo "setup: must be root to apt-get install ${missing[*]}" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y "${PACKAGES[@]}"
}

# The tests run queries in a database whose collation is en_US.UTF-8, the
# default of most clusters (sql/*_collation.sql): generate that locale when
# the machine lacks it.
install_locale()
{
	if locale -a 2>/dev/null | grep -qix 'en_US\.utf-\?8'; then
		echo "setup: locale en_US.UTF-8 present"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "setup: must be root to generate the locale en_US.UTF-8" >&2
		return 1
	fi
	echo "setup: generating the locale en_US.UTF-8"
	if grep -q '^# *en_US.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
		sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
	elif ! grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
		echo 'en_US.UTF-8 UTF-8' >>/etc/locale.gen
	fi
	locale-gen
}

# True when node_modules holds exactly what package-lock.json pins.  Links
# (the npm dependencies of amplify-dynamodb-simulator, pointed at the empty
# test/npm-stub by package.json's overrides: only its emulator folder is
# used) must point where the lockfile says.
node_modules_current()
{
	[ -f node_modules/.package-lock.json ] && [ -f node_modules/dynalite/package.json ] || return 1
	node -e '
		const fs = require("fs");
		const path = require("path");
		const want = JSON.parse(fs.readFileSync("package-lock.json")).packages;
		const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json")).packages;
		const v = (p) => p && [p.version, p.integrity || "", p.resolved || "", !!p.link].join(" ");
		for (const k of Object.keys(want)) {
			if (k === "" || !k.startsWith("node_modules/")) continue;
			if (v(want[k]) !== v(have[k])) process.exit(1);
			if (want[k].link) {
				if (fs.realpathSync(k) !== path.resolve(want[k].resolved)) process.exit(1);
				continue;
			}
			const pkg = JSON.parse(fs.readFileSync(k + "/package.json"));
			if (pkg.version !== want[k].version) process.exit(1);
		}
		process.exit(0);
	' 2>/dev/null
}

install_node_modules()
{
	if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
		echo "setup: node/npm missing (they come with the machine, not from apt)" >&2
		return 1
	fi
	if node_modules_current; then
		echo "setup: node_modules matches package-lock.json"
		return 0
	fi
	echo "setup: npm ci"
	npm ci --no-audit --no-fund --loglevel=error
}

build_extension()
{
	echo "setup: make && make install (PG_CONFIG=$PG_CONFIG)"
	make -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
	make install PG_CONFIG="$PG_CONFIG"
}

case "${1:-all}" in
	deps)
		install_packages
		install_locale
		install_node_modules
		;;
	build)
		build_extension
		;;
	all)
		install_packages
		install_locale
		install_node_modules
		build_extension
		;;
	*)
		echo "usage: $0 [deps|build|all]" >&2
		exit 2
		;;
esac
