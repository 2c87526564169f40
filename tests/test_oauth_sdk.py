"""The official Python MCP SDK's OAuth client provider completes the flow on Frappe's provider.

Once with Dynamic Client Registration and once with a Client ID Metadata Document served by the
test over HTTPS on 127.0.0.1 (the site trusts its certificate through SSL_CERT_FILE and admits
that address through the test-only tests/support/fetch_policy.py hook). The SDK starts from the
endpoint URL alone: 401 -> protected resource metadata -> authorization server metadata ->
registration -> Frappe's login and consent (played by the client script) -> PKCE token exchange
-> tools/list and tools/call as the user.
"""

from __future__ import annotations

import frappe
import pytest

from frappe_assistant_core.oauth import urls
from tests.support import oauth_flow as flow
from tests.support.tls_documents import DocumentServer
from tests.test_mcp_interop import SCRIPTS, _environment, _run

USER = "fac-oauth-sdk@example.com"
REDIRECT_URI = "http://127.0.0.1:47391/callback"  # the client script's


@pytest.fixture(scope="module")
def documents():
	with DocumentServer() as documents:
		yield documents


@pytest.fixture(scope="module")
def server(documents):
	flow.make_login_user(USER, ["System Manager"])
	with flow.serve_fetching_from(documents, workers=2) as server:
		yield server


def run_client(server, mode: str, cimd_url: str | None = None) -> dict:
	python = _environment("py-mcp-1") / "bin" / "python"
	command = [
		str(python),
		str(SCRIPTS / "py_oauth_client.py"),
		server.url + urls.MCP_PATH,
		USER,
		flow.PASSWORD,
		mode,
	]
	return _run([*command, *([cimd_url] if cimd_url else [])])


@pytest.mark.slow
def test_python_sdk_registers_dynamically_and_calls_tools(server):
	seen = run_client(server, "dcr")
	assert "document_list" in seen["tools"] and seen["callIsError"] is False, seen
	assert "code_challenge_method=S256" in seen["authorizationUrl"]
	assert frappe.db.get_value("OAuth Client", seen["client_id"], "app_name") == "Python SDK test client"
	assert frappe.db.exists(
		"OAuth Bearer Token", {"client": seen["client_id"], "user": USER, "status": "Active"}
	)


@pytest.mark.slow
def test_python_sdk_uses_a_client_id_metadata_document(server, documents):
	url = documents.url("/sdk/client.json")
	documents.documents["/sdk/client.json"] = {
		"client_id": url,
		"client_name": "Python SDK via CIMD",
		"redirect_uris": [REDIRECT_URI],
		"grant_types": ["authorization_code", "refresh_token"],
		"response_types": ["code"],
		"token_endpoint_auth_method": "none",
	}
	seen = run_client(server, "cimd", url)
	assert seen["client_id"] == url, seen
	assert "document_list" in seen["tools"] and seen["callIsError"] is False, seen
	assert documents.hits["/sdk/client.json"] >= 1
	assert frappe.db.get_value("OAuth Client", url, "app_name") == "Python SDK via CIMD"
