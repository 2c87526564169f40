"""workflow_action: apply a workflow action (Approve, Reject, ...) to a document as the calling user.

Delegates to frappe.model.workflow.apply_workflow, which moves the state, sets the next state's
update field and saves, submits or cancels as the next state's document status requires.
An action the user may not take now is refused with the actions that are available.
"""

from __future__ import annotations

from typing import Literal

import frappe
from frappe import _
from frappe.model.workflow import WorkflowTransitionError, apply_workflow, get_transitions
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import active_workflow


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType of the document.")
	name: str = Field(min_length=1, description="Name (ID) of the document.")
	action: str = Field(
		min_length=1, description="Workflow action to apply, e.g. 'Approve' (see workflow_status)."
	)


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="DocType of the document.")
	name: str = Field(description="Name (ID) of the document.")
	action: str = Field(description="The action applied.")
	previous_state: str | None = Field(description="Workflow state before the action.")
	state: str | None = Field(description="Workflow state now.")
	docstatus: Literal[0, 1, 2] = Field(description="Document status now: 0 draft, 1 submitted, 2 cancelled.")


class WorkflowAction(BaseTool):
	name = "workflow_action"
	rehearsable = True  # its changes are documents: a dry run can undo them
	title = "Apply a workflow action"
	Output = Output
	description = (
		"Apply a workflow action such as Approve or Reject to a document; the document moves to the "
		"next state and is saved, submitted or cancelled as the workflow defines."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="write", name=args.name)
		workflow = active_workflow(args.doctype)
		doc = frappe.get_doc(args.doctype, args.name)
		available = [t.action for t in get_transitions(doc, workflow)]
		if args.action not in available:
			frappe.throw(
				_("Action {0} is not available on {1} {2} in state {3}. Available: {4}").format(
					args.action,
					_(args.doctype),
					args.name,
					doc.get(workflow.workflow_state_field),
					", ".join(available) or _("none"),
				),
				WorkflowTransitionError,
			)
		previous = doc.get(workflow.workflow_state_field)
		doc = apply_workflow({"doctype": args.doctype, "name": args.name}, args.action)
		if doc is None:  # submission queued in the background (DocType set to queue_in_background)
			doc = frappe.get_doc(args.doctype, args.name)
		return {
			"doctype": args.doctype,
			"name": args.name,
			"action": args.action,
			"previous_state": previous,
			"state": doc.get(workflow.workflow_state_field),
			"docstatus": doc.docstatus,
		}
