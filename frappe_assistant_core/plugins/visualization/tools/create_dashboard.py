"""create_dashboard: a real Dashboard document linking existing Dashboard Charts and Number Cards.

Every linked chart and card must exist and be readable by the calling user (checked in
visualization/_common.py), so a dashboard never points at something its creator cannot see.
Charts are made with create_chart and cards with create_kpi_card.
"""

from __future__ import annotations

from typing import Annotated, Literal

import frappe
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._doctype_access import require_permission
from frappe_assistant_core.plugins.visualization._common import (
	Created,
	Titled,
	created,
	ensure_new,
	readable_names,
)


class CreateDashboardArguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	dashboard_name: str = Field(
		min_length=1, max_length=140, description="Name of the new Dashboard (unique)."
	)
	chart_names: list[str] = Field(
		min_length=1, max_length=50, description="Existing Dashboard Charts to show, in order (at least one)."
	)
	card_names: list[str] = Field(
		default_factory=list, max_length=50, description="Existing Number Cards to show above the charts."
	)
	chart_width: Annotated[Literal["Half", "Full"], Titled] = Field(
		default="Half", description="Width of every chart on the dashboard."
	)


class CreateDashboardOutput(Created):
	doctype: Literal["Dashboard"] = Field(description="DocType of the new dashboard.")
	charts: list[str] = Field(description="The Dashboard Charts it shows, in order.")
	cards: list[str] = Field(description="The Number Cards it shows.")


class CreateDashboard(BaseTool):
	name = "create_dashboard"
	rehearsable = True  # its changes are documents: a dry run can undo them
	title = "Create a dashboard"
	Output = CreateDashboardOutput
	description = (
		"Create a Dashboard showing existing Dashboard Charts (see create_chart) and Number Cards "
		"(see create_kpi_card) that you can read. Returns the dashboard's name and URL."
	)
	Arguments = CreateDashboardArguments

	def execute(self, args: CreateDashboardArguments) -> dict:
		require_permission("Dashboard", ptype="create")
		ensure_new("Dashboard", args.dashboard_name, "dashboard_name")
		charts = readable_names("Dashboard Chart", args.chart_names, "chart_names")
		cards = readable_names("Number Card", args.card_names, "card_names")
		dashboard = frappe.get_doc(
			{
				"doctype": "Dashboard",
				"dashboard_name": args.dashboard_name,
				"charts": [{"chart": chart, "width": args.chart_width} for chart in charts],
				"cards": [{"card": card} for card in cards],
			}
		).insert()
		return created(dashboard, charts=charts, cards=cards)
