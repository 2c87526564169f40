"""What a fresh site starts with (only read-only tools on; the guide's plugin states), and that a
migrate never changes what an administrator set, governance included."""

from __future__ import annotations

import frappe
import pytest

from frappe_assistant_core.utils.plugin_manager import get_plugin_manager, get_tool_registry
from tests.governance._mcp import SETTINGS, TOOL_DOCTYPE, restore_settings
from tests.support.fresh_install import FRESH
from tests.support.site import run_migrate


def test_a_fresh_site_starts_with_only_read_only_tools_switched_on():
	if not FRESH:
		pytest.skip("the session did not create its site, so its fresh state was not recorded")
	tools = FRESH["tools"]
	assert tools, "the install created tool rows"
	on = sorted(name for name, (enabled, category) in tools.items() if enabled)
	off = sorted(name for name, (enabled, category) in tools.items() if not enabled)
	assert all(tools[name][1] == "read_only" for name in on), on
	assert all(tools[name][1] != "read_only" for name in off), off
	assert {"document_get", "document_list", "search_global", "test_echo"} <= set(on)
	assert {
		"document_create",
		"document_update",
		"document_delete",
		"create_chart",
		"execute_python_code",
	} <= set(off)
	plugins = get_plugin_manager().discovered_plugins()
	assert FRESH["plugins"] == {name: int(plugin.can_enable) for name, plugin in plugins.items()}
	assert FRESH["plugins"]["core"] == 1


def test_a_tool_without_a_row_yet_is_on_only_when_it_reads():
	"""Between installing an app with tools and the next migrate, its tools have no row."""
	frappe.db.delete(TOOL_DOCTYPE, {"name": ("in", ["test_create_todo", "test_echo"])})
	get_plugin_manager().invalidate()
	listed = {info.name for info in get_tool_registry().get_available_tools("Administrator")}
	assert "test_echo" in listed
	assert "test_create_todo" not in listed


@pytest.mark.slow
def test_a_migrate_keeps_every_switch_and_governance_setting_an_administrator_set():
	before_tools = {
		row.name: row
		for row in frappe.get_all(TOOL_DOCTYPE, fields=["name", "enabled", "requires_approval", "rate_limit"])
	}
	stored_before = frappe.db.get_singles_dict(SETTINGS)
	frappe.db.set_value(TOOL_DOCTYPE, "document_get", {"enabled": 0, "requires_approval": 1, "rate_limit": 7})
	frappe.db.set_value(TOOL_DOCTYPE, "document_create", "enabled", 1)
	frappe.db.set_single_value(
		SETTINGS, {"read_only_mode": 1, "rate_limit_per_user": 33, "approval_for_write": 1}
	)
	frappe.db.commit()
	try:
		run_migrate()
		row = frappe.db.get_value(
			TOOL_DOCTYPE, "document_get", ["enabled", "requires_approval", "rate_limit"], as_dict=True
		)
		assert (row.enabled, row.requires_approval, row.rate_limit) == (0, 1, 7)
		assert frappe.db.get_value(TOOL_DOCTYPE, "document_create", "enabled") == 1
		stored = frappe.db.get_singles_dict(SETTINGS)
		assert (
			int(stored.read_only_mode),
			int(stored.rate_limit_per_user),
			int(stored.approval_for_write),
		) == (1, 33, 1)
	finally:
		for name, row in before_tools.items():
			frappe.db.set_value(
				TOOL_DOCTYPE, name, {k: row[k] for k in ("enabled", "requires_approval", "rate_limit")}
			)
		restore_settings(stored_before, ["read_only_mode", "rate_limit_per_user", "approval_for_write"])
		frappe.db.commit()
