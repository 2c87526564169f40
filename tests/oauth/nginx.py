"""A TLS-terminating nginx (Debian's package) in front of the served site, on a free loopback port.

`reverse_proxy(upstream, certificates)` writes its own configuration, pid file, logs and temp
folders into a temp dir, starts `nginx -p DIR -c DIR/nginx.conf` in the foreground as a child of
the test, and stops it by its pid at the end: a system nginx is never read, started or signalled.
It sets X-Forwarded-Proto, X-Forwarded-Host (the host and port the client used) and X-Forwarded-For,
as a typical production proxy in front of Frappe does. Test-only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.oauth.tls import Certificates
from tests.support.server import free_port

_CONFIG = """\
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 256; }}
http {{
	access_log {dir}/access.log;
	client_body_temp_path {dir}/tmp/body;
	proxy_temp_path {dir}/tmp/proxy;
	fastcgi_temp_path {dir}/tmp/fastcgi;
	uwsgi_temp_path {dir}/tmp/uwsgi;
	scgi_temp_path {dir}/tmp/scgi;
	server {{
		listen 127.0.0.1:{port} ssl;
		ssl_certificate {cert};
		ssl_certificate_key {key};
		client_max_body_size 10m;
		location / {{
			proxy_pass http://{upstream};
			proxy_http_version 1.1;
			proxy_set_header Host $http_host;
			proxy_set_header X-Forwarded-Proto $scheme;
			proxy_set_header X-Forwarded-Host $http_host;
			proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
			proxy_read_timeout 120s;
		}}
	}}
}}
"""


def nginx_binary() -> str:
	path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
	if not path:
		pytest.skip("nginx is missing: tests/host/setup.sh installs Debian's package, on the test host only")
	return path


@contextlib.contextmanager
def reverse_proxy(upstream: str, certificates: Certificates) -> Iterator[str]:
	"""`https://127.0.0.1:PORT` of an nginx forwarding to `upstream` (an http:// base URL)."""
	binary = nginx_binary()
	port = free_port()
	folder = Path(tempfile.mkdtemp(prefix="fac-nginx-"))
	for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
		(folder / "tmp" / name).mkdir(parents=True)
	config = folder / "nginx.conf"
	config.write_text(
		_CONFIG.format(
			# A root master switches its workers to `nobody` unless told otherwise; they must read
			# the key and write the temp folders, which only their owner can.
			user="user root;" if os.geteuid() == 0 else "",
			dir=folder,
			port=port,
			cert=certificates.cert,
			key=certificates.key,
			upstream=urlsplit(upstream).netloc,
		)
	)
	process = subprocess.Popen(
		[binary, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log"), "-g", "daemon off;"],
		stdout=subprocess.DEVNULL,
		stderr=open(folder / "stderr.log", "w"),
		start_new_session=True,
	)
	try:
		_wait_for(port, process, folder)
		yield f"https://127.0.0.1:{port}"
	finally:
		process.terminate()
		try:
			process.wait(timeout=10)
		except subprocess.TimeoutExpired:
			process.kill()
			process.wait()
		shutil.rmtree(folder, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen, folder: Path, timeout: float = 15.0) -> None:
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if process.poll() is not None:
			log = (folder / "stderr.log").read_text() + (folder / "error.log").read_text()
			raise RuntimeError(f"nginx exited with {process.returncode}: {log[-2000:]}")
		with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
			return
		time.sleep(0.1)
	raise TimeoutError(f"nginx did not listen on 127.0.0.1:{port} within {timeout}s")
