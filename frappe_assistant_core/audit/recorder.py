"""Recording MCP tools/call: one FAC Tool Call Log record per call, queued off the request path.

`recorded` wraps mcp.tools.call_tool, the one place tools/call is dispatched; the tool's failure
(swallowed there into an `isError` result) reaches it through `note_failure`. Recording never
changes the call: any error while recording is logged and dropped, and the record is built from
what the call already produced (the tool's result bytes, the snapshot the call used).

Why `frappe.deferred_insert` rather than an insert after commit / after rollback: the record is
pushed to a Redis list (one RPUSH) and inserted later by a background job, so the request runs no
extra SQL and holds no extra row lock, and the record lives outside the request's transaction:
a failed tool's writes are rolled back (to its savepoint, or the whole request) and its log row
still arrives. An after-commit hook would add an INSERT and a COMMIT to every request, and
an after-rollback one would need a second connection. The price: rows appear when the queue is
written (audit.store.write_pending, scheduled with every scheduler tick, and Frappe's own
deferred-insert job), not at once.
"""

from __future__ import annotations

import functools
import html
import json
import re
import subprocess
import time
from collections.abc import Callable
from typing import Any

import frappe
from frappe import _
from frappe.deferred_insert import deferred_insert
from frappe.utils import now, strip_html_tags

from frappe_assistant_core.audit.clients import client_of
from frappe_assistant_core.audit.redaction import arguments_json, bounded_text, output_text
from frappe_assistant_core.audit.secrets import Secrets
from frappe_assistant_core.exceptions import (
	RequestStateError,
	ToolArgumentError,
	ToolDependencyError,
	ToolNotFoundError,
)

DOCTYPE = "FAC Tool Call Log"
SUCCESS = "Success"
ERROR = "Error"
INVALID_ARGUMENTS = "Invalid Arguments"
PERMISSION_DENIED = "Permission Denied"
TIMEOUT = "Timeout"
UNAVAILABLE = "Unavailable"
# Approvals (governance.approvals): a call waiting for a confirmation or an approver, a call the
# user declined (or whose rejection it reports), and an approver's decision in the desk.
APPROVAL_REQUIRED = "Approval Required"
DECLINED = "Declined"
APPROVED = "Approved"
REJECTED = "Rejected"
#: Rows that record an approver's decision, not a tools/call.
DECISION_STATUSES = (APPROVED, REJECTED)
_CALL_STATUSES = (SUCCESS, ERROR, INVALID_ARGUMENTS, PERMISSION_DENIED, TIMEOUT, UNAVAILABLE)
STATUSES = (*_CALL_STATUSES, APPROVAL_REQUIRED, DECLINED, *DECISION_STATUSES)
# Exception class -> status, first match wins; anything else is an Error.
_STATUS_OF: tuple[tuple[type[BaseException], str], ...] = (
	(ToolNotFoundError, UNAVAILABLE),
	(ToolDependencyError, UNAVAILABLE),
	(ToolArgumentError, INVALID_ARGUMENTS),
	(RequestStateError, PERMISSION_DENIED),
	(frappe.PermissionError, PERMISSION_DENIED),
	(frappe.QueryTimeoutError, TIMEOUT),
	(TimeoutError, TIMEOUT),
	(subprocess.TimeoutExpired, TIMEOUT),
)
MAX_MESSAGE = 500
_FAILURE = "fac_tool_call_failure"  # frappe.local attribute: (exception, message) of this call
_APPROVAL = "fac_tool_call_approval"  # frappe.local attribute: (status or None, note, request) of this call


def recorded(call_tool: Callable) -> Callable:
	"""Wrap the tools/call handler so that every call, whatever its outcome, is recorded once."""

	@functools.wraps(call_tool)
	def wrapper(params, *args, **kwargs):
		started = time.perf_counter()
		setattr(frappe.local, _FAILURE, None)
		setattr(frappe.local, _APPROVAL, None)
		try:
			result = call_tool(params, *args, **kwargs)
		except Exception as exc:
			_record(params, time.perf_counter() - started, None, exc, None)
			raise
		exc, message = getattr(frappe.local, _FAILURE, None) or (None, None)
		_record(params, time.perf_counter() - started, result, exc, message)
		return result

	return wrapper


def note_failure(exc: BaseException, message: str) -> None:
	"""Tell the recorder how the tool failed (`message` is what the client is shown)."""
	setattr(frappe.local, _FAILURE, (exc, message))


def current_failure() -> tuple[BaseException, str] | None:
	"""(exception, message) of the failure noted for the current call, if it failed."""
	return getattr(frappe.local, _FAILURE, None)


def note_approval(note: str, status: str | None = None, request: str | None = None) -> None:
	"""Tell the recorder how approval went for this call: `note` (who decided, or why it waits),
	the FAC Approval Request it belongs to, and `status` when the approval answered the call
	instead of the tool (APPROVAL_REQUIRED, DECLINED)."""
	setattr(frappe.local, _APPROVAL, (status, note, request))


def _record(params, seconds: float, result, exc: BaseException | None, message: str | None) -> None:
	try:
		if (row := build_record(params, seconds, result, exc, message)) is not None:
			deferred_insert(DOCTYPE, [row])
	except Exception:
		# A log write must never fail the call it describes; the web log keeps the reason.
		frappe.logger("frappe_assistant_core").exception("FAC Tool Call Log: could not record a tool call")


def build_record(
	params, seconds: float, result, exc: BaseException | None, message: str | None
) -> dict | None:
	"""The log record of one call, or None when Assistant Core Settings turn logging off."""
	from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

	state = get_plugin_manager().snapshot()
	settings = state.settings
	if not settings.get("log_tool_calls", True):
		return None
	approval_status, approval_note, approval_request = getattr(frappe.local, _APPROVAL, None) or (None,) * 3
	name = params.name if isinstance(params.name, str) else str(params.name)
	arguments = params.arguments if isinstance(params.arguments, dict) else {}
	info = state.tools.get(name)
	body = _Body(result)
	secrets = Secrets.of_request(named_doctypes(arguments))
	client_name, client_version, remembered_key = client_of(params)
	record = {
		"timestamp": now(),
		"user": frappe.session.user,
		"tool": name[:140],
		"plugin": info.plugin_name if info else "",
		"source_app": info.source_app if info else "",
		"status": status_of(exc, body),
		"error_message": bounded_text(_message(exc, message, body.over_limit()), MAX_MESSAGE, secrets),
		"duration_ms": round(seconds * 1000, 3),
		"client_name": client_name,
		"client_version": client_version,
		# initialize's clientInfo for this User-Agent, looked up when the row is written (audit.clients).
		"fac_client_key": remembered_key,
		"remote_ip": str(getattr(frappe.local, "request_ip", None) or "")[:140],
		"arguments": arguments_json(name, arguments, secrets),
		"result_size": body.size,
		"result_truncated": int(body.truncated()),
	}
	record.update(_target(arguments, body, exc is None))
	if approval_note:
		record["approval_note"] = bounded_text(approval_note, MAX_MESSAGE, secrets)
		record["approval_request"] = approval_request or ""
		if approval_status and exc is None:
			record["status"] = approval_status
	if settings.get("log_tool_output"):
		record["output"] = output_text(body.text(), secrets)
	return record


def named_doctypes(arguments: dict, depth: int = 0) -> set[str]:
	"""DocTypes a call names: values of arguments whose key ends in "doctype", at any depth (their
	Password fields are redacted from the record)."""
	found: set[str] = set()
	if depth > 4:
		return found
	for key, value in arguments.items():
		if isinstance(value, str) and str(key).lower().endswith("doctype") and 0 < len(value) <= 140:
			found.add(value)
		elif isinstance(value, dict):
			found |= named_doctypes(value, depth + 1)
	return found


def status_of(exc: BaseException | None, body: _Body) -> str:
	if exc is None and body.over_limit():
		return ERROR
	if exc is None:
		timed_out = b'"status": "timeout"' in body.raw and body.structured().get("status") == "timeout"
		return TIMEOUT if timed_out else SUCCESS
	for exc_class, status in _STATUS_OF:
		if isinstance(exc, exc_class):
			return status
	return ERROR


def _message(exc: BaseException | None, message: str | None, body_over_limit: bool = False) -> str:
	"""The short text the client was shown (never a traceback)."""
	if exc is None and body_over_limit:
		return _("The result was larger than the site's result size limit and was cut off")
	if exc is None:
		return ""
	if message is None:  # the exception left call_tool: it is a Frappe one with a user-facing text
		text = str(exc.args[0]) if exc.args else exc.__class__.__name__
		message = " ".join(html.unescape(strip_html_tags(text)).split())
	return message


def _target(arguments: dict, body: _Body, succeeded: bool) -> dict:
	"""The document the call acted on: its doctype/name arguments, or the name a create returned."""
	doctype, name = arguments.get("doctype"), arguments.get("name")
	if not isinstance(doctype, str) or not doctype:
		return {}
	if not isinstance(name, str) and succeeded and body.size <= _Body.MAX_PARSED_FOR_NAME:
		returned = body.structured()
		name = returned.get("name") if returned.get("doctype") == doctype else None
	target = {"target_doctype": doctype[:140]}
	if isinstance(name, str) and name:
		target["target_name"] = name[:140]
	return target


class _Body:
	"""The tools/call result as sent, read lazily: most records need only its size."""

	# Results are parsed only when a cheap byte search finds a marker (timeout, truncated), up to
	# MAX_PARSED bytes; to find the name a create returned, only small results are parsed.
	MAX_PARSED = 256 * 1024
	MAX_PARSED_FOR_NAME = 16 * 1024
	_TRUNCATED = re.compile(rb'truncated": (true|\{[^}]*true)')
	_OVER_LIMIT = b'"frappe-assistant-core/truncated"'

	def __init__(self, result: Any):
		if isinstance(result, bytes):
			self.raw = result
		elif result is None:
			self.raw = b""
		else:
			self.raw = json.dumps(result, ensure_ascii=False, default=str).encode()
		self.size = len(self.raw)
		self._parsed: dict | None = None

	def parsed(self) -> dict:
		if self._parsed is None:
			self._parsed = {}
			if self.raw and self.size <= self.MAX_PARSED:
				try:
					value = json.loads(self.raw)
					self._parsed = value if isinstance(value, dict) else {}
				except ValueError:
					pass
		return self._parsed

	def structured(self) -> dict:
		"""The tool's object result: structuredContent (2025-06-18 on), else the JSON text content
		that revisions before it carry ({} when there is none)."""
		if b'"structuredContent"' in self.raw:
			value = self.parsed().get("structuredContent")
			return value if isinstance(value, dict) else {}
		content = self.parsed().get("content")
		if isinstance(content, list) and content and isinstance(content[0], dict):
			try:
				value = json.loads(content[0].get("text") or "")
			except ValueError:
				return {}
			return value if isinstance(value, dict) else {}
		return {}

	def over_limit(self) -> bool:
		"""Whether the endpoint cut the result at the site's size limit (mcp/tools.py)."""
		return self._OVER_LIMIT in self.raw

	def truncated(self) -> bool:
		"""Whether the tool says it cut its result: a top-level `truncated` / `text_truncated` that
		is true, or (execute_python_code) an object of such flags with one of them true."""
		if self.over_limit():
			return True
		if not self._TRUNCATED.search(self.raw):
			return False
		returned = self.structured()
		for key in ("truncated", "text_truncated"):
			flag = returned.get(key)
			if flag is True or (isinstance(flag, dict) and any(v is True for v in flag.values())):
				return True
		return False

	def text(self) -> str:
		"""The text content the client got (the tool's JSON, or the error message)."""
		content = self.parsed().get("content") if self.size <= self.MAX_PARSED else None
		if isinstance(content, list) and content and isinstance(content[0], dict):
			return str(content[0].get("text") or "")
		return self.raw.decode("utf-8", errors="replace")
