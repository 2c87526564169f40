"""Dynamic Client Registration (RFC 7591) for MCP clients, creating Frappe OAuth Clients.

Tolerant of what real clients send (n8n, Open WebUI, Claude, the MCP SDKs): missing fields take
their defaults, a string stands for a one-item list (or a space/comma-separated list of redirect
URIs), unknown fields are ignored. Refused, with RFC 7591's error codes: redirect URIs other than
oauth.redirects accepts, no redirect URI, a grant or response type other than the authorization
code flow, an unsupported token endpoint authentication method. `application_type` (web/native)
is echoed back; loopback and private-use redirect URIs are accepted for both, as clients send
"web" for local callbacks too. Anyone may register (that is the point); each registration only
creates a client that a user must still log in to and allow, and registrations are rate limited
per address. The switch is Assistant Core Settings > Allow Dynamic Client Registration.
"""

from __future__ import annotations

import json
import re
import time

import frappe
from werkzeug.wrappers import Response

from frappe_assistant_core.oauth import client_records, redirects, settings

MAX_BODY_BYTES = 64 * 1024
RATE_LIMIT, RATE_WINDOW_SECONDS = 100, 600
REGISTRATION_METHOD = "frappe_assistant_core.oauth.registration.register"
_GRANTS = frozenset({"authorization_code", "refresh_token"})
CORS = {
	"Access-Control-Allow-Origin": "*",
	"Access-Control-Allow-Headers": "Content-Type, Authorization",
	"Access-Control-Allow-Methods": "POST, OPTIONS",
}


class RegistrationError(ValueError):
	def __init__(self, message: str, error: str = "invalid_client_metadata"):
		super().__init__(message)
		self.error = error


# allow_guest: RFC 7591 registration is made by a client before any user exists for it; the switch
# and the rate limit are its gate, and a registered client still needs a user's login and consent.
@frappe.whitelist(allow_guest=True, methods=["POST"])
def register(**_kwargs) -> Response:
	"""RFC 7591 client registration answer (201 with the client's metadata, or 400/403/429)."""
	request = frappe.request
	if not settings.dcr_enabled():
		return _error(403, "access_denied", "Dynamic Client Registration is switched off on this site")
	if _over_rate_limit():
		return _error(429, "too_many_requests", "Too many client registrations from this address; try later")
	try:
		registration, application_type = parse(_body(request))
	except RegistrationError as exc:
		return _error(400, exc.error, str(exc))
	doc = client_records.reusable_public_client(registration) or client_records.create(registration)
	answer = {
		"client_id": doc.name,
		"client_id_issued_at": int(frappe.utils.get_datetime(doc.creation).timestamp()),
		"client_name": doc.app_name,
		"redirect_uris": list(registration.redirect_uris),
		"grant_types": ["authorization_code", "refresh_token"],
		"response_types": ["code"],
		"token_endpoint_auth_method": registration.auth_method,
		"scope": doc.scopes,
		"application_type": application_type,
		**registration.details,
	}
	if registration.auth_method != "none":
		answer.update(client_secret=doc.client_secret, client_secret_expires_at=0)
	return Response(
		json.dumps(answer),
		status=201,
		mimetype="application/json",
		headers={**CORS, "Cache-Control": "no-store"},
	)


def parse(body: dict) -> tuple[client_records.Registration, str]:
	"""(the registration, its application_type) from a registration request's JSON object."""
	uris = _list(body.get("redirect_uris"), split=True)
	if not uris:
		raise RegistrationError("redirect_uris is required", "invalid_redirect_uri")
	for uri in uris:
		if problem := redirects.problem(uri):
			raise RegistrationError(
				f"redirect URI {uri[:200]!r} is refused: {problem}", "invalid_redirect_uri"
			)
	grants = _list(body.get("grant_types")) or ["authorization_code"]
	if "authorization_code" not in grants or not set(grants) <= _GRANTS | {"implicit", "client_credentials"}:
		raise RegistrationError("grant_types must include authorization_code (the only flow offered)")
	if (types := _list(body.get("response_types"))) and "code" not in types:
		raise RegistrationError("response_types must include code")
	method = body.get("token_endpoint_auth_method") or "client_secret_basic"
	if method not in client_records.AUTH_METHODS:
		raise RegistrationError(
			f"token_endpoint_auth_method {str(method)[:60]!r} is not supported (none, client_secret_post, client_secret_basic)"
		)
	name = body.get("client_name")
	name = name.strip() if isinstance(name, str) and name.strip() else _default_name(uris[0])
	details = {
		key: value
		for key in ("client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id", "software_version")
		if isinstance(value := body.get(key), str) and 0 < len(value) <= 500
	}
	application_type = (
		body.get("application_type") if body.get("application_type") in ("web", "native") else "web"
	)
	return client_records.Registration(
		name[:140], tuple(dict.fromkeys(uris)), method, details
	), application_type


def _body(request) -> dict:
	if (request.content_length or 0) > MAX_BODY_BYTES:
		raise RegistrationError("the registration request is too large")
	try:
		body = json.loads(request.get_data(cache=True)[: MAX_BODY_BYTES + 1] or b"{}")
	except ValueError:
		raise RegistrationError("the registration request is not JSON") from None
	if not isinstance(body, dict):
		raise RegistrationError("the registration request must be a JSON object")
	return body


def _list(value, split: bool = False) -> list[str]:
	if isinstance(value, str):
		return [item for item in re.split(r"[\s,]+", value) if item] if split else [value]
	if isinstance(value, list):
		return [item for item in value if isinstance(item, str) and item]
	return []


def _default_name(redirect_uri: str) -> str:
	from urllib.parse import urlsplit

	return f"MCP client ({urlsplit(redirect_uri).hostname or redirect_uri[:40]})"


def _over_rate_limit() -> bool:
	window = int(time.time() // RATE_WINDOW_SECONDS)
	key = frappe.cache.make_key(f"fac_oauth_dcr:{window}:{frappe.local.request_ip}")
	try:
		count = frappe.cache.incr(key)
		frappe.cache.expire(key, 2 * RATE_WINDOW_SECONDS)
	except Exception:
		return False  # the cache is down: registration still works, as Frappe's own pages do
	return count > RATE_LIMIT


def _error(status: int, error: str, description: str) -> Response:
	body = json.dumps({"error": error, "error_description": description})
	return Response(
		body, status=status, mimetype="application/json", headers={**CORS, "Cache-Control": "no-store"}
	)
