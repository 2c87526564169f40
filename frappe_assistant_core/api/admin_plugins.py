"""Admin endpoints for plugins: list, statistics, toggle (re-exported by admin_api)."""

from __future__ import annotations

import frappe
from frappe import _

from frappe_assistant_core.api._gate import parse_bool, parse_name, require_assistant_admin
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.utils.plugin_persistence import PLUGIN_DOCTYPE


@frappe.whitelist(methods=["POST"])
def toggle_plugin(plugin_name: str | None = None, enable: bool | int | str | None = None) -> dict:
	"""Enable or disable a plugin; {'success': True, 'message': ...}. Assistant admins only."""
	require_assistant_admin()
	plugin_name = parse_name(plugin_name, "plugin_name")
	enable = parse_bool(enable, "enable")
	manager = get_plugin_manager()
	manager.enable_plugin(plugin_name) if enable else manager.disable_plugin(plugin_name)
	state = _("enabled") if enable else _("disabled")
	return {"success": True, "message": _("Plugin '{0}' {1}.").format(plugin_name, state)}


@frappe.whitelist(methods=["GET", "POST"])
def get_plugin_stats() -> dict:
	"""Counts of plugins and, per plugin, name, display_name, enabled, tool_count. Admins only."""
	require_assistant_admin()
	manager = get_plugin_manager()
	manager.reload()
	plugins = manager.get_discovered_plugins()
	enabled = sum(1 for p in plugins if p["loaded"])
	return {
		"total_plugins": len(plugins),
		"enabled_plugins": enabled,
		"disabled_plugins": len(plugins) - enabled,
		"plugins": [
			{
				"name": p["name"],
				"display_name": p["display_name"],
				"enabled": p["loaded"],
				"tool_count": len(p["tools"]),
			}
			for p in plugins
		],
	}


@frappe.whitelist(methods=["GET", "POST"])
def get_all_plugins() -> list[dict]:
	"""Every discovered plugin with its stored state and audit fields. Admins only."""
	require_assistant_admin()
	rows = {
		row.plugin_name: row
		for row in frappe.get_all(
			PLUGIN_DOCTYPE, fields=["plugin_name", "discovered_at", "last_toggled_at", "last_toggled_by"]
		)
	}
	manager = get_plugin_manager()
	manager.reload()
	out = []
	for plugin in manager.get_discovered_plugins():
		row = rows.get(plugin["name"]) or frappe._dict()
		out.append(
			{
				"name": plugin["name"],
				"display_name": plugin["display_name"],
				"description": plugin["description"],
				"version": plugin["version"],
				"enabled": plugin["loaded"],
				"always_enabled": plugin["always_enabled"],
				"can_enable": plugin["can_enable"],
				"validation_error": plugin["validation_error"],
				"tool_count": len(plugin["tools"]),
				"tools": plugin["tools"],
				"discovered_at": row.get("discovered_at"),
				"last_toggled_at": row.get("last_toggled_at"),
				"last_toggled_by": row.get("last_toggled_by"),
			}
		)
	return out
