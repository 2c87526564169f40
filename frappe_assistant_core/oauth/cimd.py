"""Client ID Metadata Documents: a client_id that is the https URL of the client's own metadata.

When Assistant Core Settings allows them, an authorization request whose client_id is such a URL
makes the site fetch the document (oauth.safe_fetch: public addresses only, size and time caps, no
redirects), check it (its client_id is exactly the URL; redirect URIs as oauth.redirects accepts;
a public client: no secret), and create or update the Frappe OAuth Client named by that URL.
Fetched documents are cached for CACHE_SECONDS, failures for FAILURE_SECONDS, per site.
"""

from __future__ import annotations

import hashlib

import frappe

from frappe_assistant_core.oauth import client_records, redirects, safe_fetch, settings

CACHE_SECONDS = 600
FAILURE_SECONDS = 60
#: Longest client_id URL: an OAuth Client's name (Frappe names are at most 140 characters).
MAX_URL_LENGTH = 140
_PUBLIC_METHODS = frozenset({None, "none"})


class ClientMetadataError(ValueError):
	"""The client_id's metadata document cannot be used; the message says why."""


def is_metadata_client_id(client_id: object) -> bool:
	"""Whether `client_id` has the shape of a metadata document URL (https with a path)."""
	return isinstance(client_id, str) and client_id.startswith("https://") and "/" in client_id[8:]


def ensure_client(client_id: str) -> bool:
	"""Whether an OAuth Client for this metadata URL exists now (fetched and made if needed)."""
	try:
		client_for(client_id)
	except ClientMetadataError:
		return False
	return True


def client_for(client_id: str) -> str:
	"""The OAuth Client of the document at `client_id`; raises ClientMetadataError with the reason."""
	if not settings.cimd_enabled():
		raise ClientMetadataError("Client ID Metadata Documents are switched off on this site")
	_check_url(client_id)
	registration = _registration(client_id)
	if frappe.db.exists(client_records.OAUTH_CLIENT, client_id):
		client_records.update(frappe.get_doc(client_records.OAUTH_CLIENT, client_id), registration)
	else:
		try:
			client_records.create(registration, name=client_id)
		except frappe.DuplicateEntryError:
			pass  # another worker made it at the same moment, from the same document
	# Made while showing the consent page (a GET): keep it, so approving finds the same client.
	frappe.local.flags.commit = True
	return client_id


def registration_from(client_id: str, document: dict) -> client_records.Registration:
	"""The registration a metadata document asks for; raises ClientMetadataError when it is unusable."""
	if document.get("client_id") != client_id:
		raise ClientMetadataError("the document's client_id is not the URL it was fetched from")
	uris = document.get("redirect_uris")
	if not isinstance(uris, list) or not uris:
		raise ClientMetadataError("the document lists no redirect_uris")
	for uri in uris:
		if problem := redirects.problem(uri):
			raise ClientMetadataError(f"redirect URI {str(uri)[:200]!r} is refused: {problem}")
	if document.get("token_endpoint_auth_method") not in _PUBLIC_METHODS:
		raise ClientMetadataError("only public clients (token_endpoint_auth_method none) are supported")
	name = document.get("client_name")
	name = name.strip() if isinstance(name, str) and name.strip() else client_id
	details = {
		key: document[key]
		for key in ("client_uri", "logo_uri", "tos_uri", "policy_uri")
		if _is_https(document.get(key))
	}
	return client_records.Registration(name[:140], tuple(dict.fromkeys(uris)), "none", details)


def _registration(client_id: str) -> client_records.Registration:
	key = "fac_oauth_cimd|" + hashlib.sha256(client_id.encode()).hexdigest()
	cached = frappe.cache.get_value(key, expires=True)  # an expiring key: never kept in frappe.local
	if isinstance(cached, dict) and "error" in cached:
		raise ClientMetadataError(cached["error"])
	if not isinstance(cached, dict):
		try:
			cached = {"document": safe_fetch.fetch_json(client_id)}
			registration_from(client_id, cached["document"])
		except (safe_fetch.FetchError, ClientMetadataError) as exc:
			frappe.cache.set_value(key, {"error": str(exc)}, expires_in_sec=FAILURE_SECONDS)
			raise ClientMetadataError(str(exc)) from None
		frappe.cache.set_value(key, cached, expires_in_sec=CACHE_SECONDS)
	return registration_from(client_id, cached["document"])


def _check_url(client_id: str) -> None:
	if len(client_id) > MAX_URL_LENGTH:
		raise ClientMetadataError(f"client_id URLs longer than {MAX_URL_LENGTH} characters are not supported")
	if redirects.problem(client_id) or "/./" in client_id or "/../" in client_id:
		raise ClientMetadataError("the client_id is not a plain https URL")


def _is_https(value: object) -> bool:
	return isinstance(value, str) and value.startswith("https://") and len(value) <= 500
