"""search_global answers only with what the user may read, and spreadsheets run no formula from the
app's exports (issue #19, finding 4).

search_global: a DocType with a global-search field at permlevel 1 (its title field, too); a user
who reads only permlevel 0 sees neither its text, nor its title, nor a hit that only that field
explains (which would tell them the hidden value holds the words searched for).

Exports: report_execute's CSV, and Frappe's own CSV and Excel export of the FAC Tool Call Log (rows
hold text a caller chose: a tool name, a DocType name, a client name), opened as a spreadsheet
would open them, carry no formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
import uuid

import frappe
import openpyxl
import pytest
from frappe.utils import strip_html_tags
from frappe.utils.global_search import sync_global_search
from hypothesis import given, settings
from hypothesis import strategies as st

from frappe_assistant_core.audit import store
from frappe_assistant_core.audit.recorder import DOCTYPE as LOG
from frappe_assistant_core.core.spreadsheet import neutralise
from frappe_assistant_core.plugins.core.tools.report_execute import ReportExecute
from frappe_assistant_core.plugins.core.tools.search_global import SearchGlobal
from tests.support.doctypes import BUILDER_REPORT, ensure_test_doctypes, order
from tests.support.server import serve
from tests.support.site import ASSISTANT_USER, SYSTEM_MANAGER, api_credentials, make_user

PROBE = "FAC Search Probe"
READER_ROLE = "FAC Search Reader"
READER = "fac-search-reader@example.com"
MCP = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
FORMULAS = [
	'=HYPERLINK("http://evil.example.com","x")',
	"+1+cmd|' /C calc'!A0",
	"-2+3",
	"@SUM(1,1)",
	"\t=1",
	" =1+1",
]


@pytest.fixture(scope="module")
def probe():
	"""A searchable DocType whose `secret_note` (also its title field) is at permlevel 1; the
	reader role reads permlevel 0 only."""
	if not frappe.db.exists("Role", READER_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": READER_ROLE, "desk_access": 1}).insert()
	if not frappe.db.exists("DocType", PROBE):
		frappe.get_doc(
			{
				"doctype": "DocType",
				"name": PROBE,
				"module": "Assistant Core",
				"custom": 1,
				"autoname": "hash",
				"title_field": "secret_note",
				"fields": [
					{"fieldname": "subject", "fieldtype": "Data", "label": "Subject", "in_global_search": 1},
					{
						"fieldname": "secret_note",
						"fieldtype": "Data",
						"label": "Secret Note",
						"in_global_search": 1,
						"permlevel": 1,
					},
				],
				"permissions": [
					{"role": "System Manager", "read": 1, "write": 1, "create": 1},
					{"role": "System Manager", "read": 1, "write": 1, "permlevel": 1},
					{"role": READER_ROLE, "read": 1},
				],
			}
		).insert()
	settings_doc = frappe.get_single("Global Search Settings")
	if PROBE not in {row.document_type for row in settings_doc.allowed_in_global_search}:
		settings_doc.append("allowed_in_global_search", {"document_type": PROBE})
		settings_doc.save(ignore_permissions=True)
	frappe.db.commit()
	make_user(READER, [READER_ROLE])
	return PROBE


@pytest.fixture
def indexed(probe):
	visible, hidden = f"Quokkavisible{uuid.uuid4().hex[:6]}", f"Quokkahidden{uuid.uuid4().hex[:6]}"
	doc = frappe.get_doc({"doctype": probe, "subject": f"{visible} subject", "secret_note": f"{hidden} note"})
	doc.insert()
	sync_global_search()
	yield doc, visible.lower(), hidden.lower()
	frappe.db.delete("__global_search", {"doctype": probe, "name": doc.name})


def hits(query: str) -> list[dict]:
	return SearchGlobal().run({"query": query, "doctype": PROBE})["results"]


def test_search_global_shows_only_the_text_of_fields_the_user_may_read(indexed):
	doc, visible, hidden = indexed
	frappe.set_user(READER)
	[hit] = hits(visible)
	assert hit["name"] == doc.name
	assert visible in hit["content"].lower()
	assert hidden not in json.dumps(hit).lower()
	assert hit["title"] == doc.name  # the title field is at permlevel 1 too


def test_search_global_gives_no_hit_that_only_a_hidden_field_explains(indexed):
	"""Otherwise the hit itself would tell the reader that the hidden field holds the word."""
	_doc, visible, hidden = indexed
	frappe.set_user(READER)
	assert hits(hidden) == []
	assert [hit["name"] for hit in hits(f"{visible} {hidden}")] == []  # half explained is not explained
	frappe.set_user("Administrator")
	[hit] = hits(hidden)
	assert hidden in hit["content"].lower() and hidden in hit["title"].lower()


# -- formulas ------------------------------------------------------------------------------------------


def _would_run(cell: str) -> bool:
	"""Whether a spreadsheet would run `cell` (as written, or once an exporter turned its HTML into text)."""
	for text in (cell, html.unescape(strip_html_tags(cell))):
		if text.startswith(("\t", "\r")) or text.lstrip(" \n\u00a0").startswith(("=", "+", "-", "@")):
			return True
	return False


@settings(max_examples=300, deadline=None)
@given(
	st.text(alphabet=st.sampled_from(list("=+-@\t\r \n<>/p&#;61ab\u00a0'\"")), max_size=12),
	st.text(max_size=30),
)
def test_no_neutralised_text_runs_as_a_formula_and_nothing_is_lost(head, tail):
	value = head + tail
	safe = neutralise(value)
	assert safe in (value, "'" + value)  # only ever an apostrophe in front
	assert not _would_run(safe) or safe.startswith("'")
	assert safe == value or _would_run(value)  # ordinary text is left alone


def test_report_csv_cells_never_run_as_formulas():
	ensure_test_doctypes()
	for customer in FORMULAS:
		frappe.get_doc(order(customer=customer)).insert()
	out = ReportExecute().run({"report_name": BUILDER_REPORT, "format": "csv", "limit": 1000})
	rows = list(csv.reader(io.StringIO(out["csv"])))
	cells = [cell for row in rows for cell in row]
	assert {f"'{customer}" for customer in FORMULAS} <= set(cells)
	assert not [cell for cell in cells if _would_run(cell)]


def test_a_tool_call_log_export_opened_in_a_spreadsheet_runs_no_formula():
	"""Frappe's own CSV and Excel exports of the log (Report view > Export), of rows whose tool,
	DocType and client name a caller chose."""
	member = make_user(ASSISTANT_USER, ["Assistant User"])
	manager = make_user(SYSTEM_MANAGER, ["System Manager"])
	member_token, manager_token = api_credentials(member), api_credentials(manager)
	store.write_pending()
	frappe.db.delete(LOG, {"user": member})
	frappe.db.commit()
	with serve(workers=1) as server:
		for formula in FORMULAS:
			params = {
				"name": "document_get" if formula.startswith("-") else formula,
				"arguments": {"doctype": formula, "name": "x"},
				"_meta": {"clientInfo": {"name": formula, "version": formula}},
			}
			body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
			headers = {"MCP-Protocol-Version": "2025-06-18"}
			assert server.request(MCP, method="POST", body=body, auth=member_token, headers=headers)[0] == 200
		frappe.db.rollback()
		store.write_pending()
		assert frappe.db.count(LOG, {"user": member}) == len(FORMULAS)
		fields = [
			f"`tab{LOG}`.`{f}`"
			for f in (
				"tool",
				"target_doctype",
				"target_name",
				"client_name",
				"client_version",
				"error_message",
			)
		]
		for file_format in ("CSV", "Excel"):
			form = {
				"doctype": LOG,
				"file_format_type": file_format,
				"fields": json.dumps(fields),
				"filters": json.dumps([[LOG, "user", "=", member]]),
				"title": "Tool calls",
			}
			status, _headers, content = server.request(
				"/api/method/frappe.desk.reportview.export_query",
				method="POST",
				body=form,
				auth=manager_token,
			)
			assert status == 200, content[:300]
			cells = _csv_cells(content) if file_format == "CSV" else _xlsx_cells(content)
			assert {f"'{formula}" for formula in FORMULAS} <= set(cells), (file_format, cells)
			assert not [cell for cell in cells if _would_run(cell)], file_format


def _csv_cells(content: bytes) -> list[str]:
	return [cell for row in csv.reader(io.StringIO(content.decode())) for cell in row]


def _xlsx_cells(content: bytes) -> list[str]:
	"""Every cell's text; a formula cell (what openpyxl made of a value starting with "=") fails."""
	sheet = openpyxl.load_workbook(io.BytesIO(content)).active
	cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
	assert not [cell.value for cell in cells if cell.data_type == "f"]
	return [str(cell.value) for cell in cells]
