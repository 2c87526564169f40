"""The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
tests/interop/conformance) against the served endpoint, for each revision's frozen requirement set.

The suite runs on Node 24 from its own environment (.host/clients, made by tests/host/setup.sh).
It cannot send credentials, so it talks to the endpoint through a proxy that adds an API key and
changes nothing else. tests/interop/conformance/expected-failures.yml lists the scenarios of
features this server deliberately does not offer, each with its reason; the suite itself fails
the run on any other failure, and on an expected failure that passes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.host import config
from tests.support.auth_proxy import signing_proxy
from tests.support.server import serve
from tests.support.site import api_credentials, make_user

PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
INTEROP = Path(__file__).parent / "interop"
CLIENTS = config.STATE_DIR / "clients"
EXPECTED_FAILURES = INTEROP / "conformance" / "expected-failures.yml"


def node() -> str:
	path = CLIENTS / "node.path"
	if not path.exists():
		pytest.skip(
			"the MCP client environments are missing: tests/host/setup.sh builds them, on the test host only"
		)
	return path.read_text().strip()


@pytest.fixture(scope="module")
def endpoint():
	"""The endpoint URL behind a signing proxy, for a System Manager with an API key."""
	token = api_credentials(make_user("fac-mcp-conformance@example.com", ["System Manager"]))
	with serve(workers=2) as server, signing_proxy(server.url, token) as proxy:
		yield proxy + PATH


@pytest.mark.slow
@pytest.mark.parametrize("revision", ["2026-07-28", "2025-11-25"])
def test_official_conformance_suite_passes_every_required_scenario(endpoint, revision, tmp_path):
	baseline = tmp_path / "expected-failures.yml"
	extra = EXPECTED_FAILURES.with_name(f"expected-failures-{revision}.yml")
	baseline.write_text(EXPECTED_FAILURES.read_text() + (extra.read_text() if extra.exists() else ""))
	cli = (
		CLIENTS
		/ "conformance"
		/ "node_modules"
		/ "@modelcontextprotocol"
		/ "conformance"
		/ "dist"
		/ "index.js"
	)
	done = subprocess.run(
		[
			node(),
			str(cli),
			"server",
			"--url",
			endpoint,
			"--requirements",
			revision,
			"--expected-failures",
			str(baseline),
			"--output-dir",
			str(tmp_path),
		],
		capture_output=True,
		text=True,
		timeout=900,
		env={**os.environ, "NO_COLOR": "1"},
		cwd=tmp_path,
	)
	report = done.stdout[-12000:] + done.stderr[-4000:]
	assert done.returncode == 0, report
