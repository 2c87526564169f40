"""Cross-worker invalidation of the plugin and tool registry: one version token per site in Redis.

Every change (toggle, tool configuration save, sync, Desk edit) calls `publish_change()`. The
process that made it drops its own snapshot at once; after the transaction commits, a fresh random
token is stored under the site's version key, and the guide's documented cache keys are cleared.
Every worker compares its snapshot's token with the stored one (one Redis GET) and reloads from the
database when they differ. Tokens are random, never counters, so a Redis restart that loses the key
can never make an old snapshot look current. With Redis unreachable, `current_version()` answers
None and callers read the database every time (correct, slower), logging that they do.
"""

from __future__ import annotations

import time
import uuid

import frappe
import redis

VERSION_KEY = "fac_registry_version"
# "<version token> <fingerprint>" of the state last read under that token (see revalidate_registry).
STATE_KEY = "fac_registry_state"
# Keys the guide documents as cleared on every toggle ("Cache Invalidation").
GUIDE_KEY_PREFIXES = ("fac_plugin_configurations", "plugin_", "tool_registry_")
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
		_warn_unreachable(exc)
		return None
	return token.decode() if isinstance(token, bytes) else token


def bump_version() -> None:
	"""Store a new token so every worker reloads on its next request."""
	try:
		frappe.cache.set(frappe.cache.make_key(VERSION_KEY), uuid.uuid4().hex)
	except redis.exceptions.RedisError as exc:
		_warn_unreachable(exc)


def record_state(version: str, fingerprint: str) -> None:
	"""Remember which state was read under `version` (written on a reload, never per request)."""
	try:
		frappe.cache.set(frappe.cache.make_key(STATE_KEY), f"{version} {fingerprint}")
	except redis.exceptions.RedisError as exc:
		_warn_unreachable(exc)


def recorded_state() -> tuple[str, str] | None:
	"""(version, fingerprint) stored by record_state(), or None."""
	try:
		value = frappe.cache.get(frappe.cache.make_key(STATE_KEY))
	except redis.exceptions.RedisError as exc:
		_warn_unreachable(exc)
		return None
	if isinstance(value, bytes):
		value = value.decode()
	parts = value.split(" ") if isinstance(value, str) else []
	return (parts[0], parts[1]) if len(parts) == 2 else None


def clear_guide_keys(plugin_name: str | None = None) -> None:
	"""Clear the cache keys the guide names, and Frappe's document cache of the plugin row."""
	try:
		if plugin_name:
			frappe.cache.delete_value(f"fac_plugin_config_{plugin_name}")
		for prefix in GUIDE_KEY_PREFIXES:
			frappe.cache.delete_keys(prefix)
	except redis.exceptions.RedisError as exc:
		_warn_unreachable(exc)
	if plugin_name:
		frappe.clear_document_cache("FAC Plugin Configuration", plugin_name)


def publish_change(plugin_name: str | None = None) -> None:
	"""Invalidate this process now and every worker once the current transaction commits."""
	from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

	get_plugin_manager().invalidate()
	flags = frappe.local.flags
	pending = flags.setdefault("fac_pending_plugin_changes", set())
	first = not pending and not flags.get("fac_change_queued")
	pending.add(plugin_name)
	if not first:
		return
	flags.fac_change_queued = True
	frappe.db.after_commit.add(_after_commit)
	frappe.db.after_rollback.add(_after_rollback)


def _after_commit() -> None:
	plugins = frappe.local.flags.pop("fac_pending_plugin_changes", set())
	frappe.local.flags.fac_change_queued = False
	# Bump first: workers reload on the token alone, and the guide's keys take KEYS scans to clear.
	bump_version()
	for plugin_name in plugins:
		clear_guide_keys(plugin_name)


def _after_rollback() -> None:
	"""A rolled-back change must not survive in this process's snapshot either."""
	from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

	frappe.local.flags.pop("fac_pending_plugin_changes", None)
	frappe.local.flags.fac_change_queued = False
	get_plugin_manager().invalidate()


def _warn_unreachable(exc: Exception) -> None:
	global _last_warning
	now = time.monotonic()
	if now - _last_warning >= _LOG_EVERY_SECONDS:
		_last_warning = now
		frappe.logger("frappe_assistant_core").warning(
			f"Redis unreachable ({exc}); plugin and tool state is read from the database on every call"
		)


def on_clear_cache() -> None:
	"""`clear_cache` hook (bench clear-cache): make every worker reload plugin and tool state."""
	bump_version()
