"""MCP over Streamable HTTP with JSON responses: HTTP verbs, revision selection, method dispatch.

`handle()` turns one authenticated HTTP request into a Reply. A POST carries one JSON-RPC
message: requests get a JSON body, notifications and client responses 202. GET and DELETE get
405 (no SSE stream, no sessions), as every revision allows. A request whose `params._meta` names
a protocol version is served statelessly per 2026-07-28 (mcp.modern checks its metadata and
headers); any other request is legacy: initialize negotiates, later requests name their revision
in the MCP-Protocol-Version header. tools/list and tools/call live in mcp.tools.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from frappe import _
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from pydantic import ValidationError as PydanticValidationError

from frappe_assistant_core.audit import clients
from frappe_assistant_core.governance import rate_limit
from frappe_assistant_core.mcp import modern, tools
from frappe_assistant_core.wire.identity import instructions, server_identity
from frappe_assistant_core.wire.jsonrpc import (
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
from frappe_assistant_core.wire.revisions import (
	ASSUMED_VERSION,
	LEGACY_VERSIONS,
	MODERN,
	REVISIONS,
	SUPPORTED_VERSIONS,
	Revision,
	negotiate,
)

__all__ = ["ASSUMED_VERSION", "SUPPORTED_VERSIONS", "VERSION_HEADER", "handle", "negotiate"]

VERSION_HEADER = "MCP-Protocol-Version"


def handle(
	http_method: str, body: bytes, version_header: str | None, headers: Mapping[str, str] | None = None
) -> Reply:
	"""The reply to one HTTP request on the MCP endpoint (authentication already checked).

	`headers` are the request's HTTP headers (case-insensitive), needed for 2026-07-28's
	Mcp-Method / Mcp-Name checks; `version_header` is its MCP-Protocol-Version.
	"""
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
		return _dispatch(request, version_header, headers or {})
	except JsonRpcError as exc:
		return error(request.id if request else None, exc)


def _dispatch(request: Request, version_header: str | None, headers: Mapping[str, str]) -> Reply:
	params = {} if request.params is None else request.params
	if not isinstance(params, dict):
		raise JsonRpcError(
			INVALID_PARAMS,
			_("Invalid params: params must be an object"),
			http_status=400 if version_header == MODERN else 200,
		)
	if modern.is_modern(params, version_header):
		revision = REVISIONS[modern.check(request, params, version_header, headers)]
		methods = _MODERN_METHODS
	elif request.method == "initialize":
		revision = None
		methods = _LEGACY_METHODS
	else:
		revision = REVISIONS[_header_version(version_header)]
		methods = _LEGACY_METHODS
	method = methods.get(request.method)
	if method is None:
		# 2026-07-28 answers an unknown (or removed: initialize, ping) method with HTTP 404.
		raise JsonRpcError(
			METHOD_NOT_FOUND,
			_("Method not found: {0}").format(request.method),
			http_status=404 if methods is _MODERN_METHODS else 200,
		)
	try:
		value = method(params, revision)
	except JsonRpcError:
		raise
	except Exception as exc:
		code, message = describe(exc, request.method)
		raise JsonRpcError(code, message) from None
	if revision is not None and revision.modern and isinstance(value, dict) and "resultType" not in value:
		value = modern.complete(value, server_identity(revision))
	reply = result(request.id, value)
	reply.headers[VERSION_HEADER] = revision.version if revision else value["protocolVersion"]
	return reply


def _header_version(header: str | None) -> str:
	if header is None:
		return ASSUMED_VERSION
	if header == MODERN:
		# The header names 2026-07-28 but the body carries none of its required _meta.
		raise JsonRpcError(
			INVALID_PARAMS,
			_("Invalid params: a {0} request must carry _meta.{1}").format(
				MODERN, "io.modelcontextprotocol/protocolVersion"
			),
			http_status=400,
		)
	if header not in LEGACY_VERSIONS:
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


# No server-to-client stream, so no listChanged notifications: clients re-list instead.
CAPABILITIES = {"tools": {"listChanged": False}}


class InitializeParams(BaseModel):
	model_config = ConfigDict(extra="allow")

	protocol_version: StrictStr = Field(alias="protocolVersion")
	capabilities: dict[str, Any] = Field(default_factory=dict)
	client_info: dict[str, Any] | None = Field(default=None, alias="clientInfo")


def _initialize(params: dict, _revision: None) -> dict:
	args = parse_params(InitializeParams, params)
	clients.remember_client(args.client_info)  # named in the FAC Tool Call Log of later calls
	version = negotiate(args.protocol_version)
	return {
		"protocolVersion": version,
		"capabilities": CAPABILITIES,
		"serverInfo": server_identity(REVISIONS[version]),
		"instructions": instructions(),
	}


def _ping(params: dict, _revision: Revision) -> dict:
	return {}


def _discover(params: dict, revision: Revision) -> dict:
	"""server/discover (2026-07-28): the same for every caller, changed only by the settings."""
	return {
		"supportedVersions": list(SUPPORTED_VERSIONS),
		"capabilities": CAPABILITIES,
		"instructions": instructions(),
		# The versions and capabilities change only with a deployment and the instructions only
		# when an administrator edits them; nothing in the answer depends on the caller.
		"ttlMs": modern.DISCOVER_TTL_MS,
		"cacheScope": "public",
	}


def _tools_list(params: dict, revision: Revision) -> dict | EncodedResult:
	return tools.list_tools(parse_params(tools.ListToolsParams, params), revision.version)


def _tools_call(params: dict, revision: Revision) -> dict | EncodedResult:
	call = parse_params(tools.CallToolParams, params)
	rate_limit.check(call.name)  # before the call is looked up, run or logged; unknown names count too
	return tools.call_tool(call, revision.version)


# Each method gets its params and the request's Revision (None for initialize, which picks one).
_Method = Callable[[dict, Revision | None], dict | EncodedResult]
_LEGACY_METHODS: dict[str, _Method] = {
	"initialize": _initialize,
	"ping": _ping,
	"tools/list": _tools_list,
	"tools/call": _tools_call,
}
# 2026-07-28 removed initialize and ping, and added server/discover.
_MODERN_METHODS: dict[str, _Method] = {
	"server/discover": _discover,
	"tools/list": _tools_list,
	"tools/call": _tools_call,
}
