"""Every door of the endpoint (issue #19, finding 4), over real HTTP (gunicorn workers).

The audit's replays: the Origin check was skipped on other URLs that reach the same handler, the
body cap was skipped for bodies without a Content-Length, a 3 MB argument came back as a 3 MB
error, `get_recent_tool_calls` without its argument answered 500 with a traceback before the
admin gate, and refused admin calls sent the server's Python traceback to the browser.

The URLs and framings are enumerated here; the app's whitelisted functions are discovered from
its code, so a new endpoint is covered without a change to this file.
"""

from __future__ import annotations

import gzip
import http.client
import importlib
import json
import pkgutil
import socket
import urllib.parse
import uuid

import frappe
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

import frappe_assistant_core
from frappe_assistant_core.mcp.guard import MAX_BODY_BYTES, MCP_PATH, body_refusal
from frappe_assistant_core.wire.jsonrpc import FORBIDDEN, PARSE_ERROR
from tests.support.server import Server, serve
from tests.support.site import ASSISTANT_ADMIN, ASSISTANT_USER, SYSTEM_MANAGER, api_credentials, make_user

M = "frappe_assistant_core.api.fac_endpoint.handle_mcp"
# RFC 7591 registration: a client registers before any user exists for it (tests/test_oauth_flow.py).
REGISTRATION = "frappe_assistant_core.oauth.registration.register"
#: Open to every signed-in user, each for their own OAuth connections only (My Connections).
OWN_CONNECTIONS = {
	f"frappe_assistant_core.api.admin_connections.{name}"
	for name in ("get_my_connections", "revoke_my_connection")
}
#: Every URL Frappe routes to the endpoint function: spellings, API versions, an alias module and
#: an override of another app (tests/host/apps/fac_test_tools).
MCP_URLS = [
	MCP_PATH,
	f"{MCP_PATH}/",
	f"{MCP_PATH}/readonly",  # a narrowed URL (docs/governance.md); an unknown suffix is a 400
	f"/api/v1/method/{M}",
	f"/api/v2/method/{M}",
	f"/api/v2/method/{M}/",
	"/api/method/" + M.replace(".", "%2E"),
	"/api/method/fac_test_tools.doors.handle_mcp",
	"/api/method/fac_test_tools.doors.mcp",
]
VERSION = {"MCP-Protocol-Version": "2025-11-25"}
LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
FOREIGN = {"Origin": "http://evil.example.com"}
#: Far more than any error needs, far less than what the requests below carry.
ANSWER_BOUND = 16 * 1024
BIG = "x" * (3 * 2**20)


@pytest.fixture(scope="module")
def tokens():
	return {
		"member": api_credentials(make_user(ASSISTANT_USER, ["Assistant User"])),
		# An administrator of the app: the admin API's gate, and the approvers' (governance.decisions).
		"admin": api_credentials(
			make_user(ASSISTANT_ADMIN, ["Assistant Admin", "Assistant Approver", "Assistant User"])
		),
		"manager": api_credentials(make_user(SYSTEM_MANAGER, ["System Manager"])),
	}


@pytest.fixture(scope="module")
def server(tokens):
	frappe.db.set_single_value("System Settings", "allow_error_traceback", 1)  # Frappe's default
	frappe.db.commit()
	with serve(workers=2) as running:
		yield running


def post(server: Server, path: str, body, *, token=None, headers=None, content_type="application/json"):
	data = body if isinstance(body, bytes) else json.dumps(body).encode()
	status, _h, raw = server.request(
		path,
		method="POST",
		body=data,
		auth=token,
		headers={"Content-Type": content_type, **VERSION, **(headers or {})},
	)
	return status, raw


def parsed(raw: bytes) -> dict:
	try:
		return json.loads(raw)
	except ValueError:
		return {"raw": raw[:300].decode(errors="replace")}


def _connection(server: Server) -> http.client.HTTPConnection:
	host = urllib.parse.urlsplit(server.url)
	return http.client.HTTPConnection(host.hostname, host.port, timeout=60)


def post_chunked(
	server: Server, path: str, data: bytes, token: str, content_type: str = "application/json"
) -> tuple[int, bytes]:
	"""POST with Transfer-Encoding: chunked, so the request has no Content-Length at all."""
	connection = _connection(server)
	chunks = (data[i : i + 65536] for i in range(0, len(data), 65536))
	headers = {"Content-Type": content_type, "Authorization": f"token {token}", **VERSION}
	try:
		connection.request("POST", path, body=chunks, headers=headers, encode_chunked=True)
		response = connection.getresponse()
		return response.status, response.read()
	finally:
		connection.close()


def post_raw(server: Server, head: str, data: bytes) -> tuple[int, bytes]:
	"""Send the request line and headers exactly as given (a lying Content-Length, say)."""
	host = urllib.parse.urlsplit(server.url)
	with socket.create_connection((host.hostname, host.port), timeout=60) as sock:
		sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + data)
		sock.shutdown(socket.SHUT_WR)
		received = b""
		while chunk := sock.recv(65536):
			received += chunk
	status_line, _sep, rest = received.partition(b"\r\n")
	return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


# -- the MCP endpoint's doors ----------------------------------------------------------------------


@pytest.mark.parametrize("path", MCP_URLS)
def test_every_url_of_the_endpoint_serves_and_applies_every_guard(server, tokens, path):
	status, raw = post(server, path, LIST, token=tokens["member"])
	assert status == 200 and "tools" in parsed(raw)["result"], (path, raw[:300])
	status, raw = post(server, path, LIST, token=tokens["member"], headers=FOREIGN)
	assert status == 403 and parsed(raw)["error"]["code"] == FORBIDDEN, (path, raw[:300])
	oversized = json.dumps({**LIST, "params": {"pad": "x" * (MAX_BODY_BYTES + 1)}}).encode()
	assert post(server, path, oversized, token=tokens["member"])[0] == 413, path
	assert post_chunked(server, path, oversized, tokens["member"])[0] == 413, path


def _todo_call(marker: str) -> dict:
	arguments = {"doctype": "ToDo", "data": {"description": marker}}
	return {
		"jsonrpc": "2.0",
		"id": 1,
		"method": "tools/call",
		"params": {"name": "document_create", "arguments": arguments},
	}


@pytest.mark.parametrize(
	"path", [f"/?cmd={M}", f"/api/method/ping?cmd={M}", f"{MCP_PATH}?cmd={M}", f"/app?cmd={M}"]
)
def test_a_cmd_parameter_never_reaches_the_endpoint(server, tokens, path):
	"""Frappe calls the function a `cmd` parameter names on any URL (from the query string when the
	body is not JSON: a text/plain POST, which a browser sends cross-site without asking) and throws
	its answer away. The endpoint refuses that door before anything runs: no ToDo is created."""
	marker = f"fac-doors-{uuid.uuid4().hex[:10]}"
	for headers in (FOREIGN, {}):
		status, _raw = post(
			server,
			path,
			_todo_call(marker),
			token=tokens["manager"],
			headers=headers,
			content_type="text/plain",
		)
		assert status == (404 if not headers or "?" not in path or not path.startswith(MCP_PATH) else 403), (
			path,
			headers,
			status,
		)
	frappe.db.rollback()
	assert not frappe.db.exists("ToDo", {"description": marker})


def test_a_cmd_member_in_the_json_body_never_reaches_the_endpoint(server, tokens):
	marker = f"fac-doors-{uuid.uuid4().hex[:10]}"
	for path in ("/api/method/ping", MCP_PATH):
		status, _raw = post(server, path, {**_todo_call(marker), "cmd": M}, token=tokens["manager"])
		assert status == 404, path
	frappe.db.rollback()
	assert not frappe.db.exists("ToDo", {"description": marker})


@pytest.mark.parametrize(
	"content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=b"]
)
def test_oversized_form_and_multipart_bodies_are_refused(server, tokens, content_type):
	pad = "x" * (MAX_BODY_BYTES + 1)
	if content_type.startswith("multipart"):
		data = f'--b\r\nContent-Disposition: form-data; name="pad"\r\n\r\n{pad}\r\n--b--\r\n'.encode()
	else:
		data = f"pad={pad}".encode()
	status, raw = post(server, MCP_PATH, data, token=tokens["member"], content_type=content_type)
	assert status == 413, raw[:500]
	assert post_chunked(server, MCP_PATH, data, tokens["member"], content_type)[0] == 413
	assert post_chunked(server, MCP_PATH, data, tokens["member"], "application/json")[0] == 413


def test_a_content_length_shorter_than_the_body_is_a_parse_error_not_a_crash(server, tokens):
	data = json.dumps(LIST).encode()
	head = (
		f"POST {MCP_PATH} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
		f"Authorization: token {tokens['member']}\nMCP-Protocol-Version: 2025-11-25\n"
		f"Content-Length: {len(data) // 2}\nConnection: close\n"
	)
	status, body = post_raw(server, head, data)
	assert status == 400 and parsed(body)["error"]["code"] == PARSE_ERROR


def test_content_length_and_chunked_together_are_refused(server, tokens):
	"""A body framed two ways at once (request smuggling) never reaches the endpoint."""
	marker = f"fac-doors-{uuid.uuid4().hex[:10]}"
	data = json.dumps(_todo_call(marker)).encode()
	head = (
		f"POST {MCP_PATH} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
		f"Authorization: token {tokens['manager']}\nMCP-Protocol-Version: 2025-11-25\n"
		f"Content-Length: {len(data)}\nTransfer-Encoding: chunked\nConnection: close\n"
	)
	chunked = f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n\r\n"
	status, _body = post_raw(server, head, chunked)
	assert status == 400
	frappe.db.rollback()
	assert not frappe.db.exists("ToDo", {"description": marker})


def test_the_guard_itself_refuses_a_body_framed_two_ways():
	"""Whatever WSGI server passes such a request on (werkzeug's does; gunicorn refuses it before the
	app), the endpoint's guard answers 400 before reading it; one framing alone passes."""
	data = json.dumps(LIST).encode()
	both = {"Content-Length": str(len(data)), "Transfer-Encoding": "chunked"}
	for headers, refused in ((both, True), ({"Content-Length": str(len(data))}, False)):
		request = Request(
			EnvironBuilder(path=MCP_PATH, method="POST", data=data, headers=headers).get_environ()
		)
		answer = body_refusal(request)
		assert (answer is not None and answer.to_response().status_code == 400) is refused, headers


def test_a_gzip_body_is_not_inflated(server, tokens):
	"""Neither Frappe nor werkzeug inflates a Content-Encoding: gzip body, so a compressed body is
	not JSON (-32700), and a small body that would inflate past the cap (a zip bomb) is just that."""
	for data in (gzip.compress(json.dumps(LIST).encode()), gzip.compress(b"[" * (64 * MAX_BODY_BYTES))):
		status, raw = post(
			server, MCP_PATH, data, token=tokens["member"], headers={"Content-Encoding": "gzip"}
		)
		assert status == 400 and parsed(raw)["error"]["code"] == PARSE_ERROR
		assert len(raw) < ANSWER_BOUND


# -- every answer is bounded, errors included ------------------------------------------------------


@pytest.mark.parametrize(
	"message",
	[
		{"jsonrpc": "2.0", "id": 1, "method": BIG, "params": {}},
		{"jsonrpc": "2.0", "id": BIG, "method": "tools/list", "params": {}},
		{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": BIG, "arguments": {}}},
		{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {BIG: 1}},
		{
			"jsonrpc": "2.0",
			"id": 1,
			"method": "tools/call",
			"params": {"name": "document_get", "arguments": {"doctype": BIG}},
		},
		{
			"jsonrpc": "2.0",
			"id": 1,
			"method": "tools/call",
			"params": {"name": "document_get", "arguments": {BIG: 1}},
		},
		{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"cursor": BIG}},
		{
			"jsonrpc": "2.0",
			"id": 1,
			"method": "initialize",
			"params": {"protocolVersion": BIG, "capabilities": []},
		},
	],
	ids=["method", "id", "tool-name", "params-key", "argument-value", "argument-key", "cursor", "initialize"],
)
def test_a_3_mb_argument_never_comes_back_as_a_3_mb_answer(server, tokens, message):
	status, raw = post(server, MCP_PATH, message, token=tokens["member"])
	assert len(raw) < ANSWER_BOUND, (status, len(raw), raw[:200])
	reply = parsed(raw)
	assert "error" in reply or reply.get("result", {}).get("isError") is True


# -- every whitelisted function of the app ---------------------------------------------------------


def whitelisted_functions() -> dict[str, object]:
	"""Every dotted path under which Frappe calls one of the app's own whitelisted functions (one
	re-exported by another module of the app is reachable there too; Frappe's own functions that a
	module imports are Frappe's doors, not the app's)."""
	found = {}
	for info in pkgutil.walk_packages(frappe_assistant_core.__path__, "frappe_assistant_core."):
		try:
			module = importlib.import_module(info.name)
		except Exception:
			continue  # a tool module whose optional packages are missing
		for name, value in vars(module).items():
			if (
				callable(value)
				and value in frappe.whitelisted
				and getattr(value, "__module__", "").startswith("frappe_assistant_core.")
			):
				found[f"{info.name}.{name}"] = value
	return found


def test_the_discovery_finds_the_apps_endpoints():
	found = whitelisted_functions()
	for path in (
		M,
		"frappe_assistant_core.api.admin_api.get_recent_tool_calls",
		"frappe_assistant_core.api.admin_usage.get_usage_stats",
	):
		assert path in found
	assert len(found) >= 20


def _traceback_in(raw: bytes) -> bool:
	body = parsed(raw)
	errors = body.get("errors") or []
	return (
		b"Traceback (most recent call last)" in raw
		or "exc" in body
		or "exception" in body
		or any("exception" in error for error in errors if isinstance(error, dict))
	)


def _messages(raw: bytes) -> str:
	body = parsed(raw)
	texts = [json.loads(m).get("message", "") for m in json.loads(body.get("_server_messages") or "[]")]
	texts += [e.get("message", "") for e in body.get("errors") or [] if isinstance(e, dict)]
	return " ".join(texts)


@pytest.mark.parametrize("prefix", ["/api/method/", "/api/v2/method/"])
def test_every_whitelisted_function_gates_first_names_missing_arguments_and_sends_no_traceback(
	server, tokens, prefix
):
	"""Guest and an Assistant User get 403 whatever they send (a user's own connections: Guest
	only); an admin sending no arguments gets 200, or 417 naming a parameter of the function; no
	answer carries a Python traceback."""
	import inspect

	for path, function in whitelisted_functions().items():
		if path.endswith(".handle_mcp") or path == REGISTRATION:
			continue  # open to guests by protocol: the MCP endpoint (above), OAuth client registration
		url = prefix + path
		refused = (None,) if path in OWN_CONNECTIONS else (None, tokens["member"])
		for token in refused:
			status, raw = post(server, url, {}, token=token)
			assert status == 403, (url, token, status, raw[:300])
			assert not _traceback_in(raw), (url, raw[:500])
		for token in {tokens["admin"], *({tokens["member"]} - set(refused))}:
			status, raw = post(server, url, {}, token=token)
			assert status in (200, 417), (url, status, raw[:500])
			assert not _traceback_in(raw), (url, raw[:500])
			if status == 417:
				parameters = inspect.signature(function).parameters
				assert any(name in _messages(raw) for name in parameters), (url, _messages(raw))


def test_get_recent_tool_calls_without_its_argument_is_a_417_after_the_gate(server, tokens):
	url = "/api/method/frappe_assistant_core.api.admin_api.get_recent_tool_calls"
	status, raw = post(server, url, {}, token=tokens["member"])
	assert status == 403 and not _traceback_in(raw)
	status, raw = post(server, url, {}, token=tokens["admin"])
	assert status == 417 and "tool_name" in _messages(raw) and not _traceback_in(raw)


def test_a_refused_admin_call_sends_its_message_and_no_traceback(server, tokens):
	"""What the desk shows in the browser: the refusal's message, never the server's traceback."""
	url = "/api/method/frappe_assistant_core.api.admin_api.toggle_plugin"
	status, raw = post(server, url, {"plugin_name": "core", "enable": 0}, token=tokens["admin"])
	assert status == 417 and "always enabled" in _messages(raw) and not _traceback_in(raw)
	status, raw = post(server, url, {"plugin_name": "core", "enable": 0}, token=tokens["member"])
	assert status == 403 and not _traceback_in(raw)
