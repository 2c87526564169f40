"""FAC Test Voucher: a submittable DocType whose workflow also cancels, for the tests of the core
document tools that must leave cancelling to such a workflow (as the desk hides Cancel there).

Workflow "FAC Test Voucher Approval": Draft (0) --Approve--> Approved (1) --Void--> Voided (2).
`ensure_voucher()` is idempotent and commits, because creating a DocType is DDL.
"""

from __future__ import annotations

import frappe

VOUCHER = "FAC Test Voucher"
VOUCHER_WORKFLOW = "FAC Test Voucher Approval"


def ensure_voucher() -> None:
	"""Create the DocType, its workflow states, actions and workflow (once), then commit."""
	if frappe.db.exists("Workflow", VOUCHER_WORKFLOW):
		return
	previous = frappe.session.user
	frappe.set_user("Administrator")
	for state in ("Draft", "Approved", "Voided"):
		_ensure("Workflow State", state, {"workflow_state_name": state})
	for action in ("Approve", "Void"):
		_ensure("Workflow Action Master", action, {"workflow_action_name": action})
	_ensure("DocType", VOUCHER, _voucher_doctype())
	_ensure("Workflow", VOUCHER_WORKFLOW, _voucher_workflow())
	frappe.db.commit()
	frappe.set_user(previous)


def _ensure(doctype: str, name: str, values: dict) -> None:
	if not frappe.db.exists(doctype, name):
		frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True)


def _voucher_doctype() -> dict:
	return {
		"name": VOUCHER,
		"module": "Custom",
		"custom": 1,
		"is_submittable": 1,
		"autoname": "hash",
		"fields": [
			{"fieldname": "purpose", "label": "Purpose", "fieldtype": "Data", "reqd": 1},
			{
				"fieldname": "workflow_state",
				"label": "Workflow State",
				"fieldtype": "Link",
				"options": "Workflow State",
				"hidden": 1,
				"allow_on_submit": 1,
			},
		],
		"permissions": [
			{
				"role": "System Manager",
				"permlevel": 0,
				**dict.fromkeys(("read", "write", "create", "delete", "submit", "cancel", "amend"), 1),
			}
		],
	}


def _voucher_workflow() -> dict:
	def transition(state: str, action: str, next_state: str) -> dict:
		return {
			"state": state,
			"action": action,
			"next_state": next_state,
			"allowed": "System Manager",
			"allow_self_approval": 1,
		}

	return {
		"workflow_name": VOUCHER_WORKFLOW,
		"document_type": VOUCHER,
		"is_active": 1,
		"workflow_state_field": "workflow_state",
		"states": [
			{"state": "Draft", "doc_status": "0", "allow_edit": "System Manager"},
			{"state": "Approved", "doc_status": "1", "allow_edit": "System Manager"},
			{"state": "Voided", "doc_status": "2", "allow_edit": "System Manager"},
		],
		"transitions": [transition("Draft", "Approve", "Approved"), transition("Approved", "Void", "Voided")],
	}
