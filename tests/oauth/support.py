"""Helpers of the OAuth end-to-end tests: users who log in on the site's pages, the client
environments (.host/clients, made by tests/host/setup.sh), the scripted browser as a command, and
plain HTTP(S) requests that trust a test CA. Test-only.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.host import config
from tests.support import oauth_flow

CLIENTS = config.STATE_DIR / "clients"
HERE = Path(__file__).parent
BROWSER = HERE / "browser.py"
# One user for every test here: Frappe refuses more than 60 new users an hour on a site, and the
# suite makes many.
USER = "fac-oauth-e2e@example.com"
MCP_PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"


@dataclass(frozen=True)
class Person:
	"""A user of the site, and the environment that lets the scripted browser log in as them."""

	email: str
	password: str

	def browser_env(self, ca: Path | None = None, deny: bool = False) -> dict[str, str]:
		env = {**os.environ, "FAC_OAUTH_USER": self.email, "FAC_OAUTH_PASSWORD": self.password}
		if ca:
			env["FAC_OAUTH_CA"] = str(ca)
		if deny:
			env["FAC_OAUTH_DENY"] = "1"
		return env


def person(email: str = USER, roles: tuple[str, ...] = ("System Manager",)) -> Person:
	"""A System User with `roles` who logs in with oauth_flow.PASSWORD (committed)."""
	return Person(oauth_flow.make_login_user(email, roles), oauth_flow.PASSWORD)


def environment(name: str) -> Path:
	path = CLIENTS / name
	if not (path / ".stamp").exists():
		pytest.skip(
			f"client environment {name} is missing: tests/host/setup.sh builds it, on the test host only"
		)
	return path


def node() -> str:
	environment("node")
	return (CLIENTS / "node.path").read_text().strip()


def browser_command() -> list[str]:
	"""The scripted browser as a command (it needs only the standard library)."""
	return [sys.executable, str(BROWSER)]


def fetch(
	url: str, *, ca: Path | None = None, method: str = "GET", body=None, headers: dict | None = None
) -> tuple[int, dict, bytes]:
	"""(status, lower-cased headers, body) of one request, trusting `ca` for https; no redirects."""
	data = json.dumps(body).encode() if body is not None else None
	headers = {"Accept": "application/json, text/event-stream", **(headers or {})}
	if data is not None:
		headers.setdefault("Content-Type", "application/json")
	opener = urllib.request.build_opener(
		urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(ca)) if ca else None),
		_NoRedirect(),
	)
	try:
		with opener.open(
			urllib.request.Request(url, data=data, method=method, headers=headers), timeout=60
		) as r:
			return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
	except urllib.error.HTTPError as err:
		return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
	def redirect_request(self, *args, **kwargs):
		return None


def server_metadata(base: str, ca: Path | None = None) -> dict:
	"""The authorization server metadata of the site at `base`, as a client discovers it."""
	status, _, body = fetch(base + "/.well-known/oauth-authorization-server", ca=ca)
	assert status == 200, body[:500]
	return json.loads(body)


def register_public(base: str, ca: Path | None, redirect_uri: str, name: str) -> str:
	"""The client_id the site's Dynamic Client Registration gives a public client."""
	status, _, body = fetch(
		server_metadata(base, ca)["registration_endpoint"],
		ca=ca,
		method="POST",
		body={"redirect_uris": [redirect_uri], "client_name": name, "token_endpoint_auth_method": "none"},
	)
	assert status == 201, body[:500]
	return json.loads(body)["client_id"]


def run_json(
	command: list[str], *, env: dict | None = None, cwd: Path | None = None, timeout: int = 240
) -> dict:
	"""The JSON a client script printed last; fails the test with its output when it failed."""
	done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
	assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-5000:])
	return json.loads(done.stdout.strip().splitlines()[-1])
