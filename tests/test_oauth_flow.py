"""The OAuth 2.1 authorization code flow on Frappe's own provider, scripted over real HTTP.

A client registers (Dynamic Client Registration), the user logs in and allows it on Frappe's
consent page, the code is exchanged with its PKCE verifier, and the token lists and calls tools as
that user; then every way the flow must fail does. Tokens are Frappe's OAuth Bearer Tokens.
"""

from __future__ import annotations

import frappe
import pytest

from frappe_assistant_core.oauth import scopes, urls
from tests.support import oauth_flow as flow
from tests.support.server import serve

USER = "fac-oauth-flow@example.com"
LOOPBACK = "http://127.0.0.1:43123/callback"


pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server():
	flow.make_login_user(USER, ["System Manager"])
	with serve(workers=2) as server:
		yield server


@pytest.fixture
def browser(server):
	return flow.logged_in(server.url, USER)


def tool_names(server, token: str) -> set[str]:
	reply = flow.mcp_call(server.url, token, "tools/list")
	assert reply.status == 200, reply.body[:500]
	return {tool["name"] for tool in reply.json()["result"]["tools"]}


def call(server, token: str, tool: str, arguments: dict) -> flow.Reply:
	return flow.mcp_call(server.url, token, "tools/call", {"name": tool, "arguments": arguments})


def test_registered_client_gets_a_token_that_lists_and_calls_tools_as_the_user(server, browser):
	"""DCR -> login -> consent -> code -> token (PKCE S256) -> tools/list and tools/call."""
	client = flow.register_public(server.url, LOOPBACK)
	token = flow.token_for(server.url, browser, client)
	assert token["token_type"].lower() == "bearer"
	assert set(token["scope"].split()) == {scopes.MCP}
	row = frappe.db.get_value(
		"OAuth Bearer Token", token["access_token"], ["user", "client", "status"], as_dict=True
	)
	assert (row.user, row.client, row.status) == (USER, client.client_id, "Active")
	names = tool_names(server, token["access_token"])
	assert {"document_list", "document_create", "document_delete"} <= names, names
	reply = call(server, token["access_token"], "document_list", {"doctype": "User", "limit": 1})
	assert reply.status == 200, reply.body[:500]
	assert not reply.json()["result"].get("isError"), reply.body[:500]


def test_read_scope_lists_only_read_only_tools_and_a_write_call_answers_403_insufficient_scope(
	server, browser
):
	client = flow.register_public(server.url, LOOPBACK)
	token = flow.token_for(server.url, browser, client, scope=scopes.READ)["access_token"]
	names = tool_names(server, token)
	assert "document_list" in names and "document_create" not in names and "document_delete" not in names
	reply = call(server, token, "document_create", {"doctype": "ToDo", "data": {"description": "x"}})
	assert reply.status == 403, reply.body[:500]
	challenge = reply.headers["www-authenticate"]
	assert 'error="insufficient_scope"' in challenge and f'scope="{scopes.WRITE}"' in challenge, challenge
	assert f'resource_metadata="{server.url}{urls.PRM_PATH}{urls.MCP_PATH}"' in challenge
	assert not frappe.db.exists("ToDo", {"description": "x", "owner": USER})


def test_write_scope_reaches_write_tools_but_not_privileged_ones(server, browser):
	client = flow.register_public(server.url, LOOPBACK)
	token = flow.token_for(server.url, browser, client, scope=scopes.WRITE)["access_token"]
	names = tool_names(server, token)
	assert {"document_list", "document_create"} <= names and "document_delete" not in names
	reply = call(server, token, "document_delete", {"doctype": "ToDo", "name": "nothing"})
	assert reply.status == 403 and f'scope="{scopes.PRIVILEGED}"' in reply.headers["www-authenticate"]


def test_token_without_an_mcp_scope_is_refused_by_the_endpoint(server, browser):
	client = flow.register_public(server.url, LOOPBACK)
	token = flow.token_for(server.url, browser, client, scope="openid")["access_token"]
	reply = flow.mcp_call(server.url, token, "tools/list")
	assert reply.status == 403, reply.body[:300]
	assert f'scope="{scopes.DEFAULT}"' in reply.headers["www-authenticate"]


def test_mcp_token_is_refused_by_frappes_rest_api(server, browser):
	"""A token for the MCP endpoint cannot read or write through /api/resource."""
	client = flow.register_public(server.url, LOOPBACK)
	token = flow.token_for(server.url, browser, client)["access_token"]
	bearer = {"Authorization": f"Bearer {token}"}
	reply = flow.Browser(server.url).request("/api/resource/ToDo", headers=bearer)
	assert reply.status == 403, reply.body[:300]
	# Nor through a `cmd` parameter on the endpoint's own URL (Frappe calls the cmd's function).
	reply = flow.Browser(server.url).request(
		f"{urls.MCP_PATH}?cmd=frappe.auth.get_logged_user", headers=bearer
	)
	assert reply.status == 403 and USER.encode() not in reply.body, reply.body[:300]
	# Whatever scope it asked for: an `openid` token of an MCP client is no key to the REST API either.
	token = flow.token_for(server.url, browser, client, scope="openid")["access_token"]
	reply = flow.Browser(server.url).request(
		"/api/resource/ToDo", headers={"Authorization": f"Bearer {token}"}
	)
	assert reply.status == 403, reply.body[:300]


def test_refused_consent_sends_access_denied_and_no_code(server, browser):
	client = flow.register_public(server.url, LOOPBACK)
	_verifier, challenge = flow.pkce_pair()
	reply = flow.authorize_code(browser, flow.authorization_url(server.url, client, challenge), allow=False)
	assert reply.status == 302 and reply.location.startswith(LOOPBACK)
	assert reply.query().get("error") == "access_denied" and "code" not in reply.query()


def test_authorization_without_s256_pkce_is_refused(server, browser):
	"""No code_challenge, or the plain method: an OAuth error instead of the consent page, no code."""
	client = flow.register_public(server.url, LOOPBACK)
	verifier, _challenge = flow.pkce_pair()
	for label, url in (
		("no challenge", flow.authorization_url(server.url, client, None)),
		("plain", flow.authorization_url(server.url, client, verifier, method="plain")),
	):
		reply = flow.authorize_code(browser, url)
		assert reply.status == 400 and not reply.location, (label, reply.status, reply.body[:300])
		assert reply.json()["error"] == "invalid_request", (label, reply.body[:300])


def test_wrong_or_missing_code_verifier_gets_no_token(server, browser):
	client = flow.register_public(server.url, LOOPBACK)
	for verifier in ("x" * 50, None):
		_right, challenge = flow.pkce_pair()
		reply = flow.authorize_code(browser, flow.authorization_url(server.url, client, challenge))
		token = flow.exchange(server.url, client, reply.query()["code"], verifier)
		assert token.status == 400 and "access_token" not in token.json(), token.body[:300]


def test_expired_and_revoked_tokens_are_refused_on_the_next_request(server, browser):
	client = flow.register_public(server.url, LOOPBACK)
	expired = flow.token_for(server.url, browser, client)["access_token"]
	frappe.db.set_value("OAuth Bearer Token", expired, "expiration_time", "2020-01-01 00:00:00")
	frappe.db.commit()
	reply = flow.mcp_call(server.url, expired, "tools/list")
	assert reply.status == 401 and 'error="invalid_token"' in reply.headers["www-authenticate"]

	revoked = flow.token_for(server.url, browser, client)["access_token"]
	assert flow.mcp_call(server.url, revoked, "tools/list").status == 200
	revocation = flow.server_metadata(server.url)["revocation_endpoint"]
	flow.Browser(server.url).request(
		revocation,
		method="POST",
		data={"token": revoked, "token_type_hint": "access_token", "client_id": client.client_id},
	)
	assert frappe.db.get_value("OAuth Bearer Token", revoked, "status") == "Revoked"
	reply = flow.mcp_call(server.url, revoked, "tools/list")
	assert reply.status == 401, reply.body[:300]


def test_loopback_redirect_in_another_port_is_accepted(server, browser):
	"""RFC 8252: a native client registers 127.0.0.1 once and listens on a new port each run."""
	client = flow.register_public(server.url, LOOPBACK)
	moved = flow.Client(client.client_id, "http://127.0.0.1:51234/callback")
	verifier, challenge = flow.pkce_pair()
	reply = flow.authorize_code(browser, flow.authorization_url(server.url, moved, challenge))
	assert reply.status == 302 and reply.location.startswith("http://127.0.0.1:51234/callback?"), (
		reply.location
	)
	token = flow.exchange(server.url, moved, reply.query()["code"], verifier)
	assert token.status == 200, token.body[:300]
	# The token request must name the redirect URI the code was issued for, port included.
	reply = flow.authorize_code(browser, flow.authorization_url(server.url, moved, challenge))
	token = flow.exchange(server.url, client, reply.query()["code"], verifier)
	assert token.status == 400


def test_unregistered_redirects_are_never_followed(server, browser):
	"""Another path on loopback, another host, http to a non-loopback host: an error page, no redirect."""
	client = flow.register_public(server.url, LOOPBACK)
	_verifier, challenge = flow.pkce_pair()
	for uri in (
		"http://127.0.0.1:43123/other",
		"https://evil.example/callback",
		"http://evil.example:43123/callback",
	):
		moved = flow.Client(client.client_id, uri)
		reply = flow.authorize_code(browser, flow.authorization_url(server.url, moved, challenge))
		assert reply.status == 400 and not reply.location, (uri, reply.status, reply.location)
		assert "error" in reply.json(), reply.body[:300]


def test_registration_refuses_http_redirects_to_other_hosts(server):
	for uri in (
		"http://example.com/callback",
		"javascript:alert(1)",
		"https://example.com/cb#frag",
		"not a uri",
	):
		reply = flow.register(server.url, [uri], token_endpoint_auth_method="none")
		assert reply.status == 400, (uri, reply.body[:300])
		assert reply.json()["error"] == "invalid_redirect_uri", reply.body[:300]


def test_resource_parameter_must_name_this_endpoint(server, browser):
	client = flow.register_public(server.url, LOOPBACK)
	verifier, challenge = flow.pkce_pair()
	url = flow.authorization_url(server.url, client, challenge, resource=server.url + urls.MCP_PATH)
	reply = flow.authorize_code(browser, url)
	assert "code" in reply.query(), reply.location
	token = flow.exchange(
		server.url, client, reply.query()["code"], verifier, resource=server.url + urls.MCP_PATH
	)
	assert token.status == 200, token.body[:300]
	for other in (
		"https://other.example/mcp",
		f"{server.url}/api/method/frappe.auth.get_logged_user",
		"http://127.0.0.1:99999/",
	):
		url = flow.authorization_url(server.url, client, challenge, resource=other)
		reply = flow.authorize_code(browser, url)
		assert reply.query().get("error") == "invalid_target", (other, reply.status, reply.location)


def test_roles_that_may_authorize_are_enforced_at_the_authorize_step(server, browser):
	client = flow.register_public(server.url, LOOPBACK)
	settings = frappe.get_single("Assistant Core Settings")
	settings.set("oauth_authorize_roles", [{"role": "Accounts Manager"}])
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	try:
		_verifier, challenge = flow.pkce_pair()
		reply = flow.authorize_code(browser, flow.authorization_url(server.url, client, challenge))
		assert reply.status == 302 and reply.query().get("error") == "access_denied", reply.location
	finally:
		settings = frappe.get_single("Assistant Core Settings")
		settings.set("oauth_authorize_roles", [])
		settings.save(ignore_permissions=True)
		frappe.db.commit()
	reply = flow.authorize_code(browser, flow.authorization_url(server.url, client, challenge))
	assert "code" in reply.query()


def test_refresh_token_gives_a_working_token_with_the_same_scopes(server, browser):
	client = flow.register_public(server.url, LOOPBACK)
	first = flow.token_for(server.url, browser, client, scope=scopes.READ)
	reply = flow.Browser(server.url).request(
		flow.server_metadata(server.url)["token_endpoint"],
		method="POST",
		data={
			"grant_type": "refresh_token",
			"refresh_token": first["refresh_token"],
			"client_id": client.client_id,
		},
	)
	assert reply.status == 200, reply.body[:300]
	refreshed = reply.json()
	assert refreshed["access_token"] != first["access_token"]
	assert frappe.db.get_value("OAuth Bearer Token", refreshed["access_token"], "scopes") == scopes.READ
	names = tool_names(server, refreshed["access_token"])
	assert "document_list" in names and "document_create" not in names


def test_confidential_client_must_present_its_own_secret(server, browser):
	reply = flow.register(
		server.url, [LOOPBACK], client_name="Confidential", token_endpoint_auth_method="client_secret_post"
	)
	assert reply.status == 201 and reply.json()["client_secret"], reply.body[:300]
	registered = reply.json()
	for secret, expected in (("wrong-secret", 401), (registered["client_secret"], 200)):
		client = flow.Client(registered["client_id"], LOOPBACK, secret)
		verifier, challenge = flow.pkce_pair()
		code = flow.authorize_code(browser, flow.authorization_url(server.url, client, challenge)).query()[
			"code"
		]
		token = flow.exchange(server.url, client, code, verifier)
		assert (token.status == 200) == (expected == 200), (secret, token.status, token.body[:300])


def test_switched_off_registration_is_refused_and_not_advertised(server):
	settings = frappe.get_single("Assistant Core Settings")
	settings.oauth_dynamic_registration = 0
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	try:
		assert "registration_endpoint" not in flow.server_metadata(server.url)
		reply = flow.Browser(server.url).request(
			"/api/method/frappe_assistant_core.oauth.registration.register",
			method="POST",
			data={"redirect_uris": LOOPBACK},
		)
		assert reply.status == 403 and reply.json()["error"] == "access_denied", reply.body[:300]
	finally:
		settings = frappe.get_single("Assistant Core Settings")
		settings.oauth_dynamic_registration = 1
		settings.save(ignore_permissions=True)
		frappe.db.commit()


def test_approve_link_not_from_the_consent_page_issues_no_code(server, browser):
	"""A crafted link to Frappe's approve step (CSRF from another site) does not skip the consent page,
	and the Allow link of a consent page works once."""
	client = flow.register_public(server.url, LOOPBACK)
	_verifier, challenge = flow.pkce_pair()
	authorize = flow.authorization_url(server.url, client, challenge)
	crafted = authorize.replace(".authorize?", ".approve?")
	reply = browser.request(crafted)
	assert reply.status == 403 and not reply.location, (reply.status, reply.location)
	allow, _deny = flow.consent_links(browser.follow_on_site(browser.request(authorize)))
	assert "code" in browser.request(allow).query()
	assert browser.request(allow).status == 403
