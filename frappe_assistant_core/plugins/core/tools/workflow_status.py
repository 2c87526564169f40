"""workflow_status: where a document stands in its workflow and which actions this user may take now.

The actions come from frappe.model.workflow.get_transitions: transitions from the current state
whose role the user has and whose condition the document meets.
"""

from __future__ import annotations

from typing import Literal

import frappe
from frappe.model.workflow import get_transitions
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import active_workflow


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType of the document, e.g. 'Leave Application'.")
	name: str = Field(min_length=1, description="Name (ID) of the document.")


class AvailableAction(BaseModel):
	model_config = ConfigDict(extra="forbid")

	action: str = Field(description="Action to pass to workflow_action.")
	next_state: str = Field(description="State it leads to.")
	allowed_role: str = Field(description="Role (one of the user's) that allows it.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="DocType of the document.")
	name: str = Field(description="Name (ID) of the document.")
	workflow: str = Field(description="Name of the DocType's active Workflow.")
	state: str | None = Field(description="The document's workflow state (None before it has one).")
	docstatus: Literal[0, 1, 2] = Field(description="Document status: 0 draft, 1 submitted, 2 cancelled.")
	editable_by_role: str | None = Field(description="Role that may edit the document in this state.")
	available_actions: list[AvailableAction] = Field(
		description="Actions the user can take now (role and condition met)."
	)


class WorkflowStatus(BaseTool):
	name = "workflow_status"
	title = "Workflow state of a document"
	Output = Output
	description = (
		"Show a document's current workflow state and document status, and the workflow actions "
		"the current user can take on it now (with the state each leads to)."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="read", name=args.name)
		workflow = active_workflow(args.doctype)
		doc = frappe.get_doc(args.doctype, args.name)
		state = doc.get(workflow.workflow_state_field)
		state_row = next((row for row in workflow.states if row.state == state), None)
		return {
			"doctype": args.doctype,
			"name": args.name,
			"workflow": workflow.name,
			"state": state,
			"docstatus": doc.docstatus,
			"editable_by_role": state_row.allow_edit if state_row else None,
			"available_actions": [
				{"action": t.action, "next_state": t.next_state, "allowed_role": t.allowed}
				for t in (get_transitions(doc, workflow) if state else [])
			],
		}
