"""Which function a request's URL makes Frappe call, resolved as Frappe resolves it.

Frappe calls a whitelisted function for `/api/method/<name>` and `/api/v1/method/<name>` (with
anything after a further "/" ignored), `/api/v2/method/<name>` and `/api/v2/method/<doctype>/<name>`
(a function of the DocType's controller module), each with or without a trailing slash, after the
`override_whitelisted_methods` hooks of installed apps have had their say; and, before any of that,
for a request that carries a `cmd` parameter of its own, on any URL. Guards that must hold on every
door (the MCP endpoint's) resolve the request to the function object and compare objects, so a
module that imports the function, an override or a spelling of the URL cannot get around them.
The result is kept on `frappe.local` for the rest of the request. Used by the MCP endpoint's
guards (mcp.guard) and by api.routing's `before_request` hook.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import frappe
import frappe.handler

_METHOD_URL = re.compile(r"/api(?:/(?P<version>v1|v2))?/method/(?P<rest>.+)")
_LOCAL_KEY = "fac_requested_function"  # frappe.local: (request, the function its URL names)


def requested_function(request) -> Callable | None:
	"""The function the request's URL names (overrides applied), or None."""
	cached = getattr(frappe.local, _LOCAL_KEY, None)
	if cached is not None and cached[0] is request:
		return cached[1]
	function = _resolve(_method_name(request.path))
	setattr(frappe.local, _LOCAL_KEY, (request, function))
	return function


def function_at(path: str) -> Callable | None:
	"""The function a request to `path` (no query) would make Frappe call, overrides applied."""
	return _resolve(_method_name(path))


def qualified_name(function: Callable | None) -> str:
	"""`module.name` of the function itself, whichever URL or alias reached it."""
	if function is None:
		return ""
	return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"


def carries_own_cmd(request) -> bool:
	"""Whether the request names a function in a `cmd` parameter (query, form or JSON body): Frappe
	then calls that one instead of the URL's and discards what it returns."""
	if "cmd" in request.args or (request.form and "cmd" in request.form):
		return True
	data = request.get_data()
	if b'"cmd"' not in data:
		return False
	body = request.get_json(silent=True)
	return isinstance(body, dict) and "cmd" in body


def _method_name(path: str) -> str | None:
	match = _METHOD_URL.fullmatch(path)
	if not match:
		return None
	parts = match.group("rest").rstrip("/").split("/")
	if match.group("version") != "v2":
		return parts[0]
	if len(parts) == 1:
		return parts[0]
	if len(parts) == 2:
		return _doctype_method(*parts)
	return None


def _doctype_method(doctype: str, method: str) -> str | None:
	from frappe.model.meta import load_doctype_module

	try:
		return f"{load_doctype_module(doctype).__name__}.{method}"
	except Exception:
		return None


def _resolve(name: str | None) -> Callable | None:
	if not name:
		return None
	overrides = frappe.get_hooks("override_whitelisted_methods", {}).get(name) or []
	if overrides:
		name = overrides[-1]
	if "." not in name:
		# A name without a module is one of frappe.handler's own commands (`ping`, `upload_file`).
		return getattr(frappe.handler, name, None)
	if name.split(".", 1)[0] not in {"frappe", *frappe.get_installed_apps()}:  # frappe: on every site
		# Frappe refuses it too; frappe.get_attr would throw there (v15), and its message would
		# stay queued for the answer even though the exception is caught.
		return None
	try:
		return frappe.get_attr(name)
	except Exception:
		return None
