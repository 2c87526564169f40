"""Frappe OAuth Client documents for MCP clients: created, reused and recognised.

A client registered through this app (Dynamic Client Registration or a Client ID Metadata
Document) is an ordinary Frappe OAuth Client whose scopes are the MCP scopes: Frappe's own
authorize page, consent screen, token endpoint and OAuth Bearer Token serve it. A Client ID
Metadata Document's client is named by its URL (the client_id a client sends). An identical public
registration (same name, redirect URIs and no secret) reuses the client it made before, since
clients that re-register on each start would otherwise pile up; one with a secret never does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import frappe

from frappe_assistant_core.oauth import redirects, scopes

OAUTH_CLIENT = "OAuth Client"
#: What a client registered here may ask for: the MCP scopes and OpenID Connect's `openid`.
CLIENT_SCOPES = (*scopes.ALL, "openid")
AUTH_METHODS = {
	"none": "None",
	"client_secret_post": "Client Secret Post",
	"client_secret_basic": "Client Secret Basic",
}
_OPTIONAL_FIELDS = ("client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id", "software_version")


@dataclass(frozen=True)
class Registration:
	"""What a client asks to be registered as (already validated)."""

	client_name: str
	redirect_uris: tuple[str, ...]
	auth_method: str = "none"  # a key of AUTH_METHODS
	details: dict = field(default_factory=dict)  # client_uri, logo_uri, ... when given


def create(registration: Registration, name: str | None = None):
	"""A new OAuth Client for `registration` (named `name`, else by Frappe)."""
	doc = frappe.new_doc(OAUTH_CLIENT)
	_fill(doc, registration)
	doc.insert(ignore_permissions=True, set_name=name)
	_forget(doc.name)
	return doc


def update(doc, registration: Registration) -> None:
	"""Bring `doc` in line with `registration` (a re-fetched metadata document); saves on change."""
	fields = ("app_name", "redirect_uris", "default_redirect_uri", "scopes", *_OPTIONAL_FIELDS)
	before = [doc.get(fieldname) for fieldname in fields]
	_fill(doc, registration)
	if before != [doc.get(fieldname) for fieldname in fields]:
		doc.save(ignore_permissions=True)
		_forget(doc.name)


def reusable_public_client(registration: Registration):
	"""An OAuth Client made before for exactly this public registration, or None."""
	if registration.auth_method != "none":
		return None
	for name in frappe.get_all(
		OAUTH_CLIENT,
		filters={"app_name": registration.client_name, "scopes": " ".join(CLIENT_SCOPES)},
		pluck="name",
		limit=20,
	):
		doc = frappe.get_doc(OAUTH_CLIENT, name)
		if tuple(redirects.parse_stored(doc.redirect_uris)) == registration.redirect_uris and is_public(doc):
			return doc
	return None


def is_mcp_client(client_id: str | None) -> bool:
	"""Whether the OAuth Client may ask for an MCP scope (this request's answer is remembered)."""
	if not client_id:
		return False
	cache = getattr(frappe.local, "fac_mcp_clients", None)
	if cache is None:
		cache = frappe.local.fac_mcp_clients = {}
	if client_id not in cache:
		stored = frappe.db.get_value(OAUTH_CLIENT, client_id, "scopes")
		cache[client_id] = bool(set((stored or "").split()) & set(scopes.ALL))
	return cache[client_id]


def _forget(client_id: str) -> None:
	"""Drop what this request remembered of the client (it was just made or changed)."""
	if (cache := getattr(frappe.local, "fac_mcp_clients", None)) is not None:
		cache.pop(client_id, None)


def is_public(doc) -> bool:
	"""Whether the client authenticates with no secret. Older Frappe has no field for it: every
	client counts as public there, PKCE (required for MCP clients) being what binds the code."""
	return (doc.get("token_endpoint_auth_method") or "None") == "None"


def _fill(doc, registration: Registration) -> None:
	doc.app_name = registration.client_name[:140]
	doc.redirect_uris = "\n".join(registration.redirect_uris)
	doc.default_redirect_uri = registration.redirect_uris[0]
	doc.scopes = " ".join(CLIENT_SCOPES)
	doc.grant_type = "Authorization Code"
	doc.response_type = "Code"
	doc.skip_authorization = 0
	meta = frappe.get_meta(OAUTH_CLIENT)
	if meta.has_field("token_endpoint_auth_method"):
		doc.token_endpoint_auth_method = AUTH_METHODS[registration.auth_method]
	for fieldname in _OPTIONAL_FIELDS:
		if meta.has_field(fieldname) and fieldname in registration.details:
			doc.set(fieldname, registration.details[fieldname])
