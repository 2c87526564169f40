"""The OAuth rules as plain functions: redirect URIs, scopes, public URLs, registration dialects."""

from __future__ import annotations

import frappe
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from frappe_assistant_core.oauth import redirects, registration, scopes, urls


def test_redirect_uris_are_https_loopback_http_or_a_native_scheme():
	for uri in (
		"https://claude.ai/api/mcp/auth_callback",
		"http://127.0.0.1:33418/callback",
		"http://localhost/callback",
		"http://[::1]:8080/cb",
		"cursor://anysphere.cursor-retrieval/oauth/callback",
	):
		assert redirects.problem(uri) is None, uri
	for uri in (
		"http://example.com/callback",
		"http://127.0.0.1.evil.example/cb",
		"https://example.com/cb#x",
		"https://user@example.com/cb",
		"javascript:alert(1)",
		"data:text/html,x",
		"file:///etc/passwd",
		"https://",
		" https://example.com/cb",
		"https://example.com/a b",
		42,
		None,
	):
		assert redirects.problem(uri) is not None, uri


def test_loopback_redirects_match_in_any_port_and_nothing_else_does():
	registered = ["http://127.0.0.1:43123/callback", "https://app.example/cb"]
	assert redirects.matches(registered, "http://127.0.0.1:50000/callback")
	assert redirects.matches(registered, "http://127.0.0.1/callback")
	assert redirects.matches(registered, "https://app.example/cb")
	for uri in (
		"http://127.0.0.1:50000/other",
		"http://localhost:43123/callback",
		"https://app.example:8443/cb",
		"https://app.example/cb/",
		"http://127.0.0.1:50000/callback?x=1",
		None,
	):
		assert not redirects.matches(registered, uri), uri


def test_scopes_rank_tools_by_category():
	assert scopes.reaches((scopes.READ,), "read_only")
	assert not scopes.reaches((scopes.READ,), "write")
	assert scopes.reaches((scopes.WRITE,), "read_write") and not scopes.reaches((scopes.WRITE,), "privileged")
	assert scopes.reaches((scopes.MCP,), "privileged") and scopes.reaches((scopes.PRIVILEGED,), "read_only")
	assert not scopes.reaches(("openid", "all"), "read_only")
	# A tool of no known category counts as privileged.
	assert scopes.needed_for(None) == scopes.PRIVILEGED and not scopes.reaches((scopes.WRITE,), None)
	assert scopes.mcp_rank(scopes.parse("openid mcp:read  mcp:read")) == 0
	assert "offline_access" not in scopes.ALL


@pytest.fixture
def request_with(monkeypatch):
	def install(headers: dict, host_name: str | None = None, base: str = "http://127.0.0.1:8000/"):
		request = Request(EnvironBuilder(path="/x", base_url=base, headers=headers).get_environ())
		monkeypatch.setattr(frappe.local, "request", request, raising=False)
		monkeypatch.setitem(frappe.local.conf, "host_name", host_name)

	return install


def test_public_base_url_behind_a_tls_proxy_on_another_port(request_with):
	request_with({})
	assert urls.public_base_url() == "http://127.0.0.1:8000"
	request_with({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "erp.example:8443"})
	assert urls.public_base_url() == "https://erp.example:8443"
	request_with({"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "erp.example, inner"})
	assert urls.public_base_url() == "https://erp.example"
	request_with(
		{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "erp.example", "X-Forwarded-Port": "8443"}
	)
	assert urls.public_base_url() == "https://erp.example:8443"
	request_with({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "erp.example", "X-Forwarded-Port": "443"})
	assert urls.public_base_url() == "https://erp.example"
	request_with({"X-Forwarded-Host": 'a"b', "X-Forwarded-Proto": "javascript"})
	assert urls.public_base_url() == "http://127.0.0.1:8000"
	assert urls.resource_metadata_url() == f"http://127.0.0.1:8000{urls.PRM_PATH}{urls.MCP_PATH}"


def test_host_name_config_wins_over_the_request(request_with):
	request_with(
		{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "spoofed.example"}, "https://erp.example:9443/"
	)
	assert urls.issuer() == "https://erp.example:9443"
	request_with({"X-Forwarded-Proto": "https"}, "erp.example")
	assert urls.issuer() == "https://erp.example"


def test_registration_accepts_the_dialects_clients_send():
	"""String for list, missing name and method, unknown fields, application_type native."""
	parsed, kind = registration.parse(
		{
			"redirect_uris": "http://127.0.0.1:5678/cb https://n8n.example/rest/oauth2-credential/callback",
			"unknown": {"x": 1},
		}
	)
	assert parsed.redirect_uris == (
		"http://127.0.0.1:5678/cb",
		"https://n8n.example/rest/oauth2-credential/callback",
	)
	assert (
		parsed.auth_method == "client_secret_basic"
		and parsed.client_name.startswith("MCP client")
		and kind == "web"
	)
	parsed, kind = registration.parse(
		{
			"redirect_uris": ["http://localhost:3000/oauth/callback"],
			"client_name": "Open WebUI",
			"grant_types": "authorization_code",
			"response_types": ["code"],
			"token_endpoint_auth_method": "none",
			"application_type": "native",
			"scope": ["mcp", "offline_access"],
		}
	)
	assert (parsed.client_name, parsed.auth_method, kind) == ("Open WebUI", "none", "native")
	for body, error in (
		({}, "invalid_redirect_uri"),
		({"redirect_uris": ["http://evil.example/cb"]}, "invalid_redirect_uri"),
		(
			{"redirect_uris": ["https://a.example/cb"], "grant_types": ["client_credentials"]},
			"invalid_client_metadata",
		),
		({"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]}, "invalid_client_metadata"),
		(
			{"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"},
			"invalid_client_metadata",
		),
	):
		with pytest.raises(registration.RegistrationError) as caught:
			registration.parse(body)
		assert caught.value.error == error, body
