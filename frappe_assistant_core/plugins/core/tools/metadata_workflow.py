"""metadata_workflow: the active workflow of a DocType: state field, states and transitions.

Anyone who can read the DocType may see it, as Desk sends the workflow with the DocType's form.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._helpers import active_workflow, check_access


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(
		min_length=1, description="DocType whose workflow to describe, e.g. 'Leave Application'."
	)


class MetadataWorkflow(BaseTool):
	name = "metadata_workflow"
	title = "Workflow of a DocType"
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
