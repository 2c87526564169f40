"""Rate limits of tools/call: per tool and per user, counted before the call is looked up, run or
logged (unknown tools too), answered with RATE_LIMITED and a retry hint, counted for the Usage
section in Redis only. Several worker processes sharing one count: test_sdk_http.py."""

from __future__ import annotations

import time
import uuid
from unittest import mock

import frappe
import pytest
import redis

from frappe_assistant_core.api import admin_usage
from frappe_assistant_core.audit import store
from frappe_assistant_core.governance import rate_limit
from frappe_assistant_core.wire.jsonrpc import INTERNAL_ERROR, RATE_LIMITED
from tests.governance._mcp import call, governance, tool_governance
from tests.support.counting import count_queries
from tests.support.site import make_user


@pytest.fixture
def user() -> str:
	"""A System Manager of its own, so no other test's calls share its counters."""
	return make_user(f"fac-rate-{uuid.uuid4().hex[:8]}@example.com", ["System Manager"], commit=False)


@pytest.fixture(autouse=True)
def fresh_window():
	"""Start well inside a one-minute window, so a test's calls are all counted in the same one."""
	left = rate_limit.WINDOW_SECONDS - time.time() % rate_limit.WINDOW_SECONDS
	if left < 8:
		time.sleep(left + 0.2)


def _echo(user: str, **kwargs):
	return call("test_echo", {"message": "hi"}, user=user, **kwargs)


def test_a_tools_own_limit_refuses_the_next_call_with_a_retry_hint(user):
	tool_governance("test_echo", rate_limit=3)
	for _ in range(3):
		assert _echo(user)[1]["result"]["isError"] is False
	status, body = _echo(user)
	error = body["error"]
	assert status == 200 and error["code"] == RATE_LIMITED
	assert "at most 3 calls of test_echo per minute" in error["message"]
	assert error["data"]["scope"] == "tool" and error["data"]["limit"] == 3
	assert 1 <= error["data"]["retryAfterSeconds"] <= 60
	assert f"Try again in {error['data']['retryAfterSeconds']} seconds" in error["message"]
	assert (
		call("document_list", {"doctype": "ToDo", "limit": 1}, user=user)[1]["result"]["isError"] is False
	), "another tool of the same user is not limited by test_echo's limit"


def test_the_per_user_limit_counts_every_tool_together(user):
	with governance(rate_limit_per_user=2):
		assert _echo(user)[1]["result"]["isError"] is False
		assert (
			call("document_list", {"doctype": "ToDo", "limit": 1}, user=user)[1]["result"]["isError"] is False
		)
		error = call("document_get", {"doctype": "ToDo", "name": "x"}, user=user)[1]["error"]
		other = make_user(
			f"fac-rate-other-{uuid.uuid4().hex[:6]}@example.com", ["System Manager"], commit=False
		)
		assert _echo(other)[1]["result"]["isError"] is False, "another user has a count of their own"
	assert error["code"] == RATE_LIMITED and error["data"]["scope"] == "user"
	assert "at most 2 tool calls per minute" in error["message"]


def test_unknown_tools_are_counted_and_a_refused_call_writes_nothing(user):
	"""Names that are no tool share one bucket; over the limit the answer costs no SQL and no log row."""
	before = store.pending_count()
	with governance(rate_limit_per_tool=2):
		for name in ("no_such_tool", "another_missing_tool"):
			assert call(name, {}, user=user)[1]["error"]["code"] != RATE_LIMITED
		assert store.pending_count() == before + 2, "both unknown calls were logged"
		with count_queries() as queries:
			_status, body = call("a_third_missing_tool", {}, user=user)
	assert body["error"]["code"] == RATE_LIMITED
	assert "(unknown)" in body["error"]["message"]
	assert store.pending_count() == before + 2, "the refused call queued a log row"
	assert not [
		q for q in queries if not q.lstrip().lower().startswith(("select", "savepoint", "rollback"))
	], queries


def test_refusals_are_counted_for_the_usage_section(user):
	tool_governance("test_echo", rate_limit=1)
	before = rate_limit.refusals(1)
	_echo(user)
	for _ in range(3):
		assert _echo(user)[1]["error"]["code"] == RATE_LIMITED
	after = admin_usage.get_usage_stats(days=1)["rate_limited"]
	assert after["total"] == before["total"] + 3
	assert {"user": user, "refused": 3} in after["users"]
	tool = next(t for t in after["tools"] if t["tool"] == "test_echo")
	old = next((t["refused"] for t in before["tools"] if t["tool"] == "test_echo"), 0)
	assert tool["refused"] == old + 3


def test_without_redis_tool_calls_are_refused_not_let_through_uncounted(user):
	broken = mock.patch.object(
		type(frappe.cache), "pipeline", side_effect=redis.exceptions.ConnectionError("down")
	)
	with broken:
		status, body = _echo(user)
	assert status == 503 and body["error"]["code"] == INTERNAL_ERROR
	assert "rate limiter cannot count them" in body["error"]["message"]
