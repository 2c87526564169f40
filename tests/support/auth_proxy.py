"""A forwarding HTTP proxy that signs every request with an API key: for MCP clients that cannot
send custom headers (the conformance suite has no option for it).

Everything else passes through untouched, both ways: method, path, body and every header the
client sent (Host and Origin included, so Origin checks see what the client sent), status, headers
and body of the answer. Test-only; runs in a thread of the test process.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


@contextmanager
def signing_proxy(upstream: str, token: str) -> Iterator[str]:
	"""The base URL of a proxy to `upstream` adding `Authorization: token <token>`."""
	target = urlsplit(upstream)

	class Handler(BaseHTTPRequestHandler):
		protocol_version = "HTTP/1.1"

		def _forward(self) -> None:
			length = int(self.headers.get("Content-Length") or 0)
			body = self.rfile.read(length) if length else None
			headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
			headers["Authorization"] = f"token {token}"
			connection = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
			try:
				connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
				for name, value in headers.items():
					connection.putheader(name, value)
				if body is not None:
					connection.putheader("Content-Length", str(len(body)))
				connection.endheaders(body)
				response = connection.getresponse()
				data = response.read()
			finally:
				connection.close()
			self.send_response_only(response.status, response.reason)
			for name, value in response.getheaders():
				if name.lower() not in _HOP_BY_HOP:
					self.send_header(name, value)
			self.send_header("Content-Length", str(len(data)))
			self.end_headers()
			self.wfile.write(data)

		do_GET = do_POST = do_DELETE = do_PUT = do_OPTIONS = _forward

		def log_message(self, *args) -> None:  # quiet
			pass

	server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
	server.daemon_threads = True
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	try:
		yield f"http://127.0.0.1:{server.server_address[1]}"
	finally:
		server.shutdown()
		server.server_close()
