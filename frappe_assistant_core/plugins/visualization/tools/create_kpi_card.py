"""create_kpi_card: a real Number Card document (Count/Sum/Average/Minimum/Maximum of a DocType).

The card is computed by the desk's own Number Card code, which this tool also calls once to
return the card's current value (as the calling user, so only records they can read count).
Shared checks live in visualization/_common.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

import frappe
from frappe.desk.doctype.number_card.number_card import get_result
from pydantic import BaseModel, ConfigDict, Field, model_validator

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._doctype_access import NUMERIC_TYPES, check_fields, require_permission
from frappe_assistant_core.plugins._filters import Filters
from frappe_assistant_core.plugins.visualization._common import (
	ColorPattern,
	Created,
	Titled,
	created,
	filters_json,
	link_to_dashboard,
	optional,
	source_meta,
	writable_dashboard,
)


class CreateKpiCardArguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	label: str = Field(min_length=1, max_length=140, description="Title shown on the card (also its name).")
	doctype: str = Field(min_length=1, description="DocType whose records the card aggregates.")
	function: Annotated[Literal["Count", "Sum", "Average", "Minimum", "Maximum"], Titled] = Field(
		default="Count", description="Aggregate shown on the card."
	)
	aggregate_field: str | None = Field(
		default=None, description="Numeric field aggregated (required unless function is Count)."
	)
	filters: Filters | None = Field(
		default=None,
		description="Frappe filters: {field: value}, {field: [operator, value]} or [[field, operator, value]].",
	)
	color: str | None = Field(default=None, pattern=ColorPattern, description="Colour as #RRGGBB.")
	show_percentage_stats: bool = Field(
		default=True, description="Show the change since the previous period."
	)
	stats_time_interval: Annotated[Literal["Daily", "Weekly", "Monthly", "Yearly"], Titled] = Field(
		default="Daily", description="Period the percentage change compares with."
	)
	is_public: bool = Field(
		default=False, description="Show the card to every user who can read the DocType."
	)
	dashboard_name: str | None = Field(default=None, description="Existing Dashboard to add the card to.")

	@model_validator(mode="after")
	def _field_for_function(self) -> CreateKpiCardArguments:
		if self.function != "Count" and not self.aggregate_field:
			raise ValueError(f"aggregate_field is required for function {self.function}")
		return self


class CreateKpiCardOutput(Created):
	doctype: Literal["Number Card"] = Field(description="DocType of the new card.")
	function: Literal["Count", "Sum", "Average", "Minimum", "Maximum"] = Field(
		description="Aggregate the card shows."
	)
	value: float = Field(description="The card's current value, over the records the caller can read.")
	dashboard: str | None = Field(description="The Dashboard it was added to, if any.")


class CreateKpiCard(BaseTool):
	name = "create_kpi_card"
	rehearsable = True  # its changes are documents: a dry run can undo them
	title = "Create a KPI card"
	Output = CreateKpiCardOutput
	description = (
		"Create a Number Card (KPI) showing the Count, Sum, Average, Minimum or Maximum of a DocType "
		"you can read, with optional filters, optionally added to an existing Dashboard. Returns the "
		"card's name, URL and current value."
	)
	Arguments = CreateKpiCardArguments

	def execute(self, args: CreateKpiCardArguments) -> dict:
		require_permission("Number Card", ptype="create")
		meta = source_meta(args.doctype)
		dashboard = writable_dashboard(args.dashboard_name)
		aggregate = None
		if args.function != "Count":
			aggregate = check_fields(meta, [args.aggregate_field], "aggregate_field", NUMERIC_TYPES)[0]
		card = frappe.get_doc(
			{
				"doctype": "Number Card",
				"label": args.label,
				"type": "Document Type",
				"document_type": args.doctype,
				"function": args.function,
				"filters_json": filters_json(meta, args.filters),
				"show_percentage_stats": int(args.show_percentage_stats),
				"stats_time_interval": args.stats_time_interval,
				"is_public": int(args.is_public),
				**optional(aggregate_function_based_on=aggregate, color=args.color),
			}
		).insert()
		added_to = link_to_dashboard(dashboard, "cards", {"card": card.name})
		value = get_result(card.as_dict(), card.filters_json)
		return created(card, function=card.function, value=value, dashboard=added_to)
