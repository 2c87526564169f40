"""An HTTPS server on 127.0.0.1 serving JSON documents, with a certificate made for the test.

`DocumentServer` serves whatever `documents` maps a path to (a dict: JSON; bytes as they are; a
(status, headers) tuple: that answer, for redirects) and counts requests per path. Its certificate
is self-signed for IP 127.0.0.1; `ca_file` is the PEM a client (the site's processes, through
SSL_CERT_FILE) trusts it with. Test-only.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import tempfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _certificate(folder: Path) -> tuple[Path, Path]:
	key = ec.generate_private_key(ec.SECP256R1())
	name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
	now = datetime.datetime.now(datetime.timezone.utc)
	cert = (
		x509.CertificateBuilder()
		.subject_name(name)
		.issuer_name(name)
		.public_key(key.public_key())
		.serial_number(x509.random_serial_number())
		.not_valid_before(now - datetime.timedelta(minutes=5))
		.not_valid_after(now + datetime.timedelta(days=1))
		.add_extension(
			x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
		)
		.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
		.sign(key, hashes.SHA256())
	)
	cert_file, key_file = folder / "cert.pem", folder / "key.pem"
	cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
	key_file.write_bytes(
		key.private_bytes(
			serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
		)
	)
	return cert_file, key_file


class DocumentServer:
	def __init__(self):
		self.documents: dict[str, object] = {}
		self.hits: Counter = Counter()
		self._folder = tempfile.TemporaryDirectory()
		self.ca_file, key_file = _certificate(Path(self._folder.name))
		owner = self

		class Handler(BaseHTTPRequestHandler):
			def do_GET(self):
				owner.hits[self.path] += 1
				document = owner.documents.get(self.path)
				if document is None:
					self.send_response(404)
					self.end_headers()
					return
				if isinstance(document, tuple):
					status, headers = document
					self.send_response(status)
					for key, value in headers.items():
						self.send_header(key, value)
					self.end_headers()
					return
				body = document if isinstance(document, bytes) else json.dumps(document).encode()
				self.send_response(200)
				self.send_header("Content-Type", "application/json")
				self.send_header("Content-Length", str(len(body)))
				self.end_headers()
				self.wfile.write(body)

			def log_message(self, *args):
				pass

		self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
		context.load_cert_chain(self.ca_file, key_file)
		self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
		self.base = f"https://127.0.0.1:{self._server.server_address[1]}"
		self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

	def __enter__(self) -> DocumentServer:
		self._thread.start()
		return self

	def __exit__(self, *exc) -> None:
		self._server.shutdown()
		self._server.server_close()
		self._folder.cleanup()

	def url(self, path: str) -> str:
		return self.base + path
