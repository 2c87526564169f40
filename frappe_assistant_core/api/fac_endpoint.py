"""The MCP endpoint: /api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp.

Thin on purpose: refuse what must never be read (mcp.guard: another door than the endpoint's
own URL, foreign Origin, oversized body, a cookie session without its CSRF token), check access
(mcp.auth; an OAuth token's scopes: oauth.bearer), then hand the raw HTTP body to the MCP server
(mcp.server), which answers with JSON-RPC over Streamable HTTP. The body is read from the request, never from form_dict, which
Frappe fills from the same JSON and passes here as keyword arguments.
"""

from __future__ import annotations

from typing import Any

import frappe
from werkzeug.wrappers import Response

from frappe_assistant_core.core import connection_rules
from frappe_assistant_core.governance import connection
from frappe_assistant_core.mcp import auth, guard, server
from frappe_assistant_core.oauth import bearer


# allow_guest: MCP clients must get 401 with WWW-Authenticate (Frappe gives Guests 403) to learn
# that they need to authenticate; auth.refusal() is this endpoint's own gate.
@frappe.whitelist(allow_guest=True, methods=["GET", "POST", "DELETE"])
def handle_mcp(**kwargs: Any) -> Response:
	"""MCP Streamable HTTP (JSON responses) for API-key and OAuth-token users; others get 401."""
	frappe.local.fac_mcp_answered = True
	connection_rules.reset()  # each request's own limits are added by the checks that set them
	request = frappe.request
	# Checked here on every request, whichever door reached this function; the before_request hook
	# has already refused a foreign Origin on the endpoint's own URLs, before authentication.
	guard.refuse_other_doors(request)
	guard.refuse_foreign_origin()
	# bearer.limit: an OAuth token reaches only what its scopes allow (oauth.scopes);
	# connection.narrow: read-only mode, read-only roles and a narrowed URL limit this request.
	if (
		refused := guard.body_refusal(request)
		or auth.refusal()
		or bearer.limit(request)
		or guard.csrf_refusal()
		or connection.narrow(request)
	):
		return refused.to_response()
	headers = request.headers
	reply = server.handle(request.method, request.get_data(), headers.get(server.VERSION_HEADER), headers)
	return reply.to_response()
