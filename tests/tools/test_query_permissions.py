"""query_and_analyze shows each user exactly what frappe.get_list shows them, and nothing more.

Rows: DocType permission, if_owner, User Permissions, shared documents and permission query
conditions, compared with frappe.get_list for the same user. Columns: fields above the user's
permlevel, and fields Frappe v16 shows masked, are not columns at all. Child rows follow their
parent. The user's own expressions only ever run on rows that passed the permission filter, and
every statement has a time limit on both databases. Any user the tool's role access admits may
use it; an administrator can still narrow it to roles.
"""

from __future__ import annotations

import json
import time

import frappe
import pytest

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.exceptions import ToolNotFoundError
from frappe_assistant_core.plugins.data_science._sql_policy import admit_select
from frappe_assistant_core.plugins.data_science.tools import query_and_analyze as qa
from frappe_assistant_core.utils.plugin_manager import get_tool_registry
from tests.host.config import session_db_type
from tests.support.site import make_user
from tests.tools._query_fixtures import (
	LINE_TABLE,
	OUTSIDER,
	OWN_READER,
	READER,
	READER_ROLE,
	SHEET,
	SHEET_TABLE,
	committed_sheets,
	ensure_query_doctypes,
	run_query,
)

pytestmark = pytest.mark.postgres

#: A System Manager whose User Permission limits the sheets they see to one.
RESTRICTED_MANAGER = "fac-query-manager@example.com"


@pytest.fixture(scope="module", autouse=True)
def sheets(test_site):
	ensure_query_doctypes()
	make_user(RESTRICTED_MANAGER, ["System Manager"])
	with committed_sheets() as names:
		yield names


@pytest.fixture
def committed():
	"""Run the test's setup committed (the tool reads on a connection of its own); undo it after."""
	undo = []
	yield undo
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for doctype, name in undo:
		frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
	frappe.db.commit()
	frappe.clear_cache()


def _user_permission(user: str, name: str, committed: list) -> None:
	doc = frappe.get_doc({"doctype": "User Permission", "user": user, "allow": SHEET, "for_value": name})
	doc.insert(ignore_permissions=True)
	committed.append(("User Permission", doc.name))
	frappe.db.commit()
	frappe.clear_cache(user=user)


def _names_through_the_tool(doctype: str) -> list[str]:
	rows = run_query(f"SELECT name FROM `tab{doctype}` ORDER BY name", limit=1000)["rows"]
	return [row["name"] for row in rows]


def _names_through_get_list(doctype: str) -> list[str]:
	return sorted(frappe.get_list(doctype, pluck="name", limit_page_length=0))


@pytest.mark.parametrize("user", ["Administrator", READER, OWN_READER])
def test_rows_are_those_frappe_get_list_returns(user, sheets):
	"""DocType permission for all, and if_owner for OWN_READER (only the sheet it owns)."""
	frappe.set_user(user)
	expected = _names_through_get_list(SHEET)
	assert _names_through_the_tool(SHEET) == expected
	assert expected == ([sheets["beta"]] if user == OWN_READER else sorted(sheets.values()))


def test_a_user_permission_limits_the_rows_even_of_a_system_manager(sheets, committed):
	"""The old check only asked whether the DocType was readable: all rows came back."""
	_user_permission(RESTRICTED_MANAGER, sheets["gamma"], committed)
	frappe.set_user(RESTRICTED_MANAGER)
	assert _names_through_get_list(SHEET) == [sheets["gamma"]]
	assert _names_through_the_tool(SHEET) == [sheets["gamma"]]
	total = run_query(f"SELECT SUM(amount) AS total FROM {SHEET_TABLE}")["rows"][0]["total"]
	assert int(total) == 30


def test_a_shared_document_is_all_a_user_without_a_role_sees(sheets, committed):
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.ValidationError, match=f"you may not read {SHEET}"):
		run_query(f"SELECT name FROM {SHEET_TABLE}")
	frappe.set_user("Administrator")
	share = frappe.share.add_docshare(
		SHEET, sheets["alpha"], OUTSIDER, read=1, flags={"ignore_share_permission": 1}
	)
	committed.append(("DocShare", share.name))
	frappe.db.commit()
	frappe.set_user(OUTSIDER)
	assert _names_through_get_list(SHEET) == [sheets["alpha"]]
	assert _names_through_the_tool(SHEET) == [sheets["alpha"]]


def test_permission_query_conditions_apply_as_in_get_list(committed):
	"""ToDo's permission query condition: a user without a ToDo role sees the ToDos allocated to
	them or assigned by them."""
	for allocated_to in (OUTSIDER, "Administrator"):
		todo = frappe.get_doc(
			{"doctype": "ToDo", "description": f"fac query for {allocated_to}", "allocated_to": allocated_to}
		).insert(ignore_permissions=True)
		committed.append(("ToDo", todo.name))
	frappe.db.commit()
	frappe.set_user(OUTSIDER)
	expected = _names_through_get_list("ToDo")
	assert len(expected) >= 1 and all(
		frappe.db.get_value("ToDo", name, "allocated_to") == OUTSIDER
		or frappe.db.get_value("ToDo", name, "assigned_by") == OUTSIDER
		for name in expected
	)
	assert _names_through_the_tool("ToDo") == expected


def test_a_field_above_the_users_permlevel_is_no_column():
	frappe.set_user(READER)
	columns = run_query(f"SELECT * FROM {SHEET_TABLE}")["columns"]
	assert "label" in columns and "secret" not in columns
	with pytest.raises(frappe.ValidationError, match="secret") as refused:
		run_query(f"SELECT label, secret FROM {SHEET_TABLE}")
	assert "fac-canary-secret" not in str(refused.value)
	frappe.set_user("Administrator")
	secrets = [
		row["secret"] for row in run_query(f"SELECT secret FROM {SHEET_TABLE} ORDER BY secret")["rows"]
	]
	assert secrets == ["fac-canary-secret-alpha", "fac-canary-secret-beta", "fac-canary-secret-gamma"]


def test_a_whole_row_value_holds_only_the_columns_the_user_may_read():
	"""PostgreSQL's whole-row values (`row_to_json(s)`) see the derived table's columns only."""
	if frappe.db.db_type != "postgres":
		pytest.skip("MariaDB has no whole-row values")
	frappe.set_user(READER)
	rows = run_query(f"SELECT row_to_json(s) AS r FROM {SHEET_TABLE} AS s ORDER BY s.label")["rows"]
	values = [json.loads(row["r"]) for row in rows]
	assert [value["label"] for value in values] == ["alpha", "beta", "gamma"]
	assert not any("secret" in value for value in values) and "fac-canary-secret" not in json.dumps(rows)
	if hasattr(frappe.get_meta(SHEET), "get_masked_fields"):  # v15 has no masking: `contact` is readable
		assert "contact" not in values[0] and "fac-canary-contact" not in json.dumps(rows)


def test_a_field_frappe_shows_masked_is_no_column():
	if not hasattr(frappe.get_meta(SHEET), "get_masked_fields"):
		pytest.skip("Frappe v15 has no masked fields")
	frappe.set_user(READER)
	answer = run_query(f"SELECT * FROM {SHEET_TABLE}")
	assert "contact" not in answer["columns"] and "fac-canary-contact" not in json.dumps(answer["rows"])
	frappe.set_user("Administrator")
	assert "contact" in run_query(f"SELECT * FROM {SHEET_TABLE}")["columns"]


def test_child_rows_follow_their_parent_and_its_permlevels(sheets):
	query = f"SELECT parent, item FROM {LINE_TABLE} ORDER BY item"
	frappe.set_user(READER)
	rows = run_query(query)["rows"]
	assert [row["item"] for row in rows] == ["bolt", "nut", "washer"]
	assert "cost" not in run_query(f"SELECT * FROM {LINE_TABLE}")["columns"]
	frappe.set_user(OWN_READER)
	assert run_query(query)["rows"] == [
		{"parent": sheets["beta"], "item": "nut"},
		{"parent": sheets["beta"], "item": "washer"},
	]
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.ValidationError, match="you may not read"):
		run_query(query)
	frappe.set_user("Administrator")
	joined = run_query(
		f"SELECT s.label, SUM(l.qty) AS qty FROM {SHEET_TABLE} s JOIN {LINE_TABLE} l ON l.parent = s.name "
		"GROUP BY s.label ORDER BY s.label"
	)["rows"]
	assert [(row["label"], int(row["qty"])) for row in joined] == [("alpha", 1), ("beta", 5)]


def _plan(statement: str):
	"""The database's plan of `statement`, as JSON (MariaDB gives it as text, psycopg2 parsed)."""
	explain = "EXPLAIN (FORMAT JSON) " if frappe.db.db_type == "postgres" else "EXPLAIN FORMAT=JSON "
	with qa.read_only_connection() as db:
		rows, _ = qa.run_read_only(db, explain + statement)
	(plan,) = rows[0].values()
	return json.loads(plan) if isinstance(plan, str) else plan


def test_the_users_expressions_only_see_rows_that_passed_the_permission_filter():
	"""A user filter is never merged below the permission filter (where an error or a slow
	expression of theirs could run on someone else's row): it stays above the fenced rows."""
	frappe.set_user(OWN_READER)
	statement = admit_select(f"SELECT label FROM {SHEET_TABLE} WHERE amount * 7 = 147", 10, qa.may_read)
	plan = _plan(statement)
	user_condition, owner_condition = _conditions_holding(plan, "147"), _conditions_holding(plan, OWN_READER)
	assert user_condition and owner_condition, plan
	for user_path in user_condition:
		for owner_path in owner_condition:
			assert owner_path[: len(user_path)] == user_path and len(owner_path) > len(user_path), plan
	alpha_is_not_theirs = f"SELECT label FROM {SHEET_TABLE} WHERE amount * 7 = 70"
	assert run_query(alpha_is_not_theirs)["rows"] == []
	assert run_query(f"SELECT label FROM {SHEET_TABLE} WHERE amount * 7 = 140")["rows"] == [{"label": "beta"}]


def _conditions_holding(node, text: str, path: tuple = ()) -> list[tuple]:
	"""Paths (keys from the plan's root) of the plan nodes whose own condition mentions `text`."""
	found = []
	if isinstance(node, dict):
		for key, value in node.items():
			if isinstance(value, str) and text in value and key in ("attached_condition", "Filter"):
				found.append(path)
			else:
				found += _conditions_holding(value, text, (*path, key))
	elif isinstance(node, list):
		for index, value in enumerate(node):
			found += _conditions_holding(value, text, (*path, index))
	return found


def test_a_statement_stops_at_the_time_limit(monkeypatch):
	"""MariaDB's max_statement_time and PostgreSQL's statement_timeout (which it had none of)."""
	monkeypatch.setattr(qa, "STATEMENT_TIMEOUT_SECONDS", 1)
	started = time.monotonic()
	with pytest.raises(
		frappe.ValidationError, match=r"(?i)^query: the database refused .*(timeout|max_statement_time)"
	):
		run_query(  # a billion rows (MariaDB stops a recursion after 1000 rounds by default)
			"WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
			"SELECT COUNT(*) AS c FROM n AS a, n AS b, n AS c"
		)
	assert time.monotonic() - started < 15


@pytest.mark.skipif(
	session_db_type() == "postgres",
	reason="PostgreSQL's temp_file_limit may be set by a superuser only: the time limit bounds it there",
)
def test_a_statement_cannot_fill_the_database_servers_disk(monkeypatch):
	"""MariaDB writes the temporary tables of a recursive CTE or a derived table to its tmpdir: a
	statement of a few hundred bytes wrote 2.6 GB there in 10 s. They are capped per statement."""
	monkeypatch.setattr(qa, "MAX_TEMPORARY_TABLE_BYTES", 8 * 1024 * 1024, raising=False)
	with pytest.raises(frappe.ValidationError, match=r"^query: the database refused .* is full"):
		run_query(  # 127 rows of 500 kB: about 64 MB of temporary table
			"WITH RECURSIVE n AS (SELECT 1 AS i, REPEAT('x', 500000) AS pad UNION ALL "
			"SELECT i + 1, pad FROM n, (SELECT 1 AS a UNION ALL SELECT 2 AS a) AS two WHERE i < 7) "
			"SELECT COUNT(*) AS c FROM n"
		)


def test_any_user_the_role_access_admits_may_use_it_and_an_administrator_can_narrow_it():
	"""It reads only what get_list gives the caller, so it needs no System Manager gate; the
	administrator's role access still decides who sees it. execute_python_code keeps its gate."""
	admin_api.toggle_plugin("data_science", True)
	admin_api.bulk_toggle_tools(["query_and_analyze", "execute_python_code"], True)
	user = make_user("fac-query-assistant@example.com", ["Assistant User", READER_ROLE], commit=False)
	registry = get_tool_registry()
	visible = {t.name for t in registry.get_available_tools(user)}
	assert "query_and_analyze" in visible and "execute_python_code" not in visible
	frappe.set_user(user)
	labels = registry.call_tool(
		"query_and_analyze", {"query": f"SELECT label FROM {SHEET_TABLE} ORDER BY label"}
	)
	assert [row["label"] for row in labels["rows"]] == ["alpha", "beta", "gamma"]
	frappe.set_user("Administrator")
	admin_api.update_tool_role_access("query_and_analyze", "Restrict to Listed Roles", ["System Manager"])
	assert "query_and_analyze" not in {t.name for t in registry.get_available_tools(user)}
	frappe.set_user(user)
	with pytest.raises(ToolNotFoundError):
		registry.call_tool("query_and_analyze", {"query": "SELECT 1"})
