"""Who may use the MCP endpoint: an authenticated user, while the server switch is on.

Frappe authenticates the request before the endpoint runs (API key `token key:secret` or Basic,
and OAuth 2 bearer tokens); a caller with no credentials arrives as Guest and gets 401 with
`WWW-Authenticate`, so MCP clients know to authenticate. `Assistant Core Settings.server_enabled`
off refuses every request with 503. Both checks read only caches, never the database
(the switch is part of the plugin manager's snapshot, reloaded when the settings are saved).
"""

from __future__ import annotations

import frappe
from frappe import _

from frappe_assistant_core.mcp.protocol import SERVER_DISABLED, UNAUTHORIZED, JsonRpcError, Reply, error
from frappe_assistant_core.oauth import challenge

# Re-exported: the endpoint's URL is named once, in oauth.urls.
from frappe_assistant_core.oauth.urls import MCP_METHOD as MCP_METHOD
from frappe_assistant_core.oauth.urls import MCP_PATH as MCP_PATH
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

SETTINGS = "Assistant Core Settings"
REALM = challenge.REALM


def server_settings() -> dict:
	"""The server switches, from the plugin manager's snapshot (no query, no extra Redis read)."""
	return get_plugin_manager().snapshot().settings


def refusal() -> Reply | None:
	"""The reply refusing this request (401 unauthenticated, 503 server disabled), or None."""
	user = frappe.session.user
	if not user or user == "Guest":
		return error(
			None,
			JsonRpcError(
				UNAUTHORIZED,
				_(
					"Authentication required: send Authorization: token <api_key>:<api_secret> or an OAuth bearer token"
				),
				http_status=401,
				headers={"WWW-Authenticate": _authenticate_header()},
			),
		)
	if not server_enabled():
		return error(
			None,
			JsonRpcError(
				SERVER_DISABLED,
				_("The MCP server is disabled on this site (Assistant Core Settings > Enable MCP Server)"),
				http_status=503,
			),
		)
	return None


def server_enabled() -> bool:
	return server_settings()["server_enabled"]


def _authenticate_header() -> str:
	return keep_challenge(challenge.unauthorized(challenge.request_path()))


def keep_challenge(header: str) -> str:
	"""`header` as this response's WWW-Authenticate, also where the framework sets its own.

	Newer Frappe replaces WWW-Authenticate on every 401 and 403 when it publishes OAuth metadata,
	after the after_request hooks; a value in `response_headers` is applied after that, so ours
	(which names the endpoint's own metadata and scope) is what is sent.
	"""
	if (headers := getattr(frappe.local, "response_headers", None)) is not None:
		headers["WWW-Authenticate"] = header
	return header


def add_authenticate_header(response=None, request=None) -> None:
	"""`after_request` hook: a 401 on the MCP path always tells the client how to authenticate.

	Frappe refuses wrong credentials before the endpoint runs, and only adds WWW-Authenticate when
	the site publishes OAuth metadata; MCP clients need it on every 401.
	"""
	from frappe_assistant_core.mcp.guard import is_mcp_request  # guard reads this module's settings

	if response is None or request is None or response.status_code != 401 or not is_mcp_request(request):
		return
	bearer = (request.headers.get("Authorization") or "").lower().startswith("bearer ")
	response.headers["WWW-Authenticate"] = keep_challenge(
		challenge.unauthorized(request.path, invalid_token=bearer)
	)
