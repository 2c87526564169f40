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
from frappe_assistant_core.plugins.core._helpers import check_access, load_report, report_filters


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	report_name: str = Field(min_length=1, description="Name of the report, e.g. 'General Ledger'.")


class ReportDetails(BaseTool):
	name = "report_details"
	title = "Report details"
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
