"""bench migrate / install sync, exactly per the guide's table ("Automatic Sync on Bench Migrate")."""

from __future__ import annotations

import frappe

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.core.tool_catalog import CatalogEntry
from frappe_assistant_core.utils.config_sync import SyncReport, _sync_tool_configurations, sync_all
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from tests.support.counting import count_queries


def _raw_insert(doctype: str, **fields) -> None:
	"""A row written behind the controller's back, as an old version of the app might have left."""
	frappe.get_doc({"doctype": doctype, **fields}).db_insert()


def test_second_sync_writes_nothing():
	"""Idempotent: right after a sync, another sync creates, updates and deletes nothing."""
	sync_all()
	report = sync_all()
	assert report.writes == 0
	assert report.summary() == "FAC sync: plugins 0 created, 0 deleted; tools 0 created, 0 updated, 0 deleted"


def test_new_plugin_gets_an_enabled_row_and_existing_states_are_kept():
	"""New plugin -> row created enabled; existing rows keep the administrator's choice."""
	admin_api.toggle_plugin("visualization", False)
	frappe.db.delete("FAC Plugin Configuration", {"plugin_name": "websocket"})
	report = sync_all()
	assert report.plugins_created == ["websocket"]
	assert frappe.db.get_value("FAC Plugin Configuration", "websocket", "enabled") == 1
	assert frappe.db.get_value("FAC Plugin Configuration", "websocket", "discovered_at")
	assert frappe.db.get_value("FAC Plugin Configuration", "visualization", "enabled") == 0


def test_removed_plugin_and_removed_tool_rows_are_deleted():
	"""Orphans (code gone) are deleted, with the tool's role rows."""
	_raw_insert("FAC Plugin Configuration", name="retired_plugin", plugin_name="retired_plugin", enabled=1)
	_raw_insert(
		"FAC Tool Configuration",
		name="retired_tool",
		tool_name="retired_tool",
		plugin_name="retired_plugin",
		enabled=1,
		role_access_mode="Restrict to Listed Roles",
	)
	_raw_insert(
		"FAC Tool Role Access",
		parent="retired_tool",
		parenttype="FAC Tool Configuration",
		parentfield="role_access",
		role="System Manager",
		allow_access=1,
	)
	report = sync_all()
	assert report.plugins_deleted == ["retired_plugin"]
	assert report.tools_deleted == ["retired_tool"]
	assert not frappe.db.exists("FAC Plugin Configuration", "retired_plugin")
	assert not frappe.db.exists("FAC Tool Configuration", "retired_tool")
	assert not frappe.db.exists("FAC Tool Role Access", {"parent": "retired_tool"})


def test_new_tool_gets_a_row_with_its_detected_category():
	"""New tool -> FAC Tool Configuration with plugin, source and the AST-detected category; it
	starts switched on only when it reads (core.tool_defaults)."""
	frappe.db.delete("FAC Tool Configuration", {"name": ("in", ["test_create_todo", "test_echo"])})
	report = sync_all()
	assert sorted(report.tools_created) == ["test_create_todo", "test_echo"]
	row = frappe.get_doc("FAC Tool Configuration", "test_create_todo")
	assert (row.plugin_name, row.source_app, row.enabled) == ("external", "fac_test_tools", 0)
	assert row.tool_category == row.auto_detected_category == "write"
	assert row.module_path == "fac_test_tools.tools.TestCreateTodo"
	reader = frappe.get_doc("FAC Tool Configuration", "test_echo")
	assert (reader.tool_category, reader.enabled) == ("read_only", 1)


def test_user_settings_survive_sync_including_tools_of_disabled_plugins():
	"""Switches, manual categories and role lists are kept; a disabled plugin's tools stay."""
	catalog = get_plugin_manager().get_tool_catalog()
	viz_tools = sorted(n for n, e in catalog.items() if e.plugin_name == "visualization")
	admin_api.toggle_tool("test_echo", False)
	admin_api.update_tool_category("test_echo", "privileged")
	admin_api.update_tool_role_access("test_echo", "Restrict to Listed Roles", ["Assistant Admin"])
	admin_api.toggle_plugin("visualization", False)
	sync_all()
	row = frappe.get_doc("FAC Tool Configuration", "test_echo")
	assert (row.enabled, row.tool_category, row.category_override) == (0, "privileged", 1)
	assert [r.role for r in row.role_access] == ["Assistant Admin"]
	assert (
		sorted(frappe.get_all("FAC Tool Configuration", {"plugin_name": "visualization"}, pluck="name"))
		== viz_tools
	)


def test_code_derived_fields_follow_the_code_unless_overridden():
	"""A stale detected category is corrected; the stored category follows it unless overridden."""
	frappe.db.set_value(
		"FAC Tool Configuration",
		"test_create_todo",
		{"auto_detected_category": "read_only", "tool_category": "read_only"},
	)
	report = sync_all()
	assert "test_create_todo" in report.tools_updated
	row = frappe.db.get_value(
		"FAC Tool Configuration",
		"test_create_todo",
		["auto_detected_category", "tool_category"],
		as_dict=True,
	)
	assert (row.auto_detected_category, row.tool_category) == ("write", "write")


def test_sync_of_thousands_of_tools_uses_a_constant_number_of_queries():
	"""3,000 new tools: batched reads and inserts, not a query per row; a re-run writes nothing."""
	catalog = {
		f"bulk_tool_{i:04d}": CatalogEntry(
			name=f"bulk_tool_{i:04d}",
			plugin_name="external",
			source_app="bulk_app",
			module_path=f"bulk_app.tools.Tool{i}",
			description=f"Generated tool {i}",
			category="read_only",
		)
		for i in range(3000)
	}
	report = SyncReport()
	with count_queries() as queries:
		_sync_tool_configurations(catalog, report)
	assert len(report.tools_created) == 3000
	assert len(queries) <= 10, len(queries)
	assert frappe.db.count("FAC Tool Configuration", {"source_app": "bulk_app"}) == 3000
	again = SyncReport()
	with count_queries() as queries:
		_sync_tool_configurations(catalog, again)
	# Every row not in this synthetic catalog is an orphan here, so only count the bulk tools.
	assert not [n for n in again.tools_created + again.tools_updated if n.startswith("bulk_tool_")]
	assert len(queries) <= 10


def test_sync_prints_what_it_did(capsys):
	frappe.db.delete("FAC Tool Configuration", {"name": "test_echo"})
	sync_all()
	assert "tools 1 created" in capsys.readouterr().out
