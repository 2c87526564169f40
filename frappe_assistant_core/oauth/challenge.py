"""The `WWW-Authenticate` challenges of the MCP endpoint (RFC 6750 section 3, RFC 9728 section 5.1).

Every 401 names the protected resource metadata of the URL the client called (a narrowed URL has
its own) and the scope to ask for; a refused bearer token adds `error="invalid_token"`. A call
outside the token's scopes answers 403 with `error="insufficient_scope"` and the scope it needs, so
the client can ask the user for more. Values are quoted strings; none comes from the request
unchecked (the URLs are built by oauth.urls, the scopes are this app's names).
"""

from __future__ import annotations

import frappe

from frappe_assistant_core.oauth import scopes, urls

REALM = "Frappe Assistant Core"


def unauthorized(path: str | None = None, *, invalid_token: bool = False) -> str:
	"""The challenge of a 401 for a request to `path` (default: the endpoint's own URL)."""
	params = {"realm": REALM}
	if invalid_token:
		params["error"] = "invalid_token"
		params["error_description"] = "The access token is missing, expired, revoked or not for this resource"
	params["resource_metadata"] = urls.resource_metadata_url(_endpoint_path(path))
	params["scope"] = scopes.DEFAULT
	return _bearer(params)


def insufficient_scope(needed: str, path: str | None = None) -> str:
	"""The challenge of a 403 for a call that needs the scope `needed`."""
	return _bearer(
		{
			"realm": REALM,
			"error": "insufficient_scope",
			"scope": needed,
			"resource_metadata": urls.resource_metadata_url(_endpoint_path(path)),
		}
	)


def request_path() -> str | None:
	request = getattr(frappe.local, "request", None)
	return request.path if request is not None else None


def _endpoint_path(path: str | None) -> str:
	"""`path` when it is a plain URL path (the endpoint's, narrowed or not), else the endpoint's."""
	if not path or not path.startswith("/api/") or any(c in path for c in '"\\ ,\r\n'):
		return urls.MCP_PATH
	return path.rstrip("/") or urls.MCP_PATH


def _bearer(params: dict[str, str]) -> str:
	return "Bearer " + ", ".join(f'{key}="{value}"' for key, value in params.items())
