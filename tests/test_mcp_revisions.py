"""Every protocol revision on the one endpoint, each per its own specification, and bounded results.

2026-07-28 (stateless): server/discover, per-request _meta, required headers and their errors,
resultType, cacheable tools/list. 2025-11-25 .. 2024-11-05 (initialize): the tool and result
shape of each revision. In-process, through the whitelisted endpoint function.
"""

from __future__ import annotations

import base64
import json

import frappe
import pytest

from frappe_assistant_core.mcp import list_cache, tools
from frappe_assistant_core.wire.jsonrpc import (
	HEADER_MISMATCH,
	INVALID_PARAMS,
	METHOD_NOT_FOUND,
	UNSUPPORTED_PROTOCOL_VERSION,
)
from frappe_assistant_core.wire.revisions import MODERN, SUPPORTED_VERSIONS
from tests.test_mcp_protocol import call, request_context  # noqa: F401  (fixture)

SETTINGS = "Assistant Core Settings"
CLIENT_META = {
	"io.modelcontextprotocol/protocolVersion": MODERN,
	"io.modelcontextprotocol/clientCapabilities": {},
	"io.modelcontextprotocol/clientInfo": {"name": "revision-test", "version": "1"},
}


def modern(method: str, params: dict | None = None, *, meta=None, headers=None, request_id=7):
	"""(status, body, headers) of one 2026-07-28 request with the headers its transport requires."""
	params = {**(params or {}), "_meta": CLIENT_META if meta is None else meta}
	sent = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
	if "name" in params:
		sent["Mcp-Name"] = params["name"]
	sent.update(headers or {})
	return call(
		{"jsonrpc": "2.0", "id": request_id, "method": method, "params": params},
		headers={k: v for k, v in sent.items() if v is not None},
	)


def legacy(method: str, params: dict | None, version: str):
	return call(
		{"jsonrpc": "2.0", "id": 3, "method": method, "params": params or {}},
		headers={"MCP-Protocol-Version": version},
	)


# -- 2026-07-28 ----------------------------------------------------------------------------------


def test_server_discover_advertises_every_revision_capabilities_identity_and_caching():
	status, body, headers = modern("server/discover")
	assert status == 200, body
	result = body["result"]
	assert result["resultType"] == "complete"
	assert result["supportedVersions"] == list(SUPPORTED_VERSIONS) and SUPPORTED_VERSIONS[0] == MODERN
	assert result["capabilities"] == {"tools": {"listChanged": False}}
	server_info = result["_meta"]["io.modelcontextprotocol/serverInfo"]
	assert server_info["name"] == frappe.get_cached_doc(SETTINGS).mcp_server_name and server_info["version"]
	assert result["instructions"]
	assert result["cacheScope"] == "public" and isinstance(result["ttlMs"], int) and result["ttlMs"] >= 0
	assert headers["MCP-Protocol-Version"] == MODERN


def test_instructions_come_from_the_settings_when_an_administrator_sets_them():
	settings = frappe.get_single(SETTINGS)
	settings.mcp_instructions = "Only use ToDo tools."
	settings.save()
	try:
		assert modern("server/discover")[1]["result"]["instructions"] == "Only use ToDo tools."
		initialized = legacy(
			"initialize", {"protocolVersion": "2025-06-18", "capabilities": {}}, "2025-06-18"
		)[1]
		assert initialized["result"]["instructions"] == "Only use ToDo tools."
	finally:
		settings.mcp_instructions = ""
		settings.save()


@pytest.mark.parametrize(
	("meta", "missing"),
	[
		({}, "protocolVersion"),
		({"io.modelcontextprotocol/protocolVersion": MODERN}, "clientCapabilities"),
		(
			{
				"io.modelcontextprotocol/protocolVersion": 20260728,
				"io.modelcontextprotocol/clientCapabilities": {},
			},
			"protocolVersion",
		),
	],
)
def test_a_modern_request_without_its_required_meta_is_invalid_params_400(meta, missing):
	status, body, _ = modern("tools/list", meta=meta)
	assert (status, body["error"]["code"], body["id"]) == (400, INVALID_PARAMS, 7), body
	assert missing in body["error"]["message"]


def test_header_naming_2026_07_28_without_meta_is_invalid_params_400():
	status, body, _ = call(
		{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers={"MCP-Protocol-Version": MODERN}
	)
	assert (status, body["error"]["code"]) == (400, INVALID_PARAMS)


def test_an_unsupported_version_in_meta_is_minus_32022_listing_supported_and_requested():
	meta = {**CLIENT_META, "io.modelcontextprotocol/protocolVersion": "1900-01-01"}
	status, body, _ = modern("tools/list", meta=meta, headers={"MCP-Protocol-Version": "1900-01-01"})
	assert (status, body["error"]["code"], body["id"]) == (400, UNSUPPORTED_PROTOCOL_VERSION, 7)
	assert body["error"]["data"] == {"supported": list(SUPPORTED_VERSIONS), "requested": "1900-01-01"}


@pytest.mark.parametrize(
	("method", "params", "headers"),
	[
		("server/discover", {}, {"MCP-Protocol-Version": None}),  # version header absent
		("server/discover", {}, {"MCP-Protocol-Version": "2025-11-25"}),  # differs from _meta
		("server/discover", {}, {"Mcp-Method": None}),
		("tools/list", {}, {"Mcp-Method": "tools/call"}),
		("tools/call", {"name": "test_echo", "arguments": {"message": "x"}}, {"Mcp-Name": None}),
		(
			"tools/call",
			{"name": "test_echo", "arguments": {"message": "x"}},
			{"Mcp-Name": "test_create_todo"},
		),
		("tools/call", {"name": "test_echo", "arguments": {"message": "x"}}, {"Mcp-Name": "=?base64?!!?="}),
	],
)
def test_missing_or_mismatched_transport_headers_are_header_mismatch_400(method, params, headers):
	status, body, _ = modern(method, params, headers=headers)
	assert (status, body["error"]["code"], body["id"]) == (400, HEADER_MISMATCH, 7), body


def test_a_base64_encoded_mcp_name_is_decoded_before_comparing():
	encoded = "=?base64?" + base64.b64encode(b"test_echo").decode() + "?="
	status, body, _ = modern(
		"tools/call", {"name": "test_echo", "arguments": {"message": "b64"}}, headers={"Mcp-Name": encoded}
	)
	assert status == 200 and body["result"]["structuredContent"]["echo"] == "b64", body


@pytest.mark.parametrize("method", ["initialize", "ping", "logging/setLevel", "resources/list", "nope"])
def test_removed_and_unknown_methods_are_404_method_not_found(method):
	status, body, _ = modern(method)
	assert (status, body["error"]["code"], body["id"]) == (404, METHOD_NOT_FOUND, 7)


def test_modern_tools_list_is_complete_private_and_fresh_for_zero_ms():
	"""Private: the list depends on the caller's roles. ttlMs 0: a toggle shows in the very next
	answer and no list_changed notification is sent, so no longer freshness is true."""
	status, body, _ = modern("tools/list")
	result = body["result"]
	assert status == 200 and result["resultType"] == "complete"
	assert (result["ttlMs"], result["cacheScope"]) == (0, "private")
	assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"]
	echo = next(tool for tool in result["tools"] if tool["name"] == "test_echo")
	assert echo["title"] and echo["annotations"]["readOnlyHint"] is True


def test_modern_tools_call_is_complete_with_structured_content():
	status, body, _ = modern("tools/call", {"name": "test_echo", "arguments": {"message": "hi"}})
	result = body["result"]
	assert status == 200 and result["resultType"] == "complete" and result["isError"] is False
	assert result["structuredContent"] == {"echo": "hi", "user": "Administrator"}
	assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["version"]
	failed = modern("tools/call", {"name": "test_echo", "arguments": {}})[1]["result"]
	assert failed["isError"] is True and failed["resultType"] == "complete"


# -- the handshake revisions ---------------------------------------------------------------------


@pytest.mark.parametrize(
	("version", "keys"),
	[
		("2024-11-05", {"name", "description", "inputSchema"}),
		("2025-03-26", {"name", "description", "inputSchema", "annotations"}),
		("2025-06-18", {"name", "title", "description", "inputSchema", "annotations"}),
		("2025-11-25", {"name", "title", "description", "inputSchema", "annotations"}),
	],
)
def test_each_revision_lists_tools_in_its_own_shape(version, keys):
	status, body, _ = legacy("tools/list", {}, version)
	assert status == 200 and "resultType" not in body["result"] and "ttlMs" not in body["result"]
	for tool in body["result"]["tools"]:
		assert keys <= set(tool) <= keys | {"outputSchema"}, (version, tool["name"], set(tool))
		if "outputSchema" in tool:
			assert version >= "2025-06-18"
	if version == "2025-03-26":
		assert all(tool["annotations"]["title"] for tool in body["result"]["tools"])


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26"])
def test_revisions_before_2025_06_18_get_the_result_as_text_only(version):
	status, body, _ = legacy("tools/call", {"name": "test_echo", "arguments": {"message": "old"}}, version)
	result = body["result"]
	assert status == 200 and "structuredContent" not in result and result["isError"] is False
	assert json.loads(result["content"][0]["text"]) == {"echo": "old", "user": "Administrator"}


def test_initialize_for_2024_11_05_sends_no_title_in_server_info():
	_, body, headers = legacy(
		"initialize", {"protocolVersion": "2024-11-05", "capabilities": {}}, "2024-11-05"
	)
	assert body["result"]["protocolVersion"] == "2024-11-05" == headers["MCP-Protocol-Version"]
	assert "title" not in body["result"]["serverInfo"]


# -- bounded results -----------------------------------------------------------------------------


@pytest.fixture
def max_result_kb():
	"""Set Assistant Core Settings > Max Result Size for one test."""
	settings = frappe.get_single(SETTINGS)
	previous = settings.max_result_kb

	def set_kb(value: int) -> None:
		settings.max_result_kb = value
		settings.save()
		list_cache.clear()

	yield set_kb
	set_kb(previous or 256)


def test_a_result_over_the_byte_cap_is_a_marked_truncated_preview(max_result_kb):
	"""metadata of the User DocType is tens of KB: with a 2 KB cap the answer is small, says why
	and is marked in _meta; the JSON was never encoded past the cap."""
	max_result_kb(2)
	status, body, _ = legacy(
		"tools/call", {"name": "metadata_doctype", "arguments": {"doctype": "User"}}, "2025-11-25"
	)
	result = body["result"]
	assert status == 200 and result["isError"] is True and "structuredContent" not in result
	assert result["_meta"][tools.TRUNCATED_META]["limitBytes"] == 2048
	assert "2 KB" in result["content"][0]["text"]
	assert len(json.dumps(body)) < 4096


def test_a_large_structured_result_is_sent_once_with_a_text_preview(max_result_kb):
	"""Over 8 KiB and under the cap: structuredContent carries it, the text block only a preview."""
	max_result_kb(1024)
	_, body, _ = legacy(
		"tools/call", {"name": "metadata_doctype", "arguments": {"doctype": "User"}}, "2025-11-25"
	)
	result = body["result"]
	full = json.dumps(result["structuredContent"], ensure_ascii=False).encode()
	assert len(full) > tools.FULL_TEXT_MAX_BYTES and result["isError"] is False
	assert len(result["content"][0]["text"]) < tools.PREVIEW_CHARS + 200
	assert "structuredContent" in result["content"][0]["text"]


def test_a_small_structured_result_is_also_the_whole_text():
	_, body, _ = legacy("tools/call", {"name": "test_echo", "arguments": {"message": "s"}}, "2025-11-25")
	result = body["result"]
	assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


def test_encoding_stops_at_the_cap_instead_of_building_the_whole_json():
	"""A million-element result is never encoded whole: the encoder stops just past the cap."""
	encoded, complete = tools._encode_capped(list(range(1_000_000)), 4096)
	assert complete is False and len(encoded) == 4096
	encoded, complete = tools._encode_capped({"a": [1, 2]}, 4096)
	assert (encoded, complete) == (b'{"a": [1, 2]}', True)
