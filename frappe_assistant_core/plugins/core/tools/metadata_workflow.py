"""metadata_workflow: the active workflow of a DocType: state field, states and transitions.

Anyone who can read the DocType may see it, as Desk sends the workflow with the DocType's form.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._output_types import Absent, sometimes
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import active_workflow


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(
		min_length=1, description="DocType whose workflow to describe, e.g. 'Leave Application'."
	)


class WorkflowState(BaseModel):
	model_config = ConfigDict(extra="forbid")

	state: str = Field(description="Name of the state.")
	docstatus: Literal[0, 1, 2] = Field(
		description="Document status in this state: 0 draft, 1 submitted, 2 cancelled."
	)
	allow_edit: str | None = Field(description="Role that may edit a document in this state.")
	update_field: str | None = Field(description="Field set on entering the state.")
	update_value: str | None = Field(description="Value update_field is set to.")


class WorkflowTransition(BaseModel):
	model_config = ConfigDict(extra="forbid")

	state: str = Field(description="State the transition starts from.")
	action: str = Field(description="Action that applies it, e.g. Approve.")
	next_state: str = Field(description="State it leads to.")
	allowed: str = Field(description="Role that may apply it.")
	allow_self_approval: bool = Field(description="Whether the document's creator may apply it.")
	condition: str | None = Field(description="Python expression the document must meet, if any.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="The DocType.")
	has_workflow: bool = Field(
		description="Whether the DocType has an active workflow; the keys below are there only if it has."
	)
	workflow: str | Absent = sometimes("Name of the active Workflow.")
	workflow_state_field: str | Absent = sometimes("Field holding the document's workflow state.")
	send_email_alert: bool | Absent = sometimes("Whether users are e-mailed when a document moves to them.")
	states: list[WorkflowState] | Absent = sometimes("The states.")
	transitions: list[WorkflowTransition] | Absent = sometimes("The transitions.")


class MetadataWorkflow(BaseTool):
	name = "metadata_workflow"
	title = "Workflow of a DocType"
	Output = Output
	description = (
		"Describe the active workflow of a DocType: its state field, each state (document status, "
		"who may edit) and each transition (from state, action, next state, role allowed)."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="read")
		workflow = active_workflow(args.doctype, required=False)
		if not workflow:
			return {"doctype": args.doctype, "has_workflow": False}
		return {
			"doctype": args.doctype,
			"has_workflow": True,
			"workflow": workflow.name,
			"workflow_state_field": workflow.workflow_state_field,
			"send_email_alert": bool(workflow.send_email_alert),
			"states": [
				{
					"state": row.state,
					"docstatus": int(row.doc_status or 0),
					"allow_edit": row.allow_edit,
					"update_field": row.update_field,
					"update_value": row.update_value,
				}
				for row in workflow.states
			],
			"transitions": [
				{
					"state": row.state,
					"action": row.action,
					"next_state": row.next_state,
					"allowed": row.allowed,
					"allow_self_approval": bool(row.allow_self_approval),
					"condition": row.condition,
				}
				for row in workflow.transitions
			],
		}
