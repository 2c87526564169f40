"""The requestState of an elicited approval: only the state this site issued, unaltered, unexpired,
presented once by the same user for the same tool and exact arguments, is accepted."""

from __future__ import annotations

import base64
import json
import time
from unittest import mock

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frappe_assistant_core.exceptions import RequestStateError
from frappe_assistant_core.governance import request_state

USER, TOOL, ARGS = (
	"fac-state@example.com",
	"document_update",
	{"doctype": "ToDo", "name": "a", "data": {"x": 1}},
)


def test_a_fresh_state_is_accepted_once_and_then_refused_as_a_replay():
	token = request_state.issue(USER, TOOL, ARGS)
	request_state.redeem(token, USER, TOOL, dict(ARGS))
	with pytest.raises(RequestStateError, match="already used"):
		request_state.redeem(token, USER, TOOL, ARGS)


@pytest.mark.parametrize(
	("user", "tool", "arguments", "reason"),
	[
		("someone-else@example.com", TOOL, ARGS, "another user"),
		(USER, "document_delete", ARGS, "another call"),
		(USER, TOOL, {**ARGS, "data": {"x": 2}}, "another call"),
		(USER, TOOL, {**ARGS, "extra": None}, "another call"),
	],
)
def test_a_state_presented_for_another_user_tool_or_arguments_is_refused(user, tool, arguments, reason):
	token = request_state.issue(USER, TOOL, ARGS)
	with pytest.raises(RequestStateError, match=reason):
		request_state.redeem(token, user, tool, arguments)


def test_an_expired_state_is_refused():
	token = request_state.issue(USER, TOOL, ARGS)
	with mock.patch.object(time, "time", return_value=time.time() + request_state.TTL_SECONDS + 1):
		with pytest.raises(RequestStateError, match="expired"):
			request_state.redeem(token, USER, TOOL, ARGS)


def test_a_state_signed_with_another_key_or_re_signed_payload_is_refused():
	"""A forged payload (another user) with the original signature, and a state made under another
	site's key, both fail the signature check."""
	token = request_state.issue(USER, TOOL, ARGS)
	body, signature = token.split(".")
	payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
	payload["sub"] = "attacker@example.com"
	forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
	with pytest.raises(RequestStateError, match="signature"):
		request_state.redeem(f"{forged}.{signature}", "attacker@example.com", TOOL, ARGS)
	with mock.patch.object(request_state, "get_encryption_key", return_value="another site's key"):
		foreign = request_state.issue(USER, TOOL, ARGS)
	with pytest.raises(RequestStateError, match="signature"):
		request_state.redeem(foreign, USER, TOOL, ARGS)


def test_without_redis_the_single_use_cannot_be_recorded_and_the_state_is_refused():
	import redis

	token = request_state.issue(USER, TOOL, ARGS)
	with mock.patch.object(type(frappe.cache), "set", side_effect=redis.exceptions.ConnectionError("down")):
		with pytest.raises(RequestStateError, match="cannot be recorded"):
			request_state.redeem(token, USER, TOOL, ARGS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_alteration_of_a_valid_state_is_refused(data):
	"""Property: changing, inserting or deleting any character of a valid state, or truncating it,
	never yields a state that is accepted."""
	token = request_state.issue(USER, TOOL, ARGS)
	position = data.draw(st.integers(0, len(token) - 1))
	kind = data.draw(st.sampled_from(["replace", "insert", "delete", "truncate", "swap-parts"]))
	char = data.draw(st.sampled_from("AZaz09-_.=+/ é"))
	if kind == "replace":
		altered = token[:position] + char + token[position + 1 :]
	elif kind == "insert":
		altered = token[:position] + char + token[position:]
	elif kind == "delete":
		altered = token[:position] + token[position + 1 :]
	elif kind == "truncate":
		altered = token[:position]
	else:
		body, signature = token.split(".")
		altered = f"{signature}.{body}"
	if altered == token:
		return
	with pytest.raises(RequestStateError):
		request_state.redeem(altered, USER, TOOL, ARGS)


@settings(max_examples=200, deadline=None)
@given(garbage=st.one_of(st.text(max_size=300), st.integers(), st.none(), st.lists(st.text(), max_size=3)))
def test_anything_that_is_not_an_issued_state_is_refused(garbage):
	with pytest.raises(RequestStateError):
		request_state.redeem(garbage, USER, TOOL, ARGS)
