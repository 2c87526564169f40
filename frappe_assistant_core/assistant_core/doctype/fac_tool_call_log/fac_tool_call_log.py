"""FAC Tool Call Log: one row per MCP tools/call, written by the app, read-only for everyone.

Rows come from the recorder's queue (audit.store.write_pending, or Frappe's deferred-insert job),
never from a form or the REST API: an insert during a web request is refused unless the app itself
makes it, and a saved row cannot be changed. Text the caller chose is stored so that an export
of the log opened in a spreadsheet runs no formula.

Who reads a row follows the most privileged data it can hold: its arguments, output, error and
target come from a call that could read anything its caller may read, a System Manager's
included. So a row is readable by the user whose call it records and by System Managers, nobody
else (Assistant Admins included; they get the usage numbers through the admin API), in lists,
reports, exports and single documents alike (permission_query_conditions and has_permission hooks).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document

from frappe_assistant_core.audit.readers import may_read_row, reads_all
from frappe_assistant_core.core.spreadsheet import neutralise

DOCTYPE = "FAC Tool Call Log"
# Text a caller chose (a tool or DocType name, its client's name, what a tool answered): stored so
# that no spreadsheet an export is opened in runs it as a formula (core.spreadsheet).
CALLER_TEXT_FIELDS = (
	"tool",
	"error_message",
	"target_doctype",
	"target_name",
	"client_name",
	"client_version",
	"output",
)


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
		from frappe_assistant_core.audit.clients import remembered_client

		if remembered := remembered_client(self.user, self.get("fac_client_key")):
			self.client_name, self.client_version = remembered
		for fieldname in CALLER_TEXT_FIELDS:
			self.set(fieldname, neutralise(self.get(fieldname)))

	def validate(self):
		if not self.is_new():
			frappe.throw(
				_("Tool call logs cannot be edited"), frappe.PermissionError, title=_("Not permitted")
			)


def get_permission_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions hook: anyone but a System Manager lists only their own calls."""
	user = user or frappe.session.user
	if reads_all(user):
		return ""
	return f"`tab{DOCTYPE}`.`user` = {frappe.db.escape(user)}"


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	"""has_permission hook: anyone but a System Manager opens only the rows of their own calls."""
	return may_read_row(doc.user, user)
