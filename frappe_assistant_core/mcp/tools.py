"""tools/list and tools/call for the calling user, through the one visibility rule.

Which tools a user sees and may call is decided by core.tool_registry alone (plugin, tool switch,
role access, requires_permission); this module only shapes MCP results. A tool that fails gives
an `isError: true` result with a short message (its writes undone), never a traceback; an unknown
or hidden tool is an INVALID_PARAMS error, as MCP specifies.
"""

from __future__ import annotations

import json
from typing import Any

import frappe
from frappe import _
from frappe.utils.response import json_handler
from pydantic import BaseModel, ConfigDict, StrictStr

from frappe_assistant_core.audit import recorder
from frappe_assistant_core.core.tool_registry import get_tool_registry
from frappe_assistant_core.mcp import list_cache
from frappe_assistant_core.mcp.protocol import INVALID_PARAMS, EncodedResult, JsonRpcError, describe
from frappe_assistant_core.utils.plugin_manager import ToolInfo

_SAVEPOINT = "fac_mcp_tool_call"


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
	return {"tools": [info.to_mcp() for info in tools]}


@recorder.recorded  # every call, whatever its outcome, goes to the FAC Tool Call Log
def call_tool(params: CallToolParams) -> dict | EncodedResult:
	"""Run a tool the session user may see; raises ToolNotFoundError for any other name."""
	info = get_tool_registry().get_tool(params.name)
	frappe.db.savepoint(_SAVEPOINT)
	try:
		value = info.instance.run(params.arguments)
		text = (
			value if isinstance(value, str) else json.dumps(value, default=json_handler, ensure_ascii=False)
		)
	except Exception as exc:
		_undo_writes()
		_code, message = describe(exc, params.name)
		recorder.note_failure(exc, message)
		return {"content": [{"type": "text", "text": message}], "isError": True}
	return _encoded_result(text, structured=isinstance(value, dict))


def _encoded_result(text: str, structured: bool) -> EncodedResult:
	"""The successful result with the tool's JSON encoded once: as the text content (a JSON string)
	and, for an object, verbatim as structuredContent, instead of parsing it back and re-encoding."""
	parts = [b'{"content":[{"type":"text","text":', json.dumps(text, ensure_ascii=False).encode(), b"}]"]
	parts.append(b',"isError":false')
	if structured:
		parts += [b',"structuredContent":', text.encode()]
	return EncodedResult(b"".join([*parts, b"}"]))


def _undo_writes() -> None:
	"""Undo what the failed tool wrote, keeping the rest of the request's transaction."""
	try:
		frappe.db.rollback(save_point=_SAVEPOINT)
	except Exception:
		# The savepoint is gone (an implicit commit or a deadlock ended the transaction).
		frappe.db.rollback()
