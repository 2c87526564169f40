"""Make the configuration rows match the code (bench migrate / install), never the reverse.

Plugins: a new plugin gets a row (enabled by default, unless its environment check fails); an
orphan row (plugin gone from code) is deleted; existing rows keep their state. Tools: every tool in
code, of enabled and disabled plugins and of other apps, gets a row, switched on only when the
tool reads (core.tool_defaults); code-derived fields (plugin, description, source, detected
category) follow the code; switches, manual categories and role lists are kept; orphans are
deleted. Reads and inserts are batched, and a run with nothing to do writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import frappe
from frappe.utils import now_datetime

from frappe_assistant_core.core.tool_catalog import CatalogEntry
from frappe_assistant_core.core.tool_defaults import starts_enabled
from frappe_assistant_core.utils.cache import publish_change
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.utils.plugin_persistence import PLUGIN_DOCTYPE, ROLE_DOCTYPE, TOOL_DOCTYPE

_CODE_FIELDS = ("plugin_name", "description", "source_app", "module_path", "auto_detected_category")
# CatalogEntry attribute holding each code-derived field, where the names differ.
_ENTRY_FIELD = {"auto_detected_category": "category"}


@dataclass
class SyncReport:
	plugins_created: list[str] = field(default_factory=list)
	plugins_deleted: list[str] = field(default_factory=list)
	tools_created: list[str] = field(default_factory=list)
	tools_updated: list[str] = field(default_factory=list)
	tools_deleted: list[str] = field(default_factory=list)

	@property
	def writes(self) -> int:
		return sum(len(v) for v in vars(self).values())

	def summary(self) -> str:
		return (
			f"FAC sync: plugins {len(self.plugins_created)} created, {len(self.plugins_deleted)} deleted;"
			f" tools {len(self.tools_created)} created, {len(self.tools_updated)} updated,"
			f" {len(self.tools_deleted)} deleted"
		)


def sync_all() -> SyncReport:
	"""Sync plugin then tool rows from freshly discovered code; logs and returns what changed."""
	manager = get_plugin_manager()
	manager.refresh_plugins()
	report = SyncReport()
	_sync_plugin_configurations(manager, report)
	_sync_tool_configurations(manager.get_tool_catalog(), report)
	if report.writes:
		publish_change()
	message = report.summary()
	frappe.logger("frappe_assistant_core").info(message)
	for label, names in (("created", report.plugins_created), ("deleted", report.plugins_deleted)):
		if names:
			frappe.logger("frappe_assistant_core").info(f"FAC sync: plugin rows {label}: {', '.join(names)}")
	print(message)
	return report


def _sync_plugin_configurations(manager, report: SyncReport) -> None:
	# Code only: the sync never needs the tools loaded (that would import every enabled tool).
	plugins = manager.discovered_plugins()
	existing = set(frappe.get_all(PLUGIN_DOCTYPE, pluck="plugin_name"))
	for name, plugin in plugins.items():
		if name in existing:
			continue
		doc = frappe.get_doc(
			{
				"doctype": PLUGIN_DOCTYPE,
				"plugin_name": name,
				"enabled": int(plugin.can_enable),
				"discovered_at": now_datetime(),
			}
		)
		doc.insert(ignore_permissions=True)
		report.plugins_created.append(name)
	for name in sorted(existing - set(plugins)):
		frappe.delete_doc(PLUGIN_DOCTYPE, name, force=True, ignore_permissions=True)
		report.plugins_deleted.append(name)


def _sync_tool_configurations(catalog: dict[str, CatalogEntry], report: SyncReport) -> None:
	rows = {
		row.name: row
		for row in frappe.get_all(
			TOOL_DOCTYPE, fields=["name", "tool_category", "category_override", *_CODE_FIELDS]
		)
	}
	new = [entry for name, entry in catalog.items() if name not in rows]
	if new:
		_bulk_insert_tools(new)
		report.tools_created.extend(e.name for e in new)
	for name, row in rows.items():
		entry = catalog.get(name)
		if entry is None:
			continue
		changes = {
			f: v for f, v in zip(_CODE_FIELDS, _code_values(entry), strict=True) if (row.get(f) or "") != v
		}
		if not row.category_override and row.tool_category != entry.category:
			changes["tool_category"] = entry.category
		if changes:
			frappe.db.set_value(TOOL_DOCTYPE, name, changes, update_modified=False)
			report.tools_updated.append(name)
	orphans = sorted(set(rows) - set(catalog))
	if orphans:
		frappe.db.delete(ROLE_DOCTYPE, {"parenttype": TOOL_DOCTYPE, "parent": ("in", orphans)})
		frappe.db.delete(TOOL_DOCTYPE, {"name": ("in", orphans)})
		report.tools_deleted.extend(orphans)


def _code_values(entry: CatalogEntry) -> tuple:
	return tuple(getattr(entry, _ENTRY_FIELD.get(f, f)) for f in _CODE_FIELDS)


def _switch(entry: CatalogEntry) -> int:
	return int(starts_enabled(entry.category))


def _bulk_insert_tools(entries: list[CatalogEntry]) -> None:
	"""One INSERT per thousand rows instead of one document insert per tool."""
	now, user = now_datetime(), frappe.session.user or "Administrator"
	fields = [
		"name", "creation", "modified", "owner", "modified_by", "docstatus", "idx",
		"tool_name", "enabled", "tool_category", "category_override", "role_access_mode",
		*_CODE_FIELDS,
	]  # fmt: skip
	values = [
		# name, creation, modified, owner, modified_by, docstatus, idx, then the fields above
		(e.name, now, now, user, user, 0, 0, e.name, _switch(e), e.category, 0, "Allow All", *_code_values(e))
		for e in entries
	]
	frappe.db.bulk_insert(TOOL_DOCTYPE, fields, values)
