"""Every tool that exists in code, read from source files without importing them.

Built-in tools come from each discovered plugin's tool list (module name == tool name); external
tools come from other apps' `assistant_tools` hook (dotted class paths). The catalog is what the
migrate sync and the admin screens list, including tools of disabled plugins. `load_tool` imports
one tool class, and is only called for tools of enabled plugins and external tools.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import frappe

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.core.tool_categories import read_tool_class, read_tool_source

if TYPE_CHECKING:
	from frappe_assistant_core.utils.plugin_discovery import DiscoveredPlugin

EXTERNAL_PLUGIN = "external"
APP_NAME = "frappe_assistant_core"


@dataclass(frozen=True)
class CatalogEntry:
	name: str
	plugin_name: str
	source_app: str
	module_path: str  # dotted path of the tool class
	description: str
	category: str  # as detected from the source


def build_catalog(plugins: dict[str, DiscoveredPlugin]) -> dict[str, CatalogEntry]:
	"""{tool name: entry}: built-in tools in plugin order, then external tools."""
	log = frappe.logger("frappe_assistant_core")
	catalog: dict[str, CatalogEntry] = {}
	for plugin in plugins.values():
		for module in plugin.tools:
			source = read_tool_source(os.path.join(plugin.tools_dir, f"{module}.py"))
			if source is None or source.name != module:
				log.error(
					f"Plugin {plugin.name!r}: tool module {module!r} is missing or its tool name differs"
				)
				continue
			catalog[module] = CatalogEntry(
				name=module,
				plugin_name=plugin.name,
				source_app=APP_NAME,
				module_path=f"{plugin.package}.{plugin.name}.tools.{module}.{source.class_name}",
				description=source.description,
				category=source.category,
			)
	for dotted in frappe.get_hooks("assistant_tools") or []:
		source = read_tool_class(dotted)
		app = dotted.split(".", 1)[0]
		if source is None:
			log.error(f"assistant_tools hook entry {dotted!r} (app {app}) is not a readable tool class")
			continue
		if source.name in catalog:
			log.error(
				f"External tool {source.name!r} from app {app} ({dotted}) has the name of an existing tool"
				" and is ignored; rename it"
			)
			continue
		catalog[source.name] = CatalogEntry(
			name=source.name,
			plugin_name=EXTERNAL_PLUGIN,
			source_app=app,
			module_path=dotted,
			description=source.description,
			category=source.category,
		)
	return catalog


def load_tool(entry: CatalogEntry) -> BaseTool | None:
	"""Import and instantiate one tool; None (and an error log) if it cannot be loaded."""
	module_name, _, class_name = entry.module_path.rpartition(".")
	try:
		tool_class = getattr(importlib.import_module(module_name), class_name)
		if not (isinstance(tool_class, type) and issubclass(tool_class, BaseTool)):
			raise TypeError(f"{entry.module_path} is not a BaseTool subclass")
		if tool_class.name != entry.name:
			raise ValueError(f"{entry.module_path}.name is {tool_class.name!r}, expected {entry.name!r}")
		tool = tool_class()
	except Exception as exc:
		frappe.logger("frappe_assistant_core").error(f"Tool {entry.name!r} failed to load: {exc!r}")
		return None
	tool.source_app = entry.source_app
	return tool
