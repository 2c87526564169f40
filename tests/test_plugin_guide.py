"""The guide's code samples, run as written (seed/PLUGIN_MANAGEMENT_GUIDE.md)."""

from __future__ import annotations

import frappe

from frappe_assistant_core.api.admin_api import get_all_plugins, get_plugin_stats, toggle_plugin
from frappe_assistant_core.utils.plugin_manager import (
	PluginPersistence,
	ToolInfo,
	get_plugin_manager,
	refresh_plugin_manager,
)

GUIDE_PLUGINS = {"core", "data_science", "visualization", "websocket", "batch_processing"}


def _stored(plugin: str) -> int:
	return frappe.db.get_value("FAC Plugin Configuration", plugin, "enabled")


def test_using_the_api_enable_and_disable_return_the_guides_messages():
	"""'Using the API': toggle_plugin returns {'success', 'message'} and stores the state."""
	toggle_plugin(plugin_name="visualization", enable=False)
	assert toggle_plugin(plugin_name="visualization", enable=True) == {
		"success": True,
		"message": "Plugin 'visualization' enabled.",
	}
	assert _stored("visualization") == 1
	assert toggle_plugin(plugin_name="data_science", enable=False) == {
		"success": True,
		"message": "Plugin 'data_science' disabled.",
	}
	assert _stored("data_science") == 0


def test_get_plugin_stats_has_the_guides_shape_and_counts():
	"""'Get All Plugin Statistics': five plugins, counts add up, tool counts 19/4/3/0/0."""
	toggle_plugin("websocket", False)
	toggle_plugin("batch_processing", False)
	toggle_plugin("visualization", True)
	stats = get_plugin_stats()
	assert set(stats) == {"total_plugins", "enabled_plugins", "disabled_plugins", "plugins"}
	assert stats["total_plugins"] == 5
	assert stats["enabled_plugins"] + stats["disabled_plugins"] == 5
	by_name = {p["name"]: p for p in stats["plugins"]}
	assert set(by_name) == GUIDE_PLUGINS
	assert all(set(p) == {"name", "display_name", "enabled", "tool_count"} for p in stats["plugins"])
	assert by_name["core"] == {"name": "core", "display_name": "Core", "enabled": True, "tool_count": 19}
	assert by_name["visualization"] == {
		"name": "visualization",
		"display_name": "Visualization",
		"enabled": True,
		"tool_count": 3,
	}
	assert by_name["data_science"]["tool_count"] == 4
	assert by_name["websocket"]["enabled"] is False
	assert stats["enabled_plugins"] == sum(p["enabled"] for p in stats["plugins"])


def test_individual_plugin_configuration_is_a_document():
	"""'Get Individual Plugin Configuration': display name, enabled flag, last toggled time."""
	toggle_plugin("data_science", False)
	toggle_plugin("data_science", True)
	config = frappe.get_doc("FAC Plugin Configuration", "data_science")
	assert config.display_name == "Data Science"
	assert config.enabled == 1
	assert config.last_toggled_at
	assert config.last_toggled_by == "Administrator"
	assert config.discovered_at


def test_plugin_manager_api_reference():
	"""'PluginManager Class': discovered list, enabled set, tools dict, enable/disable, refresh."""
	pm = get_plugin_manager()
	discovered = pm.get_discovered_plugins()
	assert {p["name"] for p in discovered} == GUIDE_PLUGINS
	pm.enable_plugin("visualization")
	pm.disable_plugin("data_science")
	enabled = pm.get_enabled_plugins()
	assert isinstance(enabled, set)
	assert {"core", "visualization"} <= enabled and "data_science" not in enabled
	tools = pm.get_all_tools()
	assert isinstance(tools, dict)
	assert all(isinstance(info, ToolInfo) and info.name == name for name, info in tools.items())
	assert not any(info.plugin_name == "data_science" for info in tools.values())
	assert pm.refresh_plugins() is True
	assert {p["name"] for p in pm.get_discovered_plugins()} == GUIDE_PLUGINS


def test_plugin_persistence_api_reference():
	"""'PluginPersistence Class': load the enabled set; save one plugin's state atomically."""
	persistence = PluginPersistence()
	assert persistence.save_plugin_state("visualization", enabled=False) is False
	assert "visualization" not in persistence.load_enabled_plugins()
	assert persistence.save_plugin_state("visualization", enabled=True) is True
	enabled_set = persistence.load_enabled_plugins()
	assert "visualization" in enabled_set and "core" in enabled_set
	assert frappe.db.count("FAC Plugin Configuration", {"plugin_name": "visualization"}) == 1


def test_get_all_plugins_lists_details_for_the_admin_page():
	"""'Admin API Functions': get_all_plugins returns every plugin with its details."""
	plugins = {p["name"]: p for p in get_all_plugins()}
	assert set(plugins) == GUIDE_PLUGINS
	core = plugins["core"]
	assert core["always_enabled"] and core["enabled"] and core["tool_count"] == 19
	assert plugins["websocket"]["description"].endswith("(under development)")


def test_scenario_1_production_setup_with_minimal_tools():
	"""'Scenario 1': core and visualization on, the rest off."""
	toggle_plugin("core", True)
	toggle_plugin("visualization", True)
	toggle_plugin("data_science", False)
	toggle_plugin("websocket", False)
	toggle_plugin("batch_processing", False)
	assert get_plugin_manager().get_enabled_plugins() == {"core", "visualization"}
	rows = dict(frappe.get_all("FAC Plugin Configuration", fields=["plugin_name", "enabled"], as_list=True))
	assert rows == {"core": 1, "visualization": 1, "data_science": 0, "websocket": 0, "batch_processing": 0}


def test_scenario_2_enabling_every_row_directly_is_picked_up():
	"""'Scenario 2': db.set_value on every row, then commit; the stats show all enabled.

	A direct write bypasses the controller; the admin API re-reads the rows and publishes the
	difference to every worker.
	"""
	toggle_plugin("websocket", False)
	frappe.db.commit()
	get_plugin_manager().get_enabled_plugins()  # a snapshot from before the direct write
	try:
		configs = frappe.get_all("FAC Plugin Configuration", pluck="plugin_name")
		for plugin in configs:
			frappe.db.set_value("FAC Plugin Configuration", plugin, "enabled", 1)
		frappe.db.commit()
		stats = get_plugin_stats()
		assert stats["enabled_plugins"] == 5 and stats["disabled_plugins"] == 0
		assert get_plugin_manager().get_enabled_plugins() == GUIDE_PLUGINS
	finally:
		frappe.db.commit()


def test_scenario_3_check_plugin_health():
	"""'Scenario 3': each discovered plugin reports loaded and validation_error."""
	toggle_plugin("websocket", False)
	lines = []
	for plugin in get_plugin_manager().get_discovered_plugins():
		status = "✓ Enabled" if plugin["loaded"] else "✗ Disabled"
		error = f" (Error: {plugin['validation_error']})" if plugin.get("validation_error") else ""
		lines.append(f"{plugin['display_name']}: {status}{error}")
	assert "Core: ✓ Enabled" in lines
	assert "WebSocket: ✗ Disabled" in lines


def test_refresh_plugin_manager_returns_a_working_manager_without_deadlock():
	"""'Tools Not Appearing After Enable': refresh_plugin_manager() gives a fresh, working manager."""
	before = get_plugin_manager()
	after = refresh_plugin_manager()
	assert after is not before and after is get_plugin_manager()
	assert "core" in after.get_enabled_plugins()


def test_duplicate_cleanup_snippet_finds_nothing_because_names_are_unique():
	"""'Duplicate Plugin Records': the guide's query returns no duplicates (plugin_name is unique)."""
	duplicates = frappe.db.sql(
		"""SELECT plugin_name, COUNT(*) as cnt FROM `tabFAC Plugin Configuration`
		GROUP BY plugin_name HAVING cnt > 1""",
		as_dict=True,
	)
	assert duplicates == []
