"""The per-site plugin manager: discovered plugins, enabled set, loaded tools, kept consistent.

State is held per site and per process. Discovery (code) happens once; the enabled set and tool
configuration (database) live in a snapshot (core.snapshot) tagged with the site's version token
from Redis (utils.cache_version), so a steady-state call costs one Redis GET and no query, and a
change committed by any worker is seen by every other worker on its very next call. The DocTypes are the only
source of truth; every toggle goes through the FAC Plugin Configuration controller.
"""

from __future__ import annotations

import threading
import time

import frappe
from frappe import _

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.core.snapshot import Snapshot, ToolInfo
from frappe_assistant_core.core.tool_catalog import EXTERNAL_PLUGIN, CatalogEntry, build_catalog, load_tool
from frappe_assistant_core.core.tool_registry import ToolRegistry
from frappe_assistant_core.exceptions import PluginNotFoundError, PluginValidationError
from frappe_assistant_core.utils import cache_version
from frappe_assistant_core.utils.plugin_discovery import DiscoveredPlugin, PluginDiscovery
from frappe_assistant_core.utils.plugin_persistence import PluginPersistence, ToolConfig
from frappe_assistant_core.utils.read_freshness import (
	checked_in_this_request,
	remember_checked,
	start_fresh_read,
)

__all__ = [
	"PluginDiscovery",
	"PluginManager",
	"PluginPersistence",
	"Snapshot",
	"ToolInfo",
	"get_plugin_manager",
	"get_tool_registry",
	"refresh_plugin_manager",
]


class PluginManager:
	"""Plugins and tools of one site. Build with get_plugin_manager(); cheap until first used."""

	def __init__(self, site: str, discovery: PluginDiscovery | None = None):
		self.site = site
		self._lock = threading.RLock()
		self._discovery = discovery or PluginDiscovery()
		self._persistence = PluginPersistence()
		self._plugins: dict[str, DiscoveredPlugin] | None = None
		self._catalog: dict[str, CatalogEntry] | None = None
		self._instances: dict[str, BaseTool | None] = {}
		self._snapshot: Snapshot | None = None

	# -- discovery (code) ---------------------------------------------------------------------
	def _discovered(self) -> dict[str, DiscoveredPlugin]:
		if self._plugins is None:
			with self._lock:
				if self._plugins is None:
					plugins = self._discovery.discover_plugins()
					self._catalog = build_catalog(plugins)
					self._plugins = plugins
		return self._plugins

	def get_plugin(self, plugin_name: str) -> DiscoveredPlugin:
		"""The discovered plugin, or PluginNotFoundError."""
		plugin = self._discovered().get(plugin_name) if isinstance(plugin_name, str) else None
		if plugin is None:
			frappe.throw(
				_("Plugin {0} not found").format(frappe.bold(str(plugin_name))),
				PluginNotFoundError,
				title=_("Unknown plugin"),
			)
		return plugin

	def discovered_plugins(self) -> dict[str, DiscoveredPlugin]:
		"""The plugins found in code, without reading any state or loading any tool."""
		return dict(self._discovered())

	def get_tool_catalog(self) -> dict[str, CatalogEntry]:
		"""Every tool in code, of enabled and disabled plugins and of other apps (nothing imported)."""
		self._discovered()
		return dict(self._catalog)

	def get_discovered_plugins(self) -> list[dict]:
		"""One dict per plugin: name, display_name, description, version, loaded, can_enable,
		validation_error, always_enabled, tools (tool names)."""
		enabled = self.get_enabled_plugins()
		return [
			{
				"name": p.name,
				"display_name": p.display_name,
				"description": p.description,
				"version": p.version,
				"loaded": p.name in enabled,
				"can_enable": p.can_enable,
				"validation_error": p.validation_error,
				"always_enabled": p.always_enabled,
				"tools": list(p.tools),
			}
			for p in self._discovered().values()
		]

	# -- state (database, cached per version) ----------------------------------------------------
	def get_enabled_plugins(self) -> set[str]:
		"""Names of the plugins whose tools are loaded now."""
		return set(self._current().enabled)

	def get_all_tools(self) -> dict[str, ToolInfo]:
		"""{name: ToolInfo} of every tool of an enabled plugin plus other apps' tools."""
		return dict(self._current().tools)

	def get_tool_configs(self) -> dict[str, ToolConfig]:
		"""The stored tool switches, from the same snapshot as get_all_tools()."""
		return self._current().tool_configs

	def snapshot(self) -> Snapshot:
		"""The current state in one piece (one Redis read when nothing changed, no query)."""
		return self._current()

	def enable_plugin(self, plugin_name: str) -> bool:
		"""Enable and persist; raises PluginNotFoundError / PluginValidationError, changing nothing.

		:param plugin_name: the plugin's name (its folder under plugins/)
		:returns: True, the state now stored
		"""
		plugin = self.get_plugin(plugin_name)
		if not plugin.can_enable:
			frappe.throw(
				_("Plugin {0} cannot be enabled: {1}").format(plugin_name, plugin.validation_error),
				PluginValidationError,
				title=_("Plugin unavailable"),
			)
		return self._persistence.save_plugin_state(plugin_name, True)

	def disable_plugin(self, plugin_name: str) -> bool:
		"""Disable and persist; core (always enabled) is refused.

		:param plugin_name: the plugin's name
		:returns: False, the state now stored
		"""
		plugin = self.get_plugin(plugin_name)
		if plugin.always_enabled:
			frappe.throw(
				_("Plugin {0} is always enabled and cannot be disabled").format(plugin_name),
				PluginValidationError,
				title=_("Plugin required"),
			)
		return self._persistence.save_plugin_state(plugin_name, False)

	def refresh_plugins(self) -> bool:
		"""Re-discover plugins and external tools from code, and reload state on next use."""
		with self._lock:
			self._plugins = None
			self._catalog = None
			self._snapshot = None
		self._discovered()
		return True

	def invalidate(self) -> None:
		"""Forget the state snapshot (the next call reloads it from the database)."""
		self._snapshot = None

	def reload(self) -> None:
		"""Re-read state from the database now; a difference found is published to every worker."""
		self._current(force=True)

	def _current(self, force: bool = False) -> Snapshot:
		previous = self._snapshot
		if not force and previous is not None and checked_in_this_request() is previous:
			return previous  # one version check per HTTP request is enough
		version = cache_version.current_version()
		if not force and previous is not None and version is not None and previous.version == version:
			remember_checked(previous)
			return previous
		if version is not None and not start_fresh_read():
			version = None  # this transaction may predate the token: use the state, do not keep it
		snapshot = self._load(version)
		if previous is not None and previous.version == version and not snapshot.same_state(previous):
			# The database changed without publish_change() (a direct write): tell every worker.
			cache_version.bump_version()
			snapshot = self._load(cache_version.current_version())
		if snapshot.version is not None:
			cache_version.record_state(snapshot.version, snapshot.fingerprint)
		# Without Redis no token can prove a snapshot current: keep none, read the DB every time.
		self._snapshot = snapshot if snapshot.version is not None else None
		remember_checked(self._snapshot)
		return snapshot

	def _load(self, version: str | None) -> Snapshot:
		plugins = self._discovered()
		rows = self._persistence.load_plugin_rows()
		enabled = frozenset(
			name for name, p in plugins.items() if p.can_enable and (p.always_enabled or rows.get(name))
		)
		configs = self._persistence.load_tool_configs()
		tools = {}
		for name, entry in self._catalog.items():
			if entry.plugin_name != EXTERNAL_PLUGIN and entry.plugin_name not in enabled:
				continue
			instance = self._instance(entry)
			if instance is None:
				continue
			config = configs.get(name)
			tools[name] = ToolInfo(
				name=name,
				plugin_name=entry.plugin_name,
				description=instance.description or entry.description,
				instance=instance,
				source_app=entry.source_app,
				category=(config and config.category) or entry.category,
				module_path=entry.module_path,
			)
		return Snapshot(
			version=version,
			enabled=enabled,
			tools=tools,
			tool_configs=configs,
			settings=self._persistence.load_settings(),
			loaded_at=time.monotonic(),
		)

	def _instance(self, entry: CatalogEntry) -> BaseTool | None:
		if entry.name not in self._instances:
			with self._lock:
				if entry.name not in self._instances:
					self._instances[entry.name] = load_tool(entry)
		return self._instances[entry.name]


def revalidate_registry() -> None:
	"""Scheduler job (every minute): publish a change that bypassed the controllers.

	Workers trust the version token alone, so a steady-state request reads no configuration from
	the database. A write made without publish_change() (raw SQL, frappe.db.set_value, a crash
	between COMMIT and the token bump) leaves the token as it was; this job reads the state once,
	compares its fingerprint with the one recorded for the current token, and bumps the token when
	they differ, so every worker reloads within a minute.
	"""
	version = cache_version.current_version()
	if version is None or not start_fresh_read():
		return  # no token to check, or a transaction whose reads could predate the last commit
	fingerprint = get_plugin_manager()._load(version).fingerprint
	recorded = cache_version.recorded_state()
	if recorded == (version, fingerprint):
		return
	if recorded is not None and recorded[0] == version:
		cache_version.bump_version()
	else:
		cache_version.record_state(version, fingerprint)


_managers: dict[str, PluginManager] = {}
_managers_lock = threading.Lock()


def _site_key() -> str:
	return getattr(frappe.local, "site", None) or frappe.local.conf.db_name


def get_plugin_manager() -> PluginManager:
	"""The plugin manager of the current site in this process."""
	key = _site_key()
	manager = _managers.get(key)
	if manager is None:
		with _managers_lock:
			manager = _managers.get(key)
			if manager is None:
				manager = _managers[key] = PluginManager(key)
	return manager


def refresh_plugin_manager() -> PluginManager:
	"""Drop this site's manager and return a fresh one; every worker reloads its state too."""
	key = _site_key()
	with _managers_lock:
		_managers.pop(key, None)
	cache_version.bump_version()
	return get_plugin_manager()


def get_tool_registry() -> ToolRegistry:
	"""The visibility rule (core.tool_registry) over this site's plugin manager."""
	return ToolRegistry(get_plugin_manager())
