"""The URLs this site publishes for OAuth, as an outside client reaches them.

Behind a TLS-terminating reverse proxy the request Frappe sees is plain http on an inner port, so
the public base URL is, in order: the site's `host_name` config (an administrator's word wins), else
the request's `X-Forwarded-Proto` / `X-Forwarded-Host` (with `X-Forwarded-Port` when the forwarded
host names none), else the request itself, else `frappe.utils.get_url()` (no request: a job).
Forwarded values that are not a plain scheme or host[:port] are ignored, never echoed, since the
URLs end up inside response headers. Frappe's own OAuth endpoints are named by the module their
functions live in, so the URLs are right whatever the framework's package is called.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import frappe

MCP_METHOD = "frappe_assistant_core.api.fac_endpoint.handle_mcp"
MCP_PATH = f"/api/method/{MCP_METHOD}"
PRM_PATH = "/.well-known/oauth-protected-resource"
ASM_PATH = "/.well-known/oauth-authorization-server"
OIDC_PATH = "/.well-known/openid-configuration"

_HOST = re.compile(
	r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?"
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def public_base_url() -> str:
	"""`scheme://host[:port]` of the site as clients reach it (no trailing slash)."""
	request = getattr(frappe.local, "request", None)
	scheme = _forwarded_scheme(request)
	if configured := (frappe.conf.get("host_name") or "").strip().rstrip("/"):
		if "://" in configured:
			parts = urlsplit(configured)
			return f"{parts.scheme}://{parts.netloc}"
		if _HOST.fullmatch(configured):
			return f"{scheme or 'http'}://{configured}"
	if request is None:
		return frappe.utils.get_url().rstrip("/")
	host = _forwarded_host(request) or request.host
	return f"{scheme or request.scheme}://{host}"


def issuer() -> str:
	"""The authorization server's issuer: the site's public base URL (RFC 8414 section 2)."""
	return public_base_url()


def resource_url(path: str = MCP_PATH) -> str:
	"""The MCP endpoint's URL (`path`: a narrowed URL's path instead), the RFC 8707 resource."""
	return public_base_url() + path


def resource_metadata_url(path: str = MCP_PATH) -> str:
	"""The RFC 9728 protected resource metadata URL of the endpoint at `path` (path-suffixed)."""
	return f"{public_base_url()}{PRM_PATH}{path}"


def authorization_server_metadata_url() -> str:
	return public_base_url() + ASM_PATH


def frappe_oauth_endpoint(name: str) -> str:
	"""The URL of one of Frappe's OAuth 2 provider functions (authorize, get_token, revoke_token...)."""
	from frappe.integrations.oauth2 import authorize

	module = getattr(authorize, "__module__", None) or "frappe.integrations.oauth2"
	return f"{issuer()}/api/method/{module}.{name}"


def _forwarded_scheme(request) -> str | None:
	if request is None:
		return None
	value = _first(request.headers.get("X-Forwarded-Proto"))
	return value.lower() if value and value.lower() in _DEFAULT_PORTS else None


def _forwarded_host(request) -> str | None:
	host = _first(request.headers.get("X-Forwarded-Host"))
	if not host or not _HOST.fullmatch(host):
		return None
	port = _first(request.headers.get("X-Forwarded-Port"))
	if port and port.isdigit() and not _has_port(host):
		scheme = _forwarded_scheme(request) or request.scheme
		if _DEFAULT_PORTS.get(scheme) != port:
			host = f"{host}:{port}"
	return host


def _has_port(host: str) -> bool:
	return bool(re.search(r":\d+$", host)) and not host.endswith("]")


def _first(value: str | None) -> str | None:
	"""The first of a comma-separated header's values (the client-facing proxy's), stripped."""
	if not value:
		return None
	return value.split(",")[0].strip() or None
