"""Core plugin, report and workflow tools: real reports run and real workflow transitions, as the caller.

Each tool: a working call asserting real data, a permission-denied call, bad arguments
(SPEC §4, issue: core tools).
"""

from __future__ import annotations

import csv
import io
import json

import frappe
import pytest
from frappe.model.workflow import WorkflowTransitionError

from frappe_assistant_core.exceptions import ToolArgumentError
from frappe_assistant_core.plugins.core.tools.report_details import ReportDetails
from frappe_assistant_core.plugins.core.tools.report_execute import ReportExecute
from frappe_assistant_core.plugins.core.tools.report_list import ReportList
from frappe_assistant_core.plugins.core.tools.workflow_action import WorkflowAction
from frappe_assistant_core.plugins.core.tools.workflow_list import WorkflowList
from frappe_assistant_core.plugins.core.tools.workflow_status import WorkflowStatus
from tests.support.doctypes import (
	BUILDER_REPORT,
	ORDER,
	OUTSIDER,
	QUERY_REPORT,
	READER,
	READER_ROLE,
	REQUEST,
	WORKFLOW,
	ensure_test_doctypes,
	ensure_test_users,
	order,
)
from tests.support.site import make_user

SCRIPT_REPORT = "Permitted Documents For User"  # a standard Script Report of the framework
REPORT_READER = "fac-core-report-reader@example.com"


@pytest.fixture(scope="module", autouse=True)
def core_fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()
	make_user(REPORT_READER, [READER_ROLE, "Report Manager"])


@pytest.fixture
def orders() -> dict[str, str]:
	"""Three orders of two customers, by customer-amount."""
	rows = {"Umbrella-100": ("Umbrella", 100), "Umbrella-50": ("Umbrella", 50), "Wayne-300": ("Wayne", 300)}
	return {
		key: frappe.get_doc(order(customer=customer, amount=amount)).insert().name
		for key, (customer, amount) in rows.items()
	}


def _request(subject: str = "New laptop") -> str:
	return frappe.get_doc({"doctype": REQUEST, "subject": subject}).insert().name


def _raises_argument_error(tool, arguments: dict, field: str) -> None:
	with pytest.raises(ToolArgumentError, match=field.replace(".", r"\.")):
		tool.run(arguments)


# --- report_list ----------------------------------------------------------------------------------


def test_report_list_lists_reports_the_user_can_run():
	"""A Report Manager with the reader role sees the test reports, not one on User (no report right)."""
	frappe.set_user(REPORT_READER)
	out = ReportList().run({"module": "Custom"})
	json.dumps(out)
	by_name = {r["name"]: r for r in out["reports"]}
	assert {BUILDER_REPORT, QUERY_REPORT} <= set(by_name)
	assert by_name[QUERY_REPORT]["report_type"] == "Query Report"
	assert by_name[BUILDER_REPORT]["ref_doctype"] == ORDER
	assert SCRIPT_REPORT not in {r["name"] for r in ReportList().run({"limit": 500})["reports"]}
	query_only = ReportList().run({"report_type": "Query Report", "ref_doctype": ORDER})
	assert [r["name"] for r in query_only["reports"]] == [QUERY_REPORT]


def test_report_list_denied_without_read_on_report():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		ReportList().run({})


def test_report_list_bad_arguments_name_the_field():
	_raises_argument_error(ReportList(), {"report_type": "Pivot Report"}, "report_type")
	_raises_argument_error(ReportList(), {"limit": 0}, "limit")


# --- report_details -------------------------------------------------------------------------------


def test_report_details_reads_filters_from_js_and_report_filter_rows():
	script = ReportDetails().run({"report_name": SCRIPT_REPORT})
	json.dumps(script)
	assert script["report_type"] == "Script Report" and script["columns_at_run_time"] is True
	assert [(f["fieldname"], f["fieldtype"], f["options"], f["reqd"]) for f in script["filters"]] == [
		("user", "Link", "User", True),
		("doctype", "Link", "DocType", True),
		("show_permissions", "Check", None, False),
	]
	frappe.set_user(READER)
	query = ReportDetails().run({"report_name": QUERY_REPORT})
	assert [(f["fieldname"], f["reqd"]) for f in query["filters"]] == [("min_amount", True)]
	builder = ReportDetails().run({"report_name": BUILDER_REPORT})
	assert [c["fieldname"] for c in builder["columns"]] == ["name", "customer", "amount"]
	assert builder["filters_accept_any_field"] is True


def test_report_details_denied_without_access_to_the_report():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		ReportDetails().run({"report_name": BUILDER_REPORT})


def test_report_details_bad_arguments_and_unknown_report():
	_raises_argument_error(ReportDetails(), {}, "report_name")
	with pytest.raises(frappe.DoesNotExistError):
		ReportDetails().run({"report_name": "No Such Report"})


# --- report_execute -------------------------------------------------------------------------------


def test_report_execute_runs_report_builder_report_as_the_user(orders):
	frappe.set_user(READER)
	out = ReportExecute().run({"report_name": BUILDER_REPORT, "filters": {"customer": "Umbrella"}})
	json.dumps(out)
	assert [c["fieldname"] for c in out["columns"]] == ["name", "customer", "amount"]
	assert sorted((row["name"], row["amount"]) for row in out["data"]) == sorted(
		[(orders["Umbrella-100"], 100), (orders["Umbrella-50"], 50)]
	)


def test_report_execute_runs_query_report_as_json_and_csv(orders):
	arguments = {"report_name": QUERY_REPORT, "filters": {"min_amount": 60}}
	out = ReportExecute().run(arguments)
	totals = {row["customer"]: row["total"] for row in out["data"]}
	assert totals["Umbrella"] == 100 and totals["Wayne"] == 300  # the 50 order is filtered out
	as_csv = ReportExecute().run({**arguments, "format": "csv"})
	rows = list(csv.reader(io.StringIO(as_csv["csv"])))
	assert rows[0] == ["Customer", "Total"]
	assert ["Wayne", "300.0"] in rows[1:]
	limited = ReportExecute().run({**arguments, "limit": 1})
	assert limited["row_count"] == 1 and limited["truncated"] is True


def test_report_execute_runs_script_report(orders):
	out = ReportExecute().run({"report_name": SCRIPT_REPORT, "filters": {"user": READER, "doctype": ORDER}})
	assert set(orders.values()) <= {row["name"] for row in out["data"]}


def test_report_execute_denied_without_access_to_the_report():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		ReportExecute().run({"report_name": QUERY_REPORT, "filters": {"min_amount": 0}})


def test_report_execute_bad_arguments_name_the_field():
	_raises_argument_error(ReportExecute(), {"report_name": QUERY_REPORT, "format": "xlsx"}, "format")
	_raises_argument_error(ReportExecute(), {"report_name": QUERY_REPORT, "filters": []}, "filters")
	_raises_argument_error(ReportExecute(), {"report_name": QUERY_REPORT}, "filters.min_amount")
	_raises_argument_error(
		ReportExecute(), {"report_name": SCRIPT_REPORT, "filters": {"user": READER}}, "filters.doctype"
	)
	with pytest.raises(frappe.ValidationError, match="filters: FAC Test Order has no field nosuch"):
		ReportExecute().run({"report_name": BUILDER_REPORT, "filters": {"nosuch": 1}})


# --- workflow_list --------------------------------------------------------------------------------


def test_workflow_list_lists_workflows_with_states_and_actions():
	out = WorkflowList().run({"doctype": REQUEST})
	json.dumps(out)
	assert out["workflows"] == [
		{
			"name": WORKFLOW,
			"document_type": REQUEST,
			"is_active": True,
			"workflow_state_field": "workflow_state",
			"states": ["Pending", "Approved", "Rejected"],
			"actions": ["Approve", "Reject"],
		}
	]
	assert WorkflowList().run({"doctype": ORDER})["workflows"] == []


def test_workflow_list_denied_without_read_on_workflow():
	frappe.set_user(READER)
	with pytest.raises(frappe.PermissionError):
		WorkflowList().run({})


def test_workflow_list_bad_arguments_name_the_field():
	_raises_argument_error(WorkflowList(), {"limit": 0}, "limit")
	_raises_argument_error(WorkflowList(), {"active_only": "sometimes"}, "active_only")


# --- workflow_status ------------------------------------------------------------------------------


def test_workflow_status_shows_state_and_the_actions_this_user_may_take():
	"""System Manager may Approve or Reject; the reader sees the state but has no action."""
	name = _request()
	out = WorkflowStatus().run({"doctype": REQUEST, "name": name})
	json.dumps(out)
	assert (out["state"], out["docstatus"], out["workflow"]) == ("Pending", 0, WORKFLOW)
	assert [(a["action"], a["next_state"]) for a in out["available_actions"]] == [
		("Approve", "Approved"),
		("Reject", "Rejected"),
	]
	frappe.set_user(READER)
	as_reader = WorkflowStatus().run({"doctype": REQUEST, "name": name})
	assert (as_reader["state"], as_reader["available_actions"]) == ("Pending", [])


def test_workflow_status_denied_without_read_permission():
	name = _request()
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		WorkflowStatus().run({"doctype": REQUEST, "name": name})


def test_workflow_status_bad_arguments_and_doctype_without_workflow():
	_raises_argument_error(WorkflowStatus(), {"doctype": REQUEST}, "name")
	plain = frappe.get_doc(order()).insert()
	with pytest.raises(frappe.DoesNotExistError, match="no active workflow"):
		WorkflowStatus().run({"doctype": ORDER, "name": plain.name})


# --- workflow_action ------------------------------------------------------------------------------


def test_workflow_action_applies_the_transition():
	"""Approve moves to Approved, whose document status 1 submits the document."""
	name = _request()
	out = WorkflowAction().run({"doctype": REQUEST, "name": name, "action": "Approve"})
	assert (out["previous_state"], out["state"], out["docstatus"]) == ("Pending", "Approved", 1)
	assert frappe.db.get_value(REQUEST, name, ["workflow_state", "docstatus"]) == ("Approved", 1)
	with pytest.raises(WorkflowTransitionError, match="Available: none"):
		WorkflowAction().run({"doctype": REQUEST, "name": name, "action": "Approve"})


def test_workflow_action_denied_without_write_permission():
	name = _request()
	frappe.set_user(READER)
	with pytest.raises(frappe.PermissionError):
		WorkflowAction().run({"doctype": REQUEST, "name": name, "action": "Approve"})
	frappe.set_user("Administrator")
	assert frappe.db.get_value(REQUEST, name, "workflow_state") == "Pending"


def test_workflow_action_bad_arguments_and_unknown_action():
	name = _request()
	_raises_argument_error(WorkflowAction(), {"doctype": REQUEST, "name": name}, "action")
	with pytest.raises(WorkflowTransitionError, match="Available: Approve, Reject"):
		WorkflowAction().run({"doctype": REQUEST, "name": name, "action": "Escalate"})
	assert frappe.db.get_value(REQUEST, name, "workflow_state") == "Pending"
