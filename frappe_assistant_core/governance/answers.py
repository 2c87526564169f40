"""What an approval answers the assistant with, and the preview every approval starts from.

A call that waits, or that the user or an approver turned down, is answered as a tool error
(`isError: true`): the text tells the model what happened and what to do next, and `_meta` carries
the same as data. An error result is also what lets a client skip validating the answer against the
tool's outputSchema, which describes the tool's own result.
"""

from __future__ import annotations

from typing import Any

from frappe_assistant_core.audit import recorder
from frappe_assistant_core.governance.preview import Preview, preview
from frappe_assistant_core.utils.plugin_manager import ToolInfo
from frappe_assistant_core.wire.jsonrpc import describe

#: `_meta` key of an approval's state in a tools/call result (a prefix of our own, as MCP asks).
APPROVAL_META = "frappe-assistant-core/approval"
MAX_MESSAGE_CHARS = 8000


def previewed(info: ToolInfo, arguments: Any) -> tuple[Preview | None, dict | None]:
	"""(the call's Preview, None), or (None, the error result the call itself would give): a call
	that cannot succeed (bad arguments, no permission, a failed validation) is not sent for approval."""
	try:
		return preview(info, arguments), None
	except Exception as exc:
		_code, message = describe(exc, info.name)
		recorder.note_failure(exc, message)
		return None, {"content": [{"type": "text", "text": message}], "isError": True}


def approval_result(message: str, meta: dict) -> dict:
	"""A tools/call result saying the call did not run (yet), with the approval's state in _meta."""
	return {
		"content": [{"type": "text", "text": capped(message)}],
		"isError": True,
		"_meta": {APPROVAL_META: meta},
	}


def capped(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
	return text if len(text) <= limit else text[: limit - 1] + "…"
