"""Submitting, cancelling and amending through the core document tools, as the desk does.

document_update's docstatus submits a draft (1) or cancels a submitted document (2); document_create's
amend_from makes the amendment of a cancelled one. Each right is checked on the document (an if_owner
clerk may do it to its own orders only), and where a workflow governs the move the tools refuse and
point to the workflow tools, as the desk hides those buttons.
"""

from __future__ import annotations

import frappe
import pytest
from frappe.model.workflow import WorkflowTransitionError

from frappe_assistant_core.exceptions import ToolArgumentError
from frappe_assistant_core.plugins.core.tools.document_create import DocumentCreate
from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate
from frappe_assistant_core.plugins.core.tools.workflow_action import WorkflowAction
from tests.support.doctypes import (
	CLERK,
	ORDER,
	ORDER_ITEM,
	OTHER_CLERK,
	READER,
	REQUEST,
	ensure_test_doctypes,
	ensure_test_users,
	order,
)
from tests.support.voucher import VOUCHER, ensure_voucher

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module", autouse=True)
def lifecycle_fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()
	ensure_voucher()


def _order(owner: str = "Administrator", **values):
	frappe.set_user(owner)
	doc = frappe.get_doc(order(internal_note=None, **values)).insert()
	frappe.set_user("Administrator")
	return doc


def _submitted(owner: str = "Administrator", **values):
	doc = _order(owner, **values)
	frappe.set_user(owner)
	doc.submit()
	frappe.set_user("Administrator")
	return doc


def _cancelled(owner: str = "Administrator", **values):
	doc = _submitted(owner, **values)
	frappe.set_user(owner)
	doc.cancel()
	frappe.set_user("Administrator")
	return doc


def _docstatus(doctype: str, name: str) -> int:
	return frappe.db.get_value(doctype, name, "docstatus")


# --- submit -----------------------------------------------------------------------------------


def test_docstatus_1_applies_data_then_submits_the_draft():
	doc = _order()
	out = DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "data": {"amount": 99}, "docstatus": 1})
	assert out["docstatus"] == 1
	assert frappe.db.get_value(ORDER, doc.name, ["docstatus", "amount"]) == (1, 99)


def test_submitting_a_document_that_is_not_a_draft_is_refused():
	doc = _submitted()
	with pytest.raises(frappe.ValidationError, match="only a draft can be submitted"):
		DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "docstatus": 1})


def test_submitting_needs_the_submit_right_on_the_document():
	"""The clerk submits its own order; the reader (no submit right) and the other clerk may not."""
	mine = _order(CLERK)
	frappe.set_user(CLERK)
	DocumentUpdate().run({"doctype": ORDER, "name": mine.name, "docstatus": 1})
	theirs = _order(OTHER_CLERK)
	for user in (CLERK, READER):
		frappe.set_user(user)
		with pytest.raises(frappe.PermissionError):
			DocumentUpdate().run({"doctype": ORDER, "name": theirs.name, "docstatus": 1})
	frappe.set_user("Administrator")
	assert (_docstatus(ORDER, mine.name), _docstatus(ORDER, theirs.name)) == (1, 0)


def test_a_clerk_creates_and_submits_its_own_order_in_one_call():
	"""Submit granted only on one's own documents is checked on the new document, which is theirs."""
	frappe.set_user(CLERK)
	out = DocumentCreate().run({"doctype": ORDER, "data": order(internal_note=None), "submit": True})
	frappe.set_user("Administrator")
	assert frappe.db.get_value(ORDER, out["name"], ["docstatus", "owner"]) == (1, CLERK)


def test_submit_is_refused_where_a_workflow_governs_it():
	"""FAC Test Request is submitted by its workflow's Approve: both tools point to workflow_action."""
	request = frappe.get_doc({"doctype": REQUEST, "subject": "governed"}).insert()
	with pytest.raises(WorkflowTransitionError, match="workflow_action"):
		DocumentUpdate().run({"doctype": REQUEST, "name": request.name, "docstatus": 1})
	before = frappe.db.count(REQUEST)
	with pytest.raises(WorkflowTransitionError, match="workflow_action"):
		DocumentCreate().run({"doctype": REQUEST, "data": {"subject": "bypass"}, "submit": True})
	assert frappe.db.count(REQUEST) == before
	assert frappe.db.get_value(REQUEST, request.name, ["docstatus", "workflow_state"]) == (0, "Pending")


def test_the_workflow_state_cannot_be_set_by_hand():
	request = frappe.get_doc({"doctype": REQUEST, "subject": "by hand"}).insert()
	with pytest.raises(ToolArgumentError, match=r"data\.workflow_state"):
		DocumentUpdate().run(
			{"doctype": REQUEST, "name": request.name, "data": {"workflow_state": "Approved"}}
		)
	assert frappe.db.get_value(REQUEST, request.name, "workflow_state") == "Pending"


# --- cancel -----------------------------------------------------------------------------------


def test_docstatus_2_cancels_a_submitted_document():
	doc = _submitted()
	out = DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "docstatus": 2})
	assert out["docstatus"] == 2 and _docstatus(ORDER, doc.name) == 2


def test_cancelling_changes_nothing_else_and_only_a_submitted_document():
	submitted, draft = _submitted(), _order()
	with pytest.raises(ToolArgumentError, match="docstatus"):
		DocumentUpdate().run(
			{"doctype": ORDER, "name": submitted.name, "data": {"remarks": "x"}, "docstatus": 2}
		)
	with pytest.raises(frappe.ValidationError, match="only a submitted document can be cancelled"):
		DocumentUpdate().run({"doctype": ORDER, "name": draft.name, "docstatus": 2})
	assert (_docstatus(ORDER, submitted.name), _docstatus(ORDER, draft.name)) == (1, 0)


def test_an_if_owner_clerk_cancels_its_own_order_and_no_other():
	mine, theirs = _submitted(CLERK), _submitted(OTHER_CLERK)
	frappe.set_user(CLERK)
	DocumentUpdate().run({"doctype": ORDER, "name": mine.name, "docstatus": 2})
	with pytest.raises(frappe.PermissionError):
		DocumentUpdate().run({"doctype": ORDER, "name": theirs.name, "docstatus": 2})
	frappe.set_user("Administrator")
	assert (_docstatus(ORDER, mine.name), _docstatus(ORDER, theirs.name)) == (2, 1)


def test_cancel_is_refused_where_the_workflow_cancels():
	"""FAC Test Voucher's workflow has a Void action into a cancelled state: the desk offers no
	Cancel there, and neither does document_update."""
	voucher = frappe.get_doc({"doctype": VOUCHER, "purpose": "void me"}).insert()
	WorkflowAction().run({"doctype": VOUCHER, "name": voucher.name, "action": "Approve"})
	with pytest.raises(WorkflowTransitionError, match="workflow_action"):
		DocumentUpdate().run({"doctype": VOUCHER, "name": voucher.name, "docstatus": 2})
	assert frappe.db.get_value(VOUCHER, voucher.name, ["docstatus", "workflow_state"]) == (1, "Approved")


def test_cancel_is_allowed_where_the_workflow_has_no_cancelled_state():
	"""FAC Test Request's workflow never cancels, so the desk shows Cancel on an approved request."""
	request = frappe.get_doc({"doctype": REQUEST, "subject": "cancel me"}).insert()
	WorkflowAction().run({"doctype": REQUEST, "name": request.name, "action": "Approve"})
	DocumentUpdate().run({"doctype": REQUEST, "name": request.name, "docstatus": 2})
	assert _docstatus(REQUEST, request.name) == 2


# --- Allow on Submit --------------------------------------------------------------------------


def test_allow_on_submit_fields_of_the_document_and_its_rows_change_after_submit():
	doc = _submitted()
	row = doc.items[0].name
	DocumentUpdate().run(
		{
			"doctype": ORDER,
			"name": doc.name,
			"data": {"remarks": "late", "items": [{"name": row, "note": "late"}]},
		}
	)
	assert frappe.db.get_value(ORDER, doc.name, "remarks") == "late"
	assert frappe.db.get_value(ORDER_ITEM, row, "note") == "late"


@pytest.mark.parametrize(
	"change",
	[
		lambda doc: {"data": {"amount": 1}},
		lambda doc: {"data": {"items": [{"name": doc.items[0].name, "qty": 1}]}},
		lambda doc: {"data": {"items": [{"item": "Late row"}]}},
		lambda doc: {"remove_rows": {"items": [doc.items[0].name]}},
	],
	ids=["field", "row field", "new row", "removed row"],
)
def test_other_changes_to_a_submitted_document_are_refused(change):
	doc = _submitted()
	with pytest.raises(frappe.UpdateAfterSubmitError):
		DocumentUpdate().run({"doctype": ORDER, "name": doc.name, **change(doc)})
	assert frappe.db.get_value(ORDER, doc.name, "amount") == 150
	rows = frappe.get_all(ORDER_ITEM, filters={"parent": doc.name}, fields=["item", "qty"], order_by="idx")
	assert [(r.item, r.qty) for r in rows] == [("Bolt", 10), ("Nut", 20)]


# --- amend ------------------------------------------------------------------------------------


def test_amend_from_copies_the_cancelled_document_and_applies_data():
	source = _cancelled(customer="Amend Co", amount=10)
	out = DocumentCreate().run({"doctype": ORDER, "amend_from": source.name, "data": {"amount": 12}})
	assert out["name"] == f"{source.name}-1" and out["docstatus"] == 0
	amended = frappe.get_doc(ORDER, out["name"])
	assert (amended.amended_from, amended.customer, amended.amount) == (source.name, "Amend Co", 12)
	assert [(r.item, r.qty) for r in amended.items] == [("Bolt", 10), ("Nut", 20)]
	assert {r.name for r in amended.items}.isdisjoint({r.name for r in source.items})


def test_amend_from_with_submit_and_a_new_table():
	source = _cancelled()
	out = DocumentCreate().run(
		{
			"doctype": ORDER,
			"amend_from": source.name,
			"data": {"items": [{"item": "Gear", "qty": 1}]},
			"submit": True,
		}
	)
	amended = frappe.get_doc(ORDER, out["name"])
	assert amended.docstatus == 1 and [r.item for r in amended.items] == ["Gear"]


def test_only_a_cancelled_document_not_yet_amended_can_be_amended():
	submitted, cancelled = _submitted(), _cancelled()
	with pytest.raises(frappe.ValidationError, match="is not cancelled"):
		DocumentCreate().run({"doctype": ORDER, "amend_from": submitted.name})
	DocumentCreate().run({"doctype": ORDER, "amend_from": cancelled.name})
	with pytest.raises(frappe.ValidationError, match="already been amended"):
		DocumentCreate().run({"doctype": ORDER, "amend_from": cancelled.name})
	with pytest.raises(frappe.DoesNotExistError):
		DocumentCreate().run({"doctype": ORDER, "amend_from": "FTO-NO-SUCH"})


def test_an_if_owner_clerk_amends_its_own_cancelled_order_and_no_other():
	mine, theirs = _cancelled(CLERK), _cancelled(OTHER_CLERK)
	frappe.set_user(CLERK)
	out = DocumentCreate().run({"doctype": ORDER, "amend_from": mine.name})
	with pytest.raises(frappe.PermissionError):
		DocumentCreate().run({"doctype": ORDER, "amend_from": theirs.name})
	frappe.set_user("Administrator")
	assert frappe.db.get_value(ORDER, out["name"], "owner") == CLERK
	assert not frappe.db.exists(ORDER, {"amended_from": theirs.name})


def test_an_amendment_leaves_out_what_the_user_may_not_read():
	"""internal_note is permission level 1: the clerk cannot read it, so its copy does not carry it."""
	source = _cancelled(CLERK)
	frappe.db.set_value(ORDER, source.name, "internal_note", "secret margin")
	frappe.set_user(CLERK)
	out = DocumentCreate().run({"doctype": ORDER, "amend_from": source.name})
	frappe.set_user("Administrator")
	assert "internal_note" not in out["document"]
	assert not frappe.db.get_value(ORDER, out["name"], "internal_note")


def test_validate_only_amendment_saves_nothing():
	source = _cancelled()
	out = DocumentCreate().run({"doctype": ORDER, "amend_from": source.name, "validate_only": True})
	assert out["document"]["amended_from"] == source.name
	assert not frappe.db.exists(ORDER, {"amended_from": source.name})
