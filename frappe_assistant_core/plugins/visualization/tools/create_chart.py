"""create_chart: a real Dashboard Chart document over a DocType, optionally added to a dashboard.

Count / Sum / Average charts are time series over a date field; Group By charts count or total
records per value of a field. Fields are checked against the source DocType's meta with the
types the desk's chart renderer needs; shared checks live in visualization/_common.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

import frappe
from pydantic import BaseModel, ConfigDict, Field, model_validator

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._doctype_access import (
	DATE_TYPES,
	NUMERIC_TYPES,
	check_fields,
	require_permission,
)
from frappe_assistant_core.plugins._filters import Filters
from frappe_assistant_core.plugins.visualization._common import (
	ColorPattern,
	Created,
	Titled,
	created,
	ensure_new,
	filters_json,
	link_to_dashboard,
	optional,
	source_meta,
	writable_dashboard,
)

GROUPABLE_TYPES = frozenset({"Select", "Link", "Data", "Check", "Int", "Rating"})


class CreateChartArguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	chart_name: str = Field(
		min_length=1, max_length=140, description="Name of the new Dashboard Chart (unique)."
	)
	doctype: str = Field(min_length=1, description="DocType whose records the chart shows.")
	chart_type: Annotated[Literal["Count", "Sum", "Average", "Group By"], Titled] = Field(
		default="Count",
		description="Count/Sum/Average: a time series over based_on; Group By: one value per group_by_based_on.",
	)
	type: Annotated[Literal["Line", "Bar", "Percentage", "Pie", "Donut", "Heatmap"], Titled] = Field(
		default="Bar", description="How the chart is drawn. Heatmap needs a Count/Sum/Average chart."
	)
	based_on: str = Field(default="creation", description="Date/Datetime field of the time series.")
	value_based_on: str | None = Field(
		default=None, description="Numeric field summed or averaged (required for Sum and Average)."
	)
	timespan: Annotated[Literal["Last Year", "Last Quarter", "Last Month", "Last Week"], Titled] = Field(
		default="Last Year", description="Period the time series covers."
	)
	time_interval: Annotated[Literal["Yearly", "Quarterly", "Monthly", "Weekly", "Daily"], Titled] = Field(
		default="Monthly", description="Length of one point of the time series."
	)
	group_by_based_on: str | None = Field(
		default=None, description="Field to group by (required for Group By)."
	)
	group_by_type: Annotated[Literal["Count", "Sum", "Average"], Titled] = Field(
		default="Count", description="Group By: count the records of each group, or sum/average a field."
	)
	aggregate_function_based_on: str | None = Field(
		default=None, description="Group By with Sum/Average: the numeric field to aggregate."
	)
	number_of_groups: int | None = Field(
		default=None, ge=1, le=100, description="Group By: most groups shown."
	)
	filters: Filters | None = Field(
		default=None,
		description="Frappe filters: {field: value}, {field: [operator, value]} or [[field, operator, value]].",
	)
	color: str | None = Field(default=None, pattern=ColorPattern, description="Colour as #RRGGBB.")
	is_public: bool = Field(
		default=False, description="Show the chart to every user who can read the DocType."
	)
	dashboard_name: str | None = Field(default=None, description="Existing Dashboard to add the chart to.")

	@model_validator(mode="after")
	def _required_for_type(self) -> CreateChartArguments:
		if self.chart_type in ("Sum", "Average") and not self.value_based_on:
			raise ValueError(f"value_based_on is required for a {self.chart_type} chart")
		if self.chart_type == "Group By":
			if not self.group_by_based_on:
				raise ValueError("group_by_based_on is required for a Group By chart")
			if self.type == "Heatmap":
				raise ValueError("type Heatmap needs chart_type Count, Sum or Average")
			if self.group_by_type != "Count" and not self.aggregate_function_based_on:
				raise ValueError(f"aggregate_function_based_on is required for Group By {self.group_by_type}")
		return self


class CreateChartOutput(Created):
	doctype: Literal["Dashboard Chart"] = Field(description="DocType of the new chart.")
	chart_type: Literal["Count", "Sum", "Average", "Group By"] = Field(description="What the chart counts.")
	type: Literal["Line", "Bar", "Percentage", "Pie", "Donut", "Heatmap"] = Field(
		description="How the chart is drawn."
	)
	dashboard: str | None = Field(description="The Dashboard it was added to, if any.")


class CreateChart(BaseTool):
	name = "create_chart"
	rehearsable = True  # its changes are documents: a dry run can undo them
	title = "Create a chart"
	Output = CreateChartOutput
	description = (
		"Create a Dashboard Chart (Count, Sum or Average over time, or Group By a field) on a DocType "
		"you can read, optionally adding it to an existing Dashboard. Returns the chart's name and URL."
	)
	Arguments = CreateChartArguments

	def execute(self, args: CreateChartArguments) -> dict:
		require_permission("Dashboard Chart", ptype="create")
		meta = source_meta(args.doctype)
		ensure_new("Dashboard Chart", args.chart_name, "chart_name")
		dashboard = writable_dashboard(args.dashboard_name)
		fields = (
			_group_by_fields(meta, args) if args.chart_type == "Group By" else _time_series_fields(meta, args)
		)
		chart = frappe.get_doc(
			{
				"doctype": "Dashboard Chart",
				"chart_name": args.chart_name,
				"chart_type": args.chart_type,
				"document_type": args.doctype,
				"type": args.type,
				"filters_json": filters_json(meta, args.filters),
				"is_public": int(args.is_public),
				**optional(color=args.color),
				**fields,
			}
		).insert()
		added_to = link_to_dashboard(dashboard, "charts", {"chart": chart.name})
		return created(chart, chart_type=chart.chart_type, type=chart.type, dashboard=added_to)


def _time_series_fields(meta, args: CreateChartArguments) -> dict:
	check_fields(meta, [args.based_on], "based_on", DATE_TYPES)
	value_field = None
	if args.chart_type != "Count":
		value_field = check_fields(meta, [args.value_based_on], "value_based_on", NUMERIC_TYPES)[0]
	return {
		"timeseries": 1,
		"based_on": args.based_on,
		"timespan": args.timespan,
		"time_interval": args.time_interval,
		**optional(value_based_on=value_field),
	}


def _group_by_fields(meta, args: CreateChartArguments) -> dict:
	check_fields(meta, [args.group_by_based_on], "group_by_based_on", GROUPABLE_TYPES)
	aggregate = None
	if args.group_by_type != "Count":
		aggregate = check_fields(
			meta, [args.aggregate_function_based_on], "aggregate_function_based_on", NUMERIC_TYPES
		)[0]
	return {
		"timeseries": 0,
		"group_by_based_on": args.group_by_based_on,
		"group_by_type": args.group_by_type,
		**optional(aggregate_function_based_on=aggregate, number_of_groups=args.number_of_groups),
	}
