"""Frappe's OAuth request validator with the rules MCP clients need, used for this request only.

`install()` puts a server built on `MCPRequestValidator` where Frappe's `get_oauth_server()` keeps
its per-request server (`frappe.local.oauth_server`), so Frappe's own authorize, approve, token and
revocation endpoints run their own code with these changes:

- PKCE with S256 is required of every client that may ask for an MCP scope (RFC 9700, OAuth 2.1);
  the challenge is read back from Frappe's OAuth Authorization Code at the token endpoint.
- Loopback redirect URIs match in any port (RFC 8252); the token request's redirect_uri must be the
  one the code was issued for.
- Requested scopes the client may not have are dropped, not refused (RFC 6749 section 3.3).
- A secret, when one is sent (form or HTTP Basic), must be the client's.
- A refreshed token keeps the scopes of the one it replaces (as a list, which oauthlib needs).
- A Client ID Metadata Document's client_id (an https URL) is resolved to its OAuth Client first.
Clients without an MCP scope keep Frappe's behaviour unchanged.
"""

from __future__ import annotations

import base64
import hmac
from urllib.parse import unquote

import frappe
from frappe.integrations.oauth2 import OAuthWebRequestValidator, WebApplicationServer
from oauthlib.oauth2.rfc6749 import errors

from frappe_assistant_core.oauth import client_records, redirects

CODE_DOCTYPE = "OAuth Authorization Code"


class MCPRequestValidator(OAuthWebRequestValidator):
	def validate_client_id(self, client_id, request, *args, **kwargs):
		from frappe_assistant_core.oauth import cimd

		if cimd.is_metadata_client_id(client_id) and not cimd.ensure_client(client_id):
			return False
		return super().validate_client_id(client_id, request, *args, **kwargs)

	def is_pkce_required(self, client_id, request):
		return client_records.is_mcp_client(client_id)

	def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
		if not client_records.is_mcp_client(client_id):
			return super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs)
		return redirects.matches(_registered(client_id), redirect_uri)

	def confirm_redirect_uri(self, client_id, code, redirect_uri, client, *args, **kwargs):
		if not client_records.is_mcp_client(client_id):
			return super().confirm_redirect_uri(client_id, code, redirect_uri, client, *args, **kwargs)
		bound = frappe.db.get_value(CODE_DOCTYPE, code, "redirect_uri_bound_to_authorization_code")
		return bool(bound) and redirect_uri == bound

	def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
		if not client_records.is_mcp_client(client_id):
			return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)
		allowed = set((frappe.db.get_value("OAuth Client", client_id, "scopes") or "").split())
		scopes[:] = [scope for scope in scopes if scope in allowed]
		_require_s256(request)
		return bool(scopes)

	def get_original_scopes(self, refresh_token, request, *args, **kwargs):
		# Frappe returns the stored string, which oauthlib would treat as a list of characters.
		scopes = frappe.db.get_value("OAuth Bearer Token", {"refresh_token": refresh_token}, "scopes")
		return (scopes or "").split()

	def get_code_challenge(self, code, request):
		return frappe.db.get_value(CODE_DOCTYPE, code, "code_challenge") or None

	def get_code_challenge_method(self, code, request):
		method = frappe.db.get_value(CODE_DOCTYPE, code, "code_challenge_method") or ""
		return "S256" if method.lower() == "s256" else method or None

	def authenticate_client(self, request, *args, **kwargs):
		client_id, secret = _presented_credentials(request)
		if client_id and not request.client_id:
			request.client_id = client_id
		if not client_records.is_mcp_client(request.client_id):
			return super().authenticate_client(request, *args, **kwargs)
		doc = frappe.get_doc("OAuth Client", request.client_id)
		if secret is not None:
			return hmac.compare_digest(secret.encode(), (doc.client_secret or "").encode()) and _keep(
				request, doc
			)
		if not client_records.is_public(doc):
			return False
		return _keep(request, doc)


def install() -> None:
	"""Make Frappe's OAuth endpoints use `MCPRequestValidator` for the rest of this request."""
	frappe.local.oauth_server = WebApplicationServer(MCPRequestValidator())


def _registered(client_id: str) -> list[str]:
	return redirects.parse_stored(frappe.db.get_value("OAuth Client", client_id, "redirect_uris"))


def _require_s256(request) -> None:
	if request.code_challenge is None:
		raise errors.MissingCodeChallengeError(request=request)
	if (request.code_challenge_method or "plain") != "S256":
		raise errors.UnsupportedCodeChallengeMethodError(
			description="PKCE code_challenge_method must be S256", request=request
		)


def _presented_credentials(request) -> tuple[str | None, str | None]:
	"""(client_id, secret) from HTTP Basic, else (None, the form's client_secret or None)."""
	header = request.headers.get("Authorization") or ""
	if header[:6].lower() == "basic ":
		try:
			decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
			client_id, _, secret = decoded.partition(":")
			return unquote(client_id), unquote(secret)
		except (ValueError, UnicodeDecodeError):
			return None, ""
	return None, getattr(request, "client_secret", None)


def _keep(request, doc) -> bool:
	request.client = doc.as_dict()
	return True
