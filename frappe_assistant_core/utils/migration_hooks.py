"""after_install / after_migrate: make the site match the code, never overwrite admin choices.

Roles first, then the plugin rows, then the tool rows (utils.config_sync does the syncing).
"""

from __future__ import annotations

import frappe

ASSISTANT_ROLES = ("Assistant Admin", "Assistant User")


def after_install() -> None:
	_ensure_roles()
	_sync_all()


def after_migrate() -> None:
	_ensure_roles()
	_sync_all()


def _ensure_roles() -> None:
	"""Create the app's roles once; an existing role (maybe edited by the admin) is left alone."""
	existing = set(frappe.get_all("Role", filters={"name": ("in", ASSISTANT_ROLES)}, pluck="name"))
	for role in ASSISTANT_ROLES:
		if role not in existing:
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def _sync_all() -> None:
	from frappe_assistant_core.utils.config_sync import sync_all

	sync_all()
