"""tools/list and tools/call for the calling user, through the one visibility rule, per revision.

Which tools a user sees and may call is decided by core.tool_registry alone (plugin, tool switch,
role access, requires_permission); this module only shapes MCP results for the request's
revision (wire.revisions). A tool that fails gives an `isError: true` result with a short message
(its writes undone), never a traceback; an unknown or hidden tool is an INVALID_PARAMS error, as
MCP specifies. Every answer is bounded: the tool's result is encoded at most up to the site's
byte cap (Assistant Core Settings > Max Result Size), and a larger one is replaced by a preview
marked as truncated in `_meta`.
"""

from __future__ import annotations

import json
from typing import Any

import frappe
from frappe import _
from frappe.utils.response import json_handler
from pydantic import BaseModel, ConfigDict, StrictStr

from frappe_assistant_core.audit import recorder
from frappe_assistant_core.governance import approvals
from frappe_assistant_core.mcp import list_cache, modern
from frappe_assistant_core.mcp.auth import server_settings
from frappe_assistant_core.utils.plugin_manager import ToolInfo, get_tool_registry
from frappe_assistant_core.wire.identity import server_identity
from frappe_assistant_core.wire.jsonrpc import INVALID_PARAMS, EncodedResult, JsonRpcError, describe
from frappe_assistant_core.wire.revisions import META_SERVER_INFO, REVISIONS, SUPPORTED_VERSIONS, Revision

_SAVEPOINT = "fac_mcp_tool_call"
DEFAULT_MAX_RESULT_KB = 256
# From 2025-06-18 on a result goes once, as structuredContent; the text block repeats it only
# when it is this small, and otherwise is a preview (MCP asks for the text "for backwards
# compatibility", a SHOULD).
FULL_TEXT_MAX_BYTES = 8 * 1024
PREVIEW_CHARS = 1024
# `_meta` key marking a result cut at the byte cap (a prefix of our own, as MCP asks).
TRUNCATED_META = "frappe-assistant-core/truncated"


class ListToolsParams(BaseModel):
	model_config = ConfigDict(extra="allow")  # _meta and future fields

	cursor: StrictStr | None = None


class CallToolParams(BaseModel):
	model_config = ConfigDict(extra="allow")  # _meta (progress tokens) and future fields

	name: StrictStr
	arguments: dict[str, Any] | None = None


def list_tools(params: ListToolsParams, revision: str) -> EncodedResult:
	"""Every tool the session user may use, in one page (encoded once per state and kind of caller)."""
	if params.cursor is not None:
		raise JsonRpcError(INVALID_PARAMS, _("Invalid cursor: this server lists every tool in one page"))
	return list_cache.tools_list_result(get_tool_registry(), revision, _list_result)


def _list_result(tools: list[ToolInfo], revision: str) -> dict:
	"""The tools/list result for these tools in protocol `revision` (built on a cache miss only)."""
	rev = REVISIONS[revision]
	value: dict = {"tools": [describe_tool(info, rev) for info in tools]}
	if rev.modern:
		value = modern.complete(value, server_identity(rev))
		value["ttlMs"] = modern.TOOLS_LIST_TTL_MS
		value["cacheScope"] = modern.TOOLS_LIST_CACHE_SCOPE
	return value


def describe_tool(info: ToolInfo, revision: Revision) -> dict:
	"""The Tool object of `revision`: 2024-11-05 knows name, description and inputSchema;
	2025-03-26 adds annotations (with the title as annotations.title); 2025-06-18 on, title and
	outputSchema."""
	tool = info.instance
	described = {"name": info.name, "description": info.description, "inputSchema": tool.input_schema()}
	if revision.structured:
		described["title"] = tool.display_title()
		if (output := tool.output_schema()) is not None:
			described["outputSchema"] = output
	if revision.annotations:
		annotations = dict(info.annotations)
		if not revision.structured:
			annotations["title"] = tool.display_title()
		described["annotations"] = annotations
	return described


@recorder.recorded  # every call, whatever its outcome, goes to the FAC Tool Call Log
def call_tool(params: CallToolParams, revision: str = SUPPORTED_VERSIONS[0]) -> dict | EncodedResult:
	"""Run a tool the session user may see; raises ToolNotFoundError for any other name."""
	rev = REVISIONS[revision]
	info = get_tool_registry().get_tool(params.name)
	# A tool that requires approval runs only once the user or an approver said yes.
	return approvals.govern(info, params, rev, lambda: _run(info, params, rev))


def _run(info: ToolInfo, params: CallToolParams, rev: Revision) -> dict | EncodedResult:
	frappe.db.savepoint(_SAVEPOINT)
	try:
		value = info.instance.run(params.arguments)
		encoded, complete = _encode_capped(value, max_result_bytes())
	except Exception as exc:
		_undo_writes()
		_code, message = describe(exc, params.name)
		recorder.note_failure(exc, message)
		return _finish({"content": [{"type": "text", "text": message}], "isError": True}, rev)
	if not complete:
		return _finish(_truncated_result(encoded, max_result_bytes()), rev)
	structured = rev.structured and isinstance(value, dict)
	del value  # from here on the result exists once, encoded
	return _encoded_result(encoded, structured, rev)


def max_result_bytes() -> int:
	return (server_settings().get("max_result_kb") or DEFAULT_MAX_RESULT_KB) * 1024


def _encode_capped(value: Any, cap: int) -> tuple[bytes, bool]:
	"""`value` as UTF-8 JSON (a string as it is), encoded no further than `cap` bytes:
	(bytes, True) when it fits, else (the first cap-or-so bytes, False)."""
	if isinstance(value, str):
		chunks = iter((value,))
	else:
		chunks = json.JSONEncoder(default=json_handler, ensure_ascii=False).iterencode(value)
	parts, size = [], 0
	for chunk in chunks:
		data = chunk.encode()
		parts.append(data)
		size += len(data)
		if size > cap:
			return b"".join(parts)[:cap], False
	return b"".join(parts), True


def _truncated_result(head: bytes, cap: int) -> dict:
	"""The answer to a result over the cap: a preview and how to get a smaller one, as a tool
	error (a client validating structuredContent against outputSchema skips error results)."""
	preview = head[: PREVIEW_CHARS * 4].decode(errors="ignore")[:PREVIEW_CHARS]
	message = _(
		"The result is larger than this site's limit of {0} KB and was cut off. Ask for less: fewer "
		"fields, a lower limit, a narrower filter or a smaller page. It began: {1}"
	).format(cap // 1024, preview)
	return {
		"content": [{"type": "text", "text": message}],
		"isError": True,
		"_meta": {TRUNCATED_META: {"limitBytes": cap, "previewChars": len(preview)}},
	}


def _encoded_result(encoded: bytes, structured: bool, rev: Revision) -> EncodedResult:
	"""The successful result around the tool's JSON, which is written once: as structuredContent
	(2025-06-18 on, objects) with the text block repeating it only when small, else as the text."""
	if structured and len(encoded) > FULL_TEXT_MAX_BYTES:
		preview = encoded[: PREVIEW_CHARS * 4].decode(errors="ignore")[:PREVIEW_CHARS]
		text = _("{0}… ({1} bytes in all: the whole result is in structuredContent)").format(
			preview, len(encoded)
		)
	else:
		text = encoded.decode()
	parts = [b'{"content":[{"type":"text","text":', json.dumps(text, ensure_ascii=False).encode(), b"}]"]
	parts.append(b',"isError":false')
	if structured:
		parts += [b',"structuredContent":', encoded]
	if rev.modern:
		identity = json.dumps({META_SERVER_INFO: server_identity(rev)}, ensure_ascii=False).encode()
		parts += [b',"resultType":"complete","_meta":', identity]
	return EncodedResult(b"".join([*parts, b"}"]))


def _finish(value: dict, rev: Revision) -> dict:
	return modern.complete(value, server_identity(rev)) if rev.modern else value


def _undo_writes() -> None:
	"""Undo what the failed tool wrote, keeping the rest of the request's transaction."""
	try:
		frappe.db.rollback(save_point=_SAVEPOINT)
	except Exception:
		# The savepoint is gone (an implicit commit or a deadlock ended the transaction).
		frappe.db.rollback()
