"""Submitting, cancelling and amending documents as the desk does, never around a workflow.

The desk offers Submit only on DocTypes without an active workflow, and Cancel unless the workflow
has a transition into a cancelled state (frappe.model.workflow.can_cancel_document); where the
workflow governs, the document moves only through its actions (workflow_action), which check roles,
conditions and self-approval. Frappe's REST save would instead move such a document to the first
state of the new status, skipping the workflow's rules; these checks refuse that first. The rights
themselves (submit, cancel, amend) are checked on the document, so owner rules apply.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.workflow import WorkflowTransitionError, can_cancel_document
from frappe.utils import today

from frappe_assistant_core.plugins.core._access import permitted_doc, require_on
from frappe_assistant_core.plugins.core._helpers import active_workflow

DRAFT, SUBMITTED, CANCELLED = 0, 1, 2


def check_submit(doc) -> None:
	"""Before submitting `doc`: submittable, a draft, and no workflow governing it."""
	_require_submittable(doc.meta)
	if doc.docstatus != DRAFT:
		frappe.throw(
			_("{0} {1} is not a draft (document status {2}); only a draft can be submitted").format(
				_(doc.doctype), doc.name, doc.docstatus
			),
			frappe.ValidationError,
		)
	refuse_submit_under_workflow(doc.doctype)


def refuse_submit_under_workflow(doctype: str) -> None:
	if workflow := active_workflow(doctype, required=False):
		frappe.throw(
			_(
				"{0} documents are submitted through their workflow {1}: use workflow_status to see the "
				"actions you can take and workflow_action to take one"
			).format(_(doctype), workflow.name),
			WorkflowTransitionError,
		)


def check_cancel(doc) -> None:
	"""Before cancelling `doc`: submitted, and cancelling not left to a workflow."""
	_require_submittable(doc.meta)
	if doc.docstatus != SUBMITTED:
		frappe.throw(
			_(
				"{0} {1} is not submitted (document status {2}); only a submitted document can be cancelled"
			).format(_(doc.doctype), doc.name, doc.docstatus),
			frappe.ValidationError,
		)
	workflow = active_workflow(doc.doctype, required=False)
	if workflow and not can_cancel_document(doc.doctype):
		frappe.throw(
			_(
				"{0} documents are cancelled through their workflow {1}: use workflow_status to see the "
				"actions you can take and workflow_action to take one"
			).format(_(doc.doctype), workflow.name),
			WorkflowTransitionError,
		)


def amendment_of(doctype: str, name: str):
	"""A new draft amending the cancelled document `name`, as the desk's Amend makes it: a copy with
	every field the user may read (no_copy fields included, child rows as new rows), `amended_from`
	set, and the workflow, if any, starting again from its first state. Not saved."""
	source = permitted_doc(doctype, name, ptype="read")
	require_on(source, ptype="amend")
	_require_submittable(source.meta)
	if source.docstatus != CANCELLED:
		frappe.throw(
			_("{0} {1} is not cancelled; cancel it first (document_update with docstatus 2)").format(
				_(doctype), name
			),
			frappe.ValidationError,
		)
	if amended := frappe.db.get_value(doctype, {"amended_from": name}, "name"):
		frappe.throw(
			_("{0} {1} has already been amended by {2}").format(_(doctype), name, amended),
			frappe.ValidationError,
		)
	source.apply_fieldlevel_read_permissions()  # the desk never had the values the user may not read
	draft = frappe.copy_doc(source)
	draft.docstatus = DRAFT
	draft.amended_from = name
	if draft.meta.get_field("amendment_date"):
		draft.amendment_date = today()
	if workflow := active_workflow(doctype, required=False):
		draft.set(workflow.workflow_state_field, None)
	return draft


def _require_submittable(meta) -> None:
	if not meta.is_submittable:
		frappe.throw(_("{0} is not submittable").format(_(meta.name)), frappe.ValidationError)
