"""The endpoint's own refusals, each replaying an attack over real HTTP (issue #11, protocol items).

A foreign Origin (DNS rebinding, a hostile page) gets 403 before Frappe even checks the
credentials; a cookie session that never loaded the desk cannot call from anywhere; 100,000
`[` is a JSON-RPC parse error, not a 500; an oversized body is refused unread.
"""

from __future__ import annotations

import http.cookiejar
import json
import urllib.request
from types import SimpleNamespace
from unittest import mock

import frappe
import pytest
from frappe.utils.password import update_password

from frappe_assistant_core.mcp import guard
from frappe_assistant_core.wire.jsonrpc import FORBIDDEN, INVALID_REQUEST, PARSE_ERROR
from tests.support.server import Server, serve
from tests.support.site import api_credentials, make_user

PATH = guard.MCP_PATH
LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
VERSION = {"MCP-Protocol-Version": "2025-11-25"}
PASSWORD = "Guard-Test-Pa55!"


@pytest.fixture(scope="module")
def user():
	email = make_user("fac-mcp-guard@example.com", ["System Manager"])
	token = api_credentials(email)
	update_password(email, PASSWORD)
	frappe.db.commit()
	return email, token


@pytest.fixture(scope="module")
def server():
	with serve(workers=1) as running:
		yield running


def post(server: Server, body, *, auth=None, headers=None, content_type="application/json"):
	status, _headers, raw = server.request(
		PATH,
		method="POST",
		body=body if isinstance(body, bytes) else json.dumps(body).encode(),
		auth=auth,
		headers={"Content-Type": content_type, **VERSION, **(headers or {})},
	)
	try:
		return status, json.loads(raw) if raw else None
	except ValueError:
		return status, {"raw": raw[:300]}


def host_of(server: Server) -> str:
	return server.url.split("://", 1)[1]


def test_a_foreign_origin_is_refused_with_403_even_with_valid_credentials(server, user):
	"""A page on evil.example.com whose name resolves to the server (DNS rebinding) sends both
	Host and Origin of its own: 403, a JSON-RPC error with no id, and nothing runs."""
	_, token = user
	for headers in (
		{"Origin": "http://evil.example.com"},
		{"Origin": "http://evil.example.com", "Host": "evil.example.com"},
		{"Origin": "null"},
		{"Origin": f"http://{host_of(server)}.evil.example.com"},
	):
		status, body = post(server, LIST, auth=token, headers=headers)
		assert status == 403, (headers, body)
		assert body["error"]["code"] == FORBIDDEN and body["id"] is None


def test_a_foreign_origin_is_refused_before_authentication(server):
	"""Wrong credentials from a foreign Origin: 403 from the before_request hook, not Frappe's 401."""
	status, body = post(server, LIST, auth="nokey:nosecret", headers={"Origin": "http://evil.example.com"})
	assert status == 403 and body["error"]["code"] == FORBIDDEN


def test_same_site_absent_and_allow_listed_origins_are_served(server, user):
	_, token = user
	assert post(server, LIST, auth=token)[0] == 200  # no Origin: every non-browser client
	assert post(server, LIST, auth=token, headers={"Origin": server.url})[0] == 200
	assert post(server, LIST, auth=token, headers={"Origin": "https://chat.example.com"})[0] == 403
	settings = frappe.get_single("Assistant Core Settings")
	settings.mcp_allowed_origins = "https://chat.example.com\nhttps://other.example.com"
	settings.save()
	frappe.db.commit()
	try:
		assert post(server, LIST, auth=token, headers={"Origin": "https://chat.example.com"})[0] == 200
		assert post(server, LIST, auth=token, headers={"Origin": "https://chat.example.com.evil"})[0] == 403
	finally:
		settings.mcp_allowed_origins = ""
		settings.save()
		frappe.db.commit()


def _session_opener(server: Server) -> urllib.request.OpenerDirector:
	"""A cookie-keeping client signed in with the user's password (a session, never the desk)."""
	jar = http.cookiejar.CookieJar()
	opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
	login = urllib.request.Request(
		server.url + "/api/method/login",
		data=json.dumps({"usr": "fac-mcp-guard@example.com", "pwd": PASSWORD}).encode(),
		headers={"Content-Type": "application/json"},
		method="POST",
	)
	with opener.open(login, timeout=30) as response:
		assert response.status == 200
	assert any(cookie.name == "sid" for cookie in jar)
	return opener


def test_a_cookie_session_without_the_csrf_token_cannot_call(server, user):
	"""The issue's attack: a session cookie that never loaded the desk (so Frappe has no CSRF token
	to check) was accepted; now it gets 403 from the same site and from anywhere else."""
	opener = _session_opener(server)
	for headers in ({}, {"Origin": server.url}, {"X-Frappe-CSRF-Token": "guessed"}):
		request = urllib.request.Request(
			server.url + PATH,
			data=json.dumps(LIST).encode(),
			headers={"Content-Type": "application/json", **VERSION, **headers},
			method="POST",
		)
		try:
			opener.open(request, timeout=30)
			pytest.fail("a cookie session without its CSRF token was served")
		except urllib.error.HTTPError as err:
			assert err.code == 403, headers
			assert json.loads(err.read())["error"]["code"] == FORBIDDEN


def test_a_cookie_session_with_its_csrf_token_is_served():
	"""The rule itself: the token of the session, in X-Frappe-CSRF-Token, is what lets it through."""
	request = SimpleNamespace(cookies={"sid": "abc"})
	session = SimpleNamespace(user="someone@example.com", data={"csrf_token": "tok"})
	with (
		mock.patch.object(frappe, "request", request, create=True),
		mock.patch.object(frappe.local, "session", session),
		mock.patch.object(
			frappe, "get_request_header", lambda name: {"X-Frappe-CSRF-Token": "tok"}.get(name)
		),
	):
		assert guard.csrf_refusal() is None
	with (
		mock.patch.object(frappe, "request", request, create=True),
		mock.patch.object(frappe.local, "session", session),
		mock.patch.object(frappe, "get_request_header", lambda name: {"X-Frappe-CSRF-Token": "x"}.get(name)),
	):
		assert guard.csrf_refusal().status == 403


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_100000_opening_brackets_are_a_parse_error_not_a_500(server, user, content_type):
	_, token = user
	status, body = post(server, b"[" * 100_000, auth=token, content_type=content_type)
	assert status == 400, body
	assert body["error"]["code"] == PARSE_ERROR and body["id"] is None


def test_an_oversized_body_is_refused_unread(server, user):
	_, token = user
	padding = "x" * (guard.MAX_BODY_BYTES + 1)
	body = json.dumps({**LIST, "params": {"padding": padding}}).encode()
	status, reply = post(server, body, auth=token, content_type="text/plain")
	assert status == 413 and reply["error"]["code"] == INVALID_REQUEST
