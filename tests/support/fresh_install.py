"""The state a fresh install leaves, recorded before the suite opens every tool for its own tests.

A new site starts with only read-only tools switched on (core.tool_defaults). Most tests exercise
write tools as a developer's site would have them, so the session fixture records the fresh state
here (for tests/test_governance_defaults.py) and then switches every tool on, committed.
"""

from __future__ import annotations

import frappe

TOOL_DOCTYPE = "FAC Tool Configuration"
PLUGIN_DOCTYPE = "FAC Plugin Configuration"
#: {"tools": {name: (enabled, category)}, "plugins": {name: enabled}} of a site this session created.
FRESH: dict = {}
#: What was switched off once the session had switched every tool on ("plugin x", "tool y").
OFF_AT_START: set[str] = set()


def record() -> None:
	FRESH["tools"] = {
		row.name: (row.enabled, row.tool_category)
		for row in frappe.get_all(TOOL_DOCTYPE, fields=["name", "enabled", "tool_category"])
	}
	FRESH["plugins"] = {
		row.name: row.enabled for row in frappe.get_all(PLUGIN_DOCTYPE, fields=["name", "enabled"])
	}


def enable_every_tool() -> None:
	"""Switch every tool on (committed), as the suite's tests expect of their site."""
	from frappe_assistant_core.utils.cache import publish_change

	frappe.db.set_value(TOOL_DOCTYPE, {"enabled": 0}, "enabled", 1, update_modified=False)
	publish_change()
	frappe.db.commit()


def switched_off() -> list[str]:
	"""Plugins and tools switched off now (the suite runs with every one on)."""
	tools = frappe.get_all(TOOL_DOCTYPE, filters={"enabled": 0}, pluck="name")
	plugins = frappe.get_all(PLUGIN_DOCTYPE, filters={"enabled": 0}, pluck="name")
	return [f"plugin {name}" for name in sorted(plugins)] + [f"tool {name}" for name in sorted(tools)]


def enable(switches: list[str]) -> None:
	"""Switch these ("plugin x", "tool y") on again, committed; plugins through the admin API."""
	from frappe_assistant_core.api import admin_api
	from frappe_assistant_core.utils.cache import publish_change

	for switch in switches:
		kind, name = switch.split(" ", 1)
		if kind == "plugin":
			admin_api.toggle_plugin(name, True)
		else:
			frappe.db.set_value(TOOL_DOCTYPE, name, "enabled", 1, update_modified=False)
	publish_change()
	frappe.db.commit()
