"""Permission gate and input parsing shared by the admin endpoints.

Every admin endpoint starts with `require_assistant_admin()`. Parsers turn loosely typed HTTP
input into exact values or raise a translated ValidationError naming the argument; a missing
argument is a MandatoryError (HTTP 417), never the TypeError of a call without it. Endpoints
therefore give every argument a default of None.
"""

from __future__ import annotations

import json
import re

import frappe
from frappe import _

ADMIN_ROLES = frozenset({"System Manager", "Assistant Admin"})
# Plugin folder names and MCP tool names (letters, digits, "_", "-", "."), at most 140 characters.
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,139}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


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


def require(value, argument: str) -> None:
	"""MandatoryError naming `argument` when the request did not send it."""
	if value is None or value == "":
		frappe.throw(_("{0} is required").format(argument), frappe.MandatoryError, title=_("Missing value"))


def parse_bool(value, argument: str) -> bool:
	"""true/false/1/0 (and their strings, yes/no); anything else is a ValidationError."""
	require(value, argument)
	if isinstance(value, bool):
		return value
	if isinstance(value, int) and value in (0, 1):
		return bool(value)
	if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
		return value.strip().lower() in _TRUE
	frappe.throw(
		_("{0} must be true or false (or 1 / 0), not {1}").format(argument, frappe.bold(repr(value)[:50])),
		frappe.ValidationError,
		title=_("Invalid value"),
	)


def parse_name(value, argument: str) -> str:
	"""A plugin or tool identifier (see _NAME_PATTERN); anything else is a ValidationError."""
	require(value, argument)
	if not isinstance(value, str) or not _NAME_PATTERN.match(value.strip()):
		shown = value if isinstance(value, str) else repr(value)
		frappe.throw(
			_("{0} must be a plugin or tool name (letters, digits, _ - .), not {1}").format(
				argument, frappe.bold(frappe.utils.escape_html(str(shown)[:60]))
			),
			frappe.ValidationError,
			title=_("Invalid name"),
		)
	return value.strip()


def parse_list(value, argument: str) -> list:
	"""A list, or a JSON string holding one (what desk forms send)."""
	value = _decoded(value, argument)
	if not isinstance(value, list):
		frappe.throw(
			_("{0} must be a list").format(argument), frappe.ValidationError, title=_("Invalid value")
		)
	return value


def parse_dict(value, argument: str) -> dict:
	"""An object, or a JSON string holding one (what desk forms send)."""
	value = _decoded(value, argument)
	if not isinstance(value, dict):
		frappe.throw(
			_("{0} must be an object").format(argument), frappe.ValidationError, title=_("Invalid value")
		)
	return value


def _decoded(value, argument: str):
	require(value, argument)
	if isinstance(value, str):
		try:
			return json.loads(value)
		except ValueError:
			return None
	return value
