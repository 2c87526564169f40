"""The OAuth metadata documents as an outside client sees them, for the connection doctor.

A document is fetched through the site's public URL (a short timeout, a size cap, JSON only); when
that fails (no DNS for the name here, a proxy that only answers from outside), it is rendered in
this process by the module that serves it, and the record says which. Only the site's own URLs
are ever fetched: they come from oauth.urls, never from a request's input.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

import frappe

from frappe_assistant_core.oauth import urls

TIMEOUT_SECONDS = 5
MAX_BYTES = 256 * 1024


@dataclass
class Document:
	url: str  # where an outside client fetches it
	body: dict | None  # the parsed JSON object; None when neither way produced one
	how: str  # "fetched", "rendered" (in this process) or "missing"
	problem: str = ""  # why fetching failed, when it did


def fetch_metadata(url: str, kind: str, fetch: bool = True) -> Document:
	"""The metadata document `kind` ("resource" or "server") published at `url`."""
	problem = ""
	if fetch:
		body, problem = _fetch(url)
		if body is not None:
			return Document(url, body, "fetched")
	body = _render(kind, url)
	return Document(url, body, "rendered" if body is not None else "missing", problem)


def _fetch(url: str) -> tuple[dict | None, str]:
	request = urllib.request.Request(url, headers={"Accept": "application/json"})
	try:
		with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
			raw = response.read(MAX_BYTES + 1)
	except urllib.error.HTTPError as exc:
		return None, f"HTTP {exc.code}"
	except (urllib.error.URLError, OSError, ValueError) as exc:
		return None, str(getattr(exc, "reason", exc))[:200]
	if len(raw) > MAX_BYTES:
		return None, f"larger than {MAX_BYTES} bytes"
	try:
		body = json.loads(raw)
	except ValueError:
		return None, "not JSON"
	return (body, "") if isinstance(body, dict) else (None, "not a JSON object")


def _render(kind: str, url: str) -> dict | None:
	"""The document as oauth/metadata.py builds it for this site (what /.well-known/ serves). With
	no request (the bench command), as for a GET of `url`: the framework's part reads the request."""
	from werkzeug.test import EnvironBuilder

	from frappe_assistant_core.oauth import metadata

	synthetic = getattr(frappe.local, "request", None) is None
	if synthetic:
		parts = urlsplit(url)
		frappe.local.request = EnvironBuilder(
			path=parts.path, base_url=f"{parts.scheme}://{parts.netloc}/"
		).get_request()
	try:
		body = metadata.protected_resource() if kind == "resource" else metadata.authorization_server()
	except frappe.ValidationError:
		return None
	finally:
		if synthetic:
			del frappe.local.request
	return body if isinstance(body, dict) else None


def public_urls() -> dict[str, str]:
	"""The URLs an outside client uses: the site, the MCP endpoint and both metadata documents."""
	return {
		"base": urls.public_base_url(),
		"endpoint": urls.resource_url(),
		"resource_metadata": urls.resource_metadata_url(),
		"server_metadata": urls.authorization_server_metadata_url(),
	}
