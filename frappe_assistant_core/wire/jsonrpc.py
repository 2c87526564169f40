"""JSON-RPC 2.0 for the MCP endpoint: envelopes, error codes, and the exception table.

Owns reading one HTTP body into a message (pydantic envelope models), building result and error
envelopes, the `Reply` that becomes the HTTP response, and the one table that maps exceptions to
JSON-RPC codes and decides whether their message may be shown (STYLE rule 10). MCP methods live
in mcp.server and mcp.tools, authentication in mcp.auth.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, Literal

import frappe
from frappe import _
from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr
from pydantic import ValidationError as PydanticValidationError
from werkzeug.wrappers import Response

from frappe_assistant_core.exceptions import ToolArgumentError, ToolNotFoundError

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# Implementation-defined codes (JSON-RPC reserves -32000..-32099 for servers; 2026-07-28 keeps
# -32000..-32019 for such legacy codes and defines the three below them).
SERVER_DISABLED = -32000
UNAUTHORIZED = -32001
FORBIDDEN = -32003
RATE_LIMITED = -32005  # a tools/call over a rate limit (governance.rate_limit); data.retryAfterSeconds
# Defined by revision 2026-07-28 (basic/index, "Error Codes").
HEADER_MISMATCH = -32020
MISSING_CLIENT_CAPABILITY = -32021
UNSUPPORTED_PROTOCOL_VERSION = -32022

RequestId = StrictInt | StrictStr
# Every error answer is bounded, whatever the request carried: a message is cut at this many
# characters, `data` to DATA_ITEMS entries of DATA_CHARS characters, and a request id longer than
# MAX_ID_CHARS is refused (it would be echoed back).
MAX_MESSAGE_CHARS = 1000
DATA_ITEMS = 20
DATA_CHARS = 200
MAX_ID_CHARS = 200


class JsonRpcError(Exception):
	"""A protocol error: its code, message and data go to the client as they are."""

	def __init__(
		self,
		code: int,
		message: str,
		data: Any = None,
		http_status: int = 200,
		headers: dict[str, str] | None = None,
	):
		message = bounded(message, MAX_MESSAGE_CHARS)
		super().__init__(message)
		self.code = code
		self.message = message
		self.data = _bounded_data(data)
		self.http_status = http_status
		self.headers = headers or {}


# Exception -> (JSON-RPC code, may its own message be shown to the client?). First match wins.
# Frappe exceptions raised with frappe.throw carry a translated message meant for users; anything
# else is a defect whose details are logged, never sent (no tracebacks over the wire).
EXCEPTION_TABLE: tuple[tuple[type[BaseException], int, bool], ...] = (
	(ToolNotFoundError, INVALID_PARAMS, True),  # unknown or hidden tool: MCP calls it a protocol error
	(ToolArgumentError, INVALID_PARAMS, True),  # arguments failed the tool's pydantic model
	(frappe.PermissionError, FORBIDDEN, True),
	(frappe.DoesNotExistError, INVALID_PARAMS, True),
	(frappe.NameError, INVALID_PARAMS, True),  # duplicate names and the like (HTTP 409)
	(frappe.ValidationError, INVALID_PARAMS, True),  # includes ToolDependencyError
	(Exception, INTERNAL_ERROR, False),
)


def classify(exc: BaseException) -> tuple[int, bool]:
	"""(JSON-RPC code, whether the exception's message is fit to show) for `exc`."""
	if isinstance(exc, JsonRpcError):
		return exc.code, True
	for exc_class, code, public in EXCEPTION_TABLE:
		if isinstance(exc, exc_class):
			return code, public
	return INTERNAL_ERROR, False


def public_message(exc: BaseException) -> str:
	"""The user-facing text of a Frappe exception: its message (or, for a bare PermissionError,
	the one Frappe left in flags.error_message) as plain text."""
	if isinstance(exc, JsonRpcError):
		text = exc.message
	else:
		text = str(exc.args[0]) if exc.args else (frappe.flags.pop("error_message", None) or "")
	text = " ".join(html.unescape(frappe.utils.strip_html_tags(text)).split())
	if text:
		return text
	return _("Not permitted") if isinstance(exc, frappe.PermissionError) else exc.__class__.__name__


def describe(exc: BaseException, context: str) -> tuple[int, str]:
	"""(code, message to send) for `exc`; a defect is logged to the Error Log and described generically."""
	code, public = classify(exc)
	frappe.clear_messages()  # frappe.throw also queued the message for a desk response; we send our own
	context = bounded(context, DATA_CHARS)
	if public:
		return code, bounded(public_message(exc), MAX_MESSAGE_CHARS)
	try:
		frappe.log_error(title=f"MCP {context}"[:140])  # the traceback of the exception being handled
	except Exception:
		# Logging must never turn a clean error reply into a crash; the web log still gets it.
		frappe.logger("frappe_assistant_core").exception(f"MCP {context}")
	return code, _("Internal error while handling {0}; the details are in the site's Error Log").format(
		context
	)


def params_error(exc: PydanticValidationError) -> JsonRpcError:
	"""INVALID_PARAMS naming every bad field, in the message and as data.errors."""
	errors = field_errors(exc)
	detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
	return JsonRpcError(INVALID_PARAMS, _("Invalid params: {0}").format(detail), {"errors": errors})


def field_errors(exc: PydanticValidationError) -> list[dict[str, str]]:
	"""pydantic errors as [{field, message}], the shape ToolArgumentError uses too."""
	return [
		{"field": ".".join(str(p) for p in err["loc"]) or "(params)", "message": err["msg"]}
		for err in exc.errors()
	]


class Request(BaseModel):
	"""A JSON-RPC request, or a notification when the message has no "id" member."""

	model_config = ConfigDict(extra="ignore")

	jsonrpc: Literal["2.0"]
	method: StrictStr
	params: Any = None  # checked per method: MCP params are an object (INVALID_PARAMS otherwise)
	id: RequestId | None = None

	@property
	def is_notification(self) -> bool:
		return "id" not in self.model_fields_set


def parse_message(body: bytes) -> Request | None:
	"""The request in `body`; None for a client's response to a server request (nothing to do)."""
	try:
		message = json.loads(body)
	except (ValueError, UnicodeDecodeError, RecursionError):
		# RecursionError: deeply nested arrays or objects (the C scanner recurses once per level).
		raise JsonRpcError(
			PARSE_ERROR, _("Parse error: the body is not valid JSON"), http_status=400
		) from None
	if isinstance(message, list):
		# JSON-RPC batching was removed from MCP in 2025-06-18; no client this endpoint supports sends one.
		raise JsonRpcError(INVALID_REQUEST, _("Batch requests are not supported"), http_status=400)
	if not isinstance(message, dict):
		raise JsonRpcError(INVALID_REQUEST, _("A JSON-RPC message must be an object"), http_status=400)
	if "method" not in message and ("result" in message or "error" in message):
		return None
	try:
		request = Request.model_validate(message)
	except PydanticValidationError as exc:
		raise JsonRpcError(
			INVALID_REQUEST, _("Invalid request"), {"errors": field_errors(exc)}, http_status=400
		) from None
	if not request.is_notification and request.id is None:
		raise JsonRpcError(
			INVALID_REQUEST, _("Invalid request: id must be a string or a number"), http_status=400
		)
	if isinstance(request.id, str) and len(request.id) > MAX_ID_CHARS:
		raise JsonRpcError(
			INVALID_REQUEST,
			_("Invalid request: id is longer than {0} characters").format(MAX_ID_CHARS),
			http_status=400,
		)
	return request


def bounded(text: str, limit: int) -> str:
	"""`text` cut at `limit` characters, saying how long it was."""
	if len(text) <= limit:
		return text
	return text[:limit] + _("… [{0} characters in all]").format(len(text))


def _bounded_data(value: Any, depth: int = 0) -> Any:
	"""`data` of an error with every string, list and object cut (DATA_ITEMS, DATA_CHARS)."""
	if isinstance(value, str):
		return bounded(value, DATA_CHARS)
	if depth >= 4 and isinstance(value, dict | list | tuple):
		return "…"
	if isinstance(value, dict):
		items = list(value.items())[:DATA_ITEMS]
		return {bounded(str(k), DATA_CHARS): _bounded_data(v, depth + 1) for k, v in items}
	if isinstance(value, list | tuple):
		return [_bounded_data(v, depth + 1) for v in value[:DATA_ITEMS]]
	return value


class EncodedResult(bytes):
	"""A method's result already serialised as JSON (UTF-8): sent as it is, never re-encoded.

	tools/list answers come encoded from their cache, tools/call answers embed the tool's JSON once.
	"""


@dataclass
class Reply:
	"""What the endpoint sends back: HTTP status, JSON body (None: empty) and extra headers.

	`encoded`, when set, is the whole body already serialised (a result envelope around an
	EncodedResult) and takes the place of `body`.
	"""

	status: int
	body: dict | None = None
	headers: dict[str, str] = field(default_factory=dict)
	encoded: bytes | None = None

	def to_response(self) -> Response:
		if self.encoded is not None:
			data = self.encoded
		elif self.body is not None:
			data = json.dumps(self.body, ensure_ascii=False).encode()
		else:
			return Response(status=self.status, headers=self.headers)
		return Response(data, status=self.status, headers=self.headers, mimetype="application/json")

	def json(self) -> dict | None:
		"""The body as data (decoding an encoded one): for callers that inspect replies."""
		return json.loads(self.encoded) if self.encoded is not None else self.body


def result(request_id: Any, value: dict | EncodedResult) -> Reply:
	if isinstance(value, EncodedResult):
		# The envelope around bytes already encoded: the id is the only part left to serialise.
		envelope = b'{"jsonrpc":"2.0","id":%b,"result":%b}' % (json.dumps(request_id).encode(), value)
		return Reply(200, encoded=envelope)
	return Reply(200, {"jsonrpc": "2.0", "id": request_id, "result": value})


def error(request_id: Any, exc: JsonRpcError) -> Reply:
	payload: dict[str, Any] = {"code": exc.code, "message": exc.message}
	if exc.data is not None:
		payload["data"] = exc.data
	return Reply(exc.http_status, {"jsonrpc": "2.0", "id": request_id, "error": payload}, dict(exc.headers))
