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

from frappe_assistant_core.core.tool_registry import get_tool_registry
from frappe_assistant_core.mcp.protocol import INVALID_PARAMS, JsonRpcError, describe

_SAVEPOINT = "fac_mcp_tool_call"


class ListToolsParams(BaseModel):
	model_config = ConfigDict(extra="allow")  # _meta and future fields

	cursor: StrictStr | None = None


class CallToolParams(BaseModel):
	model_config = ConfigDict(extra="allow")  # _meta (progress tokens) and future fields

	name: StrictStr
	arguments: dict[str, Any] | None = None


def list_tools(params: ListToolsParams) -> dict:
	"""Every tool the session user may use, in one page."""
	if params.cursor is not None:
		raise JsonRpcError(INVALID_PARAMS, _("Invalid cursor: this server lists every tool in one page"))
	return {"tools": [info.to_mcp() for info in get_tool_registry().get_available_tools()]}


def call_tool(params: CallToolParams) -> dict:
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
		return {"content": [{"type": "text", "text": message}], "isError": True}
	content: dict[str, Any] = {"content": [{"type": "text", "text": text}], "isError": False}
	if isinstance(value, dict):
		content["structuredContent"] = json.loads(text)
	return content


def _undo_writes() -> None:
	"""Undo what the failed tool wrote, keeping the rest of the request's transaction."""
	try:
		frappe.db.rollback(save_point=_SAVEPOINT)
	except Exception:
		# The savepoint is gone (an implicit commit or a deadlock ended the transaction).
		frappe.db.rollback()
