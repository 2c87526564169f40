"""What the governance tests share: in-process MCP requests to any endpoint URL, and settings.

`mcp()` calls the whitelisted endpoint function with a prepared werkzeug request (as the framework
would after authenticating the user), for any path or query, in the 2025-11-25 shape or, with
`modern=True`, the 2026-07-28 one. `governance()` sets Assistant Core Settings fields for a block
and puts them back after it (committed=True for tests that serve HTTP).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import frappe
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from frappe_assistant_core.api.fac_endpoint import handle_mcp
from frappe_assistant_core.core import connection_rules
from frappe_assistant_core.utils.cache import publish_change
from frappe_assistant_core.wire.revisions import MODERN

PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
SETTINGS = "Assistant Core Settings"
TOOL_DOCTYPE = "FAC Tool Configuration"
ELICITING = {"elicitation": {"form": {}}}


def mcp(
	method: str,
	params: dict | None = None,
	*,
	user: str = "Administrator",
	path: str = PATH,
	query: str = "",
	modern: bool = False,
	capabilities: dict | None = None,
	request_id: int = 1,
) -> tuple[int, dict | None, dict]:
	"""(status, parsed body, headers) of one JSON-RPC request to the endpoint at `path`?`query`."""
	params = dict(params or {})
	headers = {"MCP-Protocol-Version": "2025-11-25"}
	if modern:
		params["_meta"] = {
			"io.modelcontextprotocol/protocolVersion": MODERN,
			"io.modelcontextprotocol/clientCapabilities": capabilities or {},
		}
		headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
		if "name" in params:
			headers["Mcp-Name"] = params["name"]
	body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
	environ = EnvironBuilder(
		path=path,
		query_string=query,
		method="POST",
		data=json.dumps(body).encode(),
		headers=headers,
		content_type="application/json",
	).get_environ()
	previous = getattr(frappe.local, "request", None)
	frappe.local.request = Request(environ)
	frappe.set_user(user)
	try:
		response = handle_mcp(**body)
	finally:
		frappe.set_user("Administrator")
		frappe.local.request = previous
		connection_rules.reset()  # a real request's rules end with it (frappe.local is released)
	raw = response.get_data()
	return response.status_code, (json.loads(raw) if raw else None), dict(response.headers)


def listed(**kwargs) -> list[str]:
	status, body, _ = mcp("tools/list", **kwargs)
	assert status == 200, body
	return [tool["name"] for tool in body["result"]["tools"]]


def call(name: str, arguments: dict | None = None, **kwargs) -> tuple[int, dict]:
	"""(HTTP status, JSON-RPC body) of a tools/call."""
	params = {"name": name, "arguments": arguments or {}}
	params.update(kwargs.pop("extra", {}))
	status, body, _ = mcp("tools/call", params, **kwargs)
	return status, body


def text_of(body: dict) -> str:
	return body["result"]["content"][0]["text"]


@contextlib.contextmanager
def governance(committed: bool = False, **values) -> Iterator[None]:
	"""Assistant Core Settings fields set to `values` for the block (read_only_roles: role names)."""
	before = frappe.db.get_singles_dict(SETTINGS)
	before_roles = _roles()
	_apply(values)
	if committed:
		frappe.db.commit()
	try:
		yield
	finally:
		if committed:
			frappe.db.rollback()
		restore_settings(before, [key for key in values if key != "read_only_roles"])
		if "read_only_roles" in values:
			_apply({"read_only_roles": before_roles})
		if committed:
			frappe.db.commit()


def restore_settings(before: dict, fields: list[str]) -> None:
	"""Put `fields` of Assistant Core Settings back as `before` (get_singles_dict) had them: a field
	not stored then is removed, so it loads its default again rather than an empty value."""
	for field in fields:
		if field in before:
			frappe.db.set_single_value(SETTINGS, field, before[field], update_modified=False)
		else:
			frappe.db.delete("Singles", {"doctype": SETTINGS, "field": field})
	publish_change()


def tool_governance(tool: str, committed: bool = False, **values) -> None:
	"""Set FAC Tool Configuration fields of `tool` (requires_approval, rate_limit, enabled)."""
	frappe.db.set_value(TOOL_DOCTYPE, tool, values, update_modified=False)
	publish_change()
	if committed:
		frappe.db.commit()


def _apply(values: dict) -> None:
	plain = {k: v for k, v in values.items() if k != "read_only_roles"}
	if plain:
		frappe.db.set_single_value(SETTINGS, plain, update_modified=False)
	if (roles := values.get("read_only_roles")) is not None:
		frappe.db.delete("FAC Read Only Role", {"parent": SETTINGS})
		for index, role in enumerate(roles, start=1):
			frappe.get_doc(
				{
					"doctype": "FAC Read Only Role",
					"parent": SETTINGS,
					"parenttype": SETTINGS,
					"parentfield": "read_only_roles",
					"idx": index,
					"role": role,
				}
			).db_insert()
	publish_change()


def _roles() -> list[str]:
	return frappe.get_all(
		"FAC Read Only Role", filters={"parent": SETTINGS}, pluck="role", order_by="idx asc"
	)
