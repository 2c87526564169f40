"""report_details: what a report needs and returns, read from its definition without running it.

Filters come from the report's Report Filter rows and its JS definition (fieldname, type, options,
mandatory, literal default); columns from its saved columns (Report Builder JSON or Report Column
rows). Script reports that build their columns at run time say so with `columns_at_run_time`.
"""

from __future__ import annotations

import json

import frappe
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import load_report, report_filters
from frappe_assistant_core.plugins.core._outputs import ReportColumn, ReportFilter, ReportType


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	report_name: str = Field(min_length=1, description="Name of the report, e.g. 'General Ledger'.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	report_name: str = Field(description="Name of the report.")
	report_type: ReportType = Field(description="How the report is built.")
	ref_doctype: str = Field(description="DocType the report is about.")
	module: str | None = Field(description="Module of the report.")
	is_standard: bool = Field(description="Whether it ships with an app (not made on this site).")
	disabled: bool = Field(description="Whether it is disabled (report_execute refuses it).")
	prepared_report: bool = Field(description="Whether Desk runs it in the background.")
	add_total_row: bool = Field(description="Whether a total row is added to its rows.")
	filters: list[ReportFilter] = Field(description="The filters the report declares.")
	filters_accept_any_field: bool = Field(
		description="Report Builder: filters are on any field of ref_doctype, not declared ones."
	)
	columns: list[ReportColumn] = Field(description="Declared columns (empty when built at run time).")
	columns_at_run_time: bool = Field(description="Whether the report makes its columns when it runs.")


class ReportDetails(BaseTool):
	name = "report_details"
	title = "Report details"
	Output = Output
	description = (
		"Describe a report before running it: type, DocType, its filters (which are mandatory, "
		"their types, options and defaults) and its columns where they are declared."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		report = load_report(args.report_name)
		check_access(report.ref_doctype, ptype="report")
		columns = _columns(report)
		return {
			"report_name": report.name,
			"report_type": report.report_type,
			"ref_doctype": report.ref_doctype,
			"module": report.module,
			"is_standard": report.is_standard == "Yes",
			"disabled": bool(report.disabled),
			"prepared_report": bool(report.prepared_report),
			"add_total_row": bool(report.add_total_row),
			"filters": report_filters(report),
			"filters_accept_any_field": report.report_type == "Report Builder",
			"columns": columns,
			"columns_at_run_time": not columns,
		}


def _columns(report) -> list[dict]:
	if report.report_type != "Report Builder":
		return [
			{"fieldname": c.fieldname, "label": c.label, "fieldtype": c.fieldtype, "options": c.options}
			for c in report.columns
		]
	params = json.loads(report.json or "{}")
	columns = []
	for fieldname, doctype in report.get_standard_report_columns(params):
		df = frappe.get_meta(doctype).get_field(fieldname)
		columns.append(
			{
				"fieldname": fieldname,
				"label": df.label if df else frappe.unscrub(fieldname),
				"fieldtype": df.fieldtype if df else "Data",
				"options": df.options if df else None,
			}
		)
	return columns
