"""bench CLI `fac read-only [on|off] [--role ROLE]`: the read-only switches, as the FAC Admin page sets them."""

from __future__ import annotations

import frappe
from frappe import _

from frappe_assistant_core.api.admin_governance import get_governance, set_read_only_mode, update_governance


def read_only_mode(state: str | None, role: str | None) -> str:
	"""Apply `state` ("on" / "off"; None only shows) to the site or to `role`; the line to print."""
	if role is None:
		if state is not None:
			set_read_only_mode(enable=state == "on")
		current = get_governance()
		listed = ", ".join(current["read_only_roles"]) or _("none")
		return _("Read-only mode: {0}; read-only roles: {1}").format(
			_("on") if current["read_only_mode"] else _("off"), listed
		)
	if not frappe.db.exists("Role", role):
		frappe.throw(_("Role {0} not found").format(role), frappe.DoesNotExistError)
	roles = get_governance()["read_only_roles"]
	if state is not None:
		wanted = [r for r in roles if r != role] + ([role] if state == "on" else [])
		update_governance(settings={"read_only_roles": wanted})
		roles = wanted
	return _("Role {0}: read-only {1}").format(role, _("on") if role in roles else _("off"))
