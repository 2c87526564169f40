"""Fetch a small JSON document from a public https URL, for Client ID Metadata Documents.

The URL is hostile input, so: https only (certificate checked against the name), no user info, the
name resolved here and each address checked before connecting, the connection made to that checked
address (a name that resolves again differently cannot slip through), no redirects followed, at
most MAX_BYTES read and the whole fetch bounded by TIMEOUT seconds. An address is public when it is
globally routable: loopback, private, link-local, shared, multicast, reserved and IPv4-mapped
private addresses are refused. `address_allowed` is that policy.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import urlsplit

MAX_BYTES = 64 * 1024
TIMEOUT = 5.0


class FetchError(ValueError):
	"""The document could not be fetched safely; the message says why (shown to administrators)."""


def address_allowed(address: str) -> bool:
	"""Whether a connection to the IP `address` may be made: public (globally routable) only."""
	try:
		ip = ipaddress.ip_address(address.split("%")[0])
	except ValueError:
		return False
	if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
		ip = ip.ipv4_mapped
	return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local)


def fetch_json(url: str) -> dict:
	"""The JSON object at `url`; raises FetchError for anything unsafe, slow, large or malformed."""
	parts = _checked_url(url)
	deadline = time.monotonic() + TIMEOUT
	connection = _PinnedHTTPSConnection(parts.hostname, parts.port or 443, deadline)
	try:
		target = parts.path + (f"?{parts.query}" if parts.query else "")
		connection.request(
			"GET", target, headers={"Accept": "application/json", "User-Agent": "frappe-assistant-core"}
		)
		response = connection.getresponse()
		if 300 <= response.status < 400:
			raise FetchError(
				f"the document's URL redirects (HTTP {response.status}); redirects are not followed"
			)
		if response.status != 200:
			raise FetchError(f"fetching the document answered HTTP {response.status}")
		body = _read_capped(response, deadline)
	except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
		raise FetchError(f"the document could not be fetched: {type(exc).__name__}") from None
	finally:
		connection.close()
	try:
		document = json.loads(body)
	except ValueError:
		raise FetchError("the document is not JSON") from None
	if not isinstance(document, dict):
		raise FetchError("the document is not a JSON object")
	return document


def _checked_url(url: str):
	try:
		parts = urlsplit(url)
		parts.port  # noqa: B018 - raises ValueError for a bad port
	except ValueError:
		raise FetchError("not a URL") from None
	if parts.scheme != "https" or not parts.hostname:
		raise FetchError("only https URLs are fetched")
	if parts.username is not None or parts.password is not None or parts.fragment:
		raise FetchError("the URL may not carry user information or a fragment")
	return parts


def _read_capped(response, deadline: float) -> bytes:
	chunks, size = [], 0
	while True:
		if time.monotonic() > deadline:
			raise FetchError(f"the document took longer than {TIMEOUT:g} s")
		chunk = response.read(8192)
		if not chunk:
			return b"".join(chunks)
		size += len(chunk)
		if size > MAX_BYTES:
			raise FetchError(f"the document is larger than {MAX_BYTES // 1024} KB")
		chunks.append(chunk)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
	"""HTTPS to the first public address of the host, the certificate checked against its name."""

	def __init__(self, host: str, port: int, deadline: float):
		super().__init__(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
		self._deadline = deadline

	def connect(self) -> None:
		remaining = max(0.1, self._deadline - time.monotonic())
		try:
			infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
		except socket.gaierror:
			raise FetchError("the document's host name does not resolve") from None
		addresses = [info[4][0] for info in infos]
		allowed = [address for address in addresses if address_allowed(address)]
		if not allowed or len(allowed) != len(addresses):
			raise FetchError("the document's host resolves to an address that is not public")
		sock = socket.create_connection((allowed[0], self.port), timeout=remaining)
		if not address_allowed(sock.getpeername()[0]):
			sock.close()
			raise FetchError("the document's host resolves to an address that is not public")
		sock.settimeout(remaining)
		self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
