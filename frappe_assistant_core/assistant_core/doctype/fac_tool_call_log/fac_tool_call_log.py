"""FAC Tool Call Log: one row per MCP tools/call, written by the app, read-only for everyone.

Rows come from the recorder's queue (audit.store.write_pending, or Frappe's deferred-insert job),
never from a form or the REST API: an insert during a web request is refused unless the app itself
makes it, and a saved row cannot be changed. System Manager and Assistant Admin read every row; any
other reader (Assistant User) sees only the rows of their own calls (`user`), in lists, reports and
single documents alike (permission_query_conditions and has_permission hooks).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document

from frappe_assistant_core.api._gate import ADMIN_ROLES

DOCTYPE = "FAC Tool Call Log"


class FACToolCallLog(Document):
	def __init__(self, *args, **kwargs):
		super().__init__(*args, **kwargs)
		# The user, target DocType and document are whatever the call named: a log keeps them even
		# when they do not exist (any more). Set here because Frappe checks links before before_insert.
		self.flags.ignore_links = True

	def before_insert(self):
		if getattr(frappe.local, "request", None) is not None and not self.flags.fac_from_queue:
			frappe.throw(
				_("Tool call logs are written by Frappe Assistant Core only"),
				frappe.PermissionError,
				title=_("Not permitted"),
			)
		from frappe_assistant_core.audit.recorder import remembered_client

		if remembered := remembered_client(self.get("fac_client_key")):
			self.client_name, self.client_version = remembered

	def validate(self):
		if not self.is_new():
			frappe.throw(
				_("Tool call logs cannot be edited"), frappe.PermissionError, title=_("Not permitted")
			)


def reads_all(user: str) -> bool:
	"""System Manager, Assistant Admin and Administrator read every call; others their own."""
	return user == "Administrator" or bool(ADMIN_ROLES & set(frappe.get_roles(user)))


def get_permission_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions hook: a non-admin lists only the rows of their own calls."""
	user = user or frappe.session.user
	if reads_all(user):
		return ""
	return f"`tab{DOCTYPE}`.`user` = {frappe.db.escape(user)}"


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	"""has_permission hook: a non-admin opens only the rows of their own calls."""
	user = user or frappe.session.user
	return reads_all(user) or doc.user == user
