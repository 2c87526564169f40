"""Approvals, in-process through the endpoint: a call that needs approval runs only after the user
confirms it (MCP 2026-07-28 elicitation) or an approver approves it in the desk (parked), exactly
once, as the requesting user; every outcome is in the tool call log. The same over HTTP with the
official SDK: test_sdk_http.py; in the real desk: tests/browser/test_governance_desk.py."""

from __future__ import annotations

import json

import frappe
import pytest
from frappe.deferred_insert import queue_prefix
from frappe.utils import add_to_date, now_datetime

from frappe_assistant_core.audit.recorder import DOCTYPE as LOG
from frappe_assistant_core.exceptions import ApprovalError
from frappe_assistant_core.governance import decisions
from frappe_assistant_core.governance.answers import APPROVAL_META
from frappe_assistant_core.wire.jsonrpc import FORBIDDEN, INVALID_PARAMS
from tests.governance._mcp import ELICITING, call, governance, text_of, tool_governance
from tests.support.doctypes import ORDER, ensure_test_doctypes
from tests.support.site import make_user

REQUESTS = "FAC Approval Request"
ASKER = "fac-approval-asker@example.com"
APPROVER = "fac-approval-approver@example.com"
BYSTANDER = "fac-approval-bystander@example.com"


@pytest.fixture(autouse=True)
def approval_on_create_todo():
	# It commits when it creates the test DocTypes: first, or it would commit the change below and
	# leave test_create_todo requiring approval for every later module on this site.
	ensure_test_doctypes()
	make_user(ASKER, ["System Manager"], commit=False)
	make_user(APPROVER, ["Assistant Approver"], commit=False)
	make_user(BYSTANDER, ["Assistant User"], commit=False)
	tool_governance("test_create_todo", requires_approval=1)


def _todos(description: str) -> int:
	return frappe.db.count("ToDo", {"description": description})


def _queued_logs() -> list[dict]:
	rows = []
	for raw in frappe.cache.lrange(f"{queue_prefix}{LOG}", 0, -1):
		records = json.loads(raw)
		rows.extend([records] if isinstance(records, dict) else records)
	return rows


def _last_log() -> dict:
	return _queued_logs()[-1]


def _todo_call(description: str, **kwargs) -> tuple[int, dict]:
	return call("test_create_todo", {"description": description}, user=ASKER, **kwargs)


# -- elicitation (2026-07-28 clients that declare it) ---------------------------------------------


def _elicited(description: str) -> dict:
	status, body = _todo_call(description, modern=True, capabilities=ELICITING)
	assert status == 200, body
	return body["result"]


def _retry(description: str, state: str, response: dict | None, **kwargs) -> tuple[int, dict]:
	extra = {"requestState": state}
	if response is not None:
		extra["inputResponses"] = {"approval": response}
	return _todo_call(description, modern=True, capabilities=ELICITING, extra=extra, **kwargs)


def test_an_eliciting_client_is_asked_to_confirm_exactly_what_would_be_written():
	result = _elicited("elicit me")
	assert result["resultType"] == "input_required"
	request = result["inputRequests"]["approval"]
	assert request["method"] == "elicitation/create"
	params = request["params"]
	assert params["mode"] == "form"
	assert params["requestedSchema"]["properties"]["approve"]["type"] == "boolean"
	assert "Create ToDo" in params["message"] and '"elicit me"' in params["message"]
	assert f"as {ASKER}" in params["message"]
	assert result["requestState"] and "io.modelcontextprotocol/serverInfo" in result["_meta"]
	assert _todos("elicit me") == 0, "nothing is written before the user confirms"
	log = _last_log()
	assert (log["status"], log["tool"], log["user"]) == ("Approval Required", "test_create_todo", ASKER)


def test_acceptance_runs_the_call_once_and_a_replayed_or_altered_state_is_refused():
	state = _elicited("accept me")["requestState"]
	_status, body = _retry("accept me", state, {"action": "accept", "content": {"approve": True}})
	assert body["result"]["isError"] is False, body
	assert body["result"]["resultType"] == "complete"
	assert _todos("accept me") == 1
	log = _last_log()
	assert log["status"] == "Success" and "Approved by the user in the client" in log["approval_note"]
	_status, replay = _retry("accept me", state, {"action": "accept", "content": {"approve": True}})
	assert replay["error"]["code"] == INVALID_PARAMS and "already used" in replay["error"]["message"]
	assert _log_status() == "Permission Denied"
	fresh = _elicited("accept me")["requestState"]
	altered = fresh[:-3] + ("AAA" if not fresh.endswith("AAA") else "BBB")
	assert (
		_retry("accept me", altered, {"action": "accept", "content": {"approve": True}})[1]["error"]["code"]
		== INVALID_PARAMS
	)
	other_args = _retry("accept you", fresh, {"action": "accept", "content": {"approve": True}})[1]
	assert "another call" in other_args["error"]["message"]
	assert _todos("accept me") == 1 and _todos("accept you") == 0


@pytest.mark.parametrize(
	("response", "note"),
	[
		({"action": "decline"}, "Declined by the user"),
		({"action": "cancel"}, "Dismissed by the user"),
		({"action": "accept", "content": {"approve": False}}, "without ticking Approve"),
		({"action": "accept"}, "without ticking Approve"),
	],
)
def test_anything_but_an_explicit_approval_runs_nothing(response, note):
	state = _elicited("decline me")["requestState"]
	_status, body = _retry("decline me", state, response)
	result = body["result"]
	assert result["isError"] is True and text_of(body).startswith("Not run: the user did not approve")
	assert result["_meta"][APPROVAL_META]["status"] in {"declined", "cancelled", "unticked"}
	assert _todos("decline me") == 0
	log = _last_log()
	assert log["status"] == "Declined" and note in log["approval_note"]


def test_a_retry_without_a_response_asks_again_with_a_new_state():
	state = _elicited("ask again")["requestState"]
	_status, body = _retry("ask again", state, None)
	assert body["result"]["resultType"] == "input_required"
	assert body["result"]["requestState"] != state
	assert _todos("ask again") == 0


def test_a_call_that_would_fail_is_answered_with_its_error_not_sent_for_approval():
	_status, body = call(
		"test_create_todo", {"description": ""}, user=ASKER, modern=True, capabilities=ELICITING
	)
	assert body["result"]["isError"] is True and "description" in text_of(body)
	assert _last_log()["status"] == "Invalid Arguments"


# -- parking (every other client) -----------------------------------------------------------------


def _parked(description: str, **kwargs) -> str:
	_status, body = _todo_call(description, **kwargs)
	result = body["result"]
	assert result["isError"] is True, result
	meta = result["_meta"][APPROVAL_META]
	assert meta["status"] == "Pending"
	return meta["request"]


@pytest.mark.parametrize(
	"client",
	[
		{"modern": False},  # 2025-11-25: elicitation needs SSE, which this endpoint does not speak
		{"modern": True, "capabilities": {}},  # 2026-07-28 without the elicitation capability
		{"modern": True, "capabilities": {"elicitation": {"url": {}}}},  # URL mode only
	],
)
def test_a_client_that_cannot_elicit_gets_the_call_parked_for_an_approver(client):
	name = _parked("park me", **client)
	request = frappe.get_doc(REQUESTS, name)
	assert (request.status, request.tool, request.user) == ("Pending", "test_create_todo", ASKER)
	assert json.loads(request.arguments) == {"description": "park me"}
	assert "Create ToDo" in request.changes and '"park me"' in request.changes
	assert json.loads(request.preview)["changes"][0]["action"] == "insert"
	assert _todos("park me") == 0
	log = _last_log()
	assert (log["status"], log["approval_request"]) == ("Approval Required", name)


def test_approver_only_mode_parks_even_for_an_eliciting_client():
	with governance(approval_mode="Approver Only"):
		assert _parked("approver only", modern=True, capabilities=ELICITING)


def test_an_approved_call_runs_once_on_the_next_identical_call_as_the_asker():
	name = _parked("approve me")
	waiting = _todo_call("approve me")[1]
	assert text_of(waiting).startswith("Still not run") and name in text_of(waiting)
	assert frappe.db.count(REQUESTS, {"user": ASKER, "tool": "test_create_todo"}) >= 1
	frappe.set_user(APPROVER)
	assert decisions.approve(name=name)["status"] == "Approved"
	frappe.set_user("Administrator")
	decision = _last_log()
	assert (decision["status"], decision["approval_request"], decision["user"]) == ("Approved", name, ASKER)
	assert f"Approved by {APPROVER}" in decision["approval_note"]
	_status, ran = _todo_call("approve me")
	assert ran["result"]["isError"] is False, ran
	assert ran["result"]["structuredContent"]["owner"] == ASKER, "it ran as the user who asked"
	assert _todos("approve me") == 1
	request = frappe.get_doc(REQUESTS, name)
	assert (request.status, request.outcome) == ("Executed", "Ran successfully")
	assert _last_log()["approval_request"] == name and _last_log()["status"] == "Success"
	again = _parked("approve me")
	assert again != name, "a second identical call needs a second approval"
	assert _todos("approve me") == 1


def test_a_rejection_is_reported_once_with_its_reason_and_nothing_runs():
	name = _parked("reject me")
	frappe.set_user(APPROVER)
	decisions.reject(name=name, reason="Not this week")
	frappe.set_user("Administrator")
	assert _last_log()["status"] == "Rejected" and "Not this week" in _last_log()["approval_note"]
	told = _todo_call("reject me")[1]
	assert f"was rejected by {APPROVER}" in text_of(told) and "Not this week" in text_of(told)
	assert _last_log()["status"] == "Declined"
	assert _parked("reject me") != name, "after the rejection was reported, the call asks anew"
	assert _todos("reject me") == 0


def test_approved_calls_run_with_the_askers_permissions_at_run_time():
	"""Approval unlocks the call, never rights: an asker who lost them by the time it runs is refused
	and the request ends Failed, with nothing written."""
	ensure_test_doctypes()
	tool_governance("document_create", requires_approval=1)
	arguments = {"doctype": ORDER, "data": {"customer": "Rights Ltd", "amount": 5}}
	_status, body = call("document_create", arguments, user=ASKER)
	name = body["result"]["_meta"][APPROVAL_META]["request"]
	decisions.approve(name=name)  # by Administrator: an approver must be able to read FAC Test Order
	make_user(ASKER, ["Assistant User"], commit=False)  # no longer a System Manager
	_status, ran = call("document_create", arguments, user=ASKER)
	assert ran["result"]["isError"] is True and "permission" in text_of(ran).lower()
	assert not frappe.db.exists(ORDER, {"customer": "Rights Ltd"})
	request = frappe.get_doc(REQUESTS, name)
	assert request.status == "Failed" and "permission" in request.outcome.lower()
	assert _last_log()["status"] == "Permission Denied" and _last_log()["approval_request"] == name


def test_only_approvers_decide_once_and_not_after_expiry():
	name = _parked("decide me")
	for user in (ASKER.replace("asker", "plain"), BYSTANDER):
		make_user(user, ["Assistant User"], commit=False)
		frappe.set_user(user)
		with pytest.raises(frappe.PermissionError):
			decisions.approve(name=name)
	frappe.set_user(APPROVER)
	decisions.reject(name=name)
	with pytest.raises(ApprovalError, match="already Rejected"):
		decisions.approve(name=name)
	frappe.set_user("Administrator")
	expired = _parked("expire me")
	frappe.db.set_value(REQUESTS, expired, "expires_at", add_to_date(now_datetime(), hours=-1))
	frappe.set_user(APPROVER)
	with pytest.raises(ApprovalError, match="expired"):
		decisions.approve(name=expired)
	frappe.set_user("Administrator")
	decisions.expire_requests()
	assert frappe.db.get_value(REQUESTS, expired, "status") == "Expired"
	assert _parked("expire me") != expired


def test_requests_are_read_by_their_asker_and_by_approvers_who_may_read_the_target():
	name = _parked("who reads")
	frappe.db.set_value(REQUESTS, name, "target_doctype", "ToDo")
	frappe.set_user(BYSTANDER)
	assert not frappe.has_permission(REQUESTS, "read", doc=frappe.get_doc(REQUESTS, name))
	assert name not in frappe.get_list(REQUESTS, pluck="name")
	frappe.set_user(ASKER)
	assert name in frappe.get_list(REQUESTS, pluck="name")
	frappe.set_user(APPROVER)  # Assistant Approver without any ToDo permission
	todo_readable = frappe.has_permission("ToDo", "read")
	assert bool(frappe.has_permission(REQUESTS, "read", doc=frappe.get_doc(REQUESTS, name))) is bool(
		todo_readable
	)
	assert (name in frappe.get_list(REQUESTS, pluck="name")) is bool(todo_readable)
	frappe.set_user("Administrator")
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc({"doctype": REQUESTS, "tool": "x", "user": ASKER}).insert()


def test_category_approval_applies_to_every_tool_of_the_category():
	tool_governance("test_create_todo", requires_approval=0)
	assert _todo_call("no approval")[1]["result"]["isError"] is False
	with governance(approval_for_write=1):
		assert _parked("category approval")
		body = call("document_create", {"doctype": "ToDo", "data": {"description": "dc"}}, user=ASKER)[1]
	assert body["result"]["_meta"][APPROVAL_META]["status"] == "Pending"
	assert body["result"]["isError"] is True and _todos("dc") == 0


def test_read_only_mode_refuses_before_any_approval_is_asked():
	with governance(read_only_mode=1):
		_status, body = _todo_call("read only first")
	assert body["error"]["code"] == FORBIDDEN
	assert not frappe.db.exists(
		REQUESTS, {"user": ASKER, "arguments": json.dumps({"description": "read only first"})}
	)


def _log_status() -> str:
	return _last_log()["status"]
