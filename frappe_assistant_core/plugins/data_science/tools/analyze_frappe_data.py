"""analyze_frappe_data: profile, statistics, trends, data quality or correlations of a DocType's records.

Reads up to `limit` records the calling user may read (frappe.get_list applies every permission
rule) and computes the analysis with pandas (data_science/_analysis.py). Field and filter names
are validated by plugins/_doctype_access.py before any query runs.
"""

from __future__ import annotations

from typing import Literal

import frappe
from frappe import _
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.exceptions import ToolArgumentError
from frappe_assistant_core.plugins._doctype_access import (
	DATE_TYPES,
	NUMERIC_TYPES,
	check_fields,
	doctype_meta,
	field_type,
	require_permission,
	value_fields,
)
from frappe_assistant_core.plugins._filters import Filters
from frappe_assistant_core.plugins.data_science._analysis_output import (
	Correlations,
	Interval,
	NumericStatistics,
	Profile,
	Quality,
	Trends,
)
from frappe_assistant_core.plugins.data_science._records import fetch_records

MAX_DEFAULT_FIELDS = 50
AnalysisType = Literal["profile", "statistics", "trends", "quality", "correlations"]


class AnalyzeFrappeDataArguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType whose records to analyse, e.g. 'Sales Invoice'.")
	analysis_type: AnalysisType = Field(
		description=(
			"profile: per-field counts, distinct values and summaries; statistics: mean, std, quartiles "
			"of numeric fields; trends: counts and totals per period of date_field; quality: "
			"completeness, blanks and duplicates; correlations: Pearson matrix of numeric fields."
		)
	)
	fields: list[str] | None = Field(
		default=None,
		max_length=MAX_DEFAULT_FIELDS,
		description=(
			"Fields to analyse. Default: every readable field (profile, quality) or every numeric "
			"field (statistics, trends, correlations). statistics/correlations accept numeric fields only."
		),
	)
	filters: Filters | None = Field(
		default=None,
		description="Frappe filters: {field: value}, {field: [operator, value]} or [[field, operator, value]].",
	)
	date_field: str = Field(
		default="creation", min_length=1, description="Date or Datetime field that trends group by."
	)
	interval: Interval = Field(default="Monthly", description="Period length for trends.")
	limit: int = Field(
		default=1000,
		ge=1,
		le=10000,
		description="Most recent records to analyse (by creation), at most 10000.",
	)


class AnalyzeFrappeDataOutput(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="The DocType analysed.")
	analysis_type: AnalysisType = Field(description="The analysis made; it decides the shape of result.")
	fields: list[str] = Field(description="The fields analysed.")
	row_count: int = Field(description="Records read.")
	limit_reached: bool = Field(description="Whether limit stopped the reading (older records left out).")
	result: Profile | dict[str, NumericStatistics] | Trends | Quality | Correlations = Field(
		description=(
			"profile: {row_count, columns}; statistics: {fieldname: statistics}; trends: {date_field, "
			"interval, undated_rows, periods, count_growth_percent}; quality: {row_count, duplicate_rows, "
			"overall_completeness_percent, columns, incomplete_fields}; correlations: {matrix, strong_pairs}."
		)
	)


class AnalyzeFrappeData(BaseTool):
	name = "analyze_frappe_data"
	title = "Analyze DocType data"
	Output = AnalyzeFrappeDataOutput
	description = (
		"Analyse the records of a DocType that you can read: profile, statistics, trends over time, "
		"data quality, or correlations between numeric fields. Computed with pandas over at most "
		"`limit` of the most recent records matching `filters`."
	)
	Arguments = AnalyzeFrappeDataArguments
	dependencies = ("pandas", "numpy")

	def execute(self, args: AnalyzeFrappeDataArguments) -> dict:
		# pandas loads only now, after run() has checked that it is installed.
		from frappe_assistant_core.plugins.data_science import _analysis

		meta = doctype_meta(args.doctype)
		require_permission(args.doctype, ptype="read")
		kind = args.analysis_type
		wants_numbers = kind in ("statistics", "trends", "correlations")
		types = NUMERIC_TYPES if wants_numbers else None
		if args.fields:
			fields = check_fields(meta, args.fields, "fields", types)
		else:
			fields = value_fields(meta, types)[:MAX_DEFAULT_FIELDS]
		if kind == "trends":
			check_fields(meta, [args.date_field], "date_field", DATE_TYPES)
		elif wants_numbers and not fields:
			frappe.throw(
				_("fields: {0} has no numeric fields you can read").format(args.doctype),
				ToolArgumentError,
			)

		columns = list(dict.fromkeys(["name", *fields, *([args.date_field] if kind == "trends" else [])]))
		records = fetch_records(meta, columns, args.filters, args.limit)
		types_by_field = {f: field_type(meta, f) for f in columns}
		numeric = [f for f in fields if types_by_field[f] in NUMERIC_TYPES]
		dates = [f for f in columns if types_by_field[f] in DATE_TYPES]
		df = _analysis.frame(records, columns, numeric, dates)

		if kind == "profile":
			result = _analysis.profile(
				df.drop(columns=["name"]) if "name" not in fields else df, types_by_field
			)
		elif kind == "statistics":
			result = _analysis.statistics(df, numeric)
		elif kind == "trends":
			result = _analysis.trends(df, args.date_field, numeric, args.interval)
		elif kind == "quality":
			result = _analysis.quality(df)
		else:
			result = _analysis.correlations(df, numeric)
		return {
			"doctype": args.doctype,
			"analysis_type": kind,
			"fields": fields,
			"row_count": len(records),
			"limit_reached": len(records) >= args.limit,
			"result": result,
		}
