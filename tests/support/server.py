"""The site served over HTTP on 127.0.0.1 by real worker processes (gunicorn), for tests.

`serve(workers=N)` starts `python -m tests.host serve` on a free loopback port and waits until
/api/method/ping answers; with FAC_TEST_URL set (a real bench) that URL is used instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.host import bootstrap


@dataclass
class Server:
	url: str
	process: subprocess.Popen | None = None

	def request(
		self,
		path: str,
		*,
		method: str = "GET",
		body=None,
		headers: dict | None = None,
		auth: str | None = None,
	) -> tuple[int, dict, bytes]:
		"""(status, headers, body) of one HTTP request; never raises for HTTP error statuses."""
		data = None
		headers = dict(headers or {})
		if body is not None:
			data = body if isinstance(body, bytes) else json.dumps(body).encode()
			headers.setdefault("Content-Type", "application/json")
		if auth:
			headers["Authorization"] = f"token {auth}"
		req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
		try:
			with urllib.request.urlopen(req, timeout=60) as resp:
				return resp.status, dict(resp.headers), resp.read()
		except urllib.error.HTTPError as err:
			return err.code, dict(err.headers), err.read()

	def call(self, method: str, *, auth: str | None = None, http_method: str = "POST", **kwargs):
		"""Call a whitelisted method; returns (status, parsed JSON body)."""
		status, _, raw = self.request(f"/api/method/{method}", method=http_method, body=kwargs, auth=auth)
		try:
			return status, json.loads(raw or b"{}")
		except ValueError:
			return status, {"raw": raw.decode(errors="replace")}


def free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


@contextlib.contextmanager
def serve(workers: int = 2, timeout: float = 60.0, env: dict | None = None) -> Iterator[Server]:
	"""The site on gunicorn; `env`: extra environment of its processes (test hooks such as
	tests/support/fetch_policy.py read theirs from it)."""
	if os.environ.get("FAC_TEST_URL"):
		yield Server(os.environ["FAC_TEST_URL"].rstrip("/"))
		return
	port = free_port()
	log = open(os.path.join(os.environ["FAC_HOST_SITE_DIR"], f"gunicorn-{port}.log"), "w")
	process = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"tests.host",
			"serve",
			os.environ["DB_NAME"],
			"--port",
			str(port),
			"--workers",
			str(workers),
		],
		cwd=str(bootstrap.REPO),
		env={**os.environ, **(env or {})},
		stdout=log,
		stderr=subprocess.STDOUT,
		start_new_session=True,
	)
	server = Server(f"http://127.0.0.1:{port}", process)
	try:
		deadline = time.monotonic() + timeout
		while True:
			if process.poll() is not None:
				raise RuntimeError(f"server exited with {process.returncode}; see {log.name}")
			with contextlib.suppress(OSError):
				if server.request("/api/method/ping")[0] == 200:
					break
			if time.monotonic() > deadline:
				raise TimeoutError(f"server did not answer within {timeout}s; see {log.name}")
			time.sleep(0.2)
		yield server
	finally:
		with contextlib.suppress(ProcessLookupError):
			os.killpg(process.pid, 15)
		try:
			process.wait(timeout=15)
		except subprocess.TimeoutExpired:
			os.killpg(process.pid, 9)
			process.wait()
		log.close()


def worker_pids(master_pid: int) -> list[int]:
	"""Child processes of `master_pid` (gunicorn's workers), from /proc."""
	pids = []
	for stat in Path("/proc").glob("[0-9]*/stat"):
		try:
			fields = stat.read_text().rsplit(")", 1)[1].split()
		except OSError:
			continue
		if int(fields[1]) == master_pid:
			pids.append(int(stat.parent.name))
	return sorted(pids)
