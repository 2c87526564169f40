"""OAuth metadata of the MCP endpoint over real HTTP: RFC 9728, RFC 8414, and the 401 challenge.

Every URL the documents name is built from the URL the client used, also behind a TLS proxy on a
non-default port (X-Forwarded-Proto / X-Forwarded-Host); the site's host_name wins when set.
"""

from __future__ import annotations

import json

import pytest

from frappe_assistant_core.oauth import scopes, urls
from tests.support.server import serve

PATH = urls.MCP_PATH
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "mcp.example.test:8443"}


pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server():
	with serve(workers=1) as server:
		yield server


def get_json(server, path, headers=None):
	status, reply_headers, raw = server.request(path, headers=headers)
	return status, {k.lower(): v for k, v in reply_headers.items()}, json.loads(raw) if raw else None


def test_protected_resource_metadata_names_the_endpoint_and_the_site_as_its_server(server):
	"""The path-suffixed document's resource is the endpoint URL; the site is its authorization server."""
	status, headers, document = get_json(server, f"{urls.PRM_PATH}{PATH}")
	assert status == 200, document
	assert document["resource"] == server.url + PATH
	assert document["authorization_servers"] == [server.url]
	assert document["bearer_methods_supported"] == ["header"]
	assert set(document["scopes_supported"]) >= set(scopes.ALL)
	assert "offline_access" not in document["scopes_supported"]
	assert headers["access-control-allow-origin"] == "*"


def test_root_protected_resource_metadata_names_the_site(server):
	status, _, document = get_json(server, urls.PRM_PATH)
	assert status == 200, document
	assert document["resource"] == server.url
	assert document["authorization_servers"] == [server.url]


def test_narrowed_url_has_its_own_resource_and_unknown_suffixes_are_not_found(server):
	status, _, document = get_json(server, f"{urls.PRM_PATH}{PATH}/readonly")
	assert status == 200, document
	assert document["resource"] == f"{server.url}{PATH}/readonly"
	status, _, _ = get_json(server, f"{urls.PRM_PATH}/api/method/frappe.auth.get_logged_user")
	assert status == 404


def test_authorization_server_metadata_names_frappes_own_endpoints_and_requires_s256(server):
	status, _, document = get_json(server, urls.ASM_PATH)
	assert status == 200, document
	assert document["issuer"] == server.url
	for key in ("authorization_endpoint", "token_endpoint", "revocation_endpoint"):
		assert document[key].startswith(f"{server.url}/api/method/"), key
		assert document[key].rsplit(".", 1)[1] in ("authorize", "get_token", "revoke_token")
	assert document["code_challenge_methods_supported"] == ["S256"]
	assert "none" in document["token_endpoint_auth_methods_supported"]
	assert document["response_types_supported"] == ["code"]
	assert document["registration_endpoint"].startswith(server.url)
	assert document["client_id_metadata_document_supported"] is True
	# Frappe's own OpenID configuration names the same authorize and token endpoints.
	status, _, oidc = get_json(server, urls.OIDC_PATH)
	assert status == 200, oidc
	assert (
		oidc["authorization_endpoint"].rsplit("/", 1)[1]
		== document["authorization_endpoint"].rsplit("/", 1)[1]
	)


def test_metadata_behind_a_tls_proxy_on_another_port_names_the_proxys_url(server):
	"""X-Forwarded-Proto and X-Forwarded-Host (with its port) make every published URL the proxy's."""
	public = "https://mcp.example.test:8443"
	_, _, resource = get_json(server, f"{urls.PRM_PATH}{PATH}", PROXY)
	assert resource["resource"] == public + PATH
	assert resource["authorization_servers"] == [public]
	_, _, server_document = get_json(server, urls.ASM_PATH, PROXY)
	assert server_document["issuer"] == public
	assert server_document["authorization_endpoint"].startswith(public + "/api/method/")
	status, headers, _ = server.request(PATH, method="POST", body={}, headers=PROXY)
	assert status == 401
	assert f'resource_metadata="{public}{urls.PRM_PATH}{PATH}"' in headers["WWW-Authenticate"]


def test_forwarded_values_that_are_not_a_host_are_ignored(server):
	_, _, document = get_json(
		server, urls.ASM_PATH, {"X-Forwarded-Host": 'evil"host', "X-Forwarded-Proto": "gopher"}
	)
	assert document["issuer"] == server.url


def test_every_401_of_the_endpoint_names_its_metadata_and_scope(server):
	"""No credentials, wrong API key, unknown bearer token: each 401 carries the challenge."""
	expected = f'resource_metadata="{server.url}{urls.PRM_PATH}{PATH}"'
	for headers in ({}, {"Authorization": "token nope:nope"}, {"Authorization": "Bearer not-a-token"}):
		status, reply, _ = server.request(
			PATH, method="POST", body={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers
		)
		assert status == 401, headers
		challenge = reply["WWW-Authenticate"]
		assert challenge.startswith("Bearer "), challenge
		assert expected in challenge and f'scope="{scopes.DEFAULT}"' in challenge, challenge
	assert 'error="invalid_token"' in challenge
	status, reply, _ = server.request(f"{PATH}/readonly", method="POST", body={}, headers={})
	assert f'resource_metadata="{server.url}{urls.PRM_PATH}{PATH}/readonly"' in reply["WWW-Authenticate"]


def test_browser_clients_may_read_metadata_and_register_across_origins(server):
	"""Preflights of the metadata and of registration answer 204 with Access-Control-Allow-Origin."""
	origin = {"Origin": "https://inspector.example", "Access-Control-Request-Method": "POST"}
	for path in (
		f"{urls.PRM_PATH}{PATH}",
		urls.ASM_PATH,
		"/api/method/frappe_assistant_core.oauth.registration.register",
	):
		status, headers, _ = server.request(path, method="OPTIONS", headers=origin)
		assert status == 204, path
		# "*" from the app; newer Frappe's own CORS handling may echo the origin instead.
		assert headers.get("Access-Control-Allow-Origin") in ("*", origin["Origin"]), (path, headers)
