"""What every tool declares to MCP clients: a title, input schemas with no untyped parts, and for
tools with a stable result shape an outputSchema their real results validate against."""

from __future__ import annotations

import json

import frappe
import jsonschema
import pytest

from frappe_assistant_core.mcp.revisions import REVISIONS
from frappe_assistant_core.mcp.tools import describe_tool
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from tests.test_mcp_protocol import call, request_context  # noqa: F401  (fixture)


def _tools():
	return get_plugin_manager().get_all_tools()


def _empty_subschemas(node, path=""):
	"""Paths of `{}` (anything goes) in a schema's items, additionalProperties or composition lists."""
	found = []
	if isinstance(node, dict):
		for key, value in node.items():
			if key in ("items", "additionalProperties", "not") and value == {}:
				found.append(f"{path}/{key}")
			found += _empty_subschemas(value, f"{path}/{key}")
	elif isinstance(node, list):
		for index, value in enumerate(node):
			if value == {}:
				found.append(f"{path}/{index}")
			found += _empty_subschemas(value, f"{path}/{index}")
	return found


def test_every_tool_has_a_title_and_no_empty_item_schemas():
	for name, info in _tools().items():
		described = describe_tool(info, REVISIONS["2025-11-25"])
		assert described["title"] and described["title"] != name, name
		assert _empty_subschemas(described["inputSchema"]) == [], name
		if "outputSchema" in described:
			jsonschema.Draft202012Validator.check_schema(described["outputSchema"])
			assert described["outputSchema"]["type"] == "object"


def _todo() -> str:
	return frappe.get_doc({"doctype": "ToDo", "description": "schema probe"}).insert().name


# Real arguments for every tool that declares an outputSchema (a new one must be added here).
CALLS = {
	"document_list": lambda: {"doctype": "ToDo", "limit": 3},
	"document_delete": lambda: {"doctype": "ToDo", "name": _todo()},
	"test_echo": lambda: {"message": "schema"},
	"test_create_todo": lambda: {"description": "schema"},
}


def test_every_declared_output_schema_has_a_real_call_here():
	declared = {name for name, info in _tools().items() if info.instance.output_schema() is not None}
	assert declared == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_structured_content_validates_against_the_tools_output_schema(name):
	arguments = CALLS[name]()
	status, body, _ = call(
		{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}},
		headers={"MCP-Protocol-Version": "2025-11-25"},
	)
	result = body["result"]
	assert status == 200 and result["isError"] is False, result
	schema = describe_tool(_tools()[name], REVISIONS["2025-11-25"])["outputSchema"]
	jsonschema.validate(result["structuredContent"], schema, cls=jsonschema.Draft202012Validator)
	assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
