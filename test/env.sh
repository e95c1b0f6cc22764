# test/env.sh
#	  Private PostgreSQL 15 cluster + a local DynamoDB (dynalite or AWS's
#	  DynamoDB Local) for the demo, the tests and the benchmark.
#
# Source it from bash, then call ddb_env_start:
#
#	source test/env.sh && ddb_env_start
#
# DDB_BACKEND chooses the DynamoDB implementation:
#
#	dynalite  (default) dynalite 4, node, node_modules/dynalite
#	local     AWS DynamoDB Local 1.25, java, the emulator folder of the npm
#	          package amplify-dynamodb-simulator; its files are checked
#	          against test/ddblocal.sha256 before it starts
#
# ddb_env_start makes a temp dir, starts a cluster in it (as the postgres OS
# user when run as root; unix socket in the temp dir, no TCP), starts the
# DynamoDB server on a free 127.0.0.1 port, and exports:
#
#	PGHOST PGPORT PGUSER=postgres PGDATABASE=postgres  for psql / pg_regress
#	DDB_BACKEND DDB_SERVER_PID                        which server, its pid
#	DDB_ENDPOINT=http://127.0.0.1:<port>              for psql \getenv, loaders
#	DDB_PROXY_ENDPOINT=http://127.0.0.1:<port>        test/faultproxy.py in front
#	                                                  of the server (faultctl.py)
#	DDB_PROXY_TLS_ENDPOINT=https://127.0.0.1:<port>   the same proxy over TLS with
#	DDB_PROXY_CA=<DDB_TMP>/proxy-cert.pem             a fresh self-signed cert
#	AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1
#	                                                  dummies for aws CLI/boto3
#	DDB_STS_ENDPOINT DDB_IMDS_ENDPOINT DDB_ECS_ENDPOINT  test/credservers.py: local
#	DDB_VERIFY_ENDPOINT DDB_CREDSRV_CTL               STS, instance metadata, container
#	DDB_CRED_DIR DDB_ISSUED_SECRETS                   endpoint, a signature-checking
#	                                                  DynamoDB front, its control port,
#	                                                  the profile/token files and every
#	                                                  secret they issue (credctl.py)
#	PG_BIN  (PostgreSQL 15 binaries, also put first on PATH)
#	DDB_TMP (the temp dir under ${DDB_TMPDIR:-/tmp}; logs postgres.log and
#	         dynalite.log or ddblocal.log)
#
# The postmaster runs with a clean environment holding only
# AWS_ACCESS_KEY_ID=ddbreltestkey and AWS_SECRET_ACCESS_KEY=ddbrel-test-secret
# (plus PATH/LANG/HOME), so the superuser fallback to environment credentials
# can be tested and nothing from the caller (proxies, profiles) leaks in; and
# what the other credential sources read, pointing at test/credservers.py:
# AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_WEB_IDENTITY_TOKEN_FILE,
# AWS_ROLE_ARN, AWS_CONTAINER_CREDENTIALS_FULL_URI,
# AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE and AWS_EC2_METADATA_SERVICE_ENDPOINT.
# DynamoDB Local refuses access key IDs that are not letters and digits, and
# keeps one database per access key and region unless started with
# -sharedDb (it is), so loaders and tests with different keys see one set of
# tables, as on dynalite.
#
# ddb_backend_switch NAME stops the DynamoDB server and the proxy and starts
# NAME's (the cluster stays up): test/run.sh runs the suite on both.
#
# An EXIT trap (installed by ddb_env_start) stops the servers (and the proxy) and removes the
# temp dir, also on error or Ctrl-C.  ddb_env_stop may be called earlier; it
# is idempotent.  With a non-zero status (its argument, or the exit status in
# the trap) it prints the tail of the server logs first.

DDB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_CONFIG="${PG_CONFIG:-/usr/bin/pg_config}"
PG_BIN="${PG_BIN:-$("$PG_CONFIG" --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"
export DDB_ROOT PG_CONFIG PG_BIN
case ":$PATH:" in *":$PG_BIN:"*) ;; *) export PATH="$PG_BIN:$PATH" ;; esac

# Credentials the postmaster sees in its environment (letters and digits
# only in the key ID: DynamoDB Local refuses anything else).
DDB_SERVER_ACCESS_KEY_ID=ddbreltestkey
DDB_SERVER_SECRET_ACCESS_KEY=ddbrel-test-secret

DDB_BACKEND="${DDB_BACKEND:-dynalite}"
export DDB_BACKEND
# DynamoDB Local: the emulator folder of the pinned npm package
DDB_LOCAL_DIR="$DDB_ROOT/node_modules/amplify-dynamodb-simulator/emulator"

DDB_TMP=
DDB_PG_STARTED=
DDB_SERVER_PID=
DDB_PROXY_PID=
DDB_CREDSRV_PID=
DDB_CRED_ENV=()

# Run a command as the cluster owner: postgres when we are root, else ourselves.
ddb_as_pg()
{
	if [ "$(id -u)" = 0 ]; then
		(cd "$DDB_TMP" && runuser -u postgres -- "$@")
	else
		(cd "$DDB_TMP" && "$@")
	fi
}

# Print a TCP port that was free a moment ago.
ddb_free_port()
{
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ddb_pg_start()
{
	local port
	local -				# callers may use set -e; not in here

	set +e

	# Not $TMPDIR: the postgres user must be able to reach the directory.
	DDB_TMP=$(mktemp -d "${DDB_TMPDIR:-/tmp}/ddbrel-test.XXXXXX") || return 1
	export DDB_TMP
	chmod 0755 "$DDB_TMP"
	if [ "$(id -u)" = 0 ]; then
		chown postgres:postgres "$DDB_TMP" || return 1
	fi

	if ! ddb_as_pg "$PG_BIN/initdb" -D "$DDB_TMP/data" -U postgres -A trust \
			-E UTF8 --locale=C --no-sync --no-instructions \
			>"$DDB_TMP/initdb.log" 2>&1; then
		echo "env.sh: initdb failed:" >&2
		tail -n 40 "$DDB_TMP/initdb.log" >&2
		return 1
	fi

	ddb_credsrv_start || return 1

	# The socket lives in the private dir, so the port only names the socket
	# file; a free one is picked anyway so TCP can be switched on if needed.
	port=$(ddb_free_port) || return 1
	cat >>"$DDB_TMP/data/postgresql.conf" <<EOF

# ddbrel test cluster (test/env.sh)
listen_addresses = ''
port = $port
unix_socket_directories = '$DDB_TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
shared_buffers = 32MB
lc_messages = 'C'
log_line_prefix = '%m [%p] %q%u@%d '
EOF

	# postgres.log is created by the cluster owner so it can write to it.
	if ! ddb_as_pg env -i PATH="$PG_BIN:/usr/bin:/bin" LANG=C.UTF-8 HOME="$DDB_TMP" \
			AWS_ACCESS_KEY_ID="$DDB_SERVER_ACCESS_KEY_ID" \
			AWS_SECRET_ACCESS_KEY="$DDB_SERVER_SECRET_ACCESS_KEY" "${DDB_CRED_ENV[@]}" \
			"$PG_BIN/pg_ctl" -D "$DDB_TMP/data" -l "$DDB_TMP/postgres.log" \
			-w -t 60 start >"$DDB_TMP/pg_ctl.log" 2>&1; then
		echo "env.sh: pg_ctl start failed:" >&2
		cat "$DDB_TMP/pg_ctl.log" >&2
		tail -n 40 "$DDB_TMP/postgres.log" >&2 2>/dev/null
		DDB_PG_STARTED=1	# let ddb_env_stop make sure nothing is left
		return 1
	fi
	DDB_PG_STARTED=1

	export PGHOST="$DDB_TMP" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
	unset PGPASSWORD PGSERVICE PGOPTIONS PGHOSTADDR PGSSLMODE PGAPPNAME
	return 0
}

ddb_dynalite_start()
{
	local attempt port cli="$DDB_ROOT/node_modules/dynalite/cli.js"
	local -				# callers may use set -e; not in here

	set +e

	if [ ! -f "$cli" ]; then
		echo "env.sh: $cli missing (run test/setup.sh)" >&2
		return 1
	fi
	for attempt in 1 2 3 4 5; do
		port=$(ddb_free_port) || return 1
		: >"$DDB_TMP/dynalite.log"
		node "$cli" --host 127.0.0.1 --port "$port" --createTableMs 0 \
			--deleteTableMs 0 --updateTableMs 0 \
			</dev/null >>"$DDB_TMP/dynalite.log" 2>&1 &
		DDB_SERVER_PID=$!
		for _ in $(seq 1 150); do
			if ! kill -0 "$DDB_SERVER_PID" 2>/dev/null; then
				break		# died (port taken?): try another port
			fi
			if grep -q 'listening' "$DDB_TMP/dynalite.log" &&
				(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				export DDB_ENDPOINT="http://127.0.0.1:$port" DDB_SERVER_PID
				return 0
			fi
			sleep 0.1
		done
		kill "$DDB_SERVER_PID" 2>/dev/null
		wait "$DDB_SERVER_PID" 2>/dev/null
		DDB_SERVER_PID=
		echo "env.sh: dynalite did not start on port $port (attempt $attempt):" >&2
		tail -n 20 "$DDB_TMP/dynalite.log" >&2
	done
	return 1
}

# Check the DynamoDB Local files against test/ddblocal.sha256 (made from the
# lockfile-verified package; it also pins the package's own "sha256" file,
# which names AWS's release tarball the folder was unpacked from).
ddb_local_verify()
{
	local sums="$DDB_ROOT/test/ddblocal.sha256" out

	if [ ! -f "$DDB_LOCAL_DIR/DynamoDBLocal.jar" ]; then
		echo "env.sh: $DDB_LOCAL_DIR/DynamoDBLocal.jar missing (run test/setup.sh)" >&2
		return 1
	fi
	if ! out=$(cd "$DDB_LOCAL_DIR" && grep -v '^#' "$sums" | sha256sum --strict --quiet -c - 2>&1); then
		echo "env.sh: DynamoDB Local in $DDB_LOCAL_DIR does not match test/ddblocal.sha256:" >&2
		printf '%s\n' "$out" | head -n 20 >&2
		return 1
	fi
}

# AWS DynamoDB Local, in memory, one database for every key and region.
# The JVM takes a few seconds to listen (longer on a busy machine).
ddb_local_start()
{
	local attempt port
	local -				# callers may use set -e; not in here

	set +e

	if ! command -v java >/dev/null; then
		echo "env.sh: java missing (test/setup.sh deps installs openjdk-17-jre-headless)" >&2
		return 1
	fi
	ddb_local_verify || return 1
	for attempt in 1 2 3; do
		port=$(ddb_free_port) || return 1
		: >"$DDB_TMP/ddblocal.log"
		(cd "$DDB_TMP" && exec java -XX:+UseSerialGC \
			-Djava.library.path="$DDB_LOCAL_DIR/DynamoDBLocal_lib" \
			-jar "$DDB_LOCAL_DIR/DynamoDBLocal.jar" \
			-inMemory -sharedDb -disableTelemetry -port "$port") \
			</dev/null >>"$DDB_TMP/ddblocal.log" 2>&1 &
		DDB_SERVER_PID=$!
		for _ in $(seq 1 1200); do
			if ! kill -0 "$DDB_SERVER_PID" 2>/dev/null; then
				break		# died (port taken?): try another port
			fi
			if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				export DDB_ENDPOINT="http://127.0.0.1:$port" DDB_SERVER_PID
				return 0
			fi
			sleep 0.1
		done
		kill "$DDB_SERVER_PID" 2>/dev/null
		wait "$DDB_SERVER_PID" 2>/dev/null
		DDB_SERVER_PID=
		echo "env.sh: DynamoDB Local did not start on port $port (attempt $attempt):" >&2
		tail -n 20 "$DDB_TMP/ddblocal.log" >&2
	done
	return 1
}

# The DynamoDB server DDB_BACKEND names.
ddb_server_start()
{
	case "$DDB_BACKEND" in
		dynalite) ddb_dynalite_start ;;
		local) ddb_local_start ;;
		*)
			echo "env.sh: DDB_BACKEND=$DDB_BACKEND: not dynalite or local" >&2
			return 1
			;;
	esac
}

# A readable name for messages.
ddb_backend_name()
{
	case "$DDB_BACKEND" in
		local) echo "DynamoDB Local" ;;
		*) echo "$DDB_BACKEND" ;;
	esac
}

# The fault-injecting proxy in front of the server, plain and TLS, with a
# self-signed certificate for 127.0.0.1 made here (test/faultproxy.py).
ddb_proxy_start()
{
	local portfile="$DDB_TMP/proxy.ports" ports
	local -				# callers may use set -e; not in here

	set +e

	if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
			-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
			-keyout "$DDB_TMP/proxy-key.pem" -out "$DDB_TMP/proxy-cert.pem" \
			>"$DDB_TMP/openssl.log" 2>&1; then
		echo "env.sh: openssl could not make the proxy certificate:" >&2
		cat "$DDB_TMP/openssl.log" >&2
		return 1
	fi
	chmod 0644 "$DDB_TMP/proxy-cert.pem"
	rm -f "$portfile"
	/usr/bin/python3 "$DDB_ROOT/test/faultproxy.py" --upstream "$DDB_ENDPOINT" \
		--port-file "$portfile" --log "$DDB_TMP/faultproxy.log" \
		--tls-cert "$DDB_TMP/proxy-cert.pem" --tls-key "$DDB_TMP/proxy-key.pem" \
		</dev/null >>"$DDB_TMP/faultproxy.log" 2>&1 &
	DDB_PROXY_PID=$!
	for _ in $(seq 1 100); do
		if [ -s "$portfile" ]; then
			read -r -a ports <"$portfile"
			export DDB_PROXY_ENDPOINT="http://127.0.0.1:${ports[0]}"
			export DDB_PROXY_TLS_ENDPOINT="https://127.0.0.1:${ports[1]}"
			export DDB_PROXY_CA="$DDB_TMP/proxy-cert.pem"
			return 0
		fi
		if ! kill -0 "$DDB_PROXY_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "env.sh: test/faultproxy.py did not start:" >&2
	tail -n 20 "$DDB_TMP/faultproxy.log" >&2
	return 1
}

# The local credential services (test/credservers.py), started before the
# cluster so that its environment can point at them; DDB_CRED_ENV is that
# part of the postmaster's environment.
ddb_credsrv_start()
{
	local dir="$DDB_TMP/credsrv" portfile ports
	local -				# callers may use set -e; not in here

	set +e

	mkdir -p "$dir" && chmod 0755 "$dir" || return 1
	portfile="$dir/ports"
	/usr/bin/python3 "$DDB_ROOT/test/credservers.py" --dir "$dir" --port-file "$portfile" \
		--log "$DDB_TMP/credservers.log" --env-key "$DDB_SERVER_ACCESS_KEY_ID" \
		--env-secret "$DDB_SERVER_SECRET_ACCESS_KEY" \
		</dev/null >>"$DDB_TMP/credservers.log" 2>&1 &
	DDB_CREDSRV_PID=$!
	for _ in $(seq 1 100); do
		if [ -s "$portfile" ]; then
			read -r -a ports <"$portfile"
			export DDB_STS_ENDPOINT="http://127.0.0.1:${ports[0]}"
			export DDB_IMDS_ENDPOINT="http://127.0.0.1:${ports[1]}"
			export DDB_ECS_ENDPOINT="http://127.0.0.1:${ports[2]}/v1/credentials"
			export DDB_VERIFY_ENDPOINT="http://127.0.0.1:${ports[3]}"
			export DDB_CREDSRV_CTL="http://127.0.0.1:${ports[4]}"
			export DDB_CRED_DIR="$dir" DDB_ISSUED_SECRETS="$dir/issued-secrets"
			DDB_CRED_ENV=(AWS_CONFIG_FILE="$dir/config"
				AWS_SHARED_CREDENTIALS_FILE="$dir/credentials"
				AWS_WEB_IDENTITY_TOKEN_FILE="$dir/web-identity-token"
				AWS_ROLE_ARN="arn:aws:iam::123456789012:role/ddbrel-web"
				AWS_CONTAINER_CREDENTIALS_FULL_URI="$DDB_ECS_ENDPOINT"
				AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$dir/container-token"
				AWS_EC2_METADATA_SERVICE_ENDPOINT="$DDB_IMDS_ENDPOINT/")
			return 0
		fi
		if ! kill -0 "$DDB_CREDSRV_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "env.sh: test/credservers.py did not start:" >&2
	tail -n 20 "$DDB_TMP/credservers.log" >&2
	return 1
}

# Stop the proxy and the DynamoDB server; idempotent.
ddb_server_stop()
{
	if [ -n "$DDB_PROXY_PID" ]; then
		kill "$DDB_PROXY_PID" 2>/dev/null
		wait "$DDB_PROXY_PID" 2>/dev/null
		DDB_PROXY_PID=
	fi
	if [ -n "$DDB_SERVER_PID" ]; then
		kill "$DDB_SERVER_PID" 2>/dev/null
		wait "$DDB_SERVER_PID" 2>/dev/null
		DDB_SERVER_PID=
	fi
	return 0
}

# Stop the DynamoDB server and the proxy, start NAME's (dynalite or local)
# on new ports; the cluster and DDB_TMP stay.  The new server is empty.
ddb_backend_switch()
{
	local -

	set +e
	ddb_server_stop
	DDB_BACKEND="$1"
	export DDB_BACKEND
	ddb_server_start || return 1
	/usr/bin/python3 "$DDB_ROOT/test/credctl.py" config upstream="$DDB_ENDPOINT" || return 1
	ddb_proxy_start || return 1
	echo "env.sh: $(ddb_backend_name) $DDB_ENDPOINT, fault proxy $DDB_PROXY_ENDPOINT"
}

# Stop everything; idempotent.  $1: status (non-zero prints the logs).
# Also the EXIT trap, so it must not trip over set -e.
ddb_env_stop()
{
	local status="${1:-0}" pid log
	local -				# callers may use set -e; not in here

	set +e

	ddb_server_stop
	if [ -n "$DDB_CREDSRV_PID" ]; then
		kill "$DDB_CREDSRV_PID" 2>/dev/null
		wait "$DDB_CREDSRV_PID" 2>/dev/null
		DDB_CREDSRV_PID=
	fi
	if [ -n "$DDB_PG_STARTED" ] && [ -n "$DDB_TMP" ]; then
		DDB_PG_STARTED=
		if [ -f "$DDB_TMP/data/postmaster.pid" ] &&
			! ddb_as_pg "$PG_BIN/pg_ctl" -D "$DDB_TMP/data" -m fast -w -t 20 stop >/dev/null 2>&1 &&
			! ddb_as_pg "$PG_BIN/pg_ctl" -D "$DDB_TMP/data" -m immediate -w -t 10 stop >/dev/null 2>&1; then
			pid=$(head -n 1 "$DDB_TMP/data/postmaster.pid" 2>/dev/null)
			[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
			sleep 0.5
		fi
	fi
	if [ -n "$DDB_TMP" ] && [ -d "$DDB_TMP" ]; then
		if [ "$status" != 0 ]; then
			if [ -s "$DDB_TMP/postgres.log" ]; then
				echo "---- tail of postgres.log ----" >&2
				tail -n 60 "$DDB_TMP/postgres.log" >&2
			fi
			for log in dynalite.log ddblocal.log credservers.log; do
				if [ -s "$DDB_TMP/$log" ]; then
					echo "---- tail of $log ----" >&2
					tail -n 20 "$DDB_TMP/$log" >&2
				fi
			done
			if [ -s "$DDB_TMP/faultproxy.log" ]; then
				echo "---- tail of faultproxy.log ----" >&2
				tail -n 20 "$DDB_TMP/faultproxy.log" >&2
			fi
		fi
		rm -rf "$DDB_TMP"
	fi
	DDB_TMP=
	return 0
}

# Start the servers, export the variables, install the traps.
ddb_env_start()
{
	local -

	set +e
	trap 'ddb_env_stop $?' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP

	# Dummy credentials for the aws CLI and boto3; nothing from the host.
	export AWS_ACCESS_KEY_ID="$DDB_SERVER_ACCESS_KEY_ID"
	export AWS_SECRET_ACCESS_KEY="$DDB_SERVER_SECRET_ACCESS_KEY"
	export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
	export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
	export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
	unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
	export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
	export no_proxy="$NO_PROXY"

	ddb_pg_start || return 1
	ddb_server_start || return 1
	/usr/bin/python3 "$DDB_ROOT/test/credctl.py" config upstream="$DDB_ENDPOINT" || return 1
	ddb_proxy_start || return 1
	echo "env.sh: postgres socket $PGHOST port $PGPORT, $(ddb_backend_name) $DDB_ENDPOINT, fault proxy $DDB_PROXY_ENDPOINT"
}

# psql 15 with the settings scripts want.
ddb_psql()
{
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}
