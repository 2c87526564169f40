"""The visualization tools make real Dashboard, Dashboard Chart and Number Card documents.

Each document is rendered with the desk's own code (dashboard_chart.get, number_card.get_result,
dashboard.get_permitted_charts) to prove it is valid, and its numbers are checked against the
records created by the test. Permission-denied and bad-argument cases leave no document behind.
"""

from __future__ import annotations

import datetime
import json

import frappe
import pytest
from frappe.desk.doctype.dashboard.dashboard import get_permitted_cards, get_permitted_charts
from frappe.desk.doctype.dashboard_chart.dashboard_chart import get as render_chart
from frappe.desk.doctype.number_card.number_card import get_result as card_value

from frappe_assistant_core.core.tool_categories import read_tool_source
from frappe_assistant_core.exceptions import ToolArgumentError
from tests.tools._fixtures import (
	ANALYST,
	DASHBOARD_ANALYST,
	DASHBOARD_MAKER,
	PROBE,
	ensure_probe,
	load_tool,
	module_path,
	probe_rows,
)


@pytest.fixture(scope="module", autouse=True)
def probe():
	ensure_probe()


def tool(name: str):
	return load_tool("visualization", name)


def _rows() -> None:
	today = datetime.date.today()
	probe_rows(
		{"region": "North", "amount": 10, "posted_on": today},
		{"region": "North", "amount": 20, "posted_on": today},
		{"region": "South", "amount": 30, "posted_on": today - datetime.timedelta(days=40)},
	)


def _chart(name: str = "FAC Probe Count", **extra) -> dict:
	return tool("create_chart").run({"chart_name": name, "doctype": PROBE, **extra})


@pytest.mark.parametrize("name", ["create_dashboard", "create_chart", "create_kpi_card"])
def test_detected_category_of_each_visualization_tool_is_write(name):
	"""They check `create` permission only, so AST detection calls them write tools."""
	assert read_tool_source(module_path("visualization", name)).category == "write"


def test_registry_serves_the_visualization_tools_as_write_tools():
	"""Through the registry MCP uses: listed with write annotations, and a call creates the document."""
	from frappe_assistant_core.utils.plugin_manager import get_tool_registry

	registry = get_tool_registry()
	tools = {t.name: t for t in registry.get_available_tools("Administrator")}
	for name in ("create_dashboard", "create_chart", "create_kpi_card"):
		assert tools[name].annotations == {"readOnlyHint": False, "destructiveHint": False}
	card = registry.call_tool("create_kpi_card", {"label": "FAC Registry Card", "doctype": PROBE})
	assert frappe.db.get_value("Number Card", card["name"], "document_type") == PROBE


# create_chart ----------------------------------------------------------------------------------


def test_count_and_sum_charts_render_the_records_of_the_last_year():
	"""Time-series charts are valid Dashboard Charts; the desk renders the counts and sums of the rows."""
	_rows()
	frappe.set_user(DASHBOARD_ANALYST)
	count = _chart(based_on="posted_on", type="line", time_interval="monthly")
	total = _chart("FAC Probe Amount", chart_type="Sum", value_based_on="amount", based_on="posted_on")

	doc = frappe.get_doc("Dashboard Chart", count["name"])
	assert (doc.chart_type, doc.type, doc.timeseries, doc.based_on) == ("Count", "Line", 1, "posted_on")
	assert (doc.timespan, doc.time_interval, doc.owner) == ("Last Year", "Monthly", DASHBOARD_ANALYST)
	assert count["url"].endswith(frappe.utils.quote(count["name"]))
	assert sum(render_chart(chart_name=count["name"], refresh=1)["datasets"][0]["values"]) == 3
	assert sum(render_chart(chart_name=total["name"], refresh=1)["datasets"][0]["values"]) == 60


def test_group_by_chart_with_filters_is_added_to_a_dashboard():
	"""Group By counts per value; filters_json is stored in the list form; the dashboard links the chart."""
	_rows()
	first = _chart("FAC Probe Seed")
	frappe.get_doc(
		{"doctype": "Dashboard", "dashboard_name": "FAC Probe Board", "charts": [{"chart": first["name"]}]}
	).insert()
	result = _chart(
		"FAC Probe Regions",
		chart_type="group by",
		type="Pie",
		group_by_based_on="region",
		filters={"amount": [">", 5]},
		dashboard_name="FAC Probe Board",
		color="#FF8800",
	)
	doc = frappe.get_doc("Dashboard Chart", result["name"])
	assert json.loads(doc.filters_json) == [[PROBE, "amount", ">", 5, False]]
	rendered = render_chart(chart_name=result["name"], refresh=1)
	assert dict(zip(rendered["labels"], rendered["datasets"][0]["values"], strict=True)) == {
		"North": 2,
		"South": 1,
	}
	assert result["dashboard"] == "FAC Probe Board"
	assert [c.chart for c in frappe.get_doc("Dashboard", "FAC Probe Board").charts] == [
		first["name"],
		result["name"],
	]


def test_chart_needs_create_permission_and_read_access_to_the_source():
	"""No Dashboard Chart create right, or no read right on the DocType: PermissionError, nothing created."""
	frappe.set_user(ANALYST)  # reads the probe, may not create charts
	with pytest.raises(frappe.PermissionError, match="create permission on Dashboard Chart"):
		_chart("FAC Denied One")
	frappe.set_user(DASHBOARD_MAKER)  # may create charts, cannot read the probe
	with pytest.raises(
		frappe.PermissionError, match="doctype: You do not have read permission on FAC Analytics Probe"
	):
		_chart("FAC Denied Two")
	frappe.set_user("Administrator")
	assert not frappe.db.exists("Dashboard Chart", {"chart_name": ("like", "FAC Denied%")})


def test_chart_for_a_missing_dashboard_is_not_created():
	"""dashboard_name is checked before the chart is inserted: no orphan chart is left."""
	with pytest.raises(frappe.DoesNotExistError, match="dashboard_name: Dashboard No Such Board"):
		_chart("FAC Probe Orphan", dashboard_name="No Such Board")
	assert not frappe.db.exists("Dashboard Chart", "FAC Probe Orphan")


@pytest.mark.parametrize(
	("arguments", "message"),
	[
		({"chart_type": "Sum"}, "value_based_on is required"),
		({"chart_type": "Group By"}, "group_by_based_on is required"),
		({"chart_type": "Group By", "group_by_based_on": "region", "type": "Heatmap"}, "Heatmap"),
		({"type": "Radar"}, "type"),
		({"color": "red"}, "color"),
		({"timespan": "Last Century"}, "timespan"),
		({"chart_type": "Sum", "value_based_on": "title"}, "value_based_on: field title"),
		({"based_on": "region"}, "based_on: field region"),
		({"filters": {"nope": 1}}, "filters: FAC Analytics Probe has no field nope"),
		({"filters": [["amount", "drop table", 1]]}, "unsupported operator"),
		({"unknown": 1}, "unknown"),
	],
)
def test_chart_bad_arguments_name_the_field(arguments, message):
	with pytest.raises(ToolArgumentError, match=message):
		_chart("FAC Bad Chart", **arguments)
	assert not frappe.db.exists("Dashboard Chart", "FAC Bad Chart")


def test_chart_name_must_be_new():
	_chart("FAC Probe Twice")
	with pytest.raises(frappe.DuplicateEntryError, match="chart_name"):
		_chart("FAC Probe Twice")


# create_kpi_card -------------------------------------------------------------------------------


def test_kpi_card_is_a_number_card_whose_value_the_desk_computes():
	"""Sum of amount over North rows: stored as a Number Card, its value 30 by the desk's own code."""
	_rows()
	frappe.set_user(DASHBOARD_ANALYST)
	result = tool("create_kpi_card").run(
		{
			"label": "FAC North Amount",
			"doctype": PROBE,
			"function": "sum",
			"aggregate_field": "amount",
			"filters": [["region", "=", "North"]],
			"stats_time_interval": "Monthly",
		}
	)
	card = frappe.get_doc("Number Card", result["name"])
	assert (card.type, card.document_type, card.function) == ("Document Type", PROBE, "Sum")
	assert (card.aggregate_function_based_on, card.stats_time_interval) == ("amount", "Monthly")
	assert json.loads(card.filters_json) == [[PROBE, "region", "=", "North", False]]
	assert result["value"] == 30 == card_value(card.as_dict(), card.filters_json)
	count = tool("create_kpi_card").run({"label": "FAC Probe Rows", "doctype": PROBE})
	assert count["value"] == 3


def test_kpi_card_can_be_added_to_a_dashboard():
	first = _chart("FAC Probe Seed")
	frappe.get_doc(
		{"doctype": "Dashboard", "dashboard_name": "FAC Card Board", "charts": [{"chart": first["name"]}]}
	).insert()
	result = tool("create_kpi_card").run(
		{"label": "FAC Card", "doctype": PROBE, "dashboard_name": "FAC Card Board"}
	)
	assert [c.card for c in frappe.get_doc("Dashboard", "FAC Card Board").cards] == [result["name"]]


def test_kpi_card_needs_create_permission_and_read_access_to_the_source():
	frappe.set_user(ANALYST)
	with pytest.raises(frappe.PermissionError, match="create permission on Number Card"):
		tool("create_kpi_card").run({"label": "FAC Denied Card", "doctype": PROBE})
	frappe.set_user(DASHBOARD_MAKER)
	with pytest.raises(frappe.PermissionError, match="read"):
		tool("create_kpi_card").run({"label": "FAC Denied Card", "doctype": PROBE})
	frappe.set_user("Administrator")
	assert not frappe.db.exists("Number Card", {"label": "FAC Denied Card"})


@pytest.mark.parametrize(
	("arguments", "message"),
	[
		({"function": "Maximum"}, "aggregate_field is required"),
		({"function": "Median", "aggregate_field": "amount"}, "function"),
		({"function": "Sum", "aggregate_field": "region"}, "aggregate_field: field region"),
		({"stats_time_interval": "Hourly"}, "stats_time_interval"),
		({"doctype": "DocField"}, "single or child-table"),
	],
)
def test_kpi_card_bad_arguments_name_the_field(arguments, message):
	with pytest.raises(ToolArgumentError, match=message):
		tool("create_kpi_card").run({"label": "FAC Bad Card", "doctype": PROBE, **arguments})
	assert not frappe.db.exists("Number Card", {"label": "FAC Bad Card"})


# create_dashboard ------------------------------------------------------------------------------


def test_dashboard_links_charts_and_cards_the_desk_can_show():
	"""A Dashboard with two charts (full width) and a card; the desk's permitted lists return them all."""
	_rows()
	frappe.set_user(DASHBOARD_ANALYST)
	count = _chart(based_on="posted_on")
	regions = _chart("FAC Probe Regions", chart_type="Group By", group_by_based_on="region")
	card = tool("create_kpi_card").run({"label": "FAC Probe Rows", "doctype": PROBE})
	result = tool("create_dashboard").run(
		{
			"dashboard_name": "FAC Probe Overview",
			"chart_names": [count["name"], regions["name"], count["name"]],
			"card_names": [card["name"]],
			"chart_width": "full",
		}
	)
	assert result["charts"] == [count["name"], regions["name"]]
	dashboard = frappe.get_doc("Dashboard", "FAC Probe Overview")
	assert [(c.chart, c.width) for c in dashboard.charts] == [
		(count["name"], "Full"),
		(regions["name"], "Full"),
	]
	assert [c.card for c in get_permitted_cards("FAC Probe Overview")] == [card["name"]]
	assert [c.chart for c in get_permitted_charts("FAC Probe Overview")] == [count["name"], regions["name"]]


def test_dashboard_needs_create_permission_and_readable_charts():
	"""No Dashboard create right → PermissionError; a chart the user cannot read → PermissionError."""
	chart = _chart()
	frappe.set_user(ANALYST)
	with pytest.raises(frappe.PermissionError, match=r"create permission on Dashboard$"):
		tool("create_dashboard").run({"dashboard_name": "FAC Denied Board", "chart_names": [chart["name"]]})
	frappe.set_user(DASHBOARD_MAKER)  # the chart counts a DocType this user cannot read
	with pytest.raises(frappe.PermissionError, match="chart_names"):
		tool("create_dashboard").run({"dashboard_name": "FAC Denied Board", "chart_names": [chart["name"]]})
	frappe.set_user("Administrator")
	assert not frappe.db.exists("Dashboard", "FAC Denied Board")


@pytest.mark.parametrize(
	("arguments", "error", "message"),
	[
		({"chart_names": []}, ToolArgumentError, "chart_names"),
		({"chart_names": ["No Such Chart"]}, frappe.DoesNotExistError, "chart_names: .*No Such Chart"),
		({"card_names": ["No Such Card"]}, frappe.DoesNotExistError, "card_names"),
		({"chart_width": "Double"}, ToolArgumentError, "chart_width"),
	],
)
def test_dashboard_bad_arguments_name_the_field(arguments, error, message):
	chart = _chart()
	with pytest.raises(error, match=message):
		tool("create_dashboard").run(
			{"dashboard_name": "FAC Bad Board", "chart_names": [chart["name"]], **arguments}
		)
	assert not frappe.db.exists("Dashboard", "FAC Bad Board")
