"""Connected OAuth clients (oauth/clients.py, api/admin_connections.py): who sees and revokes which
grants, what a grant shows, and that a revoked token is refused on the next request of every worker.

Tokens and codes are Frappe's own OAuth Bearer Token / OAuth Authorization Code rows, made directly.
"""

from __future__ import annotations

import json

import frappe
import pytest

from frappe_assistant_core.api import admin_connections
from tests.support.oauth_grants import drop_clients, make_client, make_code, make_token, tools_list_status
from tests.support.server import serve
from tests.support.site import ASSISTANT_ADMIN, api_credentials, make_user

pytestmark = pytest.mark.postgres

ANN = "fac-oauth-conn-ann@example.com"
BOB = "fac-oauth-conn-bob@example.com"


@pytest.fixture(scope="module")
def people():
	make_user(ANN, ["Assistant User"])
	make_user(BOB, ["Assistant User"])
	make_user(ASSISTANT_ADMIN, ["Assistant Admin", "Assistant User"])
	return {"ann": ANN, "bob": BOB, "admin": ASSISTANT_ADMIN}


def _status(token: str) -> str:
	return frappe.db.get_value("OAuth Bearer Token", token, "status")


def test_admins_see_every_users_live_grants_with_scopes_created_and_last_used(people):
	"""One row per (client, user) holding a working token or an unexchanged code; dead rows are not grants."""
	app, other = make_client("Claude test"), make_client("Dead client")
	make_token(app, ANN, scopes="mcp:read")
	newest = make_token(app, ANN, scopes="mcp offline_access", hours=-2)  # expired, renewable: still a grant
	make_code(app, BOB)
	make_token(other, ANN, status="Revoked")
	make_token(other, BOB, hours=-1, refresh=False)  # expired, not renewable
	frappe.set_user(ASSISTANT_ADMIN)
	# Other modules' grants may be on the site: only this test's clients count.
	found = {
		(g["client"], g["user"]): g
		for g in admin_connections.get_connected_clients()
		if g["client"] in (app, other)
	}
	assert set(found) == {(app, ANN), (app, BOB)}
	ann = found[(app, ANN)]
	assert ann["app_name"] == "Claude test" and ann["scopes"] == ["mcp", "mcp:read", "offline_access"]
	assert (ann["tokens"], ann["pending_codes"]) == (2, 0)
	assert ann["last_used"] == str(frappe.db.get_value("OAuth Bearer Token", newest, "creation"))
	assert ann["created"] <= ann["last_used"]
	assert (
		found[(app, BOB)]["tokens"],
		found[(app, BOB)]["pending_codes"],
		found[(app, BOB)]["last_used"],
	) == (
		0,
		1,
		None,
	)
	assert "refresh_token" not in json.dumps(list(found.values()), default=str), "no secret leaves the server"


def test_a_user_sees_only_their_own_grants_and_not_the_admin_list(people):
	app = make_client("Shared app")
	make_token(app, ANN)
	make_token(app, BOB)
	frappe.set_user(ANN)
	assert [(g["client"], g["user"]) for g in admin_connections.get_my_connections()] == [(app, ANN)]
	with pytest.raises(frappe.PermissionError):
		admin_connections.get_connected_clients()
	with pytest.raises(frappe.PermissionError):
		admin_connections.revoke_connected_client(app, BOB)
	assert frappe.db.count("OAuth Bearer Token", {"client": app, "status": "Active"}) == 2


def test_a_user_cannot_revoke_another_users_grant(people):
	"""revoke_my_connection acts on the caller's grant only: another user's is 'no such connection'."""
	app = make_client("Bob only")
	bobs = make_token(app, BOB)
	frappe.set_user(ANN)
	with pytest.raises(frappe.DoesNotExistError, match="has no connection"):
		admin_connections.revoke_my_connection(app)
	assert _status(bobs) == "Active"


def test_guest_may_not_list_or_revoke(people):
	frappe.set_user("Guest")
	for call in (admin_connections.get_my_connections, lambda: admin_connections.revoke_my_connection("x")):
		with pytest.raises(frappe.PermissionError):
			call()


def test_revoking_a_grant_revokes_all_its_tokens_and_codes_and_nothing_else(people):
	app, other = make_client("Revoked app"), make_client("Kept app")
	mine = [make_token(app, ANN), make_token(app, ANN, hours=-3)]
	code = make_code(app, ANN)
	bobs, kept = make_token(app, BOB), make_token(other, ANN)
	frappe.set_user(ANN)
	assert admin_connections.revoke_my_connection(app) == {
		"client": app,
		"user": ANN,
		"tokens": 2,
		"codes": 1,
	}
	assert [_status(t) for t in mine] == ["Revoked", "Revoked"]
	assert frappe.db.get_value("OAuth Authorization Code", code, "validity") == "Invalid"
	assert (_status(bobs), _status(kept)) == ("Active", "Active")
	assert [g["client"] for g in admin_connections.get_my_connections()] == [other]
	frappe.set_user(ASSISTANT_ADMIN)
	assert admin_connections.revoke_connected_client(app, BOB)["tokens"] == 1
	assert _status(bobs) == "Revoked"
	with pytest.raises(frappe.DoesNotExistError):
		admin_connections.revoke_connected_client(app, BOB)


def test_bad_names_are_refused_with_the_argument_named(people):
	frappe.set_user(ASSISTANT_ADMIN)
	cases = [
		(None, "x", frappe.MandatoryError, "client is required"),
		("x", "", frappe.MandatoryError, "user is required"),
		("x" * 141, "x", frappe.ValidationError, "client must be a name"),
		({"a": 1}, "x", frappe.ValidationError, "client must be a name"),
		("x", "a\nb", frappe.ValidationError, "user must be a name"),
	]
	for client, user, exc, message in cases:
		with pytest.raises(exc, match=message):
			admin_connections.revoke_connected_client(client, user)


def test_a_revoked_grant_is_refused_on_the_next_request_of_every_worker(people):
	"""Two gunicorn workers serve the token; the user revokes over HTTP; every next request is 401."""
	app = make_client("Served app")
	token = make_token(app, ANN)
	key = api_credentials(ANN)
	frappe.db.commit()
	try:
		with serve(workers=2) as server:
			assert [tools_list_status(server, token) for _ in range(6)] == [200] * 6
			status, body = server.call(
				"frappe_assistant_core.api.admin_connections.revoke_my_connection", auth=key, client=app
			)
			assert status == 200, body
			assert [tools_list_status(server, token) for _ in range(6)] == [401] * 6
	finally:
		drop_clients(app)


def test_over_http_the_admin_list_is_refused_to_users_and_revocation_needs_post(people):
	users = {"member": api_credentials(ANN), "admin": api_credentials(ASSISTANT_ADMIN)}
	with serve(workers=1) as server:
		method = "frappe_assistant_core.api.admin_connections."
		assert (
			server.call(method + "get_connected_clients", auth=users["member"], http_method="GET")[0] == 403
		)
		assert server.call(method + "get_connected_clients", auth=users["admin"], http_method="GET")[0] == 200
		assert server.call(method + "get_my_connections", auth=users["member"], http_method="GET")[0] == 200
		status, _, _ = server.request(
			f"/api/method/{method}revoke_my_connection?client=x", auth=users["member"]
		)
		assert status in (403, 405)
		assert server.call(method + "run_connection_doctor", auth=users["member"])[0] == 403


def _refresh(server, flow, client, refresh_token: str):
	return flow.Browser(server.url).request(
		flow.server_metadata(server.url)["token_endpoint"],
		method="POST",
		data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client.client_id},
	)


def test_a_client_signed_in_through_the_real_flow_is_listed_and_revoking_ends_its_refresh_too(people):
	"""DCR, login, consent and PKCE on Frappe's provider, then a refresh, give one grant the user
	sees; revoking it over HTTP makes the access token 401 and the refresh token useless."""
	from tests.support import oauth_flow as flow

	user = flow.make_login_user("fac-oauth-conn-carol@example.com", ["Assistant User"])
	key = api_credentials(user)
	with serve(workers=2) as server:
		client = flow.register_public(server.url, "http://127.0.0.1:43125/callback", name="Flow client")
		browser = flow.Browser(server.url)
		browser.login(user)
		first = flow.token_for(server.url, browser, client)
		renewed = _refresh(server, flow, client, first["refresh_token"])
		assert renewed.status == 200, renewed.body[:300]
		token = renewed.json()
		assert flow.mcp_call(server.url, token["access_token"], "tools/list").status == 200
		frappe.db.rollback()  # see the rows the server committed
		frappe.set_user(user)
		[grant] = admin_connections.get_my_connections()
		issued = frappe.db.get_value("OAuth Bearer Token", token["access_token"], "creation")
		assert (grant["client"], grant["app_name"], grant["scopes"]) == (
			client.client_id,
			"Flow client",
			["mcp"],
		)
		assert grant["last_used"] == str(issued), "the refreshed token is the newest"
		frappe.set_user("Administrator")
		status, body = server.call(
			"frappe_assistant_core.api.admin_connections.revoke_my_connection",
			auth=key,
			client=client.client_id,
		)
		assert status == 200 and body["message"]["tokens"] == grant["tokens"], body
		assert flow.mcp_call(server.url, token["access_token"], "tools/list").status == 401
		refused = _refresh(server, flow, client, token["refresh_token"])
		assert refused.status != 200 and "access_token" not in refused.json(), refused.body[:300]
