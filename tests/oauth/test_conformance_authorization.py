"""The official MCP conformance suite's authorization-server scenarios against Frappe's provider.

`conformance authorization` (the suite pinned in tests/interop/conformance, run on Node 24 from its
client environment) checks the authorization server metadata (RFC 8414: status, content type,
issuer equal to the URL it was fetched from, endpoints, S256, client_id_metadata_document_support)
and runs a whole authorization code grant with PKCE and the RFC 8707 resource parameter: it
listens on http://127.0.0.1:PORT/callback, prints the authorize URL for a person to open (here the
scripted browser logs in, allows and opens the callback), then exchanges the code and checks the
token response (JSON, access_token, token_type, Cache-Control: no-store, the iss parameter when
sent). The client it uses is registered through the site's Dynamic Client Registration first.

The suite's resource-server and client scenarios (auth/*) test MCP clients against the suite's own
authorization server; they have no server-side counterpart. This command takes no
expected-failures file: EXPECTED_FAILURES below plays that part, each check with its reason, and
an expected failure that passes fails the test, as the suite does with its baselines.
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest

from tests.oauth import support
from tests.support.server import free_port

pytestmark = pytest.mark.slow

#: check id -> why this server does not offer what it checks (none: every check must pass).
EXPECTED_FAILURES: dict[str, str] = {}
SCENARIOS = ("authorization-server-metadata-endpoint", "authorization-code-grant")


def test_conformance_authorization_server_scenarios_pass(site, tmp_path):
	run_conformance_authorization(site.url, support.person(), tmp_path)


def run_conformance_authorization(
	base: str, user: support.Person, folder: Path, ca: Path | None = None
) -> None:
	"""`conformance authorization` against the site at `base`, the scripted browser as its person;
	asserts every check passes but the expected failures."""
	home = support.environment("conformance")
	cli = home / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
	port = free_port()
	client_id = support.register_public(
		base, ca, f"http://127.0.0.1:{port}/callback", "MCP conformance suite"
	)
	process = subprocess.Popen(
		[
			support.node(),
			str(cli),
			"authorization",
			"--url",
			base,
			"--client-id",
			client_id,
			"--resource",
			base + support.MCP_PATH,
			"--port",
			str(port),
			"--output-dir",
			str(folder / "results"),
		],
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
		env={**user.browser_env(ca=ca), "NO_COLOR": "1", **({"NODE_EXTRA_CA_CERTS": str(ca)} if ca else {})},
		cwd=folder,
	)
	output: list[str] = []
	visits: list[subprocess.CompletedProcess] = []

	def read() -> None:
		for line in process.stdout:
			output.append(line)
			if line.startswith(base) and "response_type=code" in line:
				# The person the suite asks to open the URL: log in, allow, land on its callback.
				visits.append(
					subprocess.run(
						[*support.browser_command(), "--deliver", line.strip()],
						capture_output=True,
						text=True,
						timeout=120,
						env=user.browser_env(ca=ca),
					)
				)

	reader = threading.Thread(target=read, daemon=True)
	reader.start()
	try:
		process.wait(timeout=300)
	finally:
		if process.poll() is None:
			process.kill()
		reader.join(timeout=10)
	report = "".join(output)[-8000:]
	assert visits and visits[0].returncode == 0, (report, visits and visits[0].stderr[-2000:])
	checks = _checks(folder / "results")
	assert {check["scenario"] for check in checks} >= set(SCENARIOS), (checks, report)
	failing = {c["id"] for c in checks if c["status"] not in ("SUCCESS", "INFO")}
	assert failing == set(EXPECTED_FAILURES), (
		[c for c in checks if c["id"] in failing ^ set(EXPECTED_FAILURES)],
		report,
	)
	assert process.returncode == (1 if EXPECTED_FAILURES else 0), report


def _checks(folder) -> list[dict]:
	"""Every check of every scenario the suite wrote, with its scenario's name."""
	found = []
	for path in sorted(folder.rglob("checks.json")):
		scenario = next((name for name in SCENARIOS if name in str(path)), path.parent.name)
		found += [{**check, "scenario": scenario} for check in json.loads(path.read_text())]
	return found
