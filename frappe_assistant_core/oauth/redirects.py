"""Which redirect URIs a client may register and how a request's URI matches a registered one.

Accepted: https URLs; http only to a loopback address (127.0.0.1, [::1], localhost), as native
clients receive the code on a local port (RFC 8252 section 7.3); and a native app's private-use
scheme (`cursor://...`, RFC 8252 section 7.1), except schemes that run or read something in a
browser. No fragment, no user info. A loopback URI matches a registered loopback URI that differs
only in its port, since the client picks a free port on each run (RFC 8252 section 7.3); every
other URI must match exactly.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_FORBIDDEN_SCHEMES = frozenset(
	{"javascript", "data", "vbscript", "file", "about", "blob", "ftp", "ws", "wss"}
)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
MAX_LENGTH = 2000


def problem(uri: object) -> str | None:
	"""Why `uri` may not be registered as a redirect URI, or None when it may."""
	if not isinstance(uri, str) or not uri or len(uri) > MAX_LENGTH or uri != uri.strip():
		return "not a URI"
	if any(ord(c) < 0x21 for c in uri):
		return "contains spaces or control characters"
	try:
		parts = urlsplit(uri)
		port = parts.port
	except ValueError:
		return "not a URI"
	scheme = parts.scheme.lower()
	if not _SCHEME.fullmatch(scheme):
		return "has no scheme"
	if parts.fragment or "#" in uri:
		return "has a fragment"
	if parts.username is not None or parts.password is not None:
		return "has user information"
	if scheme == "https":
		return None if parts.hostname else "has no host"
	if scheme == "http":
		if parts.hostname in LOOPBACK_HOSTS and (port is None or port > 0):
			return None
		return "http is allowed only to a loopback address (127.0.0.1, [::1], localhost); use https"
	if scheme in _FORBIDDEN_SCHEMES:
		return f"the {scheme} scheme is not allowed"
	return None


def is_loopback(uri: str) -> bool:
	try:
		parts = urlsplit(uri)
	except ValueError:
		return False
	return parts.scheme.lower() == "http" and parts.hostname in LOOPBACK_HOSTS


def matches(registered: list[str] | tuple[str, ...], uri: str | None) -> bool:
	"""Whether `uri` is one of `registered` (a loopback URI: in any port)."""
	if not uri:
		return False
	if uri in registered:
		return True
	if not is_loopback(uri) or problem(uri):
		return False
	key = _without_port(uri)
	return any(is_loopback(candidate) and _without_port(candidate) == key for candidate in registered)


def parse_stored(value: str | None) -> list[str]:
	"""The redirect URIs of an OAuth Client's `redirect_uris` field (whitespace-separated)."""
	return (value or "").split()


def _without_port(uri: str) -> tuple:
	parts = urlsplit(uri)
	return (parts.scheme.lower(), parts.hostname, parts.path or "/", parts.query)
