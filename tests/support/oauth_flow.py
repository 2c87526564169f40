"""A scripted OAuth 2.1 client for tests: registration, login, Frappe's consent page, PKCE, tokens.

Drives the site's real endpoints over HTTP as a browser and a client would, with no shortcut
around the authorization server: `Browser` keeps the session cookie and never follows a redirect
off the site (the code arrives on the client's redirect URI, read from the Location header).
`authorize_code()` runs authorize -> (login) -> consent -> approve and returns the redirect it ends
in; `exchange()` posts to the token endpoint. oauth-e2e's tests reuse these pieces.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.cookiejar
import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import frappe
from frappe.utils.password import update_password

from frappe_assistant_core.oauth import urls
from tests.support.site import make_user

PASSWORD = "Fac-OAuth-test-1!"
_CONSENT_URL = re.compile(r'window\.location\.replace\("([^"]*)"\)')


def make_login_user(email: str, roles: list[str] | tuple[str, ...] = ("System Manager",)) -> str:
	"""A System User with `roles` who logs in with PASSWORD (committed)."""
	make_user(email, roles)
	update_password(email, PASSWORD)
	frappe.db.commit()
	return email


def serve_fetching_from(documents, workers: int = 1):
	"""The site served (tests.support.server.serve) so that it trusts the certificate of the test's
	DocumentServer and may fetch from 127.0.0.1 (the test-only tests/support/fetch_policy.py)."""
	import os

	import pytest

	from tests.support import fetch_policy
	from tests.support.server import serve

	if os.environ.get("FAC_TEST_URL"):
		pytest.skip("needs a site process started with the test-only fetch policy (docs/oauth.md#tests)")
	return serve(
		workers=workers, env={fetch_policy.ENV: "127.0.0.1", "SSL_CERT_FILE": str(documents.ca_file)}
	)


def logged_in(base: str, email: str) -> Browser:
	browser = Browser(base)
	browser.login(email)
	return browser


def server_metadata(base: str) -> dict:
	"""The site's RFC 8414 metadata, as a client discovers it."""
	with urllib.request.urlopen(base + urls.ASM_PATH, timeout=60) as resp:
		return json.loads(resp.read())


def pkce_pair() -> tuple[str, str]:
	"""(code_verifier, S256 code_challenge)."""
	verifier = secrets.token_urlsafe(48)
	digest = hashlib.sha256(verifier.encode()).digest()
	return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Reply:
	status: int
	headers: dict
	body: bytes

	def json(self):
		return json.loads(self.body or b"{}")

	@property
	def location(self) -> str:
		return self.headers.get("location", "")

	def query(self) -> dict[str, str]:
		"""The query of the Location header (a redirect's code, state or error)."""
		return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.location).query))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
	def redirect_request(self, *args, **kwargs):
		return None


@dataclass
class Browser:
	"""A user agent with a cookie jar, talking to the site at `base`; redirects are not followed."""

	base: str
	jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

	def __post_init__(self):
		self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

	def request(
		self, url: str, *, method: str = "GET", data: dict | None = None, headers: dict | None = None
	) -> Reply:
		if url.startswith("/"):
			url = self.base + url
		body = urllib.parse.urlencode(data).encode() if data is not None else None
		req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
		try:
			with self._opener.open(req, timeout=60) as resp:
				return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
		except urllib.error.HTTPError as err:
			return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())

	def login(self, email: str, password: str = PASSWORD) -> None:
		reply = self.request("/api/method/login", method="POST", data={"usr": email, "pwd": password})
		assert reply.status == 200, reply.body[:500]

	def follow_on_site(self, reply: Reply, limit: int = 10) -> Reply:
		"""Follow redirects while they stay on the site; the first one leaving it is returned."""
		for _ in range(limit):
			if reply.status not in (301, 302, 303, 307, 308):
				return reply
			target = urllib.parse.urljoin(self.base + "/", reply.location)
			if not target.startswith(self.base + "/"):
				return reply
			reply = self.request(target)
		return reply


@dataclass
class Client:
	"""A registered client: its id, the redirect URI it uses and its secret (None: public)."""

	client_id: str
	redirect_uri: str
	secret: str | None = None


def register(base: str, redirect_uris: list[str], **metadata) -> Reply:
	"""POST a Dynamic Client Registration request (JSON) to the site's registration endpoint."""
	body = json.dumps({"redirect_uris": redirect_uris, **metadata}).encode()
	req = urllib.request.Request(
		server_metadata(base)["registration_endpoint"],
		data=body,
		method="POST",
		headers={"Content-Type": "application/json"},
	)
	try:
		with urllib.request.urlopen(req, timeout=60) as resp:
			return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
	except urllib.error.HTTPError as err:
		return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def register_public(base: str, redirect_uri: str, name: str = "Test MCP client") -> Client:
	reply = register(base, [redirect_uri], client_name=name, token_endpoint_auth_method="none")
	assert reply.status == 201, reply.body[:500]
	return Client(reply.json()["client_id"], redirect_uri)


def authorization_url(
	base: str,
	client: Client,
	challenge: str | None,
	*,
	scope: str = "mcp",
	state: str = "st4te",
	method: str | None = "S256",
	**extra,
) -> str:
	params = {
		"response_type": "code",
		"client_id": client.client_id,
		"redirect_uri": client.redirect_uri,
		"state": state,
	}
	if scope:
		params["scope"] = scope
	if challenge is not None:
		params["code_challenge"] = challenge
		if method:
			params["code_challenge_method"] = method
	params.update(extra)
	return (
		urls.MCP_PATH
		and f"{base}/api/method/frappe.integrations.oauth2.authorize?" + urllib.parse.urlencode(params)
	)


def consent_links(page: Reply) -> tuple[str, str]:
	"""(allow URL, deny URL) of Frappe's consent page."""
	found = [html.unescape(url) for url in _CONSENT_URL.findall(page.body.decode(errors="replace"))]
	assert len(found) == 2, page.body[:2000]
	return found[0], found[1]


def authorize_code(browser: Browser, url: str, *, allow: bool = True) -> Reply:
	"""Open the authorize URL as the logged-in browser, answer the consent page, return the redirect
	that leaves the site (to the client's redirect URI), or the page where the flow stopped."""
	reply = browser.follow_on_site(browser.request(url))
	if reply.status != 200 or b"window.location.replace" not in reply.body:
		return reply
	allow_url, deny_url = consent_links(reply)
	target = allow_url if allow else deny_url
	if not target.startswith("/"):
		return Reply(302, {"location": target}, b"")
	return browser.follow_on_site(browser.request(target))


def exchange(base: str, client: Client, code: str, verifier: str | None, **extra) -> Reply:
	"""POST the authorization code to the token endpoint (form-encoded, client_id in the body)."""
	data = {
		"grant_type": "authorization_code",
		"code": code,
		"redirect_uri": client.redirect_uri,
		"client_id": client.client_id,
	}
	if verifier is not None:
		data["code_verifier"] = verifier
	if client.secret:
		data["client_secret"] = client.secret
	data.update(extra)
	return Browser(base).request(server_metadata(base)["token_endpoint"], method="POST", data=data)


def token_for(base: str, browser: Browser, client: Client, scope: str = "mcp") -> dict:
	"""A token response for `client` as the browser's user, through the whole flow."""
	verifier, challenge = pkce_pair()
	reply = authorize_code(browser, authorization_url(base, client, challenge, scope=scope))
	assert reply.status == 302 and "code" in reply.query(), (reply.status, reply.location, reply.body[:1000])
	token = exchange(base, client, reply.query()["code"], verifier)
	assert token.status == 200, token.body[:500]
	return token.json()


def mcp_call(
	base: str, access_token: str, method: str, params: dict | None = None, path: str = urls.MCP_PATH
) -> Reply:
	"""One JSON-RPC request to the MCP endpoint with the bearer token."""
	message = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}
	req = urllib.request.Request(
		base + path,
		data=json.dumps(message).encode(),
		method="POST",
		headers={
			"Authorization": f"Bearer {access_token}",
			"Content-Type": "application/json",
			"Accept": "application/json, text/event-stream",
			"MCP-Protocol-Version": "2025-11-25",
		},
	)
	try:
		with urllib.request.urlopen(req, timeout=60) as resp:
			return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
	except urllib.error.HTTPError as err:
		return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())
