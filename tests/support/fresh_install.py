"""The state a fresh install leaves, recorded before the suite opens every tool for its own tests.

A new site starts with only read-only tools switched on (governance.defaults). Most tests exercise
write tools as a developer's site would have them, so the session fixture records the fresh state
here (for tests/test_governance_defaults.py) and then switches every tool on, committed.
"""

from __future__ import annotations

import frappe

TOOL_DOCTYPE = "FAC Tool Configuration"
PLUGIN_DOCTYPE = "FAC Plugin Configuration"
#: {"tools": {name: (enabled, category)}, "plugins": {name: enabled}} of a site this session created.
FRESH: dict = {}


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
