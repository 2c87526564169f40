"""The contract of a plugin: a named group of tools that an administrator switches on and off.

A plugin lives in `plugins/<name>/plugin.py` and names its tool modules (in `plugins/<name>/tools/`)
without importing them, so discovery stays cheap and a disabled plugin's tools are never loaded.
"""

from __future__ import annotations

import importlib.util
from typing import ClassVar

from frappe import _


class BasePlugin:
	"""Subclass and set the class attributes; override the hooks you need."""

	name: ClassVar[str] = ""
	display_name: ClassVar[str] = ""
	description: ClassVar[str] = ""
	version: ClassVar[str] = "1.0.0"
	#: Importable modules the plugin needs; validate_environment() names those missing.
	dependencies: ClassVar[tuple[str, ...]] = ()
	#: Tool module names in this plugin's tools/ folder (module name == MCP tool name).
	tools: ClassVar[tuple[str, ...]] = ()
	#: An always-enabled plugin cannot be disabled (core).
	always_enabled: ClassVar[bool] = False
	requires_restart: ClassVar[bool] = False

	def get_info(self) -> dict:
		return {
			"name": self.name,
			"display_name": self.display_name or self.name.replace("_", " ").title(),
			"description": self.description,
			"version": self.version,
			"dependencies": list(self.dependencies),
			"requires_restart": self.requires_restart,
			"always_enabled": self.always_enabled,
		}

	def get_tools(self) -> list[str]:
		return list(self.tools)

	def validate_environment(self) -> tuple[bool, str | None]:
		"""(can_enable, reason): by default, every dependency must be importable."""
		missing = [dep for dep in self.dependencies if importlib.util.find_spec(dep) is None]
		if missing:
			return False, _("Missing dependencies: {0}").format(", ".join(missing))
		return True, None

	def on_enable(self) -> None:
		"""Called in the transaction that enables the plugin."""

	def on_disable(self) -> None:
		"""Called in the transaction that disables the plugin."""
