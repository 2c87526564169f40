"""Site configuration of a host site, all from environment variables (the host reads no files).

`site_env(db_name)` is the whole configuration of one site; every process of that site (pytest,
workers, the HTTP server) gets the same values, so they share one database, Redis and secret key.
"""

from __future__ import annotations

import base64
import configparser
import hashlib
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STATE_DIR = Path(os.environ.get("FAC_HOST_STATE", REPO / ".host"))
SITES_DIR = STATE_DIR / "sites"
# The built desk and website bundles with their assets.json, laid out as a bench's sites/assets
# (written by tests/host/assets/build.js, run from tests/host/setup.sh).
ASSETS_DIR = STATE_DIR / "assets"

DB_HOST = os.environ.get("FAC_DB_HOST", "127.0.0.1")
DB_PORT = int(os.environ.get("FAC_DB_PORT", "3306"))
# The MariaDB account that creates and drops the host's site databases and users over TCP. setup.sh
# makes it with a generated password, allowed no more than that on databases named fac_*, and keeps
# its credentials in this MySQL option file (mode 600); FAC_DB_ROOT_USER/PASSWORD override it.
DB_ADMIN_FILE = STATE_DIR / "mariadb.cnf"


def _db_admin() -> tuple[str, str]:
	parser = configparser.ConfigParser(interpolation=None)
	parser.read(DB_ADMIN_FILE)
	client = parser["client"] if parser.has_section("client") else {}
	return (
		os.environ.get("FAC_DB_ROOT_USER") or client.get("user", ""),
		os.environ.get("FAC_DB_ROOT_PASSWORD") or client.get("password", ""),
	)


DB_ROOT_USER, DB_ROOT_PASSWORD = _db_admin()
# PostgreSQL for the sites of the `postgres` pass: a superuser that may create databases and roles.
# tests/host/setup.sh starts a private cluster (with a generated password) when none lets it in and
# writes the address and password in use to STATE_DIR/postgres.env; the environment overrides it.


def _postgres_env() -> dict[str, str]:
	try:
		lines = (STATE_DIR / "postgres.env").read_text().splitlines()
	except FileNotFoundError:
		return {}
	return dict(line.split("=", 1) for line in lines if "=" in line)


def _pg(name: str, default: str) -> str:
	return os.environ.get(name) or _postgres_env().get(name) or default


PG_HOST = _pg("FAC_PG_HOST", "127.0.0.1")
PG_PORT = int(_pg("FAC_PG_PORT", "5432"))
PG_ROOT_USER = _pg("FAC_PG_ROOT_USER", "postgres")
PG_ROOT_PASSWORD = _pg("FAC_PG_ROOT_PASSWORD", "fac_root")
REDIS_URL = os.environ.get("FAC_REDIS_URL", "redis://127.0.0.1:6379")
# Apps installed on the test site: ours, plus a test app that contributes external tools.
TEST_APPS = "frappe_assistant_core,fac_test_tools"


def _derived(db_name: str, purpose: str) -> bytes:
	return hashlib.sha256(f"fac-host:{db_name}:{purpose}".encode()).digest()


def session_db_type() -> str:
	"""The database of the test session's site: FAC_TEST_DB_TYPE, `mariadb` (default) or `postgres`."""
	db_type = os.environ.get("FAC_TEST_DB_TYPE") or "mariadb"
	if db_type not in ("mariadb", "postgres"):
		raise ValueError(f"FAC_TEST_DB_TYPE must be mariadb or postgres, not {db_type!r}")
	return db_type


def site_dir(db_name: str) -> Path:
	return SITES_DIR / db_name


def bench_id(db_name: str) -> str:
	"""The site's RQ queue names start with this (each host site is a bench of its own)."""
	return f"fac-host-{db_name}"


def recorded_db_type(db_name: str) -> str | None:
	"""The database an existing host site was created on (written by site.create_site)."""
	try:
		return (site_dir(db_name) / "db_type").read_text().strip()
	except FileNotFoundError:
		return None


def site_env(db_name: str, apps: str = "frappe_assistant_core", db_type: str | None = None) -> dict[str, str]:
	"""Environment of every process that serves or tests the site `db_name`: on the database the
	site was created on, else on `db_type`, else on session_db_type(). FAC_TEST_DB_TYPE is part of
	it, so child processes agree on the database."""
	db_type = recorded_db_type(db_name) or db_type or session_db_type()
	postgres = db_type == "postgres"
	return {
		"FAC_TEST_DB_TYPE": db_type,
		"DB_TYPE": db_type,
		"DB_HOST": PG_HOST if postgres else DB_HOST,
		"DB_PORT": str(PG_PORT if postgres else DB_PORT),
		"DB_NAME": db_name,
		"DB_USER": db_name,
		"DB_PASSWORD": base64.b32encode(_derived(db_name, "db"))[:20].decode().lower(),
		"REDIS_CACHE": REDIS_URL,
		"REDIS_QUEUE": REDIS_URL,
		"DEVELOPER_MODE": "0",
		"ALLOW_TESTS": "1",
		"SECRET_KEY": _derived(db_name, "secret").hex(),
		"FAC_HOST_APPS": apps,
		"FAC_HOST_SITE_DIR": str(site_dir(db_name)),
		"FAC_ENCRYPTION_KEY": base64.urlsafe_b64encode(_derived(db_name, "fernet")).decode(),
		# WORKAROUND: the host reads no site_config.json, so get_encryption_key() invents a new key in
		# every process and API secrets stored by one process cannot be checked by another.
		"MONOFRAME_EXTRA_CONFIG": "tests.host.config.extra_config",
	}


def extra_config() -> dict[str, str | int | bool]:
	"""Config hook called by the host's config loader (see MONOFRAME_EXTRA_CONFIG)."""
	extra = {
		"encryption_key": os.environ["FAC_ENCRYPTION_KEY"],
		# Named, not derived from the working directory as the host does, so that dropping the site
		# can find its queues (tests.host.site_redis).
		"bench_id": bench_id(os.environ["DB_NAME"]),
		# The host has no realtime (socket.io) server, which a bench runs beside the web workers; this
		# site config key makes the desk not try to connect to one.
		"disable_async": True,
	}
	if os.environ.get("FAC_HOST_NAME"):
		# The site's public URL (a bench's `host_name` site config key), for tests of what it publishes.
		extra["host_name"] = os.environ["FAC_HOST_NAME"]
	if os.environ.get("FAC_SCHEDULER_TICK"):
		# Seconds between the scheduler's checks for due jobs (a bench's scheduler_tick_interval).
		extra["scheduler_tick_interval"] = int(os.environ["FAC_SCHEDULER_TICK"])
	return extra
