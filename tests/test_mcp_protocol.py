"""MCP endpoint in-process: JSON-RPC envelopes, version negotiation, tools/list and tools/call rules.

Each test calls the whitelisted endpoint function with a prepared werkzeug request, as the
framework would after authenticating the user (SPEC §11, §6).
"""

from __future__ import annotations

import json
from unittest import mock

import frappe
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

import frappe_assistant_core
from frappe_assistant_core.api import admin_api
from frappe_assistant_core.api.fac_endpoint import handle_mcp
from frappe_assistant_core.mcp import server
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager, get_tool_registry
from frappe_assistant_core.wire.jsonrpc import (
	EXCEPTION_TABLE,
	INTERNAL_ERROR,
	INVALID_PARAMS,
	INVALID_REQUEST,
	METHOD_NOT_FOUND,
	PARSE_ERROR,
	SERVER_DISABLED,
	UNAUTHORIZED,
)
from tests.support.counting import count_queries
from tests.support.site import make_user

PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
SETTINGS = "Assistant Core Settings"


@pytest.fixture(autouse=True)
def request_context():
	"""A fresh frappe.local.request per test; the previous request and response headers come back after."""
	previous = getattr(frappe.local, "request", None)
	headers = getattr(frappe.local, "response_headers", None)
	saved = list(headers.items()) if headers is not None else None
	yield
	frappe.local.request = previous
	if saved is not None:
		headers.clear()
		headers.extend(saved)


def call(
	body, *, user: str = "Administrator", method: str = "POST", headers: dict | None = None
) -> tuple[int, dict | None, dict]:
	"""(status, parsed JSON body or None, headers) of one request to the endpoint function."""
	data = body if isinstance(body, bytes) else json.dumps(body).encode()
	environ = EnvironBuilder(
		path=PATH, method=method, data=data, headers=headers or {}, content_type="application/json"
	).get_environ()
	frappe.local.request = Request(environ)
	frappe.set_user(user)
	try:
		response = handle_mcp(**(body if isinstance(body, dict) else {}))
	finally:
		frappe.set_user("Administrator")
	raw = response.get_data()
	return response.status_code, (json.loads(raw) if raw else None), dict(response.headers)


def rpc(method: str, params=None, *, request_id=1, **kwargs) -> tuple[int, dict | None, dict]:
	"""One request of a client that negotiated 2025-11-25 (unless `headers` say otherwise)."""
	message = {"jsonrpc": "2.0", "id": request_id, "method": method}
	if params is not None:
		message["params"] = params
	kwargs.setdefault("headers", {"MCP-Protocol-Version": "2025-11-25"})
	return call(message, **kwargs)


def listed(user: str = "Administrator") -> list[str]:
	status, body, _ = rpc("tools/list", user=user)
	assert status == 200, body
	return [tool["name"] for tool in body["result"]["tools"]]


def tool_call(name: str, arguments=None, user: str = "Administrator") -> dict:
	params = {"name": name} if arguments is None else {"name": name, "arguments": arguments}
	status, body, _ = rpc("tools/call", params, user=user)
	assert status == 200, body
	return body


# -- lifecycle and negotiation ------------------------------------------------------------------


@pytest.mark.parametrize(
	("requested", "answered"),
	[
		("2025-11-25", "2025-11-25"),
		("2025-06-18", "2025-06-18"),
		("2025-03-26", "2025-03-26"),
		("2024-11-05", "2024-11-05"),
		("2026-07-28", "2025-11-25"),  # the stateless revision has no initialize
		("2099-01-01", "2025-11-25"),
	],
)
def test_initialize_answers_the_clients_version_when_supported_else_the_newest(requested, answered):
	"""protocolVersion echoes a supported request, else the newest we speak; serverInfo and tools capability."""
	status, body, headers = rpc(
		"initialize",
		{"protocolVersion": requested, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
	)
	assert status == 200
	result = body["result"]
	assert result["protocolVersion"] == answered
	assert headers["MCP-Protocol-Version"] == answered
	assert result["capabilities"] == {"tools": {"listChanged": False}}
	assert result["instructions"]
	assert result["serverInfo"]["name"] == frappe.get_cached_doc(SETTINGS).mcp_server_name
	assert result["serverInfo"]["version"] == frappe_assistant_core.__version__
	assert body["id"] == 1 and body["jsonrpc"] == "2.0"


def test_initialize_and_ping_never_build_the_tool_registry():
	"""initialize and ping answer without touching plugins or tools (and, warm, without any query)."""
	rpc("ping")  # warm the settings document cache
	with mock.patch(
		"frappe_assistant_core.mcp.tools.get_tool_registry", side_effect=AssertionError
	) as registry:
		with count_queries() as queries:
			init = rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}})
			ping = rpc("ping", request_id="p-1")
	assert init[0] == 200 and init[1]["result"]["protocolVersion"] == "2025-06-18"
	assert ping[:2] == (200, {"jsonrpc": "2.0", "id": "p-1", "result": {}})
	assert not registry.called
	assert queries == []


@pytest.mark.parametrize(
	"message",
	[
		{"jsonrpc": "2.0", "method": "notifications/initialized"},
		{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}},
		{"jsonrpc": "2.0", "method": "notifications/anything-else"},
		{"jsonrpc": "2.0", "id": 7, "result": {}},  # a client's answer to a server request
	],
)
def test_notifications_and_client_responses_get_202_with_no_body(message):
	"""Streamable HTTP: input that needs no answer is accepted with 202 and an empty body."""
	status, body, _ = call(message)
	assert (status, body) == (202, None)


# -- JSON-RPC errors ----------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_a_parse_error():
	"""-32700 with id null and HTTP 400 (the message could not be read at all)."""
	status, body, _ = call(b'{"jsonrpc": "2.0", "id": 1, "method": ')
	assert status == 400
	assert body["id"] is None and body["error"]["code"] == PARSE_ERROR


@pytest.mark.parametrize(
	("message", "named"),
	[
		({"id": 1, "method": "ping"}, "jsonrpc"),
		({"jsonrpc": "1.0", "id": 1, "method": "ping"}, "jsonrpc"),
		({"jsonrpc": "2.0", "id": 1, "method": 42}, "method"),
		({"jsonrpc": "2.0", "id": 1}, "method"),
		({"jsonrpc": "2.0", "id": None, "method": "ping"}, "id"),
		({"jsonrpc": "2.0", "id": True, "method": "ping"}, "id"),
		({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}, "id"),
		([{"jsonrpc": "2.0", "id": 1, "method": "ping"}], "batch"),
		("ping", "object"),
	],
)
def test_malformed_messages_are_invalid_requests(message, named):
	"""-32600 with HTTP 400 for anything that is not one JSON-RPC 2.0 message object; it says why."""
	status, body, _ = call(json.dumps(message).encode())
	assert status == 400, body
	assert body["error"]["code"] == INVALID_REQUEST, body
	assert body["id"] is None
	assert named in json.dumps(body["error"]).lower(), body


@pytest.mark.parametrize("method", ["server/discover", "resources/list", "prompts/get", "tools/delete", ""])
def test_unknown_methods_are_method_not_found(method):
	"""-32601 (HTTP 200) in the handshake revisions; server/discover exists only for 2026-07-28 requests."""
	status, body, _ = rpc(method, {})
	assert status == 200
	assert body["error"]["code"] == METHOD_NOT_FOUND and body["id"] == 1


@pytest.mark.parametrize(
	("method", "params", "field"),
	[
		("initialize", {"capabilities": {}}, "protocolVersion"),
		("initialize", {"protocolVersion": 20250618}, "protocolVersion"),
		("tools/call", {"arguments": {}}, "name"),
		("tools/call", {"name": ["test_echo"]}, "name"),
		("tools/call", {"name": "test_echo", "arguments": "message=hi"}, "arguments"),
		("tools/list", {"cursor": 5}, "cursor"),
	],
)
def test_invalid_params_name_every_bad_field(method, params, field):
	"""-32602 whose data.errors lists {field, message} from pydantic, and whose message names it."""
	status, body, _ = rpc(method, params)
	assert status == 200
	error = body["error"]
	assert error["code"] == INVALID_PARAMS
	assert field in [e["field"] for e in error["data"]["errors"]]
	assert field in error["message"]


def test_params_that_are_not_an_object_and_unknown_cursors_are_invalid_params():
	"""MCP params are objects; this server pages nothing, so any cursor is invalid."""
	assert rpc("tools/list", [1, 2])[1]["error"]["code"] == INVALID_PARAMS
	status, body, _ = rpc("tools/list", {"cursor": "page-2"})
	assert (status, body["error"]["code"]) == (200, INVALID_PARAMS)
	assert "cursor" in body["error"]["message"].lower()


def test_an_unsupported_protocol_version_header_is_a_400():
	"""A request after initialize carrying a version we do not speak: HTTP 400, -32600, supported list."""
	status, body, _ = rpc("tools/list", headers={"MCP-Protocol-Version": "1999-01-01"})
	assert status == 400
	assert body["error"]["code"] == INVALID_REQUEST
	assert body["error"]["data"]["supported"] == list(server.SUPPORTED_VERSIONS)
	status, _, headers = rpc("ping", headers={"MCP-Protocol-Version": "2025-06-18"})
	assert (status, headers["MCP-Protocol-Version"]) == (200, "2025-06-18")
	assert rpc("ping", headers={})[2]["MCP-Protocol-Version"] == server.ASSUMED_VERSION


@pytest.mark.parametrize("http_method", ["GET", "DELETE"])
def test_get_and_delete_are_405_because_there_is_no_stream_and_no_session(http_method):
	"""GET (SSE stream) and DELETE (session end) are not offered: 405 with Allow: POST."""
	status, body, headers = call(b"", method=http_method)
	assert status == 405 and headers["Allow"] == "POST"
	assert body["error"]["message"]


def test_the_exception_table_is_ordered_specific_first_and_ends_with_internal_error():
	"""One table maps exceptions to codes; a subclass row never sits below its base class."""
	classes = [row[0] for row in EXCEPTION_TABLE]
	for i, cls in enumerate(classes):
		assert not any(issubclass(cls, earlier) for earlier in classes[:i]), cls
	assert EXCEPTION_TABLE[-1] == (Exception, INTERNAL_ERROR, False)


# -- access ---------------------------------------------------------------------------------


def test_guest_gets_401_with_www_authenticate():
	"""No credentials: 401, a Bearer challenge naming the realm, and a JSON-RPC error body."""
	status, body, headers = rpc("tools/list", user="Guest")
	assert status == 401
	assert headers["WWW-Authenticate"].startswith('Bearer realm="Frappe Assistant Core"')
	assert body["error"]["code"] == UNAUTHORIZED
	assert "token" in body["error"]["message"]
	assert call(b"", method="GET", user="Guest")[0] == 401


@pytest.fixture
def server_switch():
	"""Set Assistant Core Settings.server_enabled for one test; the document cache is reset after."""

	def switch(enabled: int) -> None:
		settings = frappe.get_doc(SETTINGS)
		settings.server_enabled = enabled
		settings.save()

	yield switch
	frappe.db.rollback()
	frappe.clear_document_cache(SETTINGS, SETTINGS)


def test_server_disabled_refuses_every_request_with_503(server_switch):
	"""server_enabled off: 503 with a clear JSON-RPC error for every method; on again: served."""
	server_switch(0)
	for method in ("initialize", "ping", "tools/list", "tools/call"):
		status, body, _ = rpc(method, {"protocolVersion": "2025-06-18", "name": "test_echo"})
		assert status == 503, method
		assert body["error"]["code"] == SERVER_DISABLED
		assert "disabled" in body["error"]["message"]
	server_switch(1)
	assert rpc("ping")[0] == 200


# -- tools/list and tools/call ------------------------------------------------------------------


def test_tools_list_describes_each_tool_with_schema_and_annotations():
	"""Every listed tool has name, description, an object inputSchema and category annotations."""
	status, body, _ = rpc("tools/list")
	assert status == 200
	tools = {tool["name"]: tool for tool in body["result"]["tools"]}
	assert {"test_echo", "test_create_todo"} <= set(tools)
	for tool in tools.values():
		assert {"name", "title", "description", "inputSchema", "annotations"} <= set(tool)
		assert set(tool) <= {"name", "title", "description", "inputSchema", "annotations", "outputSchema"}
		assert tool["description"] and tool["inputSchema"]["type"] == "object"
	echo = tools["test_echo"]
	assert echo["inputSchema"]["required"] == ["message"]
	assert echo["inputSchema"]["properties"]["message"]["description"] == "Text to send back"
	assert echo["annotations"]["readOnlyHint"] is True
	assert tools["test_create_todo"]["annotations"]["readOnlyHint"] is False
	expected = [info.name for info in get_tool_registry().get_available_tools("Administrator")]
	assert list(tools) == expected


def test_tools_call_returns_text_and_structured_content_as_the_calling_user():
	"""A read tool's result comes back as a JSON text block plus structuredContent, run as the caller."""
	user = make_user("fac-mcp-reader@example.com", ["System Manager"])
	body = tool_call("test_echo", {"message": "héllo"}, user=user)
	result = body["result"]
	assert result["isError"] is False
	assert result["structuredContent"] == {"echo": "héllo", "user": user}
	assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
	assert result["content"][0]["type"] == "text"


def test_a_write_tool_writes_the_row_as_the_calling_user():
	"""test_create_todo inserts a real ToDo owned by the caller."""
	user = make_user("fac-mcp-writer@example.com", ["System Manager"])
	result = tool_call("test_create_todo", {"description": "from MCP"}, user=user)["result"]
	assert result["isError"] is False
	name = result["structuredContent"]["name"]
	assert frappe.db.get_value("ToDo", name, ["description", "owner"]) == ("from MCP", user)


@pytest.mark.parametrize(
	("arguments", "field"),
	[
		({}, "message"),
		({"message": 5}, "message"),
		({"message": "x" * 201}, "message"),
		({"message": "hi", "extra": 1}, "extra"),
	],
)
def test_bad_tool_arguments_are_an_error_result_naming_the_field(arguments, field):
	"""Argument validation failures come back as isError results the model can correct (MCP 2025-11-25)."""
	result = tool_call("test_echo", arguments)["result"]
	assert result["isError"] is True
	text = result["content"][0]["text"]
	assert field in text and "Invalid arguments for test_echo" in text


def test_a_failing_tool_is_a_short_error_result_with_its_writes_undone():
	"""PermissionError keeps its message; an unexpected error is generic, logged, never a traceback."""
	todos = frappe.db.count("ToDo")

	def write_then_fail(self, args):
		frappe.get_doc({"doctype": "ToDo", "description": "half done"}).insert()
		raise KeyError("secret internal detail")

	with mock.patch("fac_test_tools.tools.TestCreateTodo.execute", write_then_fail):
		result = tool_call("test_create_todo", {"description": "x"})["result"]
	text = result["content"][0]["text"]
	assert result["isError"] is True
	assert "secret internal detail" not in text and "Traceback" not in text and "KeyError" not in text
	assert "test_create_todo" in text and "Error Log" in text
	assert frappe.db.count("ToDo") == todos
	logged = frappe.get_all("Error Log", filters={"method": "MCP test_create_todo"}, pluck="error")
	assert any("secret internal detail" in entry for entry in logged)

	def refuse(self, args):
		frappe.throw(frappe._("You may not echo <b>that</b>"), frappe.PermissionError)

	with mock.patch("fac_test_tools.tools.TestEcho.execute", refuse):
		result = tool_call("test_echo", {"message": "x"})["result"]
	assert result == {"content": [{"type": "text", "text": "You may not echo that"}], "isError": True}


def test_a_permission_failure_inside_a_tool_says_what_is_missing():
	"""Frappe's document-level refusal (a bare PermissionError) comes back as its own clear message."""
	user = make_user("fac-mcp-no-todo@example.com", ["Assistant User"])
	todos = frappe.db.count("ToDo")
	result = tool_call("test_create_todo", {"description": "not allowed"}, user=user)["result"]
	assert result["isError"] is True
	# Frappe's own wording differs between versions; what is missing (the right, the DocType) does not.
	text = result["content"][0]["text"]
	assert "create" in text and "ToDo" in text, text
	assert "Traceback" not in text and "Internal error" not in text, text
	assert frappe.db.count("ToDo") == todos


def test_unknown_and_disabled_tools_are_invalid_params():
	"""tools/call reaches exactly what tools/list shows: a disabled tool is gone from both at once."""
	status, body, _ = rpc("tools/call", {"name": "no_such_tool", "arguments": {}})
	assert (status, body["error"]["code"]) == (200, INVALID_PARAMS)
	assert "no_such_tool" in body["error"]["message"] and "not available" in body["error"]["message"]
	assert "test_echo" in listed()
	admin_api.toggle_tool("test_echo", False)
	assert "test_echo" not in listed()
	body = rpc("tools/call", {"name": "test_echo", "arguments": {"message": "hi"}})[1]
	assert body["error"]["code"] == INVALID_PARAMS and "test_echo" in body["error"]["message"]


def test_role_restricted_tool_is_hidden_from_users_without_the_role():
	"""Restrict to Listed Roles: a user lacking the role neither lists nor calls it; one holding it does."""
	outsider = make_user("fac-mcp-outsider@example.com", ["Assistant User"])
	insider = make_user("fac-mcp-insider@example.com", ["Assistant User", "Assistant Admin"])
	assert "test_echo" in listed(outsider)
	admin_api.update_tool_role_access("test_echo", "Restrict to Listed Roles", ["Assistant Admin"])
	assert "test_echo" not in listed(outsider)
	assert "test_echo" in listed(insider)
	body = rpc("tools/call", {"name": "test_echo", "arguments": {"message": "x"}}, user=outsider)[1]
	assert body["error"]["code"] == INVALID_PARAMS
	assert tool_call("test_echo", {"message": "x"}, user=insider)["result"]["isError"] is False


def test_disabling_a_plugin_removes_its_tools_from_the_list():
	"""toggle_plugin off: none of the plugin's tools is listed or callable; on again: back."""
	catalog = get_plugin_manager().get_tool_catalog()
	visualization = {name for name, entry in catalog.items() if entry.plugin_name == "visualization"}
	admin_api.toggle_plugin("visualization", True)
	before = set(listed())
	assert before & visualization, "visualization tools should be listed while the plugin is enabled"
	admin_api.toggle_plugin("visualization", False)
	after = set(listed())
	assert not after & visualization
	assert before - visualization == after
	name = sorted(before & visualization)[0]
	assert rpc("tools/call", {"name": name, "arguments": {}})[1]["error"]["code"] == INVALID_PARAMS


# -- steady-state cost --------------------------------------------------------------------------


def test_tools_list_in_steady_state_issues_zero_queries():
	"""After warm-up a tools/list for a role-restricted user runs 0 SQL queries (stated count: 0).

	Plugin and tool configuration come from the per-process snapshot checked with one Redis GET,
	the server switch from Frappe's document cache and the user's roles from the role cache.
	"""
	user = make_user("fac-mcp-counted@example.com", ["Assistant User"])
	names = listed(user)  # warm-up: snapshot, roles, settings document
	with count_queries() as queries:
		assert listed(user) == names
	assert len(queries) == 0, queries
