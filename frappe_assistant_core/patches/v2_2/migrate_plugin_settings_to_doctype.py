"""v2.2: move plugin state from the legacy `enabled_plugins_list` JSON to per-plugin rows.

For each discovered plugin without a row, create one enabled exactly when the legacy list named it
(core is always enabled). Existing rows are never touched, so a re-run changes nothing. Malformed
JSON, non-string entries, unknown plugin names and a missing field are logged and skipped. The
legacy field stays as it was, for rollback.
"""

from __future__ import annotations

import json

import frappe
from frappe.utils import now_datetime

from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

SETTINGS = "Assistant Core Settings"
PLUGIN_DOCTYPE = "FAC Plugin Configuration"


def execute() -> None:
	log = frappe.logger("frappe_assistant_core")
	legacy = _legacy_enabled_plugins(log)
	if legacy is None:
		return
	manager = get_plugin_manager()
	manager.refresh_plugins()
	plugins = manager.discovered_plugins()
	if unknown := sorted(legacy - set(plugins)):
		log.warning(f"v2.2 plugin migration: ignoring unknown plugins in enabled_plugins_list: {unknown}")
	existing = set(frappe.get_all(PLUGIN_DOCTYPE, pluck="plugin_name"))
	created = []
	for name, plugin in plugins.items():
		if name in existing:
			continue
		enabled = plugin.always_enabled or (name in legacy and plugin.can_enable)
		doc = frappe.get_doc(
			{
				"doctype": PLUGIN_DOCTYPE,
				"plugin_name": name,
				"enabled": int(enabled),
				"discovered_at": now_datetime(),
			}
		)
		doc.insert(ignore_permissions=True)
		created.append(f"{name}={'on' if enabled else 'off'}")
	log.info(f"v2.2 plugin migration: created {len(created)} rows from enabled_plugins_list: {created}")


def _legacy_enabled_plugins(log) -> set[str] | None:
	"""The legacy set, or None when there is nothing trustworthy to migrate."""
	raw = frappe.db.get_singles_dict(SETTINGS).get("enabled_plugins_list")
	if raw in (None, ""):
		log.info("v2.2 plugin migration: no enabled_plugins_list stored, nothing to migrate")
		return None
	try:
		value = json.loads(raw) if isinstance(raw, str) else raw
	except ValueError:
		log.warning(f"v2.2 plugin migration: enabled_plugins_list is not JSON ({raw!r:.80}), skipped")
		return None
	if not isinstance(value, list):
		log.warning(f"v2.2 plugin migration: enabled_plugins_list is not a list ({raw!r:.80}), skipped")
		return None
	return {item for item in value if isinstance(item, str)}
