"""Find the plugins shipped in `frappe_assistant_core/plugins/*/plugin.py`, without their tools.

Each plugin module is imported (with a time limit, in a helper thread) and its BasePlugin subclass
instantiated and asked `validate_environment()`. A plugin that fails to import, hangs, or whose
environment check fails is still listed, with `can_enable=False` and the reason, so one broken
plugin never hides the others. Tool modules are not imported here.
"""

from __future__ import annotations

import importlib
import os
import threading
from dataclasses import dataclass, field

import frappe

from frappe_assistant_core.plugins.base_plugin import BasePlugin

PLUGIN_PACKAGE = "frappe_assistant_core.plugins"
IMPORT_TIMEOUT_SECONDS = 10.0


@dataclass
class DiscoveredPlugin:
	"""A plugin found on disk, working or not."""

	name: str
	display_name: str
	description: str = ""
	version: str = "unknown"
	always_enabled: bool = False
	tools: tuple[str, ...] = ()
	instance: BasePlugin | None = None
	validation_error: str | None = None
	info: dict = field(default_factory=dict)
	package: str = PLUGIN_PACKAGE

	@property
	def can_enable(self) -> bool:
		return self.instance is not None and not self.validation_error

	@property
	def tools_dir(self) -> str:
		return os.path.join(plugins_directory(self.package), self.name, "tools")


def plugins_directory(package: str = PLUGIN_PACKAGE) -> str:
	return os.path.dirname(importlib.import_module(package).__file__)


class PluginDiscovery:
	"""Stateless scanner; `discover_plugins()` returns {name: DiscoveredPlugin}, core first."""

	def __init__(self, package: str = PLUGIN_PACKAGE, import_timeout: float = IMPORT_TIMEOUT_SECONDS):
		self.package = package
		self.import_timeout = import_timeout

	def discover_plugins(self) -> dict[str, DiscoveredPlugin]:
		root = plugins_directory(self.package)
		found = {}
		for entry in sorted(os.listdir(root)):
			if entry.startswith(("_", ".")) or not os.path.isfile(os.path.join(root, entry, "plugin.py")):
				continue
			found[entry] = self._load(entry)
		# Always-enabled plugins (core) first, then by name.
		return dict(sorted(found.items(), key=lambda item: (not item[1].always_enabled, item[0])))

	def _load(self, directory: str) -> DiscoveredPlugin:
		broken = DiscoveredPlugin(
			name=directory, display_name=directory.replace("_", " ").title(), package=self.package
		)
		try:
			module = _import_with_timeout(f"{self.package}.{directory}.plugin", self.import_timeout)
			plugin_class = _plugin_class(module)
			if plugin_class is None:
				broken.validation_error = "plugin.py defines no BasePlugin subclass"
				return broken
			instance = plugin_class()
			info = instance.get_info()
		except Exception as exc:
			frappe.logger("frappe_assistant_core").error(f"Plugin {directory!r} failed to load: {exc!r}")
			broken.validation_error = f"Failed to load plugin: {type(exc).__name__}: {exc}"
			return broken
		if info.get("name") != directory:
			broken.validation_error = (
				f"plugin name {info.get('name')!r} differs from its folder {directory!r}"
			)
			return broken
		plugin = DiscoveredPlugin(
			name=directory,
			display_name=info.get("display_name") or broken.display_name,
			description=info.get("description") or "",
			version=info.get("version") or "1.0.0",
			always_enabled=bool(info.get("always_enabled")),
			tools=tuple(instance.get_tools()),
			instance=instance,
			info=info,
			package=self.package,
		)
		try:
			ok, reason = instance.validate_environment()
		except Exception as exc:
			ok, reason = False, f"validate_environment() raised {type(exc).__name__}: {exc}"
		if not ok:
			plugin.validation_error = str(reason or "validate_environment() failed")
		return plugin


def _plugin_class(module) -> type[BasePlugin] | None:
	for value in vars(module).values():
		if (
			isinstance(value, type)
			and issubclass(value, BasePlugin)
			and value is not BasePlugin
			and value.__module__ == module.__name__
		):
			return value
	return None


def _import_with_timeout(module_name: str, timeout: float):
	"""Import in a daemon thread so a plugin whose import hangs cannot hang the caller."""
	outcome: dict = {}

	def _target():
		try:
			outcome["module"] = importlib.import_module(module_name)
		except BaseException as exc:
			outcome["error"] = exc

	worker = threading.Thread(target=_target, name=f"import {module_name}", daemon=True)
	worker.start()
	worker.join(timeout)
	if worker.is_alive():
		raise TimeoutError(f"importing {module_name} did not finish within {timeout:g}s")
	if "error" in outcome:
		raise outcome["error"]
	return outcome["module"]
