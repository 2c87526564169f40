"""What the MCP endpoint refuses before reading a message: other doors, foreign origins, cookie
calls without Frappe's CSRF token, oversized bodies, and bodies Frappe itself could not parse.

Doors: the endpoint is the function `handle_mcp`, whatever URL reached it (utils.routing resolves a
request to the function it calls). It serves a request whose URL resolves to it, by any spelling
Frappe accepts (/api/method, /api/v1/method, /api/v2/method, a trailing slash or path, an alias,
an override), and refuses with 404 one that reaches it through a `cmd` parameter (Frappe would
throw its answer away). Every guard below runs inside the endpoint on each request, so no door
skips one; the Origin check also runs earlier, in `before_request`, so that a foreign Origin is
refused before Frappe even checks the credentials.

Origin (MCP transports: servers MUST validate it, against DNS rebinding): a request with no
Origin header (every non-browser client) passes; a browser's Origin passes when it names the
host the request was sent to and that host is one the site is known by (its site name, the
`host_name` of its site config, or a loopback address), or when it is on the allow-list
(Assistant Core Settings > Allowed Origins, and `mcp_allowed_origins` in site config). Anything
else gets 403 from a `before_request` hook, before Frappe authenticates the request.

A call authenticated by the session cookie (not by a token) must carry the session's CSRF token
in X-Frappe-CSRF-Token, as Frappe's own POSTs do; a session with no token (one that never loaded
the desk) cannot call at all. MCP clients use API keys or OAuth tokens.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import frappe
from frappe import _
from werkzeug.exceptions import Forbidden, NotFound

from frappe_assistant_core.mcp.auth import server_settings
from frappe_assistant_core.mcp.doors import MCP_PATH, is_mcp_request
from frappe_assistant_core.utils import routing
from frappe_assistant_core.wire.jsonrpc import (
	FORBIDDEN,
	INVALID_REQUEST,
	METHOD_NOT_FOUND,
	PARSE_ERROR,
	JsonRpcError,
	Reply,
	error,
	parse_message,
)

# One JSON-RPC message; tool arguments are small. Larger bodies get 413, however they were framed
# (Frappe itself has read at most its own max_file_size, 25 MB, of any request before this runs).
MAX_BODY_BYTES = 4 * 2**20
CSRF_HEADER = "X-Frappe-CSRF-Token"
_LOOPBACK = frozenset(("localhost", "127.0.0.1", "::1"))
_DEFAULT_PORTS = {"http": 80, "https": 443}


def reject_foreign_origin() -> None:
	"""`before_request` hook: a request to the MCP endpoint from a foreign Origin gets 403 now."""
	request = getattr(frappe.local, "request", None)
	if request is None or not is_mcp_request(request):
		return
	refuse_foreign_origin()


def refuse_other_doors(request) -> None:
	"""404 (raised: Frappe discards what an endpoint reached through `cmd` returns) unless the
	request reached the endpoint by its own URL."""
	if is_mcp_request(request) and not routing.carries_own_cmd(request):
		return
	refused = error(
		None,
		JsonRpcError(
			METHOD_NOT_FOUND,
			_("The MCP endpoint is served only at {0}").format(MCP_PATH),
			http_status=404,
		),
	)
	raise NotFound(response=refused.to_response())


def refuse_foreign_origin() -> None:
	"""403 (raised, so that it is the answer whichever door was used) for a foreign Origin."""
	if (refused := origin_refusal()) is not None:
		raise Forbidden(response=refused.to_response())


def origin_refusal() -> Reply | None:
	"""403 (a JSON-RPC error with no id) when the request's Origin may not call, else None."""
	origin = frappe.get_request_header("Origin")
	if not origin or origin_allowed(origin, frappe.request.host):
		return None
	return error(
		None,
		JsonRpcError(
			FORBIDDEN,
			_("Origin {0} may not call this MCP server").format(origin[:100]),
			http_status=403,
		),
	)


def origin_allowed(origin: str, host: str) -> bool:
	"""Whether a browser page at `origin` may call the endpoint reached as `host` (Host header)."""
	if origin.rstrip("/") in _allow_list():
		return True
	target = _endpoint(origin)
	if target is None or target != _endpoint(f"{target[0]}://{host}"):
		return False
	return target[1] in _LOOPBACK or target[1] in _own_hostnames()


def csrf_refusal() -> Reply | None:
	"""403 for a cookie-session call without the session's CSRF token, else None."""
	if frappe.get_request_header("Authorization") or not _session_cookie_used():
		return None
	saved = (frappe.session.data or {}).get("csrf_token")
	if saved and frappe.get_request_header(CSRF_HEADER) == saved:
		return None
	return error(
		None,
		JsonRpcError(
			FORBIDDEN,
			_(
				"A call signed in with a session cookie needs the session's CSRF token in {0}; MCP clients "
				"use an API key or an OAuth token"
			).format(CSRF_HEADER),
			http_status=403,
		),
	)


def body_refusal(request) -> Reply | None:
	"""400 for a body framed two ways at once (Content-Length and Transfer-Encoding: request
	smuggling; gunicorn refuses it itself, other WSGI servers such as werkzeug's pass it on), and
	413 for a body over MAX_BODY_BYTES: by its Content-Length when it has one, and by the bytes
	actually received in any case (chunked, form-encoded and multipart bodies alike)."""
	if request.headers.get("Transfer-Encoding") and request.headers.get("Content-Length"):
		return error(
			None,
			JsonRpcError(
				INVALID_REQUEST,
				_("A request body is framed by Content-Length or by Transfer-Encoding, not by both"),
				http_status=400,
			),
		)
	if (request.content_length or 0) <= MAX_BODY_BYTES and len(request.get_data()) <= MAX_BODY_BYTES:
		return None
	return error(
		None,
		JsonRpcError(
			INVALID_REQUEST,
			_("The request body is larger than {0} MB").format(MAX_BODY_BYTES // 2**20),
			http_status=413,
		),
	)


def answer_unparsed_body(response=None, request=None) -> None:
	"""`after_request` hook: when Frappe refused an MCP body it could not parse as JSON (before
	the endpoint ran), the client still gets the endpoint's answer: 413 for a body over the cap,
	however it was framed, else a JSON-RPC parse error (-32700, HTTP 400)."""
	if (
		response is None
		or request is None
		or request.method != "POST"
		# v16 refuses a JSON body it cannot parse with 417; v15's json.loads raises uncaught (500),
		# for a syntax error and for deep nesting (RecursionError) alike.
		or response.status_code not in (400, 417, 500)
		or getattr(frappe.local, "fac_mcp_answered", False)
		or not is_mcp_request(request)
	):
		return
	refused = body_refusal(request)
	if refused is None:
		try:
			parse_message(request.get_data())
			return
		except JsonRpcError as exc:
			if exc.code != PARSE_ERROR:
				return
			refused = error(None, exc)
	answer = refused.to_response()
	response.set_data(answer.get_data())
	response.status_code = answer.status_code
	response.headers["Content-Type"] = "application/json"


def _endpoint(url: str) -> tuple[str, str, int] | None:
	"""(scheme, hostname, port) of an http(s) origin or URL, ports defaulted; None if it is not one."""
	try:
		parts = urlsplit(url)
		port = parts.port
	except ValueError:
		return None
	if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
		return None
	return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def _own_hostnames() -> set[str]:
	names = {str(getattr(frappe.local, "site", "") or "").lower()}
	if host_name := frappe.local.conf.get("host_name"):
		if endpoint := _endpoint(host_name if "://" in host_name else f"https://{host_name}"):
			names.add(endpoint[1])
	return names - {""}


def _allow_list() -> set[str]:
	configured = frappe.local.conf.get("mcp_allowed_origins") or []
	if isinstance(configured, str):
		configured = configured.split()
	return {o.rstrip("/") for o in (*configured, *server_settings().get("mcp_allowed_origins", ()))}


def _session_cookie_used() -> bool:
	request = frappe.request
	return bool(request.cookies.get("sid") or frappe.form_dict.get("sid")) and frappe.session.user != "Guest"
