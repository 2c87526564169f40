"""The official TypeScript SDK's OAuth client provider connects with nothing but the endpoint URL.

tests/oauth/clients/ts_oauth.mjs runs in the ts-sdk client environment (newest TypeScript SDK 1.x):
the SDK meets the endpoint's 401, reads the protected resource and authorization server metadata,
registers (Dynamic Client Registration) or names its Client ID Metadata Document, sends the user to
Frappe's authorize URL, where the scripted browser (tests/oauth/browser.py) logs in on the login
page and allows on the consent page, exchanges the code with its PKCE verifier, then lists and
calls tools as that user. The Client ID Metadata Document is served by the test over https on
127.0.0.1 (tests/support/tls_documents.py); the site's processes trust its certificate and may
fetch from loopback through the test-only hook tests/support/fetch_policy.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frappe
import pytest

from tests.oauth import support
from tests.support import oauth_flow
from tests.support.server import free_port
from tests.support.tls_documents import DocumentServer

SCRIPT = support.HERE / "clients" / "ts_oauth.mjs"
CIMD_PATH = "/clients/fac-ts-sdk.json"


@pytest.fixture(scope="module")
def documents():
	with DocumentServer() as documents:
		yield documents


@pytest.fixture(scope="module")
def site(documents):
	"""The site on two workers, able to fetch the test's metadata documents."""
	with oauth_flow.serve_fetching_from(documents, workers=2) as server:
		yield server


def run_ts_oauth(
	url: str, user: support.Person, mode: str, *, ca: Path | None = None, cimd: str = ""
) -> dict:
	"""What the TypeScript SDK saw connecting to `url` as `user` (mode dcr or cimd)."""
	home = support.environment("ts-sdk")
	shutil.copy(SCRIPT, home / SCRIPT.name)
	env = user.browser_env(ca=ca)
	if ca:
		env["NODE_EXTRA_CA_CERTS"] = str(ca)
	redirect = f"http://127.0.0.1:{free_port()}/callback"
	command = [support.node(), str(home / SCRIPT.name), url, mode, *support.browser_command(), redirect]
	return support.run_json([*command, *([cimd] if cimd else [])], env=env, cwd=home)


def assert_connected_as(seen: dict, email: str, base: str) -> None:
	"""The flow went through the site's metadata and authorize page, and the session is `email`'s."""
	assert seen["firstAttempt"] == "unauthorized"
	assert "resource_metadata=" in seen["challenge"], seen["challenge"]
	assert seen["authorizeUrl"].startswith(base + "/"), seen["authorizeUrl"]
	assert "code_challenge_method=S256" in seen["authorizeUrl"]
	assert seen["tokenType"].lower() == "bearer"
	assert {"test_echo", "document_get"} <= set(seen["tools"])
	assert seen["echo"]["isError"] is False
	assert seen["echo"]["structured"]["user"] == email
	assert json.loads(seen["echo"]["text"])["echo"] == "from typescript oauth"


@pytest.mark.slow
@pytest.mark.postgres
def test_typescript_sdk_registers_dynamically_logs_in_and_calls_a_tool(site):
	"""Dynamic Client Registration: a new public OAuth Client, then the user's token."""
	user = support.person()
	seen = run_ts_oauth(site.url + support.MCP_PATH, user, "dcr")
	assert_connected_as(seen, user.email, site.url)
	assert seen["registered"] is True
	frappe.db.rollback()
	client = frappe.db.get_value("OAuth Client", seen["clientId"], ["app_name", "user"], as_dict=True)
	assert client and client.app_name == "FAC TypeScript SDK OAuth test", client
	token = frappe.db.get_value(
		"OAuth Bearer Token",
		{"access_token": seen["accessToken"]},
		["user", "client", "status"],
		as_dict=True,
	)
	assert (token.user, token.client, token.status) == (user.email, seen["clientId"], "Active")


@pytest.mark.slow
def test_typescript_sdk_with_a_client_id_metadata_document_logs_in_and_calls_a_tool(site, documents):
	"""The client_id is the document's URL: no registration, the site fetches the document."""
	user = support.person()
	url = documents.url(CIMD_PATH)
	documents.documents[CIMD_PATH] = {
		"client_id": url,
		"client_name": "FAC TypeScript SDK metadata document",
		"redirect_uris": ["http://127.0.0.1:3000/callback"],
		"grant_types": ["authorization_code", "refresh_token"],
		"response_types": ["code"],
		"token_endpoint_auth_method": "none",
	}
	seen = run_ts_oauth(site.url + support.MCP_PATH, user, "cimd", cimd=url)
	assert_connected_as(seen, user.email, site.url)
	assert seen["registered"] is False and seen["clientId"] == url
	assert not any("registration" in request["url"] for request in seen["requests"]), seen["requests"]
	assert documents.hits[CIMD_PATH] >= 1
	frappe.db.rollback()
	token = frappe.db.get_value(
		"OAuth Bearer Token", {"access_token": seen["accessToken"]}, ["user", "client"], as_dict=True
	)
	assert (token.user, token.client) == (user.email, url)
	assert frappe.db.get_value("OAuth Client", url, "app_name") == "FAC TypeScript SDK metadata document"
