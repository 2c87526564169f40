"""Admin endpoints for individual tools (re-exported by admin_api).

Tools of disabled plugins are listed and editable too: their settings apply again when the plugin
comes back. A tool without a configuration row yet gets one on its first change.
"""

from __future__ import annotations

import frappe
from frappe import _

from frappe_assistant_core.api._gate import (
	parse_bool,
	parse_list,
	parse_name,
	require,
	require_assistant_admin,
)
from frappe_assistant_core.assistant_core.doctype.fac_tool_configuration.fac_tool_configuration import (
	EVERYONE_ROLES,
)
from frappe_assistant_core.core.tool_catalog import EXTERNAL_PLUGIN
from frappe_assistant_core.core.tool_categories import CATEGORIES, CATEGORY_INFO
from frappe_assistant_core.core.tool_defaults import starts_enabled
from frappe_assistant_core.exceptions import ToolNotFoundError
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.utils.plugin_persistence import RESTRICTED, TOOL_DOCTYPE

ROLE_MODES = ("Allow All", RESTRICTED)


@frappe.whitelist(methods=["GET", "POST"])
def get_tool_configurations() -> dict:
	"""Every tool in code with its switches and effective state. Admins only."""
	require_assistant_admin()
	manager = get_plugin_manager()
	manager.reload()
	plugins = {p["name"]: p for p in manager.get_discovered_plugins()}
	rows = {r.name: r for r in frappe.get_all(TOOL_DOCTYPE, fields=["*"])}
	roles: dict[str, list] = {}
	for row in frappe.get_all(
		"FAC Tool Role Access",
		filters={"parenttype": TOOL_DOCTYPE},
		fields=["parent", "role", "allow_access"],
		order_by="idx asc",
	):
		roles.setdefault(row.parent, []).append({"role": row.role, "allow_access": bool(row.allow_access)})
	tools = []
	for name, entry in manager.get_tool_catalog().items():
		row = rows.get(name) or frappe._dict()
		plugin = plugins.get(entry.plugin_name)
		plugin_enabled = entry.plugin_name == EXTERNAL_PLUGIN or bool(plugin and plugin["loaded"])
		enabled = bool(row.get("enabled", starts_enabled(entry.category)))
		category = row.get("tool_category") or entry.category
		tools.append(
			{
				"name": name,
				"description": entry.description,
				"plugin_name": entry.plugin_name,
				"plugin_display_name": plugin["display_name"] if plugin else _("Other apps"),
				"plugin_enabled": plugin_enabled,
				"source_app": entry.source_app,
				"enabled": enabled,
				"effectively_enabled": enabled and plugin_enabled,
				"category": category,
				"category_label": _(CATEGORY_INFO[category]["label"]),
				"auto_detected_category": entry.category,
				"category_override": bool(row.get("category_override")),
				"role_access_mode": row.get("role_access_mode") or "Allow All",
				"roles": roles.get(name, []),
			}
		)
	return {"tools": tools, "total": len(tools)}


@frappe.whitelist(methods=["GET", "POST"])
def get_tool_stats() -> dict:
	"""Tool counts: total, enabled, active (plugin and tool on), per category and plugin. Admins only."""
	require_assistant_admin()
	tools = get_tool_configurations()["tools"]
	by_category = dict.fromkeys(CATEGORIES, 0)
	by_plugin: dict[str, int] = {}
	for tool in tools:
		by_category[tool["category"]] += 1
		by_plugin[tool["plugin_name"]] = by_plugin.get(tool["plugin_name"], 0) + 1
	enabled = sum(t["enabled"] for t in tools)
	return {
		"total_tools": len(tools),
		"enabled_tools": enabled,
		"disabled_tools": len(tools) - enabled,
		"active_tools": sum(t["effectively_enabled"] for t in tools),
		"by_category": by_category,
		"by_plugin": by_plugin,
	}


@frappe.whitelist(methods=["POST"])
def toggle_tool(tool_name: str | None = None, enable: bool | int | str | None = None) -> dict:
	"""Enable or disable one tool. Admins only."""
	require_assistant_admin()
	tool_name = parse_name(tool_name, "tool_name")
	enable = parse_bool(enable, "enable")
	doc = _tool_doc(tool_name)
	if bool(doc.enabled) != enable:
		doc.enabled = int(enable)
		doc.save(ignore_permissions=True)
	state = _("enabled") if enable else _("disabled")
	return {"success": True, "message": _("Tool '{0}' {1}.").format(doc.name, state), "enabled": enable}


@frappe.whitelist(methods=["POST"])
def bulk_toggle_tools(tool_names: list | str | None = None, enable: bool | int | str | None = None) -> dict:
	"""Enable or disable several tools in one transaction; all names are checked first. Admins only."""
	require_assistant_admin()
	enable = parse_bool(enable, "enable")
	names = [parse_name(n, "tool_names") for n in parse_list(tool_names, "tool_names")]
	docs = [_tool_doc(name) for name in dict.fromkeys(names)]
	updated = 0
	for doc in docs:
		if bool(doc.enabled) != enable:
			doc.enabled = int(enable)
			doc.save(ignore_permissions=True)
			updated += 1
	state = _("enabled") if enable else _("disabled")
	return {"success": True, "updated": updated, "message": _("{0} tools {1}.").format(updated, state)}


@frappe.whitelist(methods=["POST"])
def update_tool_category(
	tool_name: str | None = None, category: str | None = None, override: bool | int | str = True
) -> dict:
	"""Set a tool's category by hand (override) or return it to the detected one. Admins only."""
	require_assistant_admin()
	override = parse_bool(override, "override")
	require(tool_name, "tool_name")
	if override:
		require(category, "category")
	if override and category not in CATEGORIES:
		frappe.throw(
			_("category must be one of {0}").format(", ".join(CATEGORIES)),
			frappe.ValidationError,
			title=_("Invalid category"),
		)
	doc = _tool_doc(parse_name(tool_name, "tool_name"))
	doc.category_override = int(override)
	doc.tool_category = category if override else doc.auto_detected_category
	doc.save(ignore_permissions=True)
	return {
		"success": True,
		"message": _("Tool '{0}' category is now {1}.").format(doc.name, doc.tool_category),
		"category": doc.tool_category,
	}


@frappe.whitelist(methods=["POST"])
def update_tool_role_access(
	tool_name: str | None = None, role_access_mode: str | None = None, roles: list | str | None = None
) -> dict:
	"""Set who may use a tool: 'Allow All', or 'Restrict to Listed Roles' with roles. Admins only."""
	require_assistant_admin()
	require(tool_name, "tool_name")
	require(role_access_mode, "role_access_mode")
	if role_access_mode not in ROLE_MODES:
		frappe.throw(
			_("role_access_mode must be one of {0}").format(", ".join(ROLE_MODES)),
			frappe.ValidationError,
			title=_("Invalid value"),
		)
	doc = _tool_doc(parse_name(tool_name, "tool_name"))
	wanted = _role_names(parse_list(roles, "roles") if roles not in (None, "") else [])
	doc.role_access_mode = role_access_mode
	doc.set("role_access", [])
	if role_access_mode == RESTRICTED:
		for role in wanted:
			doc.append("role_access", {"role": role, "allow_access": 1})
	doc.save(ignore_permissions=True)
	return {"success": True, "message": _("Tool '{0}' role access updated.").format(doc.name)}


@frappe.whitelist(methods=["GET", "POST"])
def get_available_roles() -> list[str]:
	"""Enabled desk roles an admin can restrict a tool to (the ones a restriction accepts: never
	Guest, All or Desk User, which every user has). Admins only."""
	require_assistant_admin()
	return frappe.get_all(
		"Role",
		filters={"disabled": 0, "desk_access": 1, "name": ("not in", sorted(EVERYONE_ROLES))},
		pluck="name",
		order_by="name asc",
	)


def _role_names(values: list) -> list[str]:
	names = [v.get("role") if isinstance(v, dict) else v for v in values]
	if any(not isinstance(n, str) or not n for n in names):
		frappe.throw(
			_("roles must be a list of role names"), frappe.ValidationError, title=_("Invalid value")
		)
	names = list(dict.fromkeys(names))
	known = set(frappe.get_all("Role", filters={"name": ("in", names)}, pluck="name")) if names else set()
	if missing := [n for n in names if n not in known]:
		frappe.throw(
			_("Unknown roles: {0}").format(frappe.utils.escape_html(", ".join(missing))),
			frappe.DoesNotExistError,
			title=_("Unknown role"),
		)
	return names


def _tool_doc(tool_name: str):
	"""The tool's configuration, locked for this transaction; created if the tool has no row yet."""
	entry = get_plugin_manager().get_tool_catalog().get(tool_name)
	if entry is None:
		frappe.throw(
			_("Tool {0} not found").format(frappe.bold(tool_name)), ToolNotFoundError, title=_("Unknown tool")
		)
	if frappe.db.exists(TOOL_DOCTYPE, tool_name):
		return frappe.get_doc(TOOL_DOCTYPE, tool_name, for_update=True)
	doc = frappe.get_doc(
		{
			"doctype": TOOL_DOCTYPE,
			"tool_name": tool_name,
			"plugin_name": entry.plugin_name,
			"description": entry.description,
			"source_app": entry.source_app,
			"module_path": entry.module_path,
			"auto_detected_category": entry.category,
			"tool_category": entry.category,
			"enabled": int(starts_enabled(entry.category)),
		}
	)
	return doc.insert(ignore_permissions=True)
