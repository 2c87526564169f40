"""`before_request` rules around Frappe's own OAuth 2 endpoints and tokens of MCP clients.

On a request to one of Frappe's OAuth endpoints (found by the function its URL calls, whatever the
spelling) this request's OAuth server uses oauth.validator. Authorizing an MCP client (authorize and
approve) also checks, before Frappe shows its consent page or issues a code:
- the user holds one of the roles that may authorize clients (Assistant Core Settings), if any;
- every RFC 8707 `resource` names the MCP endpoint or the site (else `invalid_target`).
`approve` also needs the one-time value of the consent page the user was shown (oauth.consent).
The token endpoint checks `resource` the same way. A token of an MCP client (one whose scopes
include an MCP scope) is for the MCP endpoint unless it holds Frappe's `all`: elsewhere (REST
API, desk, pages) it is refused with 403, so a read-only scope cannot write through another door.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import frappe
from frappe import _
from werkzeug.wrappers import Response

from frappe_assistant_core.oauth import (
	answers,
	bearer,
	cimd,
	client_records,
	consent,
	redirects,
	registration,
	scopes,
	settings,
	urls,
)
from frappe_assistant_core.oauth import validator as oauth_validator
from frappe_assistant_core.utils import routing

#: Frappe OAuth functions a token of an MCP client may still call (it may read and revoke itself).
_TOKEN_SELF_SERVICE = frozenset({"revoke_token", "introspect_token", "openid_profile"})
_AUTHORIZATION = frozenset({"authorize", "approve"})


def before_request() -> None:
	"""`before_request` hook: the rules above; every other request passes untouched."""
	request = getattr(frappe.local, "request", None)
	if request is None or request.path.startswith("/.well-known/"):
		return
	# A request carrying its own `cmd` makes Frappe call that function, whatever the URL names.
	called = _cmd_function() if routing.carries_own_cmd(request) else routing.requested_function(request)
	function = routing.qualified_name(called)
	if request.method == "OPTIONS" and function == registration.REGISTRATION_METHOD:
		# Browser-based clients register too; Frappe answers preflights without these headers.
		raise answers.Answer(response=Response(status=204, headers=registration.CORS))
	oauth_function = _frappe_oauth_function(function)
	if oauth_function:
		oauth_validator.install()
		if oauth_function in _AUTHORIZATION:
			_check_authorization(request, oauth_function)
		elif oauth_function == "get_token":
			_check_resources(request.form.getlist("resource"), None)
	if function != urls.MCP_METHOD and oauth_function not in _TOKEN_SELF_SERVICE:
		_refuse_mcp_token_elsewhere(request)


def _frappe_oauth_function(qualified: str) -> str | None:
	from frappe.integrations.oauth2 import authorize

	module, _, name = qualified.rpartition(".")
	return name if module and module == getattr(authorize, "__module__", None) else None


def _cmd_function():
	"""Frappe's OAuth function a `cmd` parameter names (any other function is left to Frappe)."""
	from frappe.integrations.oauth2 import authorize

	cmd = frappe.form_dict.get("cmd") if getattr(frappe.local, "form_dict", None) else None
	if not isinstance(cmd, str) or cmd.rpartition(".")[0] != getattr(authorize, "__module__", None):
		return None
	try:
		return frappe.get_attr(cmd)
	except Exception:
		return None


def _check_authorization(request, step: str) -> None:
	args = request.args
	client_id = args.get("client_id")
	if not (cimd.is_metadata_client_id(client_id) or client_records.is_mcp_client(client_id)):
		return
	if frappe.session.user in (None, "", "Guest"):
		# Log in first, then back here. Frappe's own redirect names the URL as it sees it (plain
		# HTTP and the worker's port behind a proxy, on v15), and v15 fails without a redirect_uri.
		raise answers.login_first(request)
	if cimd.is_metadata_client_id(client_id):
		try:
			cimd.client_for(client_id)
		except cimd.ClientMetadataError as exc:
			message = _("The client's metadata document cannot be used: {0}").format(str(exc))
			raise answers.oauth_error(400, "invalid_client", message) from None
	redirect_uri = _valid_redirect(client_id, args.get("redirect_uri"))
	state = args.get("state")
	_check_resources(args.getlist("resource"), (redirect_uri, state))
	allowed = settings.authorize_roles()
	if allowed and not set(allowed) & set(frappe.get_roles()):
		message = _("Your roles may not authorize assistant clients on this site (Assistant Core Settings)")
		if redirect_uri:
			raise answers.redirect_error(redirect_uri, "access_denied", message, state)
		raise answers.oauth_error(403, "access_denied", message)
	if step == "authorize":
		consent.issue(client_id)
	elif not consent.redeem(client_id, args.get(consent.PARAMETER)):
		message = _(
			"This approval did not come from the consent page; start the connection from the client again"
		)
		raise answers.oauth_error(403, "access_denied", message)


def _valid_redirect(client_id: str, redirect_uri: str | None) -> str | None:
	"""The request's redirect URI when the client registered it (an error may go there), else None."""
	stored = redirects.parse_stored(frappe.db.get_value("OAuth Client", client_id, "redirect_uris"))
	if not redirect_uri:
		return stored[0] if stored else None
	return redirect_uri if redirects.matches(stored, redirect_uri) else None


def _check_resources(resources: list[str], redirect: tuple[str | None, str | None] | None) -> None:
	"""Refuse with invalid_target unless every `resource` names this endpoint or the site."""
	for resource in resources:
		if not is_own_resource(resource):
			message = _("This site issues tokens only for its MCP endpoint {0}").format(urls.resource_url())
			if redirect and redirect[0]:
				raise answers.redirect_error(redirect[0], "invalid_target", message, redirect[1])
			raise answers.oauth_error(400, "invalid_target", message)


def is_own_resource(resource: str) -> bool:
	"""Whether an RFC 8707 resource names the site or one of the MCP endpoint's URLs."""
	try:
		parts, own = urlsplit(resource), urlsplit(urls.public_base_url())
		same_host = (parts.hostname or "", parts.port) == (own.hostname or "", own.port)
	except ValueError:
		return False
	if parts.fragment or parts.scheme.lower() not in ("http", "https") or not same_host:
		return False
	path = parts.path.rstrip("/")
	if not path:
		return True
	return routing.qualified_name(routing.function_at(path)) == urls.MCP_METHOD


def _refuse_mcp_token_elsewhere(request) -> None:
	"""A token of an MCP client serves the MCP endpoint only, whatever scopes it was given, unless
	it holds Frappe's `all` (only a client an administrator set up that way can have it)."""
	token = bearer.bearer_token(request)
	if token is None:
		return
	row = frappe.db.get_value(bearer.TOKEN_DOCTYPE, token, ["client", "scopes"], as_dict=True)
	if not row or "all" in scopes.parse(row.scopes) or not client_records.is_mcp_client(row.client):
		return
	raise answers.oauth_error(
		403,
		"insufficient_scope",
		_("This access token is for the MCP endpoint {0} only").format(urls.resource_url()),
		{"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="all"'},
	)
