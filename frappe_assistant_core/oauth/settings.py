"""The OAuth switches of Assistant Core Settings, as every request reads them.

`load()` adds them to the plugin manager's snapshot (read once per registry version, never per
request): Dynamic Client Registration and Client ID Metadata Documents, each on unless switched
off (a fresh site must be connectable by an OAuth-only client with only the URL and a login), and
the roles that may authorize a client (none listed: any user Frappe's OAuth Client admits).
"""

from __future__ import annotations

import frappe
from frappe.utils import cint

AUTHORIZE_ROLE_DOCTYPE = "FAC OAuth Authorize Role"
SETTINGS_DOCTYPE = "Assistant Core Settings"


def load(stored: dict) -> dict:
	"""The OAuth values of the snapshot, from `frappe.db.get_singles_dict(SETTINGS_DOCTYPE)`."""
	return {
		"oauth_dynamic_registration": _switch(stored, "oauth_dynamic_registration"),
		"oauth_client_metadata_documents": _switch(stored, "oauth_client_metadata_documents"),
		"oauth_authorize_roles": _authorize_roles(),
	}


def dcr_enabled() -> bool:
	return _settings()["oauth_dynamic_registration"]


def cimd_enabled() -> bool:
	return _settings()["oauth_client_metadata_documents"]


def authorize_roles() -> tuple[str, ...]:
	return _settings()["oauth_authorize_roles"]


def _settings() -> dict:
	from frappe_assistant_core.mcp.auth import server_settings

	return server_settings()


def _switch(stored: dict, fieldname: str) -> bool:
	value = stored.get(fieldname)
	return True if value in (None, "") else bool(cint(value))


def _authorize_roles() -> tuple[str, ...]:
	try:
		rows = frappe.get_all(
			AUTHORIZE_ROLE_DOCTYPE,
			filters={"parenttype": SETTINGS_DOCTYPE, "parentfield": "oauth_authorize_roles"},
			pluck="role",
			order_by="idx asc",
		)
	except Exception as exc:
		if frappe.db.is_table_missing(exc):
			return ()
		raise
	return tuple(dict.fromkeys(rows))


def validate(doc) -> None:
	"""Assistant Core Settings.validate: each role that may authorize clients is listed once."""
	from frappe import _

	roles = [row.role for row in doc.get("oauth_authorize_roles") or []]
	if len(roles) != len(set(roles)):
		frappe.throw(
			_("Each role that may authorize clients may be listed only once"), frappe.ValidationError
		)
