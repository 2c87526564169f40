"""Client ID Metadata Documents over real HTTPS: the client_id is the URL of the client's metadata.

The documents are served by the test on 127.0.0.1 with a certificate the site's processes trust
(SSL_CERT_FILE); loopback is not a public address, so the site is started with the test-only hook
tests/support/fetch_policy.py naming 127.0.0.1. The shipped address policy itself is tested in
tests/test_oauth_fetch.py without that hook.
"""

from __future__ import annotations

import frappe
import pytest

from frappe_assistant_core.oauth import cimd
from tests.support import oauth_flow as flow
from tests.support.tls_documents import DocumentServer

USER = "fac-oauth-cimd@example.com"
LOOPBACK = "http://127.0.0.1:45678/callback"


@pytest.fixture(scope="module")
def documents():
	with DocumentServer() as documents:
		yield documents


@pytest.fixture(scope="module")
def server(documents):
	flow.make_login_user(USER, ["System Manager"])
	with flow.serve_fetching_from(documents, workers=1) as server:
		yield server


@pytest.fixture
def browser(server):
	return flow.logged_in(server.url, USER)


def publish(documents, path: str, **overrides) -> str:
	url = documents.url(path)
	documents.documents[path] = {
		"client_id": url,
		"client_name": "Metadata Client",
		"redirect_uris": [LOOPBACK],
		"token_endpoint_auth_method": "none",
		**overrides,
	}
	return url


def test_metadata_document_client_connects_without_registering(server, documents, browser):
	"""authorize with the document's URL as client_id -> consent -> token -> tools/list."""
	assert flow.server_metadata(server.url)["client_id_metadata_document_supported"] is True
	client = flow.Client(publish(documents, "/clients/good.json"), LOOPBACK)
	token = flow.token_for(server.url, browser, client)
	assert frappe.db.get_value("OAuth Client", client.client_id, "app_name") == "Metadata Client"
	reply = flow.mcp_call(server.url, token["access_token"], "tools/list")
	assert reply.status == 200, reply.body[:300]
	# Fetched once, then served from the cache for the next authorization.
	flow.token_for(server.url, browser, client)
	assert documents.hits["/clients/good.json"] == 1


def test_new_metadata_client_must_use_s256_pkce_on_its_first_authorization(server, documents, browser):
	"""The request that makes the client already requires PKCE S256 of it."""
	client = flow.Client(publish(documents, "/clients/no-pkce.json"), LOOPBACK)
	reply = flow.authorize_code(browser, flow.authorization_url(server.url, client, None))
	assert reply.status == 400 and reply.json()["error"] == "invalid_request", reply.body[:300]
	assert "code" not in reply.query()


def test_document_whose_client_id_is_another_url_is_refused(server, documents, browser):
	url = publish(documents, "/clients/liar.json", client_id="https://127.0.0.1/someone-else.json")
	reply = flow.authorize_code(
		browser, flow.authorization_url(server.url, flow.Client(url, LOOPBACK), flow.pkce_pair()[1])
	)
	assert reply.status == 400 and reply.json()["error"] == "invalid_client", reply.body[:300]
	assert "client_id" in reply.json()["error_description"]
	assert not frappe.db.exists("OAuth Client", url)


def test_document_with_a_non_loopback_http_redirect_or_a_secret_is_refused(server, documents, browser):
	cases = {
		"/clients/http.json": {"redirect_uris": ["http://evil.example/callback"]},
		"/clients/secret.json": {"token_endpoint_auth_method": "client_secret_basic"},
		"/clients/none.json": {"redirect_uris": []},
	}
	for path, overrides in cases.items():
		url = publish(documents, path, **overrides)
		reply = flow.authorize_code(
			browser, flow.authorization_url(server.url, flow.Client(url, LOOPBACK), flow.pkce_pair()[1])
		)
		assert reply.status == 400 and reply.json()["error"] == "invalid_client", (path, reply.body[:300])
		assert not frappe.db.exists("OAuth Client", url), path


def test_unreachable_document_is_refused(server, documents, browser):
	url = documents.url("/clients/missing.json")
	reply = flow.authorize_code(
		browser, flow.authorization_url(server.url, flow.Client(url, LOOPBACK), flow.pkce_pair()[1])
	)
	assert reply.status == 400 and "404" in reply.json()["error_description"], reply.body[:300]


def test_switched_off_metadata_documents_are_not_fetched(server, documents, browser):
	url = publish(documents, "/clients/off.json")
	settings = frappe.get_single("Assistant Core Settings")
	settings.oauth_client_metadata_documents = 0
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	try:
		assert flow.server_metadata(server.url)["client_id_metadata_document_supported"] is False
		reply = flow.authorize_code(
			browser, flow.authorization_url(server.url, flow.Client(url, LOOPBACK), flow.pkce_pair()[1])
		)
		assert reply.status == 400, reply.body[:300]
		assert documents.hits["/clients/off.json"] == 0
	finally:
		settings = frappe.get_single("Assistant Core Settings")
		settings.oauth_client_metadata_documents = 1
		settings.save(ignore_permissions=True)
		frappe.db.commit()


def test_metadata_client_id_shape():
	assert cimd.is_metadata_client_id("https://app.example/client.json")
	for value in ("abc123", "http://app.example/client.json", "https://", None, 5):
		assert not cimd.is_metadata_client_id(value), value
