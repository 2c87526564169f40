"""Plugin and tool state as stored in the DocTypes, the only source of truth.

Reads are whole-table and batched (one query per DocType, whatever the number of rows); a plugin
toggle is a single locked row update that goes through the document controller, so Desk edits and
API toggles share validation, audit (track_changes) and cache invalidation.
"""

from __future__ import annotations

from dataclasses import dataclass

import frappe
from frappe.utils import cint

from frappe_assistant_core.governance import settings as governance_settings
from frappe_assistant_core.oauth import settings as oauth_settings

PLUGIN_DOCTYPE = "FAC Plugin Configuration"
TOOL_DOCTYPE = "FAC Tool Configuration"
ROLE_DOCTYPE = "FAC Tool Role Access"
SETTINGS_DOCTYPE = "Assistant Core Settings"
RESTRICTED = "Restrict to Listed Roles"
_TOOL_FIELDS = ("enabled", "tool_category", "role_access_mode", "requires_approval", "rate_limit")


@dataclass(frozen=True)
class ToolConfig:
	"""The stored switches of one tool."""

	enabled: bool
	category: str | None
	role_access_mode: str
	roles: frozenset[str]
	#: Every call waits for a confirmation or an approver (governance.approvals).
	requires_approval: bool = False
	#: Calls per user per minute; 0: the site's default (governance.rate_limit).
	rate_limit: int = 0

	def admits(self, user_roles: set[str] | frozenset[str]) -> bool:
		"""Role rule: Allow All, System Manager, or any listed role with allow_access."""
		if self.role_access_mode != RESTRICTED:
			return True
		return "System Manager" in user_roles or bool(self.roles & user_roles)


class PluginPersistence:
	"""Load and save plugin state; stateless, safe to share."""

	def load_enabled_plugins(self) -> set[str]:
		"""Names of plugins whose row says enabled."""
		return {name for name, enabled in self.load_plugin_rows().items() if enabled}

	def load_plugin_rows(self) -> dict[str, bool]:
		return {
			row.plugin_name: bool(row.enabled)
			for row in _get_all(PLUGIN_DOCTYPE, fields=["plugin_name", "enabled"])
		}

	def load_tool_configs(self) -> dict[str, ToolConfig]:
		roles: dict[str, set[str]] = {}
		for row in _get_all(
			ROLE_DOCTYPE,
			filters={"parenttype": TOOL_DOCTYPE, "allow_access": 1},
			fields=["parent", "role"],
		):
			roles.setdefault(row.parent, set()).add(row.role)
		return {
			row.tool_name: ToolConfig(
				enabled=bool(row.enabled),
				category=row.tool_category or None,
				role_access_mode=row.role_access_mode or "Allow All",
				roles=frozenset(roles.get(row.name, ())),
				requires_approval=bool(row.requires_approval),
				rate_limit=cint(row.rate_limit),
			)
			for row in _get_all(TOOL_DOCTYPE, fields=["name", "tool_name", *_TOOL_FIELDS])
		}

	def load_settings(self) -> dict:
		"""The switches of Assistant Core Settings a request reads (a never-saved one has its default)."""
		stored = frappe.db.get_singles_dict(SETTINGS_DOCTYPE)
		return {
			"server_enabled": _switch(stored, "server_enabled", True),
			"mcp_server_name": stored.get("mcp_server_name") or "frappe-assistant-core",
			"mcp_instructions": (stored.get("mcp_instructions") or "").strip(),
			"max_result_kb": cint(stored.get("max_result_kb")),
			"mcp_allowed_origins": tuple((stored.get("mcp_allowed_origins") or "").split()),
			"log_tool_calls": _switch(stored, "log_tool_calls", True),
			"log_tool_output": _switch(stored, "log_tool_output", False),
			**governance_settings.load(stored),
			**oauth_settings.load(stored),
		}

	def save_plugin_state(self, plugin_name: str, enabled: bool) -> bool:
		"""Store one plugin's state atomically and return the state actually stored.

		The row is locked (SELECT ... FOR UPDATE) for the rest of the transaction, so concurrent
		toggles from several workers serialise instead of overwriting each other.
		"""
		if frappe.db.exists(PLUGIN_DOCTYPE, plugin_name):
			return _update_plugin_row(plugin_name, enabled)
		try:
			doc = frappe.get_doc(
				{"doctype": PLUGIN_DOCTYPE, "plugin_name": plugin_name, "enabled": int(enabled)}
			)
			doc.insert(ignore_permissions=True)
			return bool(doc.enabled)
		except frappe.DuplicateEntryError:
			# Another worker inserted it between our check and insert: update that row instead.
			return _update_plugin_row(plugin_name, enabled)


def _update_plugin_row(plugin_name: str, enabled: bool) -> bool:
	doc = frappe.get_doc(PLUGIN_DOCTYPE, plugin_name, for_update=True)
	if bool(doc.enabled) != bool(enabled):
		doc.enabled = int(enabled)
		doc.save(ignore_permissions=True)
	return bool(doc.enabled)


def _switch(stored: dict, fieldname: str, default: bool) -> bool:
	value = stored.get(fieldname)
	return default if value in (None, "") else bool(cint(value))


def _get_all(doctype: str, **kwargs) -> list:
	"""get_all that treats a missing table (app not migrated yet) as empty."""
	try:
		return frappe.get_all(doctype, **kwargs)
	except Exception as exc:
		if frappe.db.is_table_missing(exc):
			return []
		raise
