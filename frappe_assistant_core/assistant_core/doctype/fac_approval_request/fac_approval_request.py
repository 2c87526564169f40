"""FAC Approval Request: a tools/call parked until an approver decides (governance.parking).

Rows are made by the MCP endpoint as the requesting user and changed only by the app: a decision
(governance.decisions, the form's Approve / Reject buttons), the run once approved, expiry. Nobody
edits one in a form or through the REST API. Who reads a row: the user who asked, and deciders
and admins (Assistant Approver, System Manager, Assistant Admin) for requests whose target DocType
they may read themselves (or that name none), so an approval never shows a reader data they could
not open in the desk.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document

DOCTYPE = "FAC Approval Request"
APPROVER_ROLE = "Assistant Approver"
#: Roles that may decide a request (Administrator may too).
DECIDER_ROLES = frozenset({APPROVER_ROLE, "System Manager"})
#: Roles that may read requests of other users (for DocTypes they may read).
OVERSEER_ROLES = DECIDER_ROLES | {"Assistant Admin"}


class FACApprovalRequest(Document):
	def before_insert(self):
		if not self.flags.fac_governance:
			frappe.throw(
				_("Approval requests are made by Frappe Assistant Core only"),
				frappe.PermissionError,
				title=_("Not permitted"),
			)

	def validate(self):
		if not self.is_new() and not self.flags.fac_governance:
			frappe.throw(
				_("Approval requests change only through Approve and Reject"),
				frappe.PermissionError,
				title=_("Not permitted"),
			)


def oversees(user: str) -> bool:
	return user == "Administrator" or bool(OVERSEER_ROLES & set(frappe.get_roles(user)))


def get_permission_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions hook: own requests, and (for overseers) requests on readable DocTypes."""
	user = user or frappe.session.user
	if user == "Administrator":
		return ""
	table = f"`tab{DOCTYPE}`"
	own = f"{table}.`user` = {frappe.db.escape(user)}"
	if not oversees(user):
		return own
	readable = _readable_doctypes(user)
	targets = ", ".join(frappe.db.escape(d) for d in readable) if readable else "''"
	return (
		f"({own} or coalesce({table}.`target_doctype`, '') = '' or {table}.`target_doctype` in ({targets}))"
	)


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	"""has_permission hook: the same rule for one document."""
	user = user or frappe.session.user
	if user == "Administrator" or doc.user == user:
		return True
	if not oversees(user):
		return False
	return not doc.target_doctype or bool(frappe.has_permission(doc.target_doctype, "read", user=user))


def _readable_doctypes(user: str) -> list[str]:
	if user != frappe.session.user:
		return []  # only the session user's readable DocTypes are known without a query per DocType
	return list(frappe.get_user().get_can_read())
