"""MCP over Streamable HTTP with JSON responses: HTTP verbs, version negotiation, method dispatch.

`handle()` turns one authenticated HTTP request into a Reply. A POST carries one JSON-RPC
message: requests get a JSON body, notifications and client responses 202. GET gets 405 (no SSE
stream is offered) and DELETE 405 (no sessions are issued), as the transport allows. initialize
and ping never touch the tool registry; tools/list and tools/call live in mcp.tools.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from frappe import _
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from pydantic import ValidationError as PydanticValidationError

import frappe_assistant_core
from frappe_assistant_core.audit import recorder
from frappe_assistant_core.mcp import tools
from frappe_assistant_core.mcp.auth import server_settings
from frappe_assistant_core.mcp.protocol import (
	INVALID_PARAMS,
	INVALID_REQUEST,
	METHOD_NOT_FOUND,
	EncodedResult,
	JsonRpcError,
	Reply,
	Request,
	describe,
	error,
	params_error,
	parse_message,
	result,
)

# Newest first. The official Python SDK's initialize asks for 2025-11-25.
SUPPORTED_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")
# Streamable HTTP: a request without the version header is taken to speak 2025-03-26.
ASSUMED_VERSION = "2025-03-26"
VERSION_HEADER = "MCP-Protocol-Version"
SERVER_TITLE = "Frappe Assistant Core"


def handle(http_method: str, body: bytes, version_header: str | None) -> Reply:
	"""The reply to one HTTP request on the MCP endpoint (authentication already checked)."""
	if http_method != "POST":
		return error(
			None,
			JsonRpcError(
				INVALID_REQUEST,
				_("This MCP server takes JSON-RPC messages by POST only (no SSE stream, no sessions)"),
				http_status=405,
				headers={"Allow": "POST"},
			),
		)
	request: Request | None = None
	try:
		request = parse_message(body)
		if request is None or request.is_notification:
			return Reply(202)
		return _dispatch(request, version_header)
	except JsonRpcError as exc:
		return error(request.id if request else None, exc)


def negotiate(requested: Any) -> str:
	"""The client's version when supported, else the newest this server speaks."""
	return requested if requested in SUPPORTED_VERSIONS else SUPPORTED_VERSIONS[0]


def _dispatch(request: Request, version_header: str | None) -> Reply:
	method = _METHODS.get(request.method)
	if method is None:
		# Also the answer to the SDK's `server/discover` probe, which then falls back to initialize.
		raise JsonRpcError(METHOD_NOT_FOUND, _("Method not found: {0}").format(request.method))
	version = None if request.method == "initialize" else _header_version(version_header)
	params = {} if request.params is None else request.params
	if not isinstance(params, dict):
		raise JsonRpcError(INVALID_PARAMS, _("Invalid params: params must be an object"))
	try:
		value = method(params, version)
	except JsonRpcError:
		raise
	except Exception as exc:
		code, message = describe(exc, request.method)
		raise JsonRpcError(code, message) from None
	reply = result(request.id, value)
	reply.headers[VERSION_HEADER] = version or value["protocolVersion"]
	return reply


def _header_version(header: str | None) -> str:
	if header is None:
		return ASSUMED_VERSION
	if header not in SUPPORTED_VERSIONS:
		raise JsonRpcError(
			INVALID_REQUEST,
			_("Unsupported {0} header: {1}").format(VERSION_HEADER, header[:40]),
			{"supported": list(SUPPORTED_VERSIONS)},
			http_status=400,
		)
	return header


def parse_params(model: type[BaseModel], params: dict) -> Any:
	try:
		return model.model_validate(params)
	except PydanticValidationError as exc:
		raise params_error(exc) from None


class InitializeParams(BaseModel):
	model_config = ConfigDict(extra="allow")

	protocol_version: StrictStr = Field(alias="protocolVersion")
	capabilities: dict[str, Any] = Field(default_factory=dict)
	client_info: dict[str, Any] | None = Field(default=None, alias="clientInfo")


def _initialize(params: dict, _version: None) -> dict:
	args = parse_params(InitializeParams, params)
	recorder.remember_client(args.client_info)  # named in the FAC Tool Call Log of later calls
	return {
		"protocolVersion": negotiate(args.protocol_version),
		# No server-to-client stream, so no listChanged notifications: clients re-list instead.
		"capabilities": {"tools": {"listChanged": False}},
		"serverInfo": {
			"name": server_settings()["mcp_server_name"],
			"title": SERVER_TITLE,
			"version": frappe_assistant_core.__version__,
		},
	}


def _ping(params: dict, _version: str) -> dict:
	return {}


# Each method gets its params and the negotiated protocol revision (None for initialize).
_METHODS: dict[str, Callable[[dict, str | None], dict | EncodedResult]] = {
	"initialize": _initialize,
	"ping": _ping,
	"tools/list": lambda params, version: tools.list_tools(
		parse_params(tools.ListToolsParams, params), version
	),
	"tools/call": lambda params, _version: tools.call_tool(parse_params(tools.CallToolParams, params)),
}
