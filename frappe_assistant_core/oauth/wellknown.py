"""Serves the OAuth metadata documents at the /.well-known/ locations MCP clients probe.

A `before_request` hook answers, on every Frappe version (older ones route /.well-known/ to the
website, newer ones to their own metadata handler, which may be switched off):

	/.well-known/oauth-protected-resource                   the site as resource
	/.well-known/oauth-protected-resource/<endpoint URL>    the MCP endpoint (or a narrowed URL)
	/.well-known/oauth-authorization-server[/<endpoint URL>] this site's authorization server

A suffix that is not a URL of the MCP endpoint gets 404. The answer is raised as an HTTP exception
carrying the response (oauth.answers). Metadata is public and read by browser-based clients, so it carries `Access-Control-Allow-Origin: *`.
"""

from __future__ import annotations

import json

import frappe
from werkzeug.wrappers import Response

from frappe_assistant_core.api import routing
from frappe_assistant_core.oauth import metadata, urls
from frappe_assistant_core.oauth.answers import Answer as _Answer

_CORS = {
	"Access-Control-Allow-Origin": "*",
	"Access-Control-Allow-Methods": "GET, OPTIONS",
	"Access-Control-Allow-Headers": "*",
	"Access-Control-Max-Age": "86400",
}


def serve() -> None:
	"""`before_request` hook: answer a metadata request now; leave every other request alone."""
	request = getattr(frappe.local, "request", None)
	if request is None or not request.path.startswith("/.well-known/oauth-"):
		return
	document = _document(request.path)
	if document is None:
		return
	if request.method == "OPTIONS":
		raise _Answer(response=Response(status=204, headers=_CORS))
	if request.method not in ("GET", "HEAD"):
		raise _Answer(response=Response(status=405, headers={**_CORS, "Allow": "GET, OPTIONS"}))
	body = json.dumps(document(), separators=(",", ":"))
	headers = {**_CORS, "Cache-Control": "no-store"}
	raise _Answer(response=Response(body, status=200, mimetype="application/json", headers=headers))


def _document(path: str):
	"""A function building the document `path` asks for; None: not one of ours (404 later)."""
	for prefix, build in (
		(urls.PRM_PATH, metadata.protected_resource),
		(urls.ASM_PATH, lambda _path: metadata.authorization_server()),
	):
		if path == prefix or path == prefix + "/":
			return lambda: build("")
		if path.startswith(prefix + "/"):
			suffix = path[len(prefix) :]
			if not _is_endpoint_path(suffix):
				return _not_found
			return lambda: build(suffix)
	return None


def _is_endpoint_path(path: str) -> bool:
	return routing.qualified_name(routing.function_at(path)) == urls.MCP_METHOD


def _not_found():
	raise _Answer(
		response=Response(
			json.dumps({"error": "not_found"}), status=404, mimetype="application/json", headers=_CORS
		)
	)
