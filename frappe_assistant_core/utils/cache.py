"""Cross-worker invalidation of the plugin and tool registry: one version token per site in Redis.

Every change (toggle, tool configuration save, sync, Desk edit) calls `publish_change()`. The
process that made it drops its own snapshot at once; after the transaction commits, a fresh random
token is stored under the site's version key, and the guide's documented cache keys are cleared.
Every worker compares its snapshot's token with the stored one (one Redis GET) and reloads from the
database when they differ. The token itself (random, None when Redis is unreachable) is kept by
utils.cache_version, whose functions this module re-exports.
"""

from __future__ import annotations

import frappe
import redis

from frappe_assistant_core.utils.cache_version import (
	STATE_KEY,
	VERSION_KEY,
	bump_version,
	current_version,
	record_state,
	recorded_state,
	warn_unreachable,
)
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

__all__ = [
	"GUIDE_KEY_PREFIXES",
	"STATE_KEY",
	"VERSION_KEY",
	"bump_version",
	"clear_guide_keys",
	"current_version",
	"on_clear_cache",
	"publish_change",
	"record_state",
	"recorded_state",
]

# Keys the guide documents as cleared on every toggle ("Cache Invalidation").
GUIDE_KEY_PREFIXES = ("fac_plugin_configurations", "plugin_", "tool_registry_")


def clear_guide_keys(plugin_name: str | None = None) -> None:
	"""Clear the cache keys the guide names, and Frappe's document cache of the plugin row."""
	try:
		if plugin_name:
			frappe.cache.delete_value(f"fac_plugin_config_{plugin_name}")
		for prefix in GUIDE_KEY_PREFIXES:
			frappe.cache.delete_keys(prefix)
	except redis.exceptions.RedisError as exc:
		warn_unreachable(exc)
	if plugin_name:
		frappe.clear_document_cache("FAC Plugin Configuration", plugin_name)


def publish_change(plugin_name: str | None = None) -> None:
	"""Invalidate this process now and every worker once the current transaction commits."""
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
	frappe.local.flags.pop("fac_pending_plugin_changes", None)
	frappe.local.flags.fac_change_queued = False
	get_plugin_manager().invalidate()


def on_clear_cache() -> None:
	"""`clear_cache` hook (bench clear-cache): make every worker reload plugin and tool state."""
	bump_version()
