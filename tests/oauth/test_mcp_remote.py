"""mcp-remote (the stdio bridge Claude Desktop and many IDEs use for remote servers), given only the
endpoint URL and no header, completes the OAuth flow through its loopback callback and calls tools.

mcp-remote (pinned in tests/interop/mcp-remote, installed by tests/host/setup.sh) registers itself
by Dynamic Client Registration with the redirect URI http://127.0.0.1:PORT/oauth/callback, then
opens the authorize URL with the system's opener, which honours BROWSER: here a script that runs the
scripted browser (tests/oauth/browser.py) to log in, allow, and open the callback, as a person's
browser does. The test speaks MCP to mcp-remote over stdio, as a desktop client does.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.oauth import support
from tests.support.server import free_port

pytestmark = pytest.mark.slow


class StdioSession:
	"""JSON-RPC over a child's stdin/stdout, one message per line."""

	def __init__(self, process: subprocess.Popen, log) -> None:
		self.process = process
		self.log = log
		self.lines: queue.Queue[str] = queue.Queue()
		threading.Thread(target=self._read, daemon=True).start()
		self.next_id = 0

	def _read(self) -> None:
		for line in self.process.stdout:
			self.lines.put(line)

	def notify(self, method: str, params: dict | None = None) -> None:
		self._send({"jsonrpc": "2.0", "method": method, **({"params": params} if params else {})})

	def request(self, method: str, params: dict | None = None, timeout: float = 120) -> dict:
		self.next_id += 1
		self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or {}})
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			try:
				message = json.loads(self.lines.get(timeout=0.5))
			except queue.Empty:
				if self.process.poll() is not None:
					break
				continue
			if message.get("id") == self.next_id:
				return message
		raise AssertionError(f"no answer to {method}; mcp-remote said: {self.log.read_text()[-3000:]}")

	def _send(self, message: dict) -> None:
		self.process.stdin.write(json.dumps(message) + "\n")
		self.process.stdin.flush()


def run_mcp_remote(url: str, user: support.Person, folder: Path, *, ca: Path | None = None) -> None:
	"""mcp-remote bridging to `url` with no header: OAuth as `user`, then tools/list and a call."""
	home = support.environment("mcp-remote")
	browser_log = folder / "browser.log"
	opener = folder / "open-browser"
	command = " ".join(f"'{part}'" for part in support.browser_command())
	opener.write_text(f'#!/bin/sh\nexec {command} --deliver "$1" >>"{browser_log}" 2>&1\n')
	opener.chmod(0o755)
	env = {
		**user.browser_env(ca=ca),
		"BROWSER": str(opener),
		"MCP_REMOTE_CONFIG_DIR": str(folder / "mcp-auth"),
		# No desktop: the opener falls back to BROWSER.
		"DISPLAY": "",
		"WAYLAND_DISPLAY": "",
	}
	if ca:
		env["NODE_EXTRA_CA_CERTS"] = str(ca)
	port = free_port()
	proxy = home / "node_modules" / "mcp-remote" / "dist" / "proxy.js"
	log = folder / "mcp-remote.log"
	with open(log, "w") as stderr:
		process = subprocess.Popen(
			[support.node(), str(proxy), url, str(port), "--transport", "http-only"],
			stdin=subprocess.PIPE,
			stdout=subprocess.PIPE,
			stderr=stderr,
			text=True,
			env=env,
			cwd=folder,
			start_new_session=True,
		)
		try:
			session = StdioSession(process, log)
			hello = session.request(
				"initialize",
				{
					"protocolVersion": "2025-06-18",
					"capabilities": {},
					"clientInfo": {"name": "fac-desktop-stand-in", "version": "1"},
				},
			)
			assert "result" in hello, hello
			session.notify("notifications/initialized")
			tools = session.request("tools/list")["result"]["tools"]
			echo = session.request(
				"tools/call", {"name": "test_echo", "arguments": {"message": "via mcp-remote"}}
			)
		finally:
			process.terminate()
			try:
				process.wait(timeout=10)
			except subprocess.TimeoutExpired:
				process.kill()
	said = log.read_text()[-3000:]
	opened = browser_log.read_text() if browser_log.exists() else ""
	assert {"test_echo", "document_get"} <= {tool["name"] for tool in tools}, said
	result = echo["result"]
	assert result.get("isError") is not True, result
	assert result["structuredContent"]["user"] == user.email
	# The code came back through mcp-remote's own loopback callback, opened by the browser.
	assert re.search(rf"^http://(127\.0\.0\.1|localhost):{port}/oauth/callback\?.*\bcode=", opened, re.M), (
		opened,
		said,
	)
	assert "callback answered 200" in opened, (opened, said)
	assert os.listdir(folder / "mcp-auth"), "mcp-remote kept no tokens"


def test_mcp_remote_without_a_header_authorizes_through_its_loopback_callback(site, tmp_path):
	run_mcp_remote(site.url + support.MCP_PATH, support.person(), tmp_path)
