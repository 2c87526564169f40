"""The connect panel's configs work as copied: the Python SDK one, taken from the page's own module
(public/js/fac_admin/connect_guide.js, read by node), runs unchanged in the official SDK's own
environment against the served endpoint, with an API key in FRAPPE_TOKEN as the panel says.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.host import config
from tests.support.server import serve
from tests.support.site import api_credentials, make_user

REPO = config.REPO
GUIDE = REPO / "frappe_assistant_core" / "public" / "js" / "fac_admin" / "connect_guide.js"
SDK = config.STATE_DIR / "clients" / "py-mcp-2"
PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"


def _snippets(origin: str) -> dict[str, str]:
	"""{client id: config} exactly as the panel shows them for a page served from `origin`."""
	node = shutil.which("node")
	if not node:
		pytest.fail("node is needed: run tests/host/setup.sh")
	script = (
		"const g = require(process.argv[1]);"
		"const c = g.connectGuide({origin: process.argv[2], user: 'u', isSystemManager: true});"
		"console.log(JSON.stringify(Object.fromEntries(c.clients.map((x) => [x.id, x.snippet]))));"
	)
	done = subprocess.run(
		[node, "-e", script, str(GUIDE), origin], capture_output=True, text=True, check=True, timeout=60
	)
	return json.loads(done.stdout)


@pytest.mark.slow
def test_the_python_sdk_config_lists_the_users_tools_as_copied(tmp_path):
	"""The snippet names this site's endpoint and, run with the SDK, lists the user's tools."""
	if not (SDK / ".stamp").exists():
		pytest.skip(
			"client environment py-mcp-2 is missing: tests/host/setup.sh builds it, on the test host only"
		)
	token = api_credentials(make_user("fac-connect-config@example.com", ["Assistant User"]))
	with serve(workers=1) as server:
		snippet = _snippets(server.url)["python"]
		assert f'URL = "{server.url}{PATH}"' in snippet
		program = tmp_path / "frappe_mcp.py"
		program.write_text(snippet)
		done = subprocess.run(
			[str(SDK / "bin" / "python"), str(program)],
			capture_output=True,
			text=True,
			timeout=300,
			env={**os.environ, "FRAPPE_TOKEN": token},
			check=False,
		)
	assert done.returncode == 0, done.stderr[-3000:]
	count, _, names = done.stdout.strip().splitlines()[-1].partition(" tools: ")
	listed = set(names.split(", "))
	assert int(count) == len(listed) and {"document_get", "document_list"} <= listed, done.stdout
	assert "execute_python_code" not in listed, "the user's own tools, not a System Manager's"
