"""Governance over real HTTP (gunicorn workers), driven by the official Python SDK (2.x) from its
own environment (.host/clients/py-mcp-2, tests/interop/clients/py_governance.py), and by raw
concurrent requests where several worker processes must agree: each control allowed and refused,
narrowed URLs, an elicitation round trip accepted, declined, replayed and altered, a parked call
approved and run exactly once, and rate limits counted across workers."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import frappe
import pytest

from frappe_assistant_core.governance import decisions, rate_limit
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.wire.jsonrpc import FORBIDDEN, INVALID_PARAMS, RATE_LIMITED
from tests.governance._mcp import PATH, governance, tool_governance
from tests.host import config
from tests.support.server import serve, worker_pids
from tests.support.site import api_credentials, make_user

pytestmark = pytest.mark.slow

CLIENT = config.STATE_DIR / "clients" / "py-mcp-2"
SCRIPT = Path(__file__).parents[1] / "interop" / "clients" / "py_governance.py"
USER = "fac-gov-http@example.com"
REQUESTS = "FAC Approval Request"


@pytest.fixture(scope="module")
def site():
	"""(server, key:secret of a System Manager) on three gunicorn workers."""
	token = api_credentials(make_user(USER, ["System Manager"]))
	with serve(workers=3) as server:
		yield server, token


@pytest.fixture
def approval():
	"""test_create_todo requires approval (committed), and goes back afterwards."""
	tool_governance("test_create_todo", committed=True, requires_approval=1)
	yield
	tool_governance("test_create_todo", committed=True, requires_approval=0)


def sdk(site, scenario: str, path: str = PATH, **inputs) -> dict:
	if not (CLIENT / ".stamp").exists():
		pytest.skip(
			"client environment py-mcp-2 is missing: tests/host/setup.sh builds it, on the test host only"
		)
	server, token = site
	done = subprocess.run(
		[str(CLIENT / "bin" / "python"), str(SCRIPT), server.url + path, token, scenario, json.dumps(inputs)],
		capture_output=True,
		text=True,
		timeout=300,
	)
	assert done.returncode == 0, done.stderr[-4000:]
	return json.loads(done.stdout.strip().splitlines()[-1])


def _read_only_tools() -> list[str]:
	return sorted(
		n for n, info in get_plugin_manager().snapshot().tools.items() if info.category == "read_only"
	)


def _todos(description: str) -> int:
	frappe.db.rollback()  # a fresh read of what the workers committed
	return frappe.db.count("ToDo", {"description": description})


CREATE = {"tool": "document_create", "arguments": {"doctype": "ToDo", "data": {"description": "sdk write"}}}


@pytest.mark.parametrize(("suffix", "query"), [("/readonly", ""), ("", "?readonly=1")])
def test_a_read_only_url_serves_only_read_only_tools_to_the_sdk(site, suffix, query):
	seen = sdk(site, "call", PATH + suffix + query, **CREATE)
	assert seen["protocolVersion"] == "2026-07-28"
	assert seen["tools"] == _read_only_tools()
	assert seen["error"]["code"] == FORBIDDEN and "URL is read-only" in seen["error"]["message"]
	full = sdk(site, "call", PATH, tool="document_list", arguments={"doctype": "ToDo", "limit": 1})
	assert "document_create" in full["tools"] and full["result"]["isError"] is False


def test_a_plugins_url_serves_only_those_plugins_to_the_sdk(site):
	seen = sdk(
		site,
		"call",
		PATH + "/plugins/external",
		tool="document_get",
		arguments={"doctype": "ToDo", "name": "x"},
	)
	assert "test_echo" in seen["tools"] and not [t for t in seen["tools"] if t.startswith("document_")]
	assert seen["error"]["code"] == FORBIDDEN and "does not serve" in seen["error"]["message"]
	bad = subprocess.run(
		[
			str(CLIENT / "bin" / "python"),
			str(SCRIPT),
			site[0].url + PATH + "/plugins/nope",
			site[1],
			"call",
			json.dumps(CREATE),
		],
		capture_output=True,
		text=True,
		timeout=300,
	)
	assert bad.returncode != 0, "an unknown plugin in the URL is refused, not served in full"


def test_read_only_mode_refuses_writes_for_every_client_until_switched_off(site):
	with governance(committed=True, read_only_mode=1):
		for mode in ("auto", "legacy"):
			seen = sdk(site, "call", mode=mode, **CREATE)
			assert "document_create" not in seen["tools"]
			assert seen["error"]["code"] == FORBIDDEN and "read-only mode" in seen["error"]["message"]
	seen = sdk(site, "call", **CREATE)
	assert seen["result"]["isError"] is False and _todos("sdk write") >= 1


def test_elicitation_accepted_runs_once_and_declined_runs_nothing(site, approval):
	tag = uuid.uuid4().hex[:8]
	accepted = sdk(
		site, "elicit", tool="test_create_todo", arguments={"description": f"yes {tag}"}, action="accept"
	)
	assert accepted["protocolVersion"] == "2026-07-28"
	(asked,) = accepted["asked"]
	assert "Create ToDo" in asked["message"] and f"yes {tag}" in asked["message"]
	assert asked["schema"]["properties"]["approve"]["type"] == "boolean"
	assert accepted["result"]["isError"] is False and accepted["result"]["structured"]["owner"] == USER
	assert _todos(f"yes {tag}") == 1
	for action in ("decline", "cancel"):
		declined = sdk(
			site, "elicit", tool="test_create_todo", arguments={"description": f"no {tag}"}, action=action
		)
		assert declined["result"]["isError"] is True and "did not approve" in declined["result"]["text"]
	assert _todos(f"no {tag}") == 0


def test_a_replayed_or_altered_request_state_is_refused(site, approval):
	tag = uuid.uuid4().hex[:8]
	seen = sdk(site, "replay", tool="test_create_todo", arguments={"description": f"replay {tag}"})
	assert seen["first"] == "InputRequiredResult"
	assert seen["accepted"]["isError"] is False
	assert seen["replayed"]["code"] == INVALID_PARAMS and "already used" in seen["replayed"]["message"]
	assert seen["altered"]["code"] == INVALID_PARAMS and "signature" in seen["altered"]["message"]
	assert _todos(f"replay {tag}") == 1


def test_a_legacy_client_gets_the_call_parked_and_runs_it_once_approved(site, approval):
	tag = uuid.uuid4().hex[:8]
	call = {"tool": "test_create_todo", "arguments": {"description": f"parked {tag}"}, "mode": "legacy"}
	parked = sdk(site, "call", **call)
	assert parked["protocolVersion"] == "2025-11-25"
	approval_meta = parked["result"]["approval"]
	assert parked["result"]["isError"] is True and approval_meta["status"] == "Pending"
	assert approval_meta["request"] in parked["result"]["text"]
	assert sdk(site, "call", **call)["result"]["approval"]["status"] == "Pending", "still waiting"
	frappe.db.rollback()
	decisions.approve(name=approval_meta["request"])
	frappe.db.commit()
	ran = sdk(site, "call", **call)
	assert ran["result"]["isError"] is False and _todos(f"parked {tag}") == 1
	assert frappe.db.get_value(REQUESTS, approval_meta["request"], "status") == "Executed"


def _rpc(server, token: str, name: str, arguments: dict, request_id: int) -> dict:
	body = {
		"jsonrpc": "2.0",
		"id": request_id,
		"method": "tools/call",
		"params": {"name": name, "arguments": arguments},
	}
	status, _headers, raw = server.request(
		PATH, method="POST", body=body, auth=token, headers={"MCP-Protocol-Version": "2025-11-25"}
	)
	assert status == 200, raw
	return json.loads(raw)


def _cpu_ticks(pid: int) -> int:
	fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
	return int(fields[11]) + int(fields[12])  # utime + stime


def test_an_approval_runs_the_call_exactly_once_when_identical_calls_race(site, approval):
	server, token = site
	tag = uuid.uuid4().hex[:8]
	arguments = {"description": f"race {tag}"}
	parked = _rpc(server, token, "test_create_todo", arguments, 1)
	name = parked["result"]["_meta"]["frappe-assistant-core/approval"]["request"]
	frappe.db.rollback()
	decisions.approve(name=name)
	frappe.db.commit()
	with ThreadPoolExecutor(max_workers=6) as pool:
		answers = list(pool.map(lambda i: _rpc(server, token, "test_create_todo", arguments, i), range(6)))
	assert all("result" in a for a in answers), answers
	ran = [a for a in answers if a["result"]["isError"] is False]
	assert len(ran) == 1, answers
	assert _todos(f"race {tag}") == 1
	assert frappe.db.get_value(REQUESTS, name, "status") == "Executed"


def test_rate_limits_are_counted_across_worker_processes(site):
	"""30 concurrent calls of a tool limited to 10 a minute, served by three workers: exactly 10 run,
	20 are refused with a retry hint, and only the 10 reach the tool call log's queue."""
	server, _token = site
	user = make_user(f"fac-gov-rate-{uuid.uuid4().hex[:6]}@example.com", ["System Manager"])
	key = api_credentials(user)
	tool_governance("test_echo", committed=True, rate_limit=10)
	from frappe_assistant_core.audit import store

	try:
		left = rate_limit.WINDOW_SECONDS - time.time() % rate_limit.WINDOW_SECONDS
		if left < 20:
			time.sleep(left + 0.5)  # all 30 calls inside one window
		refused_before = rate_limit.refusals(1)["total"]
		queued_before = store.pending_count()
		pids = worker_pids(server.process.pid) if server.process else []
		ticks = {pid: _cpu_ticks(pid) for pid in pids}
		with ThreadPoolExecutor(max_workers=10) as pool:
			answers = list(
				pool.map(lambda i: _rpc(server, key, "test_echo", {"message": "hi"}, i), range(30))
			)
		ok = [a for a in answers if "result" in a and a["result"]["isError"] is False]
		limited = [a for a in answers if "error" in a and a["error"]["code"] == RATE_LIMITED]
		assert (len(ok), len(limited)) == (10, 20), answers
		assert all(1 <= a["error"]["data"]["retryAfterSeconds"] <= 60 for a in limited)
		assert store.pending_count() - queued_before == 10, "refused calls reached the log queue"
		assert rate_limit.refusals(1)["total"] - refused_before == 20
		if pids:
			busy = [pid for pid in pids if _cpu_ticks(pid) > ticks[pid]]
			assert len(busy) >= 2, "the calls were served by more than one worker process"
	finally:
		tool_governance("test_echo", committed=True, rate_limit=0)
