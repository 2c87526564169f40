"""What every tool declares to MCP clients: a title, input schemas with no untyped parts, and for
tools with a stable result shape an outputSchema their real results validate against.

CALLS holds one real call per tool with an outputSchema; SHAPES more calls for tools whose result
takes other shapes (other analysis types, file formats, validate_only, no workflow, ...). Every
call goes through tools/call, and its structuredContent is validated as an MCP client would.
"""

from __future__ import annotations

import datetime
import json

import frappe
import jsonschema
import pytest
from frappe.utils.global_search import sync_global_search

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.mcp.tools import FULL_TEXT_MAX_BYTES, describe_tool
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.wire.revisions import REVISIONS
from tests.support.doctypes import (
	ORDER,
	QUERY_REPORT,
	REQUEST,
	ensure_test_doctypes,
	ensure_test_users,
	order,
)
from tests.test_mcp_protocol import call, request_context  # noqa: F401  (fixture)
from tests.tools._fixtures import (
	PROBE,
	docx_bytes,
	ensure_file_store,
	ensure_probe,
	load_tool,
	make_file,
	pdf_bytes,
	probe_rows,
	xlsx_bytes,
)

SCRIPT_REPORT = "Permitted Documents For User"  # a standard Script Report of the framework
# Undone after each test: the global search index is MyISAM, outside the test's transaction.
_cleanups: list = []


@pytest.fixture(scope="module", autouse=True)
def fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()
	ensure_probe()
	ensure_file_store()


@pytest.fixture(autouse=True)
def every_tool_enabled():
	"""Other tests switch plugins and tools as they need them: here all are on (rolled back after)."""
	manager = get_plugin_manager()
	for plugin in manager.get_discovered_plugins():
		if plugin["tools"] and not plugin["always_enabled"]:
			admin_api.toggle_plugin(plugin["name"], True)
	admin_api.bulk_toggle_tools(list(manager.get_tool_catalog()), True)
	yield
	while _cleanups:
		_cleanups.pop()()


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
			assert _empty_subschemas(described["outputSchema"]) == [], name


def _todo(description: str = "schema probe") -> str:
	return frappe.get_doc({"doctype": "ToDo", "description": description}).insert().name


def _order() -> str:
	return frappe.get_doc(order()).insert().name


def _request() -> str:
	return frappe.get_doc({"doctype": REQUEST, "subject": "schema probe"}).insert().name


def _indexed_todo() -> str:
	"""A word that one ToDo holds, in the global search index (its entry removed after the test)."""
	word = f"Schemaokapi{frappe.generate_hash(length=6)}"
	name = _todo(f"{word} to find")
	sync_global_search()
	_cleanups.append(lambda: frappe.db.delete("__global_search", {"doctype": "ToDo", "name": name}))
	return word


def _probe_rows() -> None:
	today = datetime.date.today()
	probe_rows(
		{"region": "North", "amount": 10, "qty": 1, "discount": 5, "posted_on": today},
		{"region": "North", "amount": 20, "qty": 3, "discount": 0, "posted_on": today},
		{"region": "South", "amount": 35, "qty": 4, "posted_on": today - datetime.timedelta(days=40)},
		{"region": "East", "qty": 2},
	)


def _analysis(analysis_type: str, **arguments) -> dict:
	_probe_rows()
	return {"doctype": PROBE, "analysis_type": analysis_type, **arguments}


def _file_url(file_name: str, content: bytes) -> dict:
	return {"file_url": make_file(file_name, content).file_url}


def _chart() -> str:
	return load_tool("visualization", "create_chart").run({"chart_name": _unique("Chart"), "doctype": PROBE})[
		"name"
	]


def _after(setup, arguments: dict) -> dict:
	"""`arguments`, once `setup()` has made the document they find."""
	setup()
	return arguments


def _unique(kind: str) -> str:
	return f"FAC Schema {kind} {frappe.generate_hash(length=6)}"


# Real arguments for every tool that declares an outputSchema (a new one must be added here).
CALLS = {
	"document_list": lambda: _after(_todo, {"doctype": "ToDo", "limit": 3}),
	"document_delete": lambda: {"doctype": "ToDo", "name": _todo()},
	"test_echo": lambda: {"message": "schema"},
	"test_create_todo": lambda: {"description": "schema"},
	"document_create": lambda: {"doctype": ORDER, "data": order(), "submit": True},
	"document_get": lambda: {"doctype": ORDER, "name": _order()},
	"document_update": lambda: {
		"doctype": ORDER,
		"name": _order(),
		"data": {"remarks": "changed", "items": [{"item": "Washer", "qty": 1, "rate": 1}]},
	},
	"metadata_doctype": lambda: {"doctype": ORDER},
	"metadata_doctype_fields": lambda: {"doctype": ORDER, "include_layout": True, "include_standard": True},
	"metadata_list_doctypes": lambda: {"limit": 1000},
	"metadata_permissions": lambda: {"doctype": "ToDo", "name": _todo()},
	"metadata_workflow": lambda: {"doctype": REQUEST},
	"report_details": lambda: {"report_name": SCRIPT_REPORT},
	"report_execute": lambda: _after(_order, {"report_name": QUERY_REPORT, "filters": {"min_amount": 0}}),
	"report_list": lambda: {"limit": 500},
	"search_doctype": lambda: _after(_todo, {"doctype": "ToDo", "query": "schema probe"}),
	"search_global": lambda: {"query": _indexed_todo()},
	"search_link": lambda: {"doctype": "User", "query": ""},
	"workflow_action": lambda: {"doctype": REQUEST, "name": _request(), "action": "Approve"},
	"workflow_list": lambda: {},
	"workflow_status": lambda: {"doctype": REQUEST, "name": _request()},
	"analyze_frappe_data": lambda: _analysis("profile", fields=["region", "amount", "posted_on"]),
	"execute_python_code": lambda: {
		"code": "answer = {'n': 6 * 7}\nprint('hi')",
		"return_variables": ["answer", "undefined_name"],
	},
	"extract_file_content": lambda: _file_url("fac-schema.pdf", pdf_bytes("Page one", "Page two")),
	"query_and_analyze": lambda: {
		"query": "SELECT name, enabled, creation, user_type FROM `tabUser`",
		"analysis_type": "statistical",
	},
	"create_chart": lambda: {"chart_name": _unique("Probe"), "doctype": PROBE},
	"create_dashboard": lambda: {
		"dashboard_name": _unique("Probe"),
		"chart_names": [_chart()],
	},
	"create_kpi_card": lambda: _after(
		_probe_rows,
		{
			"label": _unique("Probe"),
			"doctype": PROBE,
			"function": "Sum",
			"aggregate_field": "amount",
		},
	),
}

# The other shapes some results take: {tool: {shape: arguments}}.
SHAPES = {
	"document_create": {
		"validate_only": lambda: {"doctype": "ToDo", "data": {"description": "x"}, "validate_only": True}
	},
	"document_update": {
		"attachment": lambda: {
			"doctype": ORDER,
			"name": _order(),
			"attachments": [
				{"file_name": "fac-schema.txt", "content_base64": "c2NoZW1h", "fieldname": "receipt"}
			],
		}
	},
	"metadata_permissions": {"doctype only": lambda: {"doctype": ORDER}},
	"metadata_workflow": {"no workflow": lambda: {"doctype": ORDER}},
	"report_details": {"query report": lambda: {"report_name": QUERY_REPORT}},
	"report_execute": {
		"csv": lambda: _after(
			_order, {"report_name": QUERY_REPORT, "filters": {"min_amount": 0}, "format": "csv"}
		),
		"script report": lambda: _after(
			_todo, {"report_name": SCRIPT_REPORT, "filters": {"user": "Administrator", "doctype": "ToDo"}}
		),
	},
	"search_link": {"test order": lambda: _after(_order, {"doctype": ORDER, "query": "Acme"})},
	"analyze_frappe_data": {
		kind: (lambda kind=kind: _analysis(kind))
		for kind in ("statistics", "trends", "quality", "correlations")
	},
	"execute_python_code": {"error": lambda: {"code": "1 / 0"}},
	"extract_file_content": {
		"docx": lambda: _file_url("fac-schema.docx", docx_bytes()),
		"xlsx": lambda: _file_url("fac-schema.xlsx", xlsx_bytes()),
		"csv": lambda: _file_url("fac-schema.csv", b"region,amount\nNorth,30\nSouth,70\n"),
		"text cut": lambda: {**_file_url("fac-schema.txt", b"x" * 500), "max_chars": 100},
	},
	"query_and_analyze": {"basic": lambda: {"query": "SELECT 6 * 7 AS answer"}},
	"create_chart": {
		"group by": lambda: {
			"chart_name": _unique("Probe"),
			"doctype": PROBE,
			"chart_type": "Group By",
			"group_by_based_on": "region",
			"type": "Pie",
		}
	},
}


def test_every_declared_output_schema_has_a_real_call_here():
	declared = {name for name, info in _tools().items() if info.instance.output_schema() is not None}
	assert declared == set(CALLS)
	assert set(SHAPES) <= declared


_CASES = [(name, "") for name in sorted(CALLS)] + [
	(name, shape) for name in sorted(SHAPES) for shape in SHAPES[name]
]


@pytest.mark.parametrize(("name", "shape"), _CASES, ids=[f"{n}[{s}]" if s else n for n, s in _CASES])
def test_structured_content_validates_against_the_tools_output_schema(name, shape):
	arguments = SHAPES[name][shape]() if shape else CALLS[name]()
	status, body, _ = call(
		{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}},
		headers={"MCP-Protocol-Version": "2025-11-25"},
	)
	result = body["result"]
	assert status == 200 and result["isError"] is False, result
	schema = describe_tool(_tools()[name], REVISIONS["2025-11-25"])["outputSchema"]
	structured = result["structuredContent"]
	jsonschema.validate(structured, schema, cls=jsonschema.Draft202012Validator)
	text = result["content"][0]["text"]
	if len(json.dumps(structured, ensure_ascii=False).encode()) <= FULL_TEXT_MAX_BYTES:
		assert json.loads(text) == structured
	else:  # a large result is sent once, as structuredContent, with a preview as its text
		assert text.endswith("the whole result is in structuredContent)")
