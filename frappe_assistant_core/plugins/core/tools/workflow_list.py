"""workflow_list: the Workflow definitions the calling user can see, with their states and actions.

Lists Workflow records through the permission-aware frappe.get_list (Frappe grants read on
Workflow to System Managers); metadata_workflow describes one DocType's workflow to its readers.
"""

from __future__ import annotations

import frappe
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str | None = Field(default=None, min_length=1, description="Only workflows of this DocType.")
	active_only: bool = Field(default=False, description="Only workflows that are active.")
	limit: int = Field(default=20, ge=1, le=100, description="Maximum number of workflows (1-100).")


class WorkflowSummary(BaseModel):
	model_config = ConfigDict(extra="forbid")

	name: str = Field(description="Name of the Workflow.")
	document_type: str = Field(description="DocType it governs.")
	is_active: bool = Field(description="Whether it is the DocType's active workflow.")
	workflow_state_field: str = Field(description="Field holding a document's workflow state.")
	states: list[str] = Field(description="Its states, in order.")
	actions: list[str] = Field(description="The actions of its transitions, each once.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	count: int = Field(description="Number of workflows listed.")
	workflows: list[WorkflowSummary] = Field(description="The workflows, by name.")


class WorkflowList(BaseTool):
	name = "workflow_list"
	title = "List workflows"
	Output = Output
	description = (
		"List workflows with the DocType each governs, whether it is active, its states and its "
		"actions; filter by DocType or active only."
	)
	Arguments = Arguments
	requires_permission = "Workflow"

	def execute(self, args: Arguments) -> dict:
		check_access("Workflow", ptype="read")
		filters: dict = {}
		if args.doctype:
			filters["document_type"] = args.doctype
		if args.active_only:
			filters["is_active"] = 1
		names = frappe.get_list(
			"Workflow", filters=filters, pluck="name", order_by="name asc", limit_page_length=args.limit
		)
		workflows = [_summary(frappe.get_cached_doc("Workflow", name)) for name in names]
		return {"count": len(workflows), "workflows": workflows}


def _summary(workflow) -> dict:
	return {
		"name": workflow.name,
		"document_type": workflow.document_type,
		"is_active": bool(workflow.is_active),
		"workflow_state_field": workflow.workflow_state_field,
		"states": [row.state for row in workflow.states],
		"actions": list(dict.fromkeys(row.action for row in workflow.transitions)),
	}
