"""Endpoints for connected OAuth clients (oauth/clients.py): admins list and revoke every user's
grants, and every signed-in user lists and revokes their own.

Reads are whitelisted for GET and POST, revocations for POST only. A revocation answers 404 when
the user holds no live grant to that client, so nobody learns of other users' connections.
"""

from __future__ import annotations

import frappe
from frappe import _

from frappe_assistant_core.api._gate import require, require_assistant_admin
from frappe_assistant_core.oauth import clients

_MAX_NAME = 140


@frappe.whitelist(methods=["GET", "POST"])
def get_connected_clients() -> list[dict]:
	"""Every user's authorized OAuth clients with scopes, created and last used. Admins only."""
	require_assistant_admin()
	return clients.grants()


@frappe.whitelist(methods=["POST"])
def revoke_connected_client(client: str | None = None, user: str | None = None) -> dict:
	"""Revoke `user`'s tokens and authorization codes for `client` (the grant). Admins only."""
	require_assistant_admin()
	return clients.revoke(_name(client, "client"), _name(user, "user"))


@frappe.whitelist(methods=["GET", "POST"])
def get_my_connections() -> list[dict]:
	"""The OAuth clients the calling user authorized. Any signed-in user."""
	_require_signed_in()
	return clients.grants(frappe.session.user)


@frappe.whitelist(methods=["POST"])
def revoke_my_connection(client: str | None = None) -> dict:
	"""Revoke the calling user's grant to `client`. Any signed-in user, for their own grants only."""
	_require_signed_in()
	return clients.revoke(_name(client, "client"), frappe.session.user)


def _require_signed_in() -> None:
	"""Allow any signed-in user (not Guest): these endpoints act on the caller's own grants."""
	if frappe.session.user and frappe.session.user != "Guest":
		return
	frappe.throw(_("Sign in first"), frappe.PermissionError, title=_("Not permitted"))


def _name(value, argument: str) -> str:
	"""A document name: a non-empty string of at most 140 characters, no control characters."""
	require(value, argument)
	if (
		not isinstance(value, str)
		or len(value) > _MAX_NAME
		or not value.strip()
		or any(ord(ch) < 32 for ch in value)
	):
		frappe.throw(
			_("{0} must be a name of at most {1} characters").format(argument, _MAX_NAME),
			frappe.ValidationError,
			title=_("Invalid value"),
		)
	return value.strip()


@frappe.whitelist(methods=["POST"])
def run_connection_doctor() -> dict:
	"""The connection doctor's checks and per-family verdicts (oauth/doctor.py). Admins only."""
	require_assistant_admin()
	from frappe_assistant_core.oauth import doctor

	return doctor.report(fetch=True)
