"""MCP endpoint over real HTTP: gunicorn workers on 127.0.0.1, token auth, cross-worker consistency.

Also measures the SQL cost of a whole steady-state tools/list request (framework auth included)
by driving the framework's WSGI application in a separate process with query counting on.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import frappe
import pytest

from frappe_assistant_core.wire.jsonrpc import (
	INVALID_PARAMS,
	PARSE_ERROR,
	SERVER_DISABLED,
	UNAUTHORIZED,
)
from tests.host import bootstrap
from tests.support.server import Server, serve, worker_pids
from tests.support.site import api_credentials, make_user
from tests.support.sql_probe import SQL_COUNTING_CLIENT, run_probe

METHOD = "frappe_assistant_core.api.fac_endpoint.handle_mcp"
PATH = f"/api/method/{METHOD}"
SETTINGS = "Assistant Core Settings"
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}
# SQL the framework's API-key authentication runs per request (validate_api_key_secret: key lookup,
# secret check, user lookup) — measured below, and all a steady-state tools/list costs.
AUTH_QUERIES = 3


@pytest.fixture(scope="module")
def users():
	"""API tokens: a System Manager (admin_api caller, ToDo writer) and a plain Assistant User."""
	admin = make_user("fac-mcp-http-admin@example.com", ["System Manager"])
	member = make_user("fac-mcp-http-member@example.com", ["Assistant User"])
	return {"admin": api_credentials(admin), "admin_email": admin, "member": api_credentials(member)}


def post(server: Server, message, *, auth: str | None, headers: dict | None = None):
	"""(status, headers with lower-case names, parsed body or None) of one POST to the endpoint."""
	body = message if isinstance(message, bytes) else json.dumps(message).encode()
	status, reply_headers, raw = server.request(
		PATH,
		method="POST",
		body=body,
		auth=auth,
		headers={**MCP_HEADERS, "Content-Type": "application/json", **(headers or {})},
	)
	return status, {k.lower(): v for k, v in reply_headers.items()}, (json.loads(raw) if raw else None)


def rpc(server: Server, method: str, params=None, *, auth: str, request_id=1, headers=None):
	message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}
	return post(server, message, auth=auth, headers=headers)


def tool_names(server: Server, auth: str) -> list[str]:
	status, _, body = rpc(server, "tools/list", auth=auth, headers={"MCP-Protocol-Version": "2025-11-25"})
	assert status == 200, body
	return [tool["name"] for tool in body["result"]["tools"]]


def admin_call(server: Server, endpoint: str, auth: str, **kwargs) -> dict:
	status, body = server.call(f"frappe_assistant_core.api.admin_api.{endpoint}", auth=auth, **kwargs)
	assert status == 200, body
	return body


def test_full_exchange_over_http_with_api_key_auth(users):
	"""initialize, initialized (202), tools/list, and a write tool whose ToDo row is committed."""
	with serve(workers=2) as server:
		status, headers, body = rpc(
			server,
			"initialize",
			{
				"protocolVersion": "2025-06-18",
				"capabilities": {},
				"clientInfo": {"name": "curl", "version": "1"},
			},
			auth=users["member"],
		)
		assert status == 200 and headers["content-type"].startswith("application/json")
		assert body["result"]["protocolVersion"] == "2025-06-18"
		assert headers["mcp-protocol-version"] == "2025-06-18"
		notified = post(
			server, {"jsonrpc": "2.0", "method": "notifications/initialized"}, auth=users["member"]
		)
		assert notified == (202, notified[1], None)
		assert {"test_echo", "test_create_todo"} <= set(tool_names(server, users["member"]))
		status, _, body = rpc(
			server,
			"tools/call",
			{"name": "test_create_todo", "arguments": {"description": "written over HTTP"}},
			auth=users["admin"],
			headers={"MCP-Protocol-Version": "2025-06-18"},  # the negotiated revision: structuredContent
		)
		result = body["result"]
		assert status == 200 and result["isError"] is False, body
	frappe.db.rollback()  # see what the server committed
	name = result["structuredContent"]["name"]
	assert frappe.db.get_value("ToDo", name, ["description", "owner"]) == (
		"written over HTTP",
		users["admin_email"],
	)
	frappe.delete_doc("ToDo", name, ignore_permissions=True)
	frappe.db.commit()


def test_access_errors_over_http(users):
	"""No credentials: 401 + WWW-Authenticate from the endpoint. A wrong secret or an unknown bearer
	token is refused by Frappe before the endpoint runs: 401, and the after_request hook still
	names the endpoint's protected-resource metadata and scope, whatever the Frappe version."""
	metadata = "/.well-known/oauth-protected-resource/api/method/frappe_assistant_core.api.fac_endpoint."
	with serve(workers=1) as server:
		status, headers, body = rpc(server, "tools/list", auth=None)
		assert status == 401
		assert headers["www-authenticate"].startswith('Bearer realm="Frappe Assistant Core"')
		assert body["error"]["code"] == UNAUTHORIZED
		refused = [
			rpc(server, "tools/list", auth=users["member"].split(":")[0] + ":wrong"),
			rpc(server, "tools/list", auth=None, headers={"Authorization": "Bearer not-a-token"}),
		]
		for status, headers, _ in refused:
			assert status == 401
			challenge = headers["www-authenticate"]
			assert challenge.startswith("Bearer ") and metadata in challenge, challenge
			assert 'scope="mcp"' in challenge, challenge


@pytest.fixture
def bearer_token():
	"""An active OAuth bearer token of a System Manager, issued to a registered OAuth client."""
	user = make_user("fac-mcp-oauth@example.com", ["System Manager"])
	client = frappe.get_doc(
		{
			"doctype": "OAuth Client",
			"app_name": "MCP test client",
			"scopes": "all openid mcp",
			"redirect_uris": "http://127.0.0.1/callback",
			"default_redirect_uri": "http://127.0.0.1/callback",
		}
	).insert(ignore_permissions=True)
	token = frappe.get_doc(
		{
			"doctype": "OAuth Bearer Token",
			"client": client.name,
			"user": user,
			"scopes": "all",
			"access_token": frappe.generate_hash(length=30),
			"expires_in": 3600,
			"expiration_time": frappe.utils.add_to_date(frappe.utils.now_datetime(), hours=1),
			"status": "Active",
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	yield token
	frappe.delete_doc("OAuth Bearer Token", token.name, ignore_permissions=True, force=True)
	frappe.delete_doc("OAuth Client", client.name, ignore_permissions=True, force=True)
	frappe.db.commit()


def test_oauth_bearer_token_authenticates_until_revoked(bearer_token):
	"""Authorization: Bearer <OAuth access token with the mcp scope> is served as the token's user;
	revoked: 401. A token of Frappe's `all` scope alone carries no MCP scope: 403 insufficient_scope."""
	bearer = {"Authorization": f"Bearer {bearer_token.access_token}", "MCP-Protocol-Version": "2025-11-25"}
	call = {"name": "test_echo", "arguments": {"message": "via OAuth"}}
	with serve(workers=1) as server:
		status, headers, body = rpc(server, "tools/call", call, auth=None, headers=bearer)
		assert status == 403 and 'error="insufficient_scope"' in headers["www-authenticate"], body
		bearer_token.db_set("scopes", "mcp")
		frappe.db.commit()
		status, _, body = rpc(server, "tools/call", call, auth=None, headers=bearer)
		assert status == 200, body
		assert body["result"]["structuredContent"] == {"echo": "via OAuth", "user": bearer_token.user}
		bearer_token.db_set("status", "Revoked")
		frappe.db.commit()
		assert rpc(server, "tools/list", auth=None, headers=bearer)[0] == 401


def test_transport_rules_over_http(users):
	"""GET and DELETE get 405; a body that is not JSON is -32700; a JSON-RPC error is HTTP 200."""
	with serve(workers=1) as server:
		for verb in ("GET", "DELETE"):
			status, headers, _ = server.request(PATH, method=verb, auth=users["member"], headers=MCP_HEADERS)
			assert (status, headers.get("Allow")) == (405, "POST"), verb
		# Frappe itself rejects a malformed body declared as JSON before any endpoint runs; sent as
		# text the endpoint reads it and answers with the JSON-RPC parse error.
		status, _, body = post(
			server, b"{not json", auth=users["member"], headers={"Content-Type": "text/plain"}
		)
		assert (status, body["error"]["code"], body["id"]) == (400, PARSE_ERROR, None)
		status, _, body = rpc(server, "tools/call", {"name": "no_such_tool"}, auth=users["member"])
		assert (status, body["error"]["code"]) == (200, INVALID_PARAMS)


def test_server_switch_over_http(users):
	"""server_enabled off: every request is refused with 503 and a clear error; on: served again."""
	settings = frappe.get_doc(SETTINGS)
	try:
		settings.server_enabled = 0
		settings.save()
		frappe.db.commit()
		with serve(workers=1) as server:
			status, _, body = rpc(server, "ping", auth=users["member"])
			assert status == 503
			assert body["error"]["code"] == SERVER_DISABLED and "disabled" in body["error"]["message"]
			settings.reload()
			settings.server_enabled = 1
			settings.save()
			frappe.db.commit()
			assert rpc(server, "ping", auth=users["member"])[0] == 200
	finally:
		settings.reload()
		settings.server_enabled = 1
		settings.save()
		frappe.db.commit()


# -- cross-worker consistency ---------------------------------------------------------------------


def _bytes_read(pids: list[int]) -> dict[int, int]:
	"""Bytes each process has read (sockets included): it grows when a worker serves a request."""
	counts = {}
	for pid in pids:
		for line in Path(f"/proc/{pid}/io").read_text().splitlines():
			if line.startswith("rchar:"):
				counts[pid] = int(line.split()[1])
	return counts


def _burst(server: Server, auth: str, count: int) -> list[list[str]]:
	"""`count` tools/list requests, 6 at a time, so every worker takes some."""
	with ThreadPoolExecutor(max_workers=6) as pool:
		return list(pool.map(lambda _: tool_names(server, auth), range(count)))


@pytest.mark.skipif(
	bootstrap.on_real_bench() or not Path("/proc/self/io").exists(), reason="needs the test host and /proc"
)
def test_every_worker_sees_a_tool_change_on_its_very_next_request(users):
	"""3 gunicorn workers, all warm: after toggle_tool / role restriction / toggle_plugin by admin_api,
	none of 30 following tools/list requests (served by several workers) shows a stale list."""
	member = users["member"]
	with serve(workers=3) as server:
		workers = worker_pids(server.process.pid)
		assert len(workers) == 3
		try:
			before = _bytes_read(workers)
			assert all("test_echo" in names for names in _burst(server, member, 30))
			warm = _bytes_read(workers)
			assert all(warm[pid] > before[pid] for pid in workers), "every worker should be warm"

			admin_call(server, "toggle_tool", users["admin"], tool_name="test_echo", enable=0)
			lists = _burst(server, member, 30)
			served = _bytes_read(workers)
			assert sum(served[pid] > warm[pid] for pid in workers) >= 2, "requests should spread over workers"
			assert not any("test_echo" in names for names in lists)
			assert all("test_create_todo" in names for names in lists)

			admin_call(server, "toggle_tool", users["admin"], tool_name="test_echo", enable=1)
			assert all("test_echo" in names for names in _burst(server, member, 30))

			admin_call(
				server,
				"update_tool_role_access",
				users["admin"],
				tool_name="test_echo",
				role_access_mode="Restrict to Listed Roles",
				roles=json.dumps(["Assistant Admin"]),
			)
			assert not any("test_echo" in names for names in _burst(server, member, 30))
			assert all("test_echo" in names for names in _burst(server, users["admin"], 12))
			status, _, body = rpc(
				server, "tools/call", {"name": "test_echo", "arguments": {"message": "x"}}, auth=member
			)
			assert (status, body["error"]["code"]) == (200, INVALID_PARAMS)
		finally:
			admin_call(
				server,
				"update_tool_role_access",
				users["admin"],
				tool_name="test_echo",
				role_access_mode="Allow All",
			)
			admin_call(server, "toggle_tool", users["admin"], tool_name="test_echo", enable=1)


# -- cost of a whole request ----------------------------------------------------------------------

_PROBE = (
	SQL_COUNTING_CLIENT
	+ r"""report = {}
for method in ("ping", "tools/list"):
	for _ in range(3):  # two warm-ups, then the measured request
		queries.clear()
		message = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {}}
		response = client.post(sys.argv[2], json=message, headers=headers)
	report[method] = {"status": response.status_code, "body": response.get_json(), "queries": list(queries)}
print(json.dumps(report))
"""
)


@pytest.mark.skipif(bootstrap.on_real_bench(), reason="drives the test host's WSGI application")
def test_whole_tools_list_request_costs_only_the_authentication_queries(users):
	"""Steady state, framework included: tools/list runs 4 statements, exactly what ping runs —
	3 SELECTs of API-key authentication and the COMMIT Frappe ends every POST with.

	ping never touches tools, so its cost is the framework's; tools/list adds 0 queries, and no
	statement of either reads plugin or tool configuration or Assistant Core Settings.
	"""
	report = run_probe(_PROBE, users["member"], PATH)
	ping, listing = report["ping"], report["tools/list"]
	assert ping["status"] == listing["status"] == 200
	assert "test_echo" in {tool["name"] for tool in listing["body"]["result"]["tools"]}
	assert len(listing["queries"]) == len(ping["queries"]) == AUTH_QUERIES + 1, listing["queries"]
	for query in listing["queries"]:
		assert "FAC " not in query and "Assistant Core Settings" not in query, query
	selects = [q for q in listing["queries"] if not q.lower().startswith("commit")]
	assert len(selects) == AUTH_QUERIES, listing["queries"]


def test_after_request_hook_adds_www_authenticate_to_mcp_401s_only():
	"""Frappe's own 401 for wrong credentials gets the endpoint's challenge; other paths are untouched."""
	from werkzeug.test import EnvironBuilder
	from werkzeug.wrappers import Request, Response

	from frappe_assistant_core.mcp.auth import MCP_PATH, add_authenticate_header

	assert "frappe_assistant_core.mcp.auth.add_authenticate_header" in frappe.get_hooks("after_request")

	def outcome(path: str, status: int, headers: dict | None = None) -> str | None:
		response = Response(status=status, headers=headers)
		add_authenticate_header(response=response, request=Request(EnvironBuilder(path=path).get_environ()))
		return response.headers.get("WWW-Authenticate")

	challenge = outcome(MCP_PATH, 401)
	assert challenge.startswith('Bearer realm="Frappe Assistant Core"'), challenge
	assert 'resource_metadata="' in challenge and f'{MCP_PATH}"' in challenge and 'scope="mcp"' in challenge
	# The framework's own challenge (root metadata, no scope) is replaced by the endpoint's.
	assert outcome(MCP_PATH, 401, {"WWW-Authenticate": "Bearer x"}) == challenge
	assert outcome(MCP_PATH, 200) is None
	assert outcome("/api/method/ping", 401) is None
