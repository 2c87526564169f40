"""after_install / after_migrate: make the site match the code, never overwrite admin choices.

Roles first, then the settings' defaults, then the plugin rows, then the tool rows
(utils.config_sync does the syncing).
"""

from __future__ import annotations

import frappe
from frappe.utils import cast

ASSISTANT_ROLES = ("Assistant Admin", "Assistant User", "Assistant Approver")
SETTINGS_DOCTYPE = "Assistant Core Settings"


def after_install() -> None:
	_ensure_roles()
	_store_setting_defaults()
	_sync_all()


def after_migrate() -> None:
	_ensure_roles()
	_store_setting_defaults()
	_sync_all()


def _ensure_roles() -> None:
	"""Create the app's roles once; an existing role (maybe edited by the admin) is left alone."""
	existing = set(frappe.get_all("Role", filters={"name": ("in", ASSISTANT_ROLES)}, pluck="name"))
	for role in ASSISTANT_ROLES:
		if role not in existing:
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def _store_setting_defaults() -> None:
	"""Store the default of each Assistant Core Settings field that has no stored value yet.

	A Single saved before a field was added has no row for that field, and Frappe (v15 and v16
	alike) then loads it empty: Log Tool Calls (default 1) shows unchecked in the form, and the
	next save of the settings turns logging off. The app reads a missing value as its default;
	storing it makes the form say the same. A Single never saved at all loads as a new document,
	which the desk shows "Not Saved" on a fresh site; storing every default makes it a saved one.
	A stored value, even an empty one, is never changed.
	"""
	stored = frappe.db.get_singles_dict(SETTINGS_DOCTYPE)
	missing = {
		# Typed: set_single_value turns the text "1" into True, which PostgreSQL stores as "true",
		# and a Check field reads "true" back as 0.
		df.fieldname: cast(df.fieldtype, df.default)
		for df in frappe.get_meta(SETTINGS_DOCTYPE).fields
		if df.default not in (None, "") and df.fieldname not in stored
	}
	if missing:
		frappe.db.set_single_value(SETTINGS_DOCTYPE, missing, update_modified=False)


def _sync_all() -> None:
	from frappe_assistant_core.utils.config_sync import sync_all

	sync_all()
