"""report_execute: run a report as the calling user and return its rows as JSON or CSV.

Report Builder reports run through Report.get_data (frappe.get_list with the saved columns, sort
and filters); Query, Script and Custom reports through frappe.desk.query_report.run, as Desk runs
them (prepared reports are computed in the request). Mandatory filters the report declares are
checked first, and literal defaults filled in, so a missing filter is a clear argument error.
CSV text is safe to open in a spreadsheet: a cell that would run as a formula gets a leading
apostrophe (core.spreadsheet).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

import frappe
import frappe.desk.query_report
from frappe import _
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.core.spreadsheet import neutralise
from frappe_assistant_core.plugins._doctype_access import check_fields
from frappe_assistant_core.plugins._output_types import Absent, sometimes
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import argument_error, load_report, report_filters, to_json
from frappe_assistant_core.plugins.core._outputs import ReportColumn, ReportType


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	report_name: str = Field(min_length=1, description="Name of the report, e.g. 'General Ledger'.")
	filters: dict[str, Any] = Field(
		default_factory=dict,
		description='Filter values by fieldname (see report_details), e.g. {"company": "Acme"}.',
	)
	format: Literal["json", "csv"] = Field(
		default="json", description="json: rows as objects; csv: one CSV text with a header row."
	)
	limit: int = Field(default=500, ge=1, le=5000, description="Maximum number of rows returned (1-5000).")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	report_name: str = Field(description="Name of the report run.")
	report_type: ReportType = Field(description="How the report is built.")
	columns: list[ReportColumn] = Field(description="The columns, in order.")
	row_count: int = Field(description="Number of rows returned.")
	truncated: bool = Field(description="Whether the report had more rows than limit.")
	format: Literal["json", "csv"] = Field(description="Which of data and csv holds the rows.")
	data: list[dict[str, Any]] | Absent = sometimes("format json: the rows, each {column fieldname: value}.")
	csv: str | Absent = sometimes("format csv: the rows as CSV text, column labels in the first line.")


class ReportExecute(BaseTool):
	name = "report_execute"
	title = "Run a report"
	Output = Output
	description = (
		"Run a report (Report Builder, Query or Script report) with filters and return its columns "
		"and rows as JSON or CSV. Call report_details first to learn the report's filters."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		report = load_report(args.report_name)
		check_access(report.ref_doctype, ptype="report")
		if report.disabled:
			frappe.throw(_("Report {0} is disabled").format(_(report.name)), frappe.ValidationError)
		filters = _complete_filters(report, args.filters)
		if report.report_type == "Report Builder":
			check_fields(frappe.get_meta(report.ref_doctype), list(filters), "filters")
			columns, rows = report.get_data(
				filters=filters, limit=args.limit + 1, user=frappe.session.user, as_dict=True
			)
		else:
			result = frappe.desk.query_report.run(report.name, filters=filters, ignore_prepared_report=True)
			columns, rows = result["columns"], result["result"]
		columns = [_column(c) for c in columns]
		rows = [_row(row, columns) for row in rows]
		out = {
			"report_name": report.name,
			"report_type": report.report_type,
			"columns": columns,
			"row_count": min(len(rows), args.limit),
			"truncated": len(rows) > args.limit,
			"format": args.format,
		}
		rows = to_json(rows[: args.limit])
		if args.format == "csv":
			out["csv"] = _csv(columns, rows)
		else:
			out["data"] = rows
		return out


def _complete_filters(report, given: dict) -> dict:
	"""`given` plus the literal defaults of declared filters; a mandatory one missing is an error."""
	filters = dict(given)
	for declared in report_filters(report):
		fieldname = declared["fieldname"]
		if filters.get(fieldname) in (None, "") and declared["default"] not in (None, ""):
			filters[fieldname] = declared["default"]
		if declared["reqd"] and filters.get(fieldname) in (None, ""):
			argument_error(
				f"filters.{fieldname}",
				_("{0} is mandatory for report {1}").format(declared["label"] or fieldname, report.name),
			)
	return filters


def _column(column) -> dict:
	"""Report Builder columns are DocFields or dicts; query_report.run has made the others dicts."""
	return {key: column.get(key) for key in ("fieldname", "label", "fieldtype", "options")}


def _row(row, columns: list[dict]) -> dict:
	if isinstance(row, dict):
		return dict(row)
	return {column["fieldname"]: value for column, value in zip(columns, row, strict=False)}


def _csv(columns: list[dict], rows: list[dict]) -> str:
	"""CSV text a spreadsheet can open safely: no cell runs as a formula (core.spreadsheet)."""
	buffer = io.StringIO()
	writer = csv.writer(buffer)
	writer.writerow([neutralise(c["label"] or c["fieldname"]) for c in columns])
	writer.writerows([neutralise(row.get(c["fieldname"])) for c in columns] for row in rows)
	return buffer.getvalue()
