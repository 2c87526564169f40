"""Visualization: dashboards, charts and KPI cards as real desk documents."""

from frappe_assistant_core.plugins.base_plugin import BasePlugin


class VisualizationPlugin(BasePlugin):
	name = "visualization"
	display_name = "Visualization"
	description = "Dashboard and chart creation, KPI number cards"
	tools = ("create_dashboard", "create_chart", "create_kpi_card")
