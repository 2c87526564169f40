"""Approvers' decisions on FAC Approval Requests (the form's Approve and Reject), and expiry.

Deciding takes the Assistant Approver or System Manager role and read access to the request
(its target DocType, see the DocType's permission hooks). The row is locked while it is decided,
so two approvers cannot both decide it; only a pending, unexpired request can be decided. An
approval starts a fresh expiry window for the assistant to call again; the call itself runs then
(governance.parking), as the user who asked. Every decision is a FAC Tool Call Log row.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.deferred_insert import deferred_insert
from frappe.utils import add_to_date, now, now_datetime

from frappe_assistant_core.assistant_core.doctype.fac_approval_request.fac_approval_request import (
	DECIDER_ROLES,
	DOCTYPE,
)
from frappe_assistant_core.audit import recorder
from frappe_assistant_core.audit.redaction import cap
from frappe_assistant_core.exceptions import ApprovalError
from frappe_assistant_core.governance.parking import APPROVED, EXPIRED, PENDING, REJECTED
from frappe_assistant_core.utils.input_parsing import require
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

MAX_REASON = 500


@frappe.whitelist(methods=["POST"])
def approve(name: str | None = None) -> dict:
	"""Approve a pending request: the assistant's next identical call runs it. Approvers only."""
	_require_decider()
	return _decide(name, APPROVED, "")


@frappe.whitelist(methods=["POST"])
def reject(name: str | None = None, reason: str | None = None) -> dict:
	"""Reject a pending request, with an optional reason the assistant is told. Approvers only."""
	_require_decider()
	return _decide(name, REJECTED, cap(str(reason or "").strip(), MAX_REASON))


def expire_requests() -> None:
	"""Scheduler job (hourly): mark requests nobody decided, or nobody ran, in time as Expired."""
	frappe.db.set_value(
		DOCTYPE,
		{"status": ("in", (PENDING, APPROVED)), "expires_at": ("<", now_datetime())},
		"status",
		EXPIRED,
		update_modified=False,
	)


def can_decide(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(DECIDER_ROLES & set(frappe.get_roles(user)))


def _require_decider() -> None:
	if not can_decide():
		frappe.throw(
			_("Only Assistant Approvers and System Managers can decide approval requests"),
			frappe.PermissionError,
			title=_("Not permitted"),
		)


def _decide(name: str | None, status: str, reason: str) -> dict:
	require(name, "name")
	if not isinstance(name, str) or not frappe.db.exists(DOCTYPE, name):
		frappe.throw(_("Approval request {0} not found").format(str(name)[:60]), frappe.DoesNotExistError)
	doc = frappe.get_doc(DOCTYPE, name, for_update=True)
	doc.check_permission("read")
	if doc.status != PENDING:
		frappe.throw(
			_("Approval request {0} is already {1}").format(doc.name, _(doc.status)),
			ApprovalError,
			title=_("Already decided"),
		)
	if doc.expires_at and doc.expires_at < now_datetime():
		frappe.throw(
			_("Approval request {0} expired at {1}; the assistant must ask again").format(
				doc.name, doc.expires_at
			),
			ApprovalError,
			title=_("Expired"),
		)
	user = frappe.session.user
	doc.status = status
	doc.decided_by = user
	doc.decided_at = now_datetime().replace(microsecond=0)
	doc.decision_note = reason
	if status == APPROVED:
		hours = get_plugin_manager().snapshot().settings["approval_expiry_hours"]
		doc.expires_at = add_to_date(doc.decided_at, hours=hours)
	doc.flags.fac_governance = True
	doc.save(ignore_permissions=True)
	note = (
		_("Approved by {0} in the desk").format(user)
		if status == APPROVED
		else _("Rejected by {0} in the desk").format(user) + (f": {reason}" if reason else "")
	)
	_log_decision(doc, recorder.APPROVED if status == APPROVED else recorder.REJECTED, note)
	message = (
		_("Approved: the assistant's next identical call of {0} runs it.")
		if status == APPROVED
		else _("Rejected: the assistant is told on its next identical call of {0}.")
	).format(doc.tool)
	return {"success": True, "status": status, "message": message}


def _log_decision(doc, status: str, note: str) -> None:
	"""One FAC Tool Call Log row for the decision, queued like every log row (no SQL now)."""
	if not get_plugin_manager().snapshot().settings.get("log_tool_calls", True):
		return
	row = {
		"timestamp": now(),
		"user": doc.user,
		"tool": doc.tool[:140],
		"plugin": doc.plugin or "",
		"status": status,
		"duration_ms": 0,
		"arguments": doc.arguments or "{}",
		"approval_request": doc.name,
		"approval_note": cap(note, recorder.MAX_MESSAGE),
		"remote_ip": str(getattr(frappe.local, "request_ip", None) or "")[:140],
	}
	if doc.target_doctype:
		row.update(target_doctype=doc.target_doctype, target_name=doc.target_name or "")
	deferred_insert(recorder.DOCTYPE, [row])
