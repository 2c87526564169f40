"""Revision 2026-07-28 on Streamable HTTP: per-request `_meta`, required headers, result fields.

A request is modern when its `params._meta` names a protocol version, or when its
MCP-Protocol-Version header names 2026-07-28. `check()` applies the revision's rules in the
order its conformance suite probes them: required `_meta` fields (-32602), the header against
the body (-32020), a version this server speaks (-32022), then Mcp-Method / Mcp-Name (-32020);
each refusal is HTTP 400. `complete()` adds `resultType` and the server's identity to a result.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from frappe import _

from frappe_assistant_core.wire.jsonrpc import (
	HEADER_MISMATCH,
	INVALID_PARAMS,
	UNSUPPORTED_PROTOCOL_VERSION,
	JsonRpcError,
	Request,
)
from frappe_assistant_core.wire.revisions import (
	LEGACY_VERSIONS,
	META_CLIENT_CAPABILITIES,
	META_PROTOCOL_VERSION,
	META_SERVER_INFO,
	MODERN,
	SUPPORTED_VERSIONS,
)

# server/discover answers the same to everyone and changes only with a deployment or when an
# administrator edits the instructions: clients may keep it for an hour.
DISCOVER_TTL_MS = 3_600_000
# tools/list depends on the caller's roles and permissions (private) and on the registry state,
# which an administrator can change at any moment: the very next request sees a toggle
# (utils.plugin_manager's version token), and this server sends no list_changed notification.
# So no positive freshness can be promised: 0 ("re-fetch when needed") is the truthful hint.
TOOLS_LIST_TTL_MS = 0
TOOLS_LIST_CACHE_SCOPE = "private"

# Methods whose Mcp-Name header mirrors a body field (streamable-http, "Standard Request Headers").
_NAMED = {"tools/call": "name", "resources/read": "uri", "prompts/get": "name"}
_BASE64 = ("=?base64?", "?=")


def is_modern(params: dict, version_header: str | None) -> bool:
	"""Whether to serve the request statelessly: its _meta names a version that is not one of the
	handshake revisions (whose requests may carry any _meta), or its header names 2026-07-28."""
	meta = params.get("_meta")
	named = meta.get(META_PROTOCOL_VERSION) if isinstance(meta, dict) else None
	return (named is not None and named not in LEGACY_VERSIONS) or version_header == MODERN


def check(request: Request, params: dict, version_header: str | None, headers: Mapping[str, str]) -> str:
	"""The revision a modern request speaks, or the JsonRpcError (HTTP 400) refusing it."""
	meta = params.get("_meta")
	version = meta.get(META_PROTOCOL_VERSION) if isinstance(meta, dict) else None
	capabilities = meta.get(META_CLIENT_CAPABILITIES) if isinstance(meta, dict) else None
	if not isinstance(version, str) or not isinstance(capabilities, dict):
		raise JsonRpcError(
			INVALID_PARAMS,
			_("Invalid params: _meta must carry {0} (a string) and {1} (an object)").format(
				META_PROTOCOL_VERSION, META_CLIENT_CAPABILITIES
			),
			http_status=400,
		)
	if version_header is None or version_header != version:
		raise _mismatch(
			_("Header mismatch: MCP-Protocol-Version {0} does not match _meta {1}").format(
				_shown(version_header), _shown(version)
			)
		)
	if version != MODERN:
		raise JsonRpcError(
			UNSUPPORTED_PROTOCOL_VERSION,
			_("Unsupported protocol version"),
			{"supported": list(SUPPORTED_VERSIONS), "requested": version},
			http_status=400,
		)
	if (method_header := headers.get("Mcp-Method")) != request.method:
		raise _mismatch(
			_("Header mismatch: Mcp-Method {0} does not match method {1}").format(
				_shown(method_header), _shown(request.method)
			)
		)
	if field := _NAMED.get(request.method):
		named = headers.get("Mcp-Name")
		if named is None or _decoded(named) != params.get(field):
			raise _mismatch(
				_("Header mismatch: Mcp-Name {0} does not match params.{1}").format(_shown(named), field)
			)
	return version


def complete(value: dict, server_info: dict) -> dict:
	"""A 2026-07-28 result: `resultType: complete` and serverInfo in its `_meta`."""
	meta = {**value.get("_meta", {}), META_SERVER_INFO: server_info}
	return {"resultType": "complete", **value, "_meta": meta}


def _mismatch(message: str) -> JsonRpcError:
	return JsonRpcError(HEADER_MISMATCH, message, http_status=400)


def _decoded(value: str) -> str | None:
	"""A header value with the Base64 sentinel (=?base64?...?=) decoded; None when it is malformed."""
	prefix, suffix = _BASE64
	if not (value.startswith(prefix) and value.endswith(suffix)):
		return value
	try:
		return base64.b64decode(value[len(prefix) : -len(suffix)], validate=True).decode()
	except (binascii.Error, UnicodeDecodeError):
		return None


def _shown(value: object) -> str:
	return repr(value)[:60] if value is not None else _("(absent)")
