"""DocTypes, a workflow and reports that the core tools' tests run against, created once per site.

FAC Test Order is submittable, has a child table (with a permlevel-1 field and an allow_on_submit
one), a permlevel-1 field, allow_on_submit fields (an Attach among them); FAC Test Request carries
the "FAC Test Request Approval" workflow. System Manager may do everything, FAC Test Reader may only
read and report, FAC Test Clerk may do everything but only on the orders it created (if_owner). `ensure_test_doctypes()` is idempotent and commits once,
because creating a DocType is DDL (it would end the test's transaction anyway).
"""

from __future__ import annotations

import frappe

from tests.support.site import make_user

ORDER = "FAC Test Order"
ORDER_ITEM = "FAC Test Order Item"
REQUEST = "FAC Test Request"
WORKFLOW = "FAC Test Request Approval"
READER_ROLE = "FAC Test Reader"
CLERK_ROLE = "FAC Test Clerk"
#: May read and report on the test DocTypes, nothing else.
READER = "fac-core-reader@example.com"
#: A System User without roles: no access to the test DocTypes at all.
OUTSIDER = "fac-core-outsider@example.com"
#: Two users whose only right on FAC Test Order is on the orders each created (if_owner).
CLERK = "fac-core-clerk@example.com"
OTHER_CLERK = "fac-core-other-clerk@example.com"
BUILDER_REPORT = "FAC Test Orders"
QUERY_REPORT = "FAC Test Order Totals"

_RIGHTS = (
	"read",
	"write",
	"create",
	"delete",
	"submit",
	"cancel",
	"amend",
	"report",
	"select",
	"print",
	"email",
	"share",
	"export",
)


def ensure_test_doctypes() -> None:
	"""Create whatever is missing of the test fixtures, then commit."""
	if frappe.db.exists("Report", QUERY_REPORT):
		return
	previous = frappe.session.user
	frappe.set_user("Administrator")
	for role in (READER_ROLE, CLERK_ROLE):
		_ensure("Role", role, {"role_name": role, "desk_access": 1})
	for state in ("Pending", "Approved", "Rejected"):
		_ensure("Workflow State", state, {"workflow_state_name": state})
	for action in ("Approve", "Reject"):
		_ensure("Workflow Action Master", action, {"workflow_action_name": action})
	_ensure("DocType", ORDER_ITEM, _child_doctype())
	_ensure("DocType", ORDER, _order_doctype())
	_ensure("DocType", REQUEST, _request_doctype())
	_ensure("Workflow", WORKFLOW, _workflow())
	_ensure("Report", BUILDER_REPORT, _builder_report())
	_ensure("Report", QUERY_REPORT, _query_report())
	_allow_in_global_search(ORDER, "ToDo")
	frappe.db.commit()
	frappe.set_user(previous)


def ensure_test_users() -> tuple[str, str]:
	"""The reader and the outsider, and the two clerks (committed)."""
	make_user(CLERK, [CLERK_ROLE])
	make_user(OTHER_CLERK, [CLERK_ROLE])
	return make_user(READER, [READER_ROLE]), make_user(OUTSIDER, [])


def order(**values) -> dict:
	"""A FAC Test Order document dict with two item rows, overridable per test."""
	return {
		"doctype": ORDER,
		"customer": "Acme Corp",
		"amount": 150,
		"remarks": "first order",
		"internal_note": "secret margin",
		"items": [{"item": "Bolt", "qty": 10, "rate": 5}, {"item": "Nut", "qty": 20, "rate": 5}],
		**values,
	}


def _ensure(doctype: str, name: str, values: dict) -> None:
	if not frappe.db.exists(doctype, name):
		frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True)


def _perms() -> list[dict]:
	# DocPerm defaults write, create and delete to 1: every right is spelled out.
	def perm(role: str, permlevel: int, *granted: str, if_owner: int = 0) -> dict:
		rights = {right: int(right in granted) for right in _RIGHTS}
		return {"role": role, "permlevel": permlevel, "if_owner": if_owner, **rights}

	return [
		perm("System Manager", 0, *_RIGHTS),
		perm("System Manager", 1, "read", "write"),
		perm(READER_ROLE, 0, "read", "report", "select"),
		perm(CLERK_ROLE, 0, *_RIGHTS, if_owner=1),
	]


def _child_doctype() -> dict:
	return {
		"name": ORDER_ITEM,
		"module": "Custom",
		"custom": 1,
		"istable": 1,
		"fields": [
			{"fieldname": "item", "label": "Item", "fieldtype": "Data", "reqd": 1, "in_list_view": 1},
			{"fieldname": "qty", "label": "Qty", "fieldtype": "Int", "in_list_view": 1},
			{"fieldname": "rate", "label": "Rate", "fieldtype": "Currency", "in_list_view": 1},
			{"fieldname": "note", "label": "Note", "fieldtype": "Data", "allow_on_submit": 1},
			{"fieldname": "cost", "label": "Cost", "fieldtype": "Currency", "permlevel": 1},
		],
	}


def _order_doctype() -> dict:
	return {
		"name": ORDER,
		"module": "Custom",
		"custom": 1,
		"is_submittable": 1,
		"autoname": "FTO-.#####",
		"title_field": "customer",
		"search_fields": "customer,status",
		"fields": [
			{
				"fieldname": "customer",
				"label": "Customer",
				"fieldtype": "Data",
				"reqd": 1,
				"in_list_view": 1,
				"in_global_search": 1,
			},
			{
				"fieldname": "status",
				"label": "Status",
				"fieldtype": "Select",
				"options": "Open\nClosed",
				"default": "Open",
			},
			{"fieldname": "amount", "label": "Amount", "fieldtype": "Currency", "in_list_view": 1},
			{"fieldname": "order_date", "label": "Order Date", "fieldtype": "Date"},
			{"fieldname": "remarks", "label": "Remarks", "fieldtype": "Small Text", "allow_on_submit": 1},
			{"fieldname": "receipt", "label": "Receipt", "fieldtype": "Attach", "allow_on_submit": 1},
			{"fieldname": "internal_note", "label": "Internal Note", "fieldtype": "Data", "permlevel": 1},
			{"fieldname": "items", "label": "Items", "fieldtype": "Table", "options": ORDER_ITEM},
		],
		"permissions": _perms(),
	}


def _request_doctype() -> dict:
	return {
		"name": REQUEST,
		"module": "Custom",
		"custom": 1,
		"is_submittable": 1,
		"autoname": "hash",
		"title_field": "subject",
		"fields": [
			{"fieldname": "subject", "label": "Subject", "fieldtype": "Data", "reqd": 1, "in_list_view": 1},
			{
				"fieldname": "workflow_state",
				"label": "Workflow State",
				"fieldtype": "Link",
				"options": "Workflow State",
				"hidden": 1,
				"allow_on_submit": 1,
			},
		],
		"permissions": _perms(),
	}


def _workflow() -> dict:
	def transition(action: str, next_state: str) -> dict:
		return {
			"state": "Pending",
			"action": action,
			"next_state": next_state,
			"allowed": "System Manager",
			"allow_self_approval": 1,
		}

	return {
		"workflow_name": WORKFLOW,
		"document_type": REQUEST,
		"is_active": 1,
		"workflow_state_field": "workflow_state",
		"states": [
			{"state": "Pending", "doc_status": "0", "allow_edit": "System Manager"},
			{"state": "Approved", "doc_status": "1", "allow_edit": "System Manager"},
			{"state": "Rejected", "doc_status": "0", "allow_edit": "System Manager"},
		],
		"transitions": [transition("Approve", "Approved"), transition("Reject", "Rejected")],
	}


def _builder_report() -> dict:
	columns = [["name", ORDER], ["customer", ORDER], ["amount", ORDER]]
	return {
		"report_name": BUILDER_REPORT,
		"ref_doctype": ORDER,
		"report_type": "Report Builder",
		"is_standard": "No",
		"module": "Custom",
		"json": frappe.as_json(
			{"columns": columns, "filters": [], "order_by": "`tabFAC Test Order`.`customer` asc"}
		),
	}


def _query_report() -> dict:
	return {
		"report_name": QUERY_REPORT,
		"ref_doctype": ORDER,
		"report_type": "Query Report",
		"is_standard": "No",
		"module": "Custom",
		"query": (
			"select customer as `Customer:Data:150`, sum(amount) as `Total:Currency:120` "
			"from `tabFAC Test Order` where docstatus < 2 and amount >= %(min_amount)s "
			"group by customer order by customer"
		),
		"filters": [
			{"fieldname": "min_amount", "label": "Min Amount", "fieldtype": "Currency", "mandatory": 1}
		],
	}


def _allow_in_global_search(*doctypes: str) -> None:
	settings = frappe.get_single("Global Search Settings")
	allowed = {row.document_type for row in settings.allowed_in_global_search}
	for doctype in doctypes:
		if doctype not in allowed:
			settings.append("allowed_in_global_search", {"document_type": doctype})
	settings.save(ignore_permissions=True)
