"""The baseline: the upstream app's tools/list strategy (upstream-inventory §2.7-2.8, §3.1-3.2).

Re-implemented from the inventory's description, on this repo's DocTypes and tool classes, so both
strategies list the very same tools. What it does per tools/list call, as upstream did:
- re-reads the enabled plugin set from the database on every `get_enabled_plugins()` /
  `get_all_tools()` call, re-importing and re-instantiating every tool when the set differs;
- re-imports and re-instantiates every external (`assistant_tools` hook) tool on every call;
- reads tool configurations from Redis (`fac_tool_registry_configs`, 60 s TTL), rebuilt on a miss
  with one query for the configurations plus one role-access query per configuration;
- resolves categories with one batched query, then looks every listed tool up again with
  `get_tool(name)`: one enabled-set read per tool, plus (for an external tool) a full external
  rediscovery. `per_tool_lookup=False` skips that loop (the single-pass shape a later upstream
  version moved to), as a second, kinder baseline.

Deliberately generous to the baseline: the enabled set is one `get_all` of FAC Plugin Configuration
(upstream actually read the legacy Settings JSON with `get_single`), input schemas are built once
per tool class (upstream built a dict literal in every `__init__`), and the per-user
`assistant_enabled` query upstream ran on every request is left out.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

import frappe

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.core.tool_categories import category_to_annotations, read_tool_class
from frappe_assistant_core.utils.plugin_discovery import PluginDiscovery

PLUGIN_DOCTYPE = "FAC Plugin Configuration"
TOOL_DOCTYPE = "FAC Tool Configuration"
ROLE_DOCTYPE = "FAC Tool Role Access"
CONFIG_CACHE_KEY = "fac_tool_registry_configs"
CONFIG_TTL_SECONDS = 60


@dataclass
class UpstreamToolInfo:
	name: str
	plugin_name: str
	description: str
	instance: BaseTool


@cache
def _schema(tool_class: type[BaseTool]) -> dict:
	return tool_class.input_schema()


def _metadata(instance: BaseTool) -> dict:
	"""upstream BaseTool.get_metadata(): name, description, inputSchema."""
	return {
		"name": instance.name,
		"description": instance.description,
		"inputSchema": _schema(type(instance)),
	}


def _tool_class(module) -> type[BaseTool] | None:
	"""The module's BaseTool subclass, as upstream took "the first one in dir(module)"."""
	for attribute in dir(module):
		value = getattr(module, attribute)
		if isinstance(value, type) and issubclass(value, BaseTool) and value is not BaseTool:
			if value.__module__ == module.__name__:
				return value
	return None


class UpstreamPluginManager:
	"""Process-global (not per site), discovery once, enabled set re-read on every call."""

	def __init__(self):
		self._plugins = PluginDiscovery().discover_plugins()
		self._enabled: set[str] | None = None
		self._loaded: dict[str, UpstreamToolInfo] = {}
		self.get_enabled_plugins()

	def get_enabled_plugins(self) -> set[str]:
		enabled = set(frappe.get_all(PLUGIN_DOCTYPE, filters={"enabled": 1}, pluck="plugin_name"))
		if enabled != self._enabled:
			self._enabled = enabled
			self._load_tools()
		return set(enabled)

	def get_all_tools(self) -> dict[str, UpstreamToolInfo]:
		self.get_enabled_plugins()
		return dict(self._loaded)

	def _load_tools(self) -> None:
		loaded = {}
		for name in sorted(self._enabled or ()):
			plugin = self._plugins.get(name)
			if plugin is None or not plugin.can_enable:
				continue
			for module_name in plugin.tools:
				try:
					module = importlib.import_module(f"{plugin.package}.{name}.tools.{module_name}")
					instance = _tool_class(module)()
				except Exception:
					continue
				loaded[instance.name] = UpstreamToolInfo(instance.name, name, instance.description, instance)
		self._loaded = loaded


class UpstreamToolRegistry:
	"""Filtering by tool configuration and role, with the upstream cache and lookups."""

	def __init__(self, manager: UpstreamPluginManager):
		self.manager = manager

	def _configurations(self) -> dict:
		cached = frappe.cache.get_value(CONFIG_CACHE_KEY)
		if cached is not None:
			return cached
		configs = {}
		rows = frappe.get_all(
			TOOL_DOCTYPE,
			fields=["name", "tool_name", "plugin_name", "enabled", "tool_category", "role_access_mode"],
		)
		for row in rows:
			roles = frappe.get_all(
				ROLE_DOCTYPE, filters={"parent": row.name}, fields=["role", "allow_access"]
			)
			configs[row.tool_name or row.name] = {
				"enabled": row.enabled,
				"tool_category": row.tool_category or "read_write",
				"role_access_mode": row.role_access_mode or "Allow All",
				"role_access": roles,
			}
		frappe.cache.set_value(CONFIG_CACHE_KEY, configs, expires_in_sec=CONFIG_TTL_SECONDS)
		return configs

	def _is_accessible(self, name: str, user: str) -> bool:
		config = self._configurations().get(name)
		if config is not None and not config["enabled"]:
			return False
		config = self._configurations().get(name)
		if config is None or config["role_access_mode"] == "Allow All":
			return True
		roles = set(frappe.get_roles(user))
		if "System Manager" in roles:
			return True
		return any(a.get("role") in roles and a.get("allow_access") for a in config["role_access"])

	def _permitted(self, instance: BaseTool) -> bool:
		doctype = instance.requires_permission
		return not doctype or bool(frappe.has_permission(doctype, "read"))

	def external_tools(self) -> dict[str, UpstreamToolInfo]:
		"""Every hook tool, imported and instantiated again on each call."""
		self.manager.get_enabled_plugins()  # upstream gated this on custom_tools being enabled
		tools = {}
		for dotted in frappe.get_hooks("assistant_tools") or []:
			module_name, _, class_name = dotted.rpartition(".")
			try:
				tool_class = getattr(importlib.import_module(module_name), class_name)
				if not issubclass(tool_class, BaseTool):
					continue
				instance = tool_class()
			except Exception:
				continue
			tools[instance.name] = UpstreamToolInfo(instance.name, "external", instance.description, instance)
		return tools

	def get_tool(self, name: str) -> BaseTool | None:
		info = self.manager.get_all_tools().get(name)
		if info is not None:
			return info.instance
		info = self.external_tools().get(name)
		return info.instance if info else None

	def get_available_tools(self, user: str) -> list[dict]:
		tools = self.manager.get_all_tools()
		for name, info in self.external_tools().items():
			tools.setdefault(name, info)  # this repo refuses name collisions; upstream let them shadow
		return [
			_metadata(info.instance)
			for name, info in tools.items()
			if self._is_accessible(name, user) and self._permitted(info.instance)
		]


def _categories(names: list[str], registry: UpstreamToolRegistry) -> dict[str, str]:
	rows = frappe.get_all(
		TOOL_DOCTYPE,
		filters={"tool_name": ["in", names]} if names else {},
		fields=["tool_name", "tool_category"],
		ignore_permissions=True,
	)
	categories = {row.tool_name: row.tool_category for row in rows if row.tool_category}
	for name in names:
		if name not in categories:
			instance = registry.get_tool(name)
			source = instance and read_tool_class(f"{type(instance).__module__}.{type(instance).__name__}")
			categories[name] = source.category if source else "read_write"
	return categories


_manager: UpstreamPluginManager | None = None


def tools_list(user: str, per_tool_lookup: bool = True) -> list[dict]:
	"""The MCP tools/list result for `user`, computed the upstream way."""
	global _manager
	if _manager is None:
		_manager = UpstreamPluginManager()
	registry = UpstreamToolRegistry(_manager)
	available = registry.get_available_tools(user)
	names = [tool["name"] for tool in available]
	categories = _categories(names, registry)
	listed = {}
	for tool in available:
		name = tool["name"]
		instance = registry.get_tool(name) if per_tool_lookup else None
		entry = _metadata(instance) if instance is not None else dict(tool)
		entry["annotations"] = category_to_annotations(categories.get(name, "read_write"))
		listed[name] = entry
	return list(listed.values())
