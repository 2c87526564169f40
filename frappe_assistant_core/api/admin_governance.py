"""Admin endpoints for governance: read-only mode, approvals, rate limits (the FAC Admin page).

Site-wide controls are fields of Assistant Core Settings and per-tool ones of FAC Tool
Configuration; both are saved through their documents, so the controllers validate them and every
worker sees the change on its next request. Gated on System Manager / Assistant Admin like every
admin endpoint; changes are POST-only.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint

from frappe_assistant_core.api._gate import (
	parse_bool,
	parse_dict,
	parse_list,
	parse_name,
	require,
	require_assistant_admin,
)
from frappe_assistant_core.api.admin_tools import _role_names, _tool_doc
from frappe_assistant_core.assistant_core.doctype.fac_approval_request.fac_approval_request import DOCTYPE
from frappe_assistant_core.governance.narrowed_url import METHOD_SEGMENT
from frappe_assistant_core.utils.governance_settings import APPROVAL_FIELDS, APPROVAL_MODES, SETTINGS_DOCTYPE

#: Settings an admin may change through update_governance, with the parser of each.
_SETTING_FIELDS = {
	"read_only_mode": "bool",
	"approval_mode": "mode",
	**dict.fromkeys(APPROVAL_FIELDS, "bool"),
	"approval_expiry_hours": "int",
	"rate_limit_per_user": "int",
	"rate_limit_per_tool": "int",
}


@frappe.whitelist(methods=["GET", "POST"])
def get_governance() -> dict:
	"""Every site-wide governance control, pending approvals and the endpoint's URL shapes. Admins only."""
	require_assistant_admin()
	settings = frappe.get_single(SETTINGS_DOCTYPE)
	endpoint = f"{frappe.utils.get_url()}/api/method/{METHOD_SEGMENT}"
	return {
		"read_only_mode": bool(settings.read_only_mode),
		"read_only_roles": [row.role for row in settings.read_only_roles],
		"approval_mode": settings.approval_mode or APPROVAL_MODES[0],
		"approval_modes": list(APPROVAL_MODES),
		**{field: bool(settings.get(field)) for field in APPROVAL_FIELDS},
		"approval_expiry_hours": cint(settings.approval_expiry_hours),
		"rate_limit_per_user": cint(settings.rate_limit_per_user),
		"rate_limit_per_tool": cint(settings.rate_limit_per_tool),
		"pending_approvals": frappe.db.count(DOCTYPE, {"status": "Pending"}),
		"urls": {
			"full": endpoint,
			"read_only": f"{endpoint}/readonly",
			"plugins": f"{endpoint}/plugins/core,visualization",
		},
	}


@frappe.whitelist(methods=["POST"])
def set_read_only_mode(enable: bool | int | str | None = None) -> dict:
	"""Switch the site's read-only mode on or off. Admins only."""
	require_assistant_admin()
	enable = parse_bool(enable, "enable")
	_save_settings({"read_only_mode": int(enable)})
	message = (
		_("Read-only mode is on: only read-only tools are listed and callable.")
		if enable
		else _("Read-only mode is off.")
	)
	return {"success": True, "message": message, "read_only_mode": enable}


@frappe.whitelist(methods=["POST"])
def update_governance(settings: dict | str | None = None) -> dict:
	"""Change any of the site-wide governance settings (read-only roles included). Admins only."""
	require_assistant_admin()
	values = parse_dict(settings, "settings")
	changes: dict = {}
	for key, value in values.items():
		kind = _SETTING_FIELDS.get(key)
		if key == "read_only_roles":
			changes[key] = _role_names(parse_list(value, key))
		elif kind is None:
			frappe.throw(
				_("Unknown setting {0}").format(str(key)[:60]),
				frappe.ValidationError,
				title=_("Invalid value"),
			)
		elif kind == "bool":
			changes[key] = int(parse_bool(value, key))
		elif kind == "mode":
			if value not in APPROVAL_MODES:
				frappe.throw(
					_("approval_mode must be one of {0}").format(", ".join(APPROVAL_MODES)),
					frappe.ValidationError,
				)
			changes[key] = value
		else:
			changes[key] = _whole_number(value, key)
	_save_settings(changes)
	return {"success": True, "message": _("Governance settings saved.")}


@frappe.whitelist(methods=["GET", "POST"])
def get_tool_governance(tool_name: str | None = None) -> dict:
	"""Whether one tool requires approval, and its own rate limit (0: the site's). Admins only."""
	require_assistant_admin()
	name = parse_name(tool_name, "tool_name")
	row = frappe.db.get_value(
		"FAC Tool Configuration", name, ["requires_approval", "rate_limit"], as_dict=True
	)
	return {
		"tool_name": name,
		"requires_approval": bool(row and row.requires_approval),
		"rate_limit": cint(row and row.rate_limit),
	}


@frappe.whitelist(methods=["POST"])
def update_tool_governance(
	tool_name: str | None = None,
	requires_approval: bool | int | str | None = None,
	rate_limit: int | str | None = None,
) -> dict:
	"""Set whether a tool requires approval and its own rate limit (0: the site's). Admins only."""
	require_assistant_admin()
	doc = _tool_doc(parse_name(tool_name, "tool_name"))
	doc.requires_approval = int(parse_bool(requires_approval, "requires_approval"))
	doc.rate_limit = _whole_number(rate_limit, "rate_limit", minimum=0)
	doc.save(ignore_permissions=True)
	return {"success": True, "message": _("Tool '{0}' governance updated.").format(doc.name)}


def _save_settings(changes: dict) -> None:
	doc = frappe.get_single(SETTINGS_DOCTYPE)
	for key, value in changes.items():
		if key == "read_only_roles":
			doc.set("read_only_roles", [{"role": role} for role in value])
		else:
			doc.set(key, value)
	doc.save(ignore_permissions=True)


def _whole_number(value, argument: str, minimum: int = 1) -> int:
	require(value, argument)
	if isinstance(value, str) and value.strip().isdigit():
		value = int(value.strip())
	if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
		frappe.throw(
			_("{0} must be a whole number of at least {1}").format(argument, minimum),
			frappe.ValidationError,
			title=_("Invalid value"),
		)
	return value
