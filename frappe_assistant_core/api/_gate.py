"""Permission gate and input parsing shared by the admin endpoints.

Every admin endpoint starts with `require_assistant_admin()`. The parsers live in
utils.input_parsing (governance's whitelisted decisions use them too) and are re-exported here.
"""

from __future__ import annotations

import frappe
from frappe import _

from frappe_assistant_core.utils.input_parsing import parse_bool, parse_dict, parse_list, parse_name, require

__all__ = [
	"ADMIN_ROLES",
	"is_assistant_admin",
	"parse_bool",
	"parse_dict",
	"parse_list",
	"parse_name",
	"require",
	"require_assistant_admin",
]

ADMIN_ROLES = frozenset({"System Manager", "Assistant Admin"})


def is_assistant_admin() -> bool:
	"""The session's user may manage Frappe Assistant Core: System Manager, Assistant Admin or
	Administrator (also the apps screen's `has_permission` for the app's tile, see hooks.py)."""
	user = frappe.session.user
	return user == "Administrator" or bool(ADMIN_ROLES & set(frappe.get_roles(user)))


def require_assistant_admin() -> None:
	"""Allow System Manager and Assistant Admin (and Administrator); PermissionError otherwise."""
	if is_assistant_admin():
		return
	frappe.throw(
		_("Only System Managers and Assistant Admins can manage Frappe Assistant Core"),
		frappe.PermissionError,
		title=_("Not permitted"),
	)
