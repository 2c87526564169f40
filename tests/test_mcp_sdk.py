"""Interoperability: the official `mcp` Python SDK client (streamable HTTP) against the site's endpoint.

The site is served by gunicorn on 127.0.0.1; the client authenticates with an API key header,
negotiates (probing `server/discover` first in auto mode), lists and calls tools, and sees an
admin's plugin and tool toggles in its next listing (SPEC §11, §6).
"""

from __future__ import annotations

import asyncio
import json

import frappe
import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

from frappe_assistant_core.mcp.protocol import INVALID_PARAMS
from frappe_assistant_core.mcp.server import SUPPORTED_VERSIONS
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from tests.support.server import Server, serve
from tests.support.site import api_credentials, make_user

PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"


@pytest.fixture(scope="module")
def caller():
	"""An API-key user who may also use admin_api (System Manager): (email, key:secret)."""
	email = make_user("fac-mcp-sdk@example.com", ["System Manager"])
	return email, api_credentials(email)


def _client(server: Server, token: str, mode: str, wire: list) -> Client:
	"""The SDK client over its streamable HTTP transport; `wire` collects (verb, JSON-RPC method)."""

	async def record(request: httpx2.Request) -> None:
		method = json.loads(request.content).get("method") if request.content else None
		wire.append((request.method, method))

	http = httpx2.AsyncClient(
		headers={"Authorization": f"token {token}"}, timeout=60, event_hooks={"request": [record]}
	)
	return Client(streamable_http_client(server.url + PATH, http_client=http), mode=mode)


def _admin(server: Server, token: str, endpoint: str, **kwargs) -> dict:
	status, body = server.call(f"frappe_assistant_core.api.admin_api.{endpoint}", auth=token, **kwargs)
	assert status == 200, body
	return body


async def _names(client: Client) -> set[str]:
	return {tool.name for tool in (await client.list_tools()).tools}


async def _session(server: Server, token: str, email: str, mode: str) -> dict:
	"""One SDK session doing everything the issue lists; returns what the test asserts on."""
	seen: dict = {"wire": []}
	async with _client(server, token, mode, seen["wire"]) as client:
		seen["version"] = client.protocol_version
		seen["server_name"] = client.server_info.name
		listing = (await client.list_tools()).tools
		seen["tools"] = {tool.name: tool for tool in listing}

		echo = await client.call_tool("test_echo", {"message": "hello from the SDK"})
		seen["echo"] = (echo.is_error, echo.structured_content, echo.content[0].text)
		todo = await client.call_tool("test_create_todo", {"description": f"SDK {mode}"})
		seen["todo"] = (todo.is_error, todo.structured_content)
		bad = await client.call_tool("test_echo", {"wrong": 1})
		seen["bad"] = (bad.is_error, bad.content[0].text)
		try:
			await client.call_tool("no_such_tool", {})
		except MCPError as exc:
			seen["unknown"] = (exc.error.code, exc.error.message)

		# An admin switches things off over HTTP; this client's very next list shows it.
		_admin(server, token, "toggle_plugin", plugin_name="visualization", enable=0)
		_admin(server, token, "toggle_tool", tool_name="test_echo", enable=0)
		seen["after_disable"] = await _names(client)
		try:
			await client.call_tool("test_echo", {"message": "still there?"})
		except MCPError as exc:
			seen["hidden"] = (exc.error.code, exc.error.message)
		_admin(server, token, "toggle_plugin", plugin_name="visualization", enable=1)
		_admin(server, token, "toggle_tool", tool_name="test_echo", enable=1)
		seen["after_enable"] = await _names(client)
	return seen


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_official_sdk_client_initializes_lists_calls_and_sees_toggles(caller, mode):
	"""mcp 2.x Client (auto: server/discover probe then initialize; legacy: initialize) end to end."""
	email, token = caller
	visualization = {
		n for n, e in get_plugin_manager().get_tool_catalog().items() if e.plugin_name == "visualization"
	}
	with serve(workers=2) as server:
		try:
			_admin(server, token, "toggle_plugin", plugin_name="visualization", enable=1)
			seen = asyncio.run(_session(server, token, email, mode))
		finally:
			_admin(server, token, "toggle_plugin", plugin_name="visualization", enable=1)
			_admin(server, token, "toggle_tool", tool_name="test_echo", enable=1)

	handshake = [method for _, method in seen["wire"][:3]]
	if mode == "auto":  # the probe is answered with -32601, so the client falls back to initialize
		assert handshake == ["server/discover", "initialize", "notifications/initialized"]
	else:
		assert handshake[:2] == ["initialize", "notifications/initialized"]
	assert {verb for verb, _ in seen["wire"]} == {"POST"}  # no session id issued: no GET stream, no DELETE
	assert seen["version"] == SUPPORTED_VERSIONS[0]  # the SDK asks for 2025-11-25
	assert seen["server_name"] == frappe.get_cached_doc("Assistant Core Settings").mcp_server_name
	tools = seen["tools"]
	assert {"test_echo", "test_create_todo"} <= set(tools)
	assert tools["test_echo"].input_schema["required"] == ["message"]
	assert tools["test_echo"].annotations.read_only_hint is True
	assert tools["test_create_todo"].annotations.read_only_hint is False
	listed_visualization = set(tools) & visualization
	assert listed_visualization, "visualization tools are listed while the plugin is enabled"

	assert seen["echo"][0] is False
	assert seen["echo"][1] == {"echo": "hello from the SDK", "user": email}

	is_error, created = seen["todo"]
	assert is_error is False
	frappe.db.rollback()  # read what the server committed
	assert frappe.db.get_value("ToDo", created["name"], ["description", "owner"]) == (f"SDK {mode}", email)
	frappe.delete_doc("ToDo", created["name"], ignore_permissions=True)
	frappe.db.commit()

	assert seen["bad"][0] is True and "wrong" in seen["bad"][1] and "message" in seen["bad"][1]
	assert seen["unknown"][0] == INVALID_PARAMS and "no_such_tool" in seen["unknown"][1]

	assert "test_echo" not in seen["after_disable"]
	assert not seen["after_disable"] & visualization
	assert "test_create_todo" in seen["after_disable"]
	assert seen["hidden"][0] == INVALID_PARAMS and "test_echo" in seen["hidden"][1]
	assert {"test_echo", *listed_visualization} <= seen["after_enable"]
