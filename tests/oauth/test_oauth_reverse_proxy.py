"""Behind a TLS-terminating reverse proxy on a non-default port, every URL the site publishes for
OAuth names the proxy's URL: the 401 challenge, the protected resource and authorization server
metadata (issuer and endpoints), the login redirect, and a real client's whole flow through it.

The proxy is Debian's nginx with its own configuration, pid and temp dir (tests/oauth/nginx.py),
TLS with a certificate of a throwaway CA that the clients are told to trust (tests/oauth/tls.py),
X-Forwarded-Proto and X-Forwarded-Host set by nginx. The site's host_name is not set.
"""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from tests.oauth import support
from tests.oauth.browser import Browser
from tests.oauth.nginx import reverse_proxy
from tests.oauth.test_conformance_authorization import run_conformance_authorization
from tests.oauth.test_mcp_remote import run_mcp_remote
from tests.oauth.test_ts_sdk_oauth import assert_connected_as, run_ts_oauth
from tests.oauth.tls import make_certificates

pytestmark = pytest.mark.slow

INITIALIZE = {
	"jsonrpc": "2.0",
	"id": 1,
	"method": "initialize",
	"params": {
		"protocolVersion": "2025-11-25",
		"capabilities": {},
		"clientInfo": {"name": "fac-proxy-test", "version": "1"},
	},
}


@pytest.fixture(scope="module")
def proxy(site, tmp_path_factory):
	"""(the proxy's https base URL, the CA file that signs its certificate)."""
	certificates = make_certificates(tmp_path_factory.mktemp("tls"))
	with reverse_proxy(site.url, certificates) as base:
		yield base, certificates.ca


def _challenge(base: str, ca) -> dict[str, str]:
	status, headers, body = support.fetch(base + support.MCP_PATH, ca=ca, method="POST", body=INITIALIZE)
	assert status == 401, (status, body[:500])
	return dict(re.findall(r'(\w+)="([^"]*)"', headers["www-authenticate"]))


def test_the_proxy_is_https_on_a_non_default_port(proxy):
	"""The setup this module claims: TLS the client verifies, a port other than 443."""
	base, ca = proxy
	parts = urllib.parse.urlsplit(base)
	assert parts.scheme == "https" and parts.port not in (None, 443)
	assert support.fetch(base + "/api/method/ping", ca=ca)[0] == 200


def test_challenge_names_the_proxy_url(proxy, site):
	base, ca = proxy
	challenge = _challenge(base, ca)
	assert challenge["resource_metadata"] == f"{base}/.well-known/oauth-protected-resource{support.MCP_PATH}"
	# The same request straight to the site names the site's own URL: the proxy's headers decide.
	direct = _challenge(site.url, None)
	assert direct["resource_metadata"].startswith(site.url + "/")


def test_protected_resource_metadata_names_the_proxy_url(proxy):
	base, ca = proxy
	status, headers, body = support.fetch(_challenge(base, ca)["resource_metadata"], ca=ca)
	assert status == 200 and headers["content-type"].startswith("application/json")
	document = json.loads(body)
	assert document["resource"] == base + support.MCP_PATH
	assert document["authorization_servers"] == [base]


def test_authorization_server_metadata_names_the_proxy_url(proxy):
	base, ca = proxy
	document = support.server_metadata(base, ca)
	assert document["issuer"] == base
	endpoints = {key: value for key, value in document.items() if key.endswith("_endpoint")}
	assert {"authorization_endpoint", "token_endpoint", "registration_endpoint"} <= set(endpoints)
	assert all(url.startswith(base + "/") for url in endpoints.values()), endpoints


def test_login_redirect_of_the_authorize_page_stays_on_the_proxy(proxy):
	"""A guest opening an MCP client's authorize URL is sent to the login page and back, on the
	proxy's URL."""
	base, ca = proxy
	authorize = support.server_metadata(base, ca)["authorization_endpoint"]
	redirect_uri = "http://127.0.0.1:43998/callback"
	client_id = support.register_public(base, ca, redirect_uri, "Proxy login redirect")
	query = urllib.parse.urlencode(
		{"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": "s"}
	)
	status, headers, _ = support.fetch(f"{authorize}?{query}", ca=ca)
	assert status in (302, 303), status
	login = urllib.parse.urljoin(base + "/", headers["location"])
	assert login.startswith(base + "/login?"), login
	back = urllib.parse.parse_qs(urllib.parse.urlsplit(login).query)["redirect-to"][0]
	assert urllib.parse.urljoin(base + "/", back).startswith(f"{authorize}?"), back


def test_every_page_of_login_and_consent_is_on_the_proxy(proxy):
	"""authorize -> login page -> login -> authorize -> consent -> approve: no hop leaves the proxy's
	URL until the last redirect, which goes to the client with the code."""
	base, ca = proxy
	user = support.person()
	redirect_uri = "http://127.0.0.1:43999/callback"
	client_id = support.register_public(base, ca, redirect_uri, "Proxy page walk")
	query = urllib.parse.urlencode(
		{
			"response_type": "code",
			"client_id": client_id,
			"redirect_uri": redirect_uri,
			"state": "walk",
			"scope": "mcp",
			"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
			"code_challenge_method": "S256",
		}
	)
	browser = Browser(user.email, user.password, ca=str(ca))
	landed = browser.authorize(f"{support.server_metadata(base, ca)['authorization_endpoint']}?{query}")
	assert landed.startswith(redirect_uri + "?") and "code=" in landed, landed
	assert any(url.startswith(f"{base}/login") for url in browser.visited), browser.visited
	assert all(url.startswith(base + "/") for url in browser.visited), browser.visited


def test_typescript_sdk_completes_the_flow_through_the_proxy(proxy):
	"""Discovery, registration, login, consent, token and tool calls all on the proxy's URL."""
	base, ca = proxy
	user = support.person()
	seen = run_ts_oauth(base + support.MCP_PATH, user, "dcr", ca=ca)
	assert_connected_as(seen, user.email, base)
	assert all(request["url"].startswith(base + "/") for request in seen["requests"]), seen["requests"]


def test_mcp_remote_completes_the_flow_through_the_proxy(proxy, tmp_path):
	"""The stdio bridge desktop clients use, against the https URL, trusting the proxy's CA."""
	base, ca = proxy
	user = support.person()
	run_mcp_remote(base + support.MCP_PATH, user, tmp_path, ca=ca)


def test_conformance_authorization_scenarios_pass_through_the_proxy(proxy, tmp_path):
	"""The suite's issuer check compares the metadata's issuer with the proxy's URL it fetched."""
	base, ca = proxy
	user = support.person()
	run_conformance_authorization(base, user, tmp_path, ca=ca)
