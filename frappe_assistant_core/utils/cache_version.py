"""The site's registry version token in Redis, and the state last read under it.

A token is random, never a counter, so a Redis restart that loses the key can never make an old
snapshot look current. With Redis unreachable `current_version()` answers None and callers read
the database every time (correct, slower), logging that they do. utils.cache publishes changes
through it; the plugin manager reads it on every request.
"""

from __future__ import annotations

import time
import uuid

import frappe
import redis

VERSION_KEY = "fac_registry_version"
# "<version token> <fingerprint>" of the state last read under that token (see revalidate_registry).
STATE_KEY = "fac_registry_state"
_LOG_EVERY_SECONDS = 60.0
_last_warning = 0.0


def current_version() -> str | None:
	"""The site's registry version token, created if missing; None when Redis is unreachable."""
	key = frappe.cache.make_key(VERSION_KEY)
	try:
		token = frappe.cache.get(key)
		if token is None:
			frappe.cache.set(key, uuid.uuid4().hex, nx=True)
			token = frappe.cache.get(key)
	except redis.exceptions.RedisError as exc:
		warn_unreachable(exc)
		return None
	return token.decode() if isinstance(token, bytes) else token


def bump_version() -> None:
	"""Store a new token so every worker reloads on its next request."""
	try:
		frappe.cache.set(frappe.cache.make_key(VERSION_KEY), uuid.uuid4().hex)
	except redis.exceptions.RedisError as exc:
		warn_unreachable(exc)


def record_state(version: str, fingerprint: str) -> None:
	"""Remember which state was read under `version` (written on a reload, never per request)."""
	try:
		frappe.cache.set(frappe.cache.make_key(STATE_KEY), f"{version} {fingerprint}")
	except redis.exceptions.RedisError as exc:
		warn_unreachable(exc)


def recorded_state() -> tuple[str, str] | None:
	"""(version, fingerprint) stored by record_state(), or None."""
	try:
		value = frappe.cache.get(frappe.cache.make_key(STATE_KEY))
	except redis.exceptions.RedisError as exc:
		warn_unreachable(exc)
		return None
	if isinstance(value, bytes):
		value = value.decode()
	parts = value.split(" ") if isinstance(value, str) else []
	return (parts[0], parts[1]) if len(parts) == 2 else None


def warn_unreachable(exc: Exception) -> None:
	global _last_warning
	now = time.monotonic()
	if now - _last_warning >= _LOG_EVERY_SECONDS:
		_last_warning = now
		frappe.logger("frappe_assistant_core").warning(
			f"Redis unreachable ({exc}); plugin and tool state is read from the database on every call"
		)
