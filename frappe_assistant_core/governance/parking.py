"""Approval by an approver in the desk, for clients that cannot ask their user.

A call that needs approval is previewed (nothing kept) and parked as a FAC Approval Request with
its tool, exact arguments (a digest to match, a redacted copy to read), requesting user and the
changes it would make; the answer names the request and tells the assistant how to learn the
outcome: call the same tool again with exactly the same arguments. That next call finds the
request (same user, tool and arguments digest) and answers by its state:

- Pending: still waiting, nothing runs;
- Rejected: who rejected it and why (reported once; a later identical call asks anew);
- Approved: the request's row is locked (SELECT ... FOR UPDATE) and marked Running, then the call
  runs now, in this request, as the requesting user with their permissions and this connection's
  rules at this moment, and the row ends Executed or Failed. A concurrent identical call waits for
  the lock and then finds no open request, so an approval runs a call exactly once.

Requests not decided, or approved and not run, within the site's expiry are ignored (and marked
Expired hourly, governance.decisions).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import frappe
from frappe import _
from frappe.utils import add_to_date, get_url_to_form, now_datetime

from frappe_assistant_core.assistant_core.doctype.fac_approval_request.fac_approval_request import DOCTYPE
from frappe_assistant_core.audit import recorder
from frappe_assistant_core.audit.redaction import arguments_json
from frappe_assistant_core.governance.answers import approval_result, capped, previewed
from frappe_assistant_core.governance.preview import Preview
from frappe_assistant_core.governance.request_state import arguments_digest
from frappe_assistant_core.utils.plugin_manager import ToolInfo, get_plugin_manager

PENDING, APPROVED, REJECTED = "Pending", "Approved", "Rejected"
RUNNING, EXECUTED, FAILED, EXPIRED = "Running", "Executed", "Failed", "Expired"
MAX_PREVIEW_CHARS = 64 * 1024


def answer(info: ToolInfo, params: Any, run: Callable[[], Any]):
	"""The answer to a tools/call that needs an approver's decision."""
	user, arguments = frappe.session.user, params.arguments
	digest = arguments_digest(arguments)
	request = _open_request(user, info.name, digest)
	if request is not None and request.status == APPROVED:
		if _claimed(request.name):
			return _run_approved(request, run)
		request = None  # another call ran it while this one waited for the lock: this one is new
	if request is None:
		preview, failed = previewed(info, arguments)
		if failed is not None:
			return failed
		return _parked(_park(info, arguments, digest, preview))
	if request.status == REJECTED:
		frappe.db.set_value(DOCTYPE, request.name, "outcome_reported", 1, update_modified=False)
		recorder.note_approval(
			_("Rejected by {0} ({1})").format(request.decided_by, request.name),
			recorder.DECLINED,
			request.name,
		)
		message = _(
			"Not run: approval request {0} for this call was rejected by {1} at {2}{3}. Nothing was "
			"written. Calling {4} again with the same arguments asks for approval anew."
		).format(
			request.name,
			request.decided_by,
			request.decided_at,
			_(", saying: {0}").format(request.decision_note) if request.decision_note else "",
			info.name,
		)
		return approval_result(message, _meta(request.name, REJECTED))
	recorder.note_approval(_("Still waiting for an approver"), recorder.APPROVAL_REQUIRED, request.name)
	message = _(
		"Still not run: approval request {0} for this call waits for an approver (asked at {1}). "
		"Call {2} again later with exactly the same arguments to get the outcome."
	).format(request.name, request.requested_at, info.name)
	return approval_result(message, _meta(request.name, PENDING))


def _open_request(user: str, tool: str, digest: str):
	"""The oldest request of this call that is still pending, approved but not run, or rejected and
	not yet reported, and not expired."""
	for row in frappe.get_all(
		DOCTYPE,
		filters={
			"user": user,
			"tool": tool,
			"arguments_digest": digest,
			"status": ("in", (PENDING, APPROVED, REJECTED)),
			"expires_at": (">", now_datetime()),
		},
		fields=[
			"name",
			"status",
			"outcome_reported",
			"decided_by",
			"decided_at",
			"decision_note",
			"requested_at",
		],
		order_by="creation asc",
	):
		if row.status != REJECTED or not row.outcome_reported:
			return row
	return None


def _park(info: ToolInfo, arguments: Any, digest: str, preview: Preview):
	hours = get_plugin_manager().snapshot().settings["approval_expiry_hours"]
	now = now_datetime().replace(microsecond=0)
	doc = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"status": PENDING,
			"tool": info.name,
			"plugin": info.plugin_name,
			"user": frappe.session.user,
			"requested_at": now,
			"expires_at": add_to_date(now, hours=hours),
			**_target(arguments),
			"arguments": arguments_json(info.name, arguments if isinstance(arguments, dict) else {}),
			"arguments_digest": digest,
			"changes": capped(preview.text(), MAX_PREVIEW_CHARS),
			"preview": capped(
				json.dumps(preview.as_dict(), ensure_ascii=False, default=str), MAX_PREVIEW_CHARS
			),
		}
	)
	doc.flags.fac_governance = True
	doc.flags.ignore_links = True  # the target is whatever the call names
	doc.insert(ignore_permissions=True)
	return doc


def _parked(doc) -> dict:
	recorder.note_approval(_("Waiting for an approver"), recorder.APPROVAL_REQUIRED, doc.name)
	message = _(
		"Not run yet: {0} needs approval on this site, and the call was saved as approval request {1} "
		"for an approver (a user with the Assistant Approver role) to approve or reject in the desk: "
		"{2}. Nothing has been written. To learn the outcome, call {0} again later with exactly the "
		"same arguments: once approved it runs then, once, and you get its result; if rejected you are "
		"told why. The request expires at {3}."
	).format(doc.tool, doc.name, get_url_to_form(DOCTYPE, doc.name), doc.expires_at)
	return approval_result(message, _meta(doc.name, PENDING, expires_at=str(doc.expires_at)))


def _claimed(name: str) -> bool:
	"""Lock the approved request and mark it Running; False when it is no longer Approved (the
	locking read sees the latest commit, which the request's earlier plain read may predate)."""
	if frappe.db.get_value(DOCTYPE, name, "status", for_update=True) != APPROVED:
		return False
	frappe.db.set_value(DOCTYPE, name, "status", RUNNING, update_modified=False)
	return True


def _run_approved(request, run: Callable[[], Any]):
	recorder.note_approval(
		_("Approved by {0} ({1})").format(request.decided_by, request.name), None, request.name
	)
	outcome, failed = _("Failed before it finished"), True
	try:
		result = run()
		failure = recorder.current_failure()
		failed = failure is not None
		outcome = failure[1] if failure else _("Ran successfully")
		return result
	finally:
		frappe.db.set_value(
			DOCTYPE,
			request.name,
			{
				"status": FAILED if failed else EXECUTED,
				"outcome": capped(outcome, 500),
				"executed_at": now_datetime(),
				"outcome_reported": 1,
			},
			update_modified=False,
		)


def _target(arguments: Any) -> dict:
	doctype = arguments.get("doctype") if isinstance(arguments, dict) else None
	if not isinstance(doctype, str) or not frappe.db.exists("DocType", doctype):
		return {}
	name = arguments.get("name")
	return {"target_doctype": doctype, "target_name": name[:140] if isinstance(name, str) else None}


def _meta(name: str, status: str, **extra) -> dict:
	return {"request": name, "status": status, "url": get_url_to_form(DOCTYPE, name), **extra}
