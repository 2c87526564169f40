"""Plugin rules: what may be toggled, how broken plugins are listed, and that hooks run."""

from __future__ import annotations

import sys
import textwrap

import frappe
import pytest

from frappe_assistant_core.api.admin_api import toggle_plugin
from frappe_assistant_core.exceptions import PluginNotFoundError, PluginValidationError
from frappe_assistant_core.plugins.data_science.plugin import DataSciencePlugin
from frappe_assistant_core.plugins.visualization.plugin import VisualizationPlugin
from frappe_assistant_core.utils.plugin_discovery import PluginDiscovery
from frappe_assistant_core.utils.plugin_manager import PluginManager, get_plugin_manager


def _stored(plugin: str) -> int:
	return frappe.db.get_value("FAC Plugin Configuration", plugin, "enabled")


def test_core_plugin_cannot_be_disabled_by_api_manager_or_desk():
	"""core is always enabled: every path refuses to disable it and the row stays enabled."""
	with pytest.raises(PluginValidationError, match="always enabled"):
		toggle_plugin("core", False)
	with pytest.raises(PluginValidationError, match="always enabled"):
		get_plugin_manager().disable_plugin("core")
	doc = frappe.get_doc("FAC Plugin Configuration", "core")
	doc.enabled = 0
	with pytest.raises(PluginValidationError, match="always enabled"):
		doc.save()
	frappe.db.rollback()
	assert _stored("core") == 1
	assert "core" in get_plugin_manager().get_enabled_plugins()


def test_desk_save_is_a_toggle_with_the_same_effect_as_the_api():
	"""Saving the row in Desk changes the enabled set at once and stamps who toggled it."""
	toggle_plugin("visualization", True)
	assert "visualization" in get_plugin_manager().get_enabled_plugins()
	doc = frappe.get_doc("FAC Plugin Configuration", "visualization")
	doc.enabled = 0
	doc.save()
	assert "visualization" not in get_plugin_manager().get_enabled_plugins()
	assert not any(t.plugin_name == "visualization" for t in get_plugin_manager().get_all_tools().values())
	assert doc.last_toggled_by == "Administrator"


def test_unknown_plugin_is_not_found_and_changes_nothing():
	"""PluginNotFoundError (a DoesNotExistError) for a name no plugin has; no row is created."""
	with pytest.raises(PluginNotFoundError, match="not found"):
		toggle_plugin("no_such_plugin", True)
	with pytest.raises(PluginNotFoundError):
		frappe.get_doc({"doctype": "FAC Plugin Configuration", "plugin_name": "no_such_plugin"}).insert()
	assert not frappe.db.exists("FAC Plugin Configuration", "no_such_plugin")


def test_plugin_with_failing_environment_is_listed_and_cannot_be_enabled(monkeypatch):
	"""validate_environment() failing: validation_error shown, can_enable False, enable refused."""
	toggle_plugin("data_science", False)
	frappe.db.commit()  # the rollbacks below must not undo this setup
	monkeypatch.setattr(
		DataSciencePlugin, "validate_environment", lambda self: (False, "Missing dependencies: pandas")
	)
	manager = get_plugin_manager()
	manager.refresh_plugins()
	try:
		info = next(p for p in manager.get_discovered_plugins() if p["name"] == "data_science")
		assert info["can_enable"] is False
		assert info["validation_error"] == "Missing dependencies: pandas"
		with pytest.raises(PluginValidationError, match="Missing dependencies: pandas"):
			toggle_plugin("data_science", True)
		doc = frappe.get_doc("FAC Plugin Configuration", "data_science")
		doc.enabled = 1
		with pytest.raises(PluginValidationError, match="Missing dependencies"):
			doc.save()
		frappe.db.rollback()
		assert _stored("data_science") == 0
	finally:
		monkeypatch.undo()
		manager.refresh_plugins()
		toggle_plugin("data_science", True)  # as the suite's site has it
		frappe.db.commit()


def test_on_enable_and_on_disable_run_when_the_state_changes(monkeypatch):
	"""Lifecycle hooks run once per real change, never for a no-op toggle."""
	calls = []
	monkeypatch.setattr(VisualizationPlugin, "on_enable", lambda self: calls.append("enable"))
	monkeypatch.setattr(VisualizationPlugin, "on_disable", lambda self: calls.append("disable"))
	toggle_plugin("visualization", True)
	calls.clear()
	toggle_plugin("visualization", False)
	toggle_plugin("visualization", False)
	toggle_plugin("visualization", True)
	assert calls == ["disable", "enable"]


def test_toggling_to_the_current_state_writes_nothing():
	"""Idempotent: a repeated toggle neither saves the row nor adds a Version."""
	toggle_plugin("visualization", True)
	modified = frappe.db.get_value("FAC Plugin Configuration", "visualization", "modified")
	versions = frappe.db.count(
		"Version", {"ref_doctype": "FAC Plugin Configuration", "docname": "visualization"}
	)
	toggle_plugin("visualization", True)
	assert frappe.db.get_value("FAC Plugin Configuration", "visualization", "modified") == modified
	assert versions == frappe.db.count(
		"Version", {"ref_doctype": "FAC Plugin Configuration", "docname": "visualization"}
	)


@pytest.fixture
def plugin_package(tmp_path):
	"""A plugins package with a working plugin, one that raises on import and one that hangs."""
	package = tmp_path / "fac_probe_plugins"
	files = {
		"__init__.py": "",
		"good/__init__.py": "",
		"good/plugin.py": """
			from frappe_assistant_core.plugins.base_plugin import BasePlugin
			class GoodPlugin(BasePlugin):
				name = "good"
				display_name = "Good"
		""",
		"broken/__init__.py": "",
		"broken/plugin.py": "raise RuntimeError('kaboom at import')",
		"hangs/__init__.py": "",
		"hangs/plugin.py": "import time\ntime.sleep(30)",
		"needs_lib/__init__.py": "",
		"needs_lib/plugin.py": """
			from frappe_assistant_core.plugins.base_plugin import BasePlugin
			class NeedsLib(BasePlugin):
				name = "needs_lib"
				dependencies = ("surely_not_installed_lib",)
		""",
	}
	for path, text in files.items():
		(package / path).parent.mkdir(parents=True, exist_ok=True)
		(package / path).write_text(textwrap.dedent(text))
	sys.path.insert(0, str(tmp_path))
	yield "fac_probe_plugins"
	sys.path.remove(str(tmp_path))
	for name in [m for m in sys.modules if m.startswith("fac_probe_plugins")]:
		del sys.modules[name]


def test_broken_and_hanging_plugins_are_listed_and_the_rest_keeps_working(plugin_package):
	"""A plugin that raises or hangs on import is listed with the reason; others still load."""
	discovery = PluginDiscovery(package=plugin_package, import_timeout=1.0)
	manager = PluginManager("probe-site", discovery=discovery)
	plugins = {p["name"]: p for p in manager.get_discovered_plugins()}
	assert set(plugins) == {"good", "broken", "hangs", "needs_lib"}
	assert plugins["good"]["can_enable"] and plugins["good"]["validation_error"] is None
	assert plugins["broken"]["can_enable"] is False
	assert "RuntimeError: kaboom at import" in plugins["broken"]["validation_error"]
	assert plugins["hangs"]["can_enable"] is False
	assert "did not finish within 1s" in plugins["hangs"]["validation_error"]
	assert plugins["needs_lib"]["validation_error"] == "Missing dependencies: surely_not_installed_lib"
	for name in ("broken", "hangs", "needs_lib"):
		with pytest.raises(PluginValidationError):
			manager.enable_plugin(name)


def test_manager_state_is_kept_per_site(monkeypatch):
	"""Each site of a bench gets its own manager in a worker; switching back finds the first again."""
	from frappe_assistant_core.utils import plugin_manager

	this_site = get_plugin_manager()
	monkeypatch.setattr(frappe.local, "site", "other-site.localhost", raising=False)
	other_site = plugin_manager.get_plugin_manager()
	assert other_site is not this_site and other_site.site == "other-site.localhost"
	monkeypatch.undo()
	assert get_plugin_manager() is this_site


def test_refresh_plugin_manager_from_many_threads_never_deadlocks():
	"""refresh_plugin_manager() and get_plugin_manager() racing in threads all finish promptly."""
	import threading

	from frappe_assistant_core.utils.plugin_manager import refresh_plugin_manager

	site, conf, errors = frappe.local.site, frappe.local.conf, []

	def hammer():
		frappe.local.site, frappe.local.conf = site, conf  # frappe.local is per thread
		try:
			for _ in range(50):
				refresh_plugin_manager()
				get_plugin_manager()
		except Exception as exc:
			errors.append(exc)

	threads = [threading.Thread(target=hammer, daemon=True) for _ in range(4)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=30)
	assert not any(t.is_alive() for t in threads), "a thread is stuck: deadlock"
	assert errors == []
