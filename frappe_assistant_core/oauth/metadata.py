"""The OAuth metadata documents of the MCP endpoint and of this site as its authorization server.

Protected resource metadata (RFC 9728): the endpoint (and each narrowed URL) is the resource, this
site its authorization server. Authorization server metadata (RFC 8414) names Frappe's own OAuth 2
provider endpoints under the issuer the document was fetched from, PKCE S256 only, the app's
registration endpoint when Dynamic Client Registration is on and Client ID Metadata Document support
when that is on. Where the framework publishes metadata of its own (OAuth Settings on newer Frappe)
its descriptive fields and scopes are kept, so the two never contradict each other.
"""

from __future__ import annotations

import frappe

from frappe_assistant_core.oauth import scopes, settings, urls
from frappe_assistant_core.oauth.registration import REGISTRATION_METHOD

#: Scopes the site's OAuth provider understands besides the MCP ones (OpenID Connect's).
OTHER_SCOPES = ("openid",)


def protected_resource(path: str = urls.MCP_PATH) -> dict:
	"""RFC 9728 metadata of the resource at `path` (the endpoint, a narrowed URL, or "" for the site)."""
	document = dict(_framework_document("_get_protected_resource_metadata", "resource"))
	document.update(
		resource=urls.resource_url(path),
		authorization_servers=[urls.issuer()],
		bearer_methods_supported=["header"],
		scopes_supported=_merged(scopes.ALL, document.get("scopes_supported")),
	)
	document.setdefault("resource_name", _resource_name())
	return document


def authorization_server() -> dict:
	"""RFC 8414 metadata of this site's OAuth 2 provider (Frappe's endpoints, this app's additions)."""
	document = dict(_framework_document("_get_authorization_server_metadata", "auth_server"))
	issuer = urls.issuer()
	document.update(
		issuer=issuer,
		authorization_endpoint=urls.frappe_oauth_endpoint("authorize"),
		token_endpoint=urls.frappe_oauth_endpoint("get_token"),
		revocation_endpoint=urls.frappe_oauth_endpoint("revoke_token"),
		introspection_endpoint=urls.frappe_oauth_endpoint("introspect_token"),
		userinfo_endpoint=urls.frappe_oauth_endpoint("openid_profile"),
		response_types_supported=["code"],
		response_modes_supported=["query"],
		grant_types_supported=["authorization_code", "refresh_token"],
		token_endpoint_auth_methods_supported=["none", "client_secret_post", "client_secret_basic"],
		revocation_endpoint_auth_methods_supported=["none", "client_secret_post", "client_secret_basic"],
		code_challenge_methods_supported=["S256"],
		scopes_supported=_merged((*scopes.ALL, *OTHER_SCOPES), document.get("scopes_supported")),
		client_id_metadata_document_supported=settings.cimd_enabled(),
	)
	document.pop("registration_endpoint", None)
	if settings.dcr_enabled():
		document["registration_endpoint"] = f"{issuer}/api/method/{REGISTRATION_METHOD}"
	return document


def _framework_document(builder: str, label: str) -> dict:
	"""The framework's own document when it publishes one (newer Frappe, switched on), else {}."""
	try:
		from frappe.integrations import oauth2

		if not oauth2.is_oauth_metadata_enabled(label):
			return {}
		return getattr(oauth2, builder)() or {}
	except (ImportError, AttributeError):
		return {}


def _merged(ours: tuple[str, ...], theirs) -> list[str]:
	extra = theirs if isinstance(theirs, list) else []
	return list(dict.fromkeys([*ours, *(s for s in extra if isinstance(s, str) and s)]))


def _resource_name() -> str:
	from frappe_assistant_core.mcp.auth import server_settings

	return server_settings().get("mcp_server_name") or frappe.local.site or "MCP"
