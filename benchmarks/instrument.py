"""WSGI entry for measured servers: the test host's application, with per-request counters.

gunicorn loads `benchmarks.instrument:application`. Every response carries headers describing the
request that produced it, measured inside the worker: SQL statements (all, and those touching the
app's configuration: FAC DocTypes or Assistant Core Settings), Redis round trips (all, and those on
the app's keys), server time, the worker's pid, and the wall-clock time of the request's last SQL
COMMIT. Gunicorn's sync workers serve one request at a time, so per-process counters are exact.
"""

from __future__ import annotations

import os
import time

import redis

from tests.host.wsgi import application as _host_application

HEADER_PREFIX = "X-Bench-"
# SQL or cache keys that read or write the app's own configuration.
_CONFIG_MARKERS = ("FAC ", "Assistant Core Settings", "fac_")

_counts = {"queries": 0, "config_queries": 0, "redis": 0, "config_redis": 0}
_config_redis_keys: list[str] = []
_last_commit: list[float] = []


def is_config(text: str) -> bool:
	# Cache keys start with "<db name>|", and database names of test sites start with "fac_".
	return any(marker in text.rsplit("|", 1)[-1] for marker in _CONFIG_MARKERS)


def _install() -> None:
	# Imported here: tests.host.wsgi (above) installs what makes `frappe` resolve on the test host.
	from frappe.database.database import Database
	from frappe.utils.redis_wrapper import RedisWrapper

	original_sql = Database.sql

	def sql(self, query, *args, **kwargs):
		text = str(query)
		_counts["queries"] += 1
		# A savepoint's name is not configuration; only statements on the app's tables count.
		if not _is_savepoint(text) and (is_config(text) or (args and is_config(str(args[0])))):
			_counts["config_queries"] += 1
		result = original_sql(self, query, *args, **kwargs)
		if text.lstrip()[:6].lower() == "commit":
			_last_commit.append(time.time())
		return result

	Database.sql = sql
	original_command = RedisWrapper.execute_command

	def execute_command(self, *args, **options):
		_counts["redis"] += 1
		if len(args) > 1 and is_config(key := _text(args[1])):
			_counts["config_redis"] += 1
			_config_redis_keys.append(f"{args[0]} {key.rsplit('|', 1)[-1]}")
		return original_command(self, *args, **options)

	RedisWrapper.execute_command = execute_command
	original_pipeline = redis.client.Pipeline.execute

	def pipeline_execute(self, *args, **kwargs):
		_counts["redis"] += 1
		return original_pipeline(self, *args, **kwargs)

	redis.client.Pipeline.execute = pipeline_execute


def _is_savepoint(text: str) -> bool:
	words = text.split(None, 3)[:3]
	return bool(words) and (
		words[0].lower() in ("savepoint", "release")
		or [w.lower() for w in words[:3]] == ["rollback", "to", "savepoint"]
	)


def _text(value) -> str:
	return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def application(environ, start_response):
	for key in _counts:
		_counts[key] = 0
	_last_commit.clear()
	_config_redis_keys.clear()
	started_at = time.time()
	started = time.perf_counter()

	def measured_start_response(status, headers, exc_info=None):
		elapsed_ms = (time.perf_counter() - started) * 1000
		extra = {
			"Pid": os.getpid(),
			"Start": f"{started_at:.6f}",
			"End": f"{time.time():.6f}",
			"Ms": f"{elapsed_ms:.3f}",
			"Queries": _counts["queries"],
			"Config-Queries": _counts["config_queries"],
			"Redis": _counts["redis"],
			"Config-Redis": _counts["config_redis"],
			"Commit-At": f"{_last_commit[-1]:.6f}" if _last_commit else "",
			# Which configuration keys were touched, e.g. "GET fac_registry_version" (names only).
			"Config-Redis-Keys": ";".join(_config_redis_keys)[:2000],
		}
		headers = [*headers, *((HEADER_PREFIX + name, str(value)) for name, value in extra.items())]
		return start_response(status, headers, exc_info)

	return _host_application(environ, measured_start_response)


_install()
