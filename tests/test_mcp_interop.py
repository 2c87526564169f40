"""Interoperability: official MCP SDK clients, each in its own environment, against the served endpoint.

Python `mcp` newest 1.x and 2.x (auto: 2026-07-28 after server/discover; legacy: initialize),
the first Streamable HTTP releases of both SDKs (Python mcp 1.8, TypeScript SDK 1.10, which ask
for 2024-11-05), and the newest TypeScript SDK 1.x. The environments are pinned by files under
tests/interop and installed by tests/host/setup.sh under .host/clients; nothing here imports a
client. Each client connects with an API key, lists, calls, gets isError for bad arguments and
-32602 for an unknown tool, and reports what it saw as JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from frappe_assistant_core.wire.jsonrpc import INVALID_PARAMS
from tests.host import config
from tests.support.server import serve
from tests.support.site import api_credentials, make_user

PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
CLIENTS = config.STATE_DIR / "clients"
SCRIPTS = Path(__file__).parent / "interop" / "clients"

# (client id, environment, extra argument, protocol version it must end up speaking)
PYTHON_CLIENTS = [
	("python-mcp-2-auto", "py-mcp-2", "auto", "2026-07-28"),
	("python-mcp-2-legacy", "py-mcp-2", "legacy", "2025-11-25"),
	("python-mcp-1-newest", "py-mcp-1", None, "2025-11-25"),
	("python-mcp-1.8", "py-mcp-1.8", None, "2024-11-05"),
]
TS_CLIENTS = [("ts-sdk-newest", "ts-sdk", "2025-11-25"), ("ts-sdk-1.10", "ts-sdk-1.10", "2024-11-05")]


@pytest.fixture(scope="module")
def endpoint():
	"""(endpoint URL, key:secret) of a System Manager, on two gunicorn workers."""
	token = api_credentials(make_user("fac-mcp-interop@example.com", ["System Manager"]))
	with serve(workers=2) as server:
		yield server.url + PATH, token


def _environment(name: str) -> Path:
	path = CLIENTS / name
	if not (path / ".stamp").exists():
		pytest.skip(
			f"client environment {name} is missing: tests/host/setup.sh builds it, on the test host only"
		)
	return path


def _run(command: list[str], cwd: Path | None = None) -> dict:
	done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)
	assert done.returncode == 0, done.stderr[-4000:]
	return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_session(seen: dict, version: str) -> None:
	assert seen["protocolVersion"] == version, seen
	assert {"test_echo", "test_create_todo", "document_get"} <= set(seen["tools"])
	if version >= "2025-03-26":  # (a 2024-11-05 client that sends no version header is served 2025-03-26)
		assert seen["titles"] is True
	echo = seen["echo"]
	assert echo["isError"] is False and json.loads(echo["text"])["echo"].startswith("from ")
	if version >= "2025-06-18":
		assert echo["structured"]["user"] == "fac-mcp-interop@example.com"
	else:
		assert not echo["structured"]
	assert seen["bad"]["isError"] is True and "wrong" in seen["bad"]["text"]
	assert seen["unknownCode"] == INVALID_PARAMS


@pytest.mark.slow
@pytest.mark.parametrize(
	("client", "env", "mode", "version"), PYTHON_CLIENTS, ids=[c[0] for c in PYTHON_CLIENTS]
)
def test_python_sdk_client(endpoint, client, env, mode, version):
	url, token = endpoint
	python = _environment(env) / "bin" / "python"
	seen = _run([str(python), str(SCRIPTS / "py_client.py"), url, token, *([mode] if mode else [])])
	_assert_session(seen, version)


@pytest.mark.slow
@pytest.mark.parametrize(("client", "env", "version"), TS_CLIENTS, ids=[c[0] for c in TS_CLIENTS])
def test_typescript_sdk_client(endpoint, client, env, version):
	url, token = endpoint
	home = _environment(env)
	node = (CLIENTS / "node.path").read_text().strip()
	shutil.copy(SCRIPTS / "ts_client.mjs", home / "ts_client.mjs")
	seen = _run([node, str(home / "ts_client.mjs"), url, token], cwd=home)
	_assert_session(seen, version)
