"""report_list: the reports the calling user may run, filtered by module, type or DocType.

Starts from the reports Desk shows the user (frappe.boot.get_allowed_report_names: role lists and
Custom Roles), reads them through the permission-aware frappe.get_list and keeps those whose
DocType the user has report permission on.
"""

from __future__ import annotations

from typing import Literal

import frappe
from frappe.boot import get_allowed_report_names
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._outputs import ReportType

_FIELDS = ["name", "report_type", "ref_doctype", "module", "is_standard", "prepared_report"]


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	module: str | None = Field(
		default=None, min_length=1, description="Only reports of this module, e.g. 'Accounts'."
	)
	report_type: Literal["Report Builder", "Query Report", "Script Report", "Custom Report"] | None = Field(
		default=None, description="Only reports of this type."
	)
	ref_doctype: str | None = Field(default=None, min_length=1, description="Only reports on this DocType.")
	search: str | None = Field(
		default=None, min_length=1, description="Only reports whose name contains this text."
	)
	limit: int = Field(default=50, ge=1, le=500, description="Maximum number of reports (1-500).")


class ReportSummary(BaseModel):
	model_config = ConfigDict(extra="forbid")

	name: str = Field(description="Name of the report (report_details and report_execute take it).")
	report_type: ReportType = Field(description="How the report is built.")
	ref_doctype: str = Field(description="DocType the report is about.")
	module: str | None = Field(description="Module of the report.")
	is_standard: Literal["Yes", "No"] = Field(description="Yes: it ships with an app.")
	prepared_report: bool = Field(description="Whether Desk runs it in the background.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	count: int = Field(description="Number of reports listed.")
	reports: list[ReportSummary] = Field(description="The reports, by name.")


class ReportList(BaseTool):
	name = "report_list"
	title = "List reports"
	Output = Output
	description = (
		"List the reports the user can run (name, type, DocType, module); filter by module, report "
		"type, DocType or text. Use report_details before report_execute to learn a report's filters."
	)
	Arguments = Arguments
	requires_permission = "Report"

	def execute(self, args: Arguments) -> dict:
		check_access("Report", ptype="read")
		allowed = get_allowed_report_names()
		if not allowed:
			return {"count": 0, "reports": []}
		filters: dict = {"name": ["in", list(allowed)], "disabled": 0}
		for field in ("module", "report_type", "ref_doctype"):
			if value := getattr(args, field):
				filters[field] = value
		if args.search:
			filters["report_name"] = ["like", f"%{args.search}%"]
		rows = frappe.get_list(
			"Report", filters=filters, fields=_FIELDS, order_by="name asc", limit_page_length=args.limit
		)
		reports = [
			{**row, "prepared_report": bool(row.prepared_report)}
			for row in rows
			if frappe.has_permission(row.ref_doctype, ptype="report")
		]
		return {"count": len(reports), "reports": reports}
