#!/usr/bin/env bash
# PostgreSQL for the tests' PostgreSQL pass (run from tests/host/setup.sh; idempotent).
#
# The server at FAC_PG_HOST:FAC_PG_PORT (default 127.0.0.1:5432) is used when its superuser
# FAC_PG_ROOT_USER (default postgres, password FAC_PG_ROOT_PASSWORD) may log in. Otherwise a private
# cluster is started from Debian's PostgreSQL (installed without its default cluster if missing),
# with its data directory under the state dir and a free port of its own, as the postgres user; no
# other instance is touched. The address in use goes to STATE/postgres.env, which scripts/run-tests
# exports to the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
STATE="${FAC_HOST_STATE:-$(pwd)/.host}"
PG_DIR="$STATE/postgres"
PG_HOST="${FAC_PG_HOST:-127.0.0.1}"
PG_PORT="${FAC_PG_PORT:-5432}"
ROOT_USER="${FAC_PG_ROOT_USER:-postgres}"
# A private cluster's superuser password is generated when the cluster is made and kept in
# STATE/postgres.env (mode 600) with its address; a server of the machine's is tried with
# FAC_PG_ROOT_PASSWORD (default fac_root).
ROOT_PASSWORD="${FAC_PG_ROOT_PASSWORD:-fac_root}"
source tests/host/progress.sh
source tests/host/apt.sh

# psql: the host loads the framework's schema into a new PostgreSQL site with it.
if ! command -v psql >/dev/null 2>&1; then
	log "installing postgresql-client"
	install_packages postgresql-client
fi

root_login() { # root_login HOST PORT: the superuser may log in there
	PGPASSWORD="$ROOT_PASSWORD" PGCONNECT_TIMEOUT=5 psql -h "$1" -p "$2" -U "$ROOT_USER" -d postgres \
		-Atqc 'select 1' >/dev/null 2>&1
}

install_server() {
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && return 0
	log "installing postgresql (without Debian's default cluster: the tests run a private one)"
	# Debian's own switch (postgresql-common's createcluster.conf), set only on a machine that has
	# no PostgreSQL yet; --force-confold keeps it when the package brings its copy of the file.
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		mkdir -p /etc/postgresql-common
		echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
	fi
	install_packages -o Dpkg::Options::=--force-confold postgresql
}

free_port() { # the first port from 55432 on that nothing listens on
	local port
	for port in $(seq 55432 55631); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	log "no free port in 55432-55631 for the private PostgreSQL"
	exit 1
}

start_private_cluster() {
	install_server
	local bin data="$PG_DIR/data" as=()
	bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")
	mkdir -p "$PG_DIR"
	if [ "$(id -u)" = 0 ]; then # PostgreSQL refuses to run as root
		as=(runuser -u postgres --)
		chown postgres: "$PG_DIR"
	fi
	if ! "${as[@]}" test -w "$PG_DIR"; then
		log "the postgres user cannot write $PG_DIR (is a parent folder closed to other users?);"
		log "set FAC_HOST_STATE to a folder it can reach, or FAC_PG_HOST/FAC_PG_PORT to a server"
		exit 1
	fi
	if [ -f "$data/PG_VERSION" ] && [ -s "$PG_DIR/root.password" ]; then
		ROOT_PASSWORD=$(cat "$PG_DIR/root.password")
	fi
	if [ ! -f "$data/PG_VERSION" ]; then
		log "creating a private PostgreSQL cluster in $data"
		ROOT_PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
		(umask 077 && printf '%s\n' "$ROOT_PASSWORD" >"$PG_DIR/root.password")
		local pwfile="$PG_DIR/.pw"
		(umask 077 && printf '%s\n' "$ROOT_PASSWORD" > "$pwfile")
		[ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
		"${as[@]}" "$bin/initdb" -D "$data" -U "$ROOT_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
			--auth-host=scram-sha-256 --auth-local=peer >/dev/null
		rm -f "$pwfile"
	fi
	if "${as[@]}" "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
		PG_PORT=$(sed -n 4p "$data/postmaster.pid") # postmaster.pid's 4th line is the port
	else
		PG_PORT="${FAC_PG_PRIVATE_PORT:-$(free_port)}"
		log "starting the private PostgreSQL on 127.0.0.1:$PG_PORT"
		# Its socket in its own folder: the system's /var/run/postgresql may be missing or another's.
		"${as[@]}" "$bin/pg_ctl" start -D "$data" -w -l "$PG_DIR/server.log" \
			-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR" >/dev/null
	fi
	PG_HOST=127.0.0.1
}

if [ -s "$PG_DIR/root.password" ] || ! root_login "$PG_HOST" "$PG_PORT"; then
	start_private_cluster
	if ! root_login "$PG_HOST" "$PG_PORT"; then
		log "the private PostgreSQL on $PG_HOST:$PG_PORT does not let $ROOT_USER in (see $PG_DIR/server.log)"
		exit 1
	fi
fi
mkdir -p "$STATE"
(umask 077 && printf 'FAC_PG_HOST=%s\nFAC_PG_PORT=%s\nFAC_PG_ROOT_PASSWORD=%s\n' "$PG_HOST" "$PG_PORT" \
	"$ROOT_PASSWORD" >"$STATE/postgres.env")
log "postgres: $(PGPASSWORD="$ROOT_PASSWORD" psql -h "$PG_HOST" -p "$PG_PORT" -U "$ROOT_USER" -d postgres \
	-Atqc 'show server_version') on $PG_HOST:$PG_PORT"
