"""Core plugin, document tools: create, get, update, list and delete real documents as the calling user.

Plus the rules every core tool shares: strict described arguments and the category that
utils.tool_categories detects from each tool's source (SPEC §4, issue: core tools).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import frappe
import pytest

from frappe_assistant_core.core.tool_categories import read_tool_source
from frappe_assistant_core.exceptions import ToolArgumentError
from frappe_assistant_core.plugins.core.plugin import CorePlugin
from frappe_assistant_core.plugins.core.tools.document_create import DocumentCreate
from frappe_assistant_core.plugins.core.tools.document_delete import DocumentDelete
from frappe_assistant_core.plugins.core.tools.document_get import DocumentGet
from frappe_assistant_core.plugins.core.tools.document_list import DocumentList
from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate
from tests.support.doctypes import (
	ORDER,
	ORDER_ITEM,
	OUTSIDER,
	READER,
	ensure_test_doctypes,
	ensure_test_users,
	order,
)

TOOLS_DIR = Path(__file__).resolve().parents[2] / "frappe_assistant_core" / "plugins" / "core" / "tools"
#: SPEC §4: every core tool not named here is read_only. document_update cancels documents, which
#: cannot be undone: like deleting, that makes it privileged (destructive).
NOT_READ_ONLY = {
	"document_create": "write",
	"document_update": "privileged",
	"workflow_action": "write",
	"document_delete": "privileged",
}


pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module", autouse=True)
def core_fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()


def _insert_order(**values):
	return frappe.get_doc(order(**values)).insert()


def _item_rows(name: str) -> list[dict]:
	return frappe.get_all(
		ORDER_ITEM,
		filters={"parent": name, "parenttype": ORDER},
		fields=["name", "item", "qty"],
		order_by="idx",
	)


def _raises_argument_error(tool, arguments: dict, field: str) -> None:
	with pytest.raises(ToolArgumentError, match=field.replace(".", r"\.")):
		tool.run(arguments)


# --- rules shared by all 19 tools -------------------------------------------------------------


def test_core_tool_categories_are_detected_from_source():
	"""Each core tool's explicit ptype= checks give the category SPEC requires (delete, cancel → privileged)."""
	assert len(CorePlugin.tools) == 19 and set(NOT_READ_ONLY) < set(CorePlugin.tools)
	detected = {tool: read_tool_source(str(TOOLS_DIR / f"{tool}.py")).category for tool in CorePlugin.tools}
	assert detected == {tool: NOT_READ_ONLY.get(tool, "read_only") for tool in CorePlugin.tools}


def test_core_tool_arguments_are_strict_and_described():
	"""Every tool: module name == tool name, extra arguments forbidden, every field described."""
	for tool_name in CorePlugin.tools:
		source = read_tool_source(str(TOOLS_DIR / f"{tool_name}.py"))
		module = importlib.import_module(f"frappe_assistant_core.plugins.core.tools.{tool_name}")
		tool = getattr(module, source.class_name)
		assert tool.name == tool_name
		assert tool.Arguments.model_config.get("extra") == "forbid", tool_name
		schema = tool.input_schema()
		assert schema["properties"], tool_name
		for field, spec in schema["properties"].items():
			assert spec.get("description"), f"{tool_name}.{field} has no description"
		with pytest.raises(ToolArgumentError, match="unexpected_argument"):
			tool().parse_arguments({"unexpected_argument": 1})


# --- document_create ------------------------------------------------------------------------------


def test_document_create_inserts_document_with_child_rows():
	"""The document and both child rows land in the database; the result is JSON-serialisable."""
	out = DocumentCreate().run({"doctype": ORDER, "data": order(customer="Create Co", amount=75)})
	json.dumps(out)
	assert frappe.db.get_value(ORDER, out["name"], ["customer", "amount", "owner"]) == (
		"Create Co",
		75,
		"Administrator",
	)
	assert [row.item for row in _item_rows(out["name"])] == ["Bolt", "Nut"]
	assert out["document"]["items"][1]["qty"] == 20
	assert out["docstatus"] == 0


def test_document_create_submit_submits_the_document():
	"""submit=True inserts and submits in one call."""
	out = DocumentCreate().run({"doctype": ORDER, "data": order(), "submit": True})
	assert frappe.db.get_value(ORDER, out["name"], "docstatus") == 1


def test_document_create_validate_only_runs_validation_and_saves_nothing():
	"""validate_only returns the would-be document, leaves no row, and still enforces mandatory fields."""
	before = frappe.db.count(ORDER)
	queued = len(frappe.db.after_commit._functions)
	out = DocumentCreate().run({"doctype": ORDER, "data": order(customer="Dry Run"), "validate_only": True})
	assert out["valid"] is True and out["saved"] is False
	assert out["document"]["customer"] == "Dry Run"
	assert frappe.db.count(ORDER) == before
	assert len(frappe.db.after_commit._functions) == queued  # no realtime/webhook work for a ghost
	assert not frappe.db.exists(ORDER, {"customer": "Dry Run"})
	with pytest.raises(frappe.MandatoryError):
		DocumentCreate().run({"doctype": ORDER, "data": {"amount": 1}, "validate_only": True})
	assert frappe.db.count(ORDER) == before


def test_validate_only_of_a_custom_field_leaves_neither_the_row_nor_the_column():
	"""A Custom Field's insert adds a column, and DDL commits; validate_only refuses that commit, so
	the savepoint still undoes the row and no column is ever added. Frappe v15 alters a PostgreSQL
	table inside the transaction instead (no commit): there the dry run completes, and rolling back
	to its savepoint undoes the column as well."""
	data = {"dt": ORDER, "fieldname": "fac_dry_run_column", "label": "Dry Run Column", "fieldtype": "Data"}
	try:
		answer = DocumentCreate().run({"doctype": "Custom Field", "data": data, "validate_only": True})
	except frappe.ValidationError as refused:
		assert "validate_only cannot check a Custom Field" in str(refused)
	else:
		assert frappe.db.db_type == "postgres" and (answer["valid"], answer["saved"]) == (True, False)
	assert not frappe.db.exists("Custom Field", {"dt": ORDER, "fieldname": "fac_dry_run_column"})
	assert "fac_dry_run_column" not in frappe.db.get_table_columns(ORDER)
	frappe.db.rollback()  # nothing of the dry run was committed: a full rollback leaves nothing either
	assert not frappe.db.exists("Custom Field", {"dt": ORDER, "fieldname": "fac_dry_run_column"})
	assert "commit" not in vars(frappe.local.db)  # the Database.commit method is back


def test_document_create_denied_without_create_permission():
	"""A user who may only read the DocType gets PermissionError and no row is written."""
	before = frappe.db.count(ORDER)
	frappe.set_user(READER)
	with pytest.raises(frappe.PermissionError):
		DocumentCreate().run({"doctype": ORDER, "data": order()})
	frappe.set_user("Administrator")
	assert frappe.db.count(ORDER) == before


@pytest.mark.parametrize(
	("arguments", "field"),
	[
		({"data": {"customer": "x"}}, "doctype"),
		({"doctype": ORDER, "data": "not an object"}, "data"),
		({"doctype": ORDER, "data": {"customer": "x"}, "submit": "maybe"}, "submit"),
		({"doctype": ORDER, "data": {"nosuch": 1}}, "data.nosuch"),
		({"doctype": ORDER, "data": {"customer": "x", "items": [{"bogus": 1}]}}, "data.items.0.bogus"),
		({"doctype": ORDER, "data": {"customer": "x", "owner": "someone@example.com"}}, "data.owner"),
		({"doctype": "ToDo", "data": {"description": "x"}, "submit": True}, "submit"),
	],
)
def test_document_create_bad_arguments_name_the_field(arguments, field):
	"""Wrong types, unknown (or forged standard) fields and submit on a non-submittable DocType."""
	_raises_argument_error(DocumentCreate(), arguments, field)


def test_document_create_unknown_doctype_is_does_not_exist():
	with pytest.raises(frappe.DoesNotExistError, match="No Such Doctype"):
		DocumentCreate().run({"doctype": "No Such Doctype", "data": {}})


# --- document_get ---------------------------------------------------------------------------------


def test_document_get_returns_document_with_child_tables():
	doc = _insert_order(customer="Get Co")
	out = DocumentGet().run({"doctype": ORDER, "name": doc.name})
	json.dumps(out)
	assert out["document"]["customer"] == "Get Co"
	assert out["document"]["internal_note"] == "secret margin"
	assert [row["item"] for row in out["document"]["items"]] == ["Bolt", "Nut"]


def test_document_get_hides_fields_above_the_users_permlevel():
	"""The reader may read the document but not its permlevel-1 field."""
	doc = _insert_order()
	frappe.set_user(READER)
	out = DocumentGet().run({"doctype": ORDER, "name": doc.name})
	assert out["document"]["customer"] == "Acme Corp"
	assert "internal_note" not in out["document"]


def test_document_get_denied_without_read_permission():
	doc = _insert_order()
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		DocumentGet().run({"doctype": ORDER, "name": doc.name})


def test_document_get_bad_arguments_and_missing_document():
	_raises_argument_error(DocumentGet(), {"doctype": ORDER}, "name")
	_raises_argument_error(DocumentGet(), {"doctype": ORDER, "name": ""}, "name")
	with pytest.raises(frappe.DoesNotExistError, match="FTO-NOPE"):
		DocumentGet().run({"doctype": ORDER, "name": "FTO-NOPE"})


# --- document_update ------------------------------------------------------------------------------


def test_document_update_sets_fields_and_patches_child_rows():
	"""patch mode: the named row is updated, a row without name is added, the others are kept."""
	doc = _insert_order()
	bolt = doc.items[0].name
	out = DocumentUpdate().run(
		{
			"doctype": ORDER,
			"name": doc.name,
			"data": {"amount": 999, "items": [{"name": bolt, "qty": 11}, {"item": "Washer", "qty": 3}]},
		}
	)
	assert frappe.db.get_value(ORDER, doc.name, "amount") == 999
	assert [(r.item, r.qty) for r in _item_rows(doc.name)] == [("Bolt", 11), ("Nut", 20), ("Washer", 3)]
	assert out["document"]["amount"] == 999


def test_document_update_replace_mode_keeps_only_the_given_rows():
	doc = _insert_order()
	nut = doc.items[1].name
	DocumentUpdate().run(
		{
			"doctype": ORDER,
			"name": doc.name,
			"data": {"items": [{"name": nut, "qty": 1}, {"item": "Gear", "qty": 2}]},
			"child_table_mode": "replace",
		}
	)
	assert [(r.item, r.qty) for r in _item_rows(doc.name)] == [("Nut", 1), ("Gear", 2)]


def test_document_update_refuses_a_row_of_another_document():
	"""A child row name that is not a row of this document cannot be rewritten through it."""
	other = _insert_order(customer="Other")
	doc = _insert_order()
	foreign = other.items[0].name
	_raises_argument_error(
		DocumentUpdate(),
		{"doctype": ORDER, "name": doc.name, "data": {"items": [{"name": foreign, "qty": 0}]}},
		"data.items.0.name",
	)
	assert frappe.db.get_value(ORDER_ITEM, foreign, ["parent", "qty"]) == (other.name, 10)


def test_document_update_on_submitted_document_allows_only_allow_on_submit_fields():
	doc = frappe.get_doc(order()).insert()
	doc.submit()
	DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "data": {"remarks": "after submit"}})
	assert frappe.db.get_value(ORDER, doc.name, "remarks") == "after submit"
	with pytest.raises(frappe.UpdateAfterSubmitError):
		DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "data": {"amount": 1}})
	assert frappe.db.get_value(ORDER, doc.name, "amount") == 150


def test_document_update_denied_without_write_permission():
	doc = _insert_order()
	frappe.set_user(READER)
	with pytest.raises(frappe.PermissionError):
		DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "data": {"amount": 1}})
	frappe.set_user("Administrator")
	assert frappe.db.get_value(ORDER, doc.name, "amount") == 150


@pytest.mark.parametrize(
	("data", "mode", "field"),
	[
		({}, "patch", "data"),
		({"amount": 1}, "merge", "child_table_mode"),
		({"name": "FTO-RENAMED"}, "patch", "data.name"),
		({"items": "not rows"}, "patch", "data.items"),
	],
)
def test_document_update_bad_arguments_name_the_field(data, mode, field):
	doc = _insert_order()
	arguments = {"doctype": ORDER, "name": doc.name, "data": data, "child_table_mode": mode}
	_raises_argument_error(DocumentUpdate(), arguments, field)


# --- document_list --------------------------------------------------------------------------------


def test_document_list_filters_sorts_and_pages():
	for customer, amount in (("List A", 10), ("List B", 200), ("List C", 300)):
		_insert_order(customer=customer, amount=amount)
	arguments = {
		"doctype": ORDER,
		"filters": {"customer": ["like", "List %"], "amount": [">", 100]},
		"fields": ["name", "customer", "amount"],
		"order_by": "amount asc",
	}
	out = DocumentList().run(arguments)
	json.dumps(out)
	assert [(row["customer"], row["amount"]) for row in out["data"]] == [("List B", 200), ("List C", 300)]
	paged = DocumentList().run({**arguments, "limit": 1})
	assert paged["count"] == 1 and paged["has_more"] is True
	assert paged["data"][0]["customer"] == "List B"


def test_document_list_only_returns_documents_the_user_may_read():
	"""ToDo's permission query: a ToDo allocated to someone else is invisible to the reader."""
	frappe.get_doc({"doctype": "ToDo", "description": "admin only todo"}).insert()
	frappe.get_doc({"doctype": "ToDo", "description": "reader todo", "allocated_to": READER}).insert()
	frappe.set_user(READER)
	out = DocumentList().run({"doctype": "ToDo", "fields": ["description"], "limit": 1000})
	descriptions = {row["description"] for row in out["data"]}
	assert "reader todo" in descriptions
	assert "admin only todo" not in descriptions


def test_document_list_denied_without_read_permission():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		DocumentList().run({"doctype": ORDER})


def test_document_list_bad_arguments_name_the_field():
	_raises_argument_error(DocumentList(), {"doctype": ORDER, "limit": 1001}, "limit")
	_raises_argument_error(DocumentList(), {"doctype": ORDER, "order_by": "amount; drop table x"}, "order_by")
	_raises_argument_error(DocumentList(), {"doctype": ORDER, "fields": []}, "fields")
	with pytest.raises(frappe.ValidationError, match="fields: FAC Test Order has no field nosuch"):
		DocumentList().run({"doctype": ORDER, "fields": ["name", "nosuch"]})
	with pytest.raises(frappe.ValidationError, match="filters"):
		DocumentList().run({"doctype": ORDER, "filters": {"nosuch": 1}})


# --- document_delete ------------------------------------------------------------------------------


def test_document_delete_removes_document_and_child_rows():
	doc = _insert_order()
	out = DocumentDelete().run({"doctype": ORDER, "name": doc.name})
	assert out == {"deleted": True, "doctype": ORDER, "name": doc.name}
	assert not frappe.db.exists(ORDER, doc.name)
	assert _item_rows(doc.name) == []


def test_document_delete_denied_without_delete_permission():
	doc = _insert_order()
	frappe.set_user(READER)
	with pytest.raises(frappe.PermissionError):
		DocumentDelete().run({"doctype": ORDER, "name": doc.name})
	frappe.set_user("Administrator")
	assert frappe.db.exists(ORDER, doc.name)


def test_document_delete_refuses_submitted_documents():
	doc = frappe.get_doc(order()).insert()
	doc.submit()
	with pytest.raises(frappe.ValidationError):
		DocumentDelete().run({"doctype": ORDER, "name": doc.name})
	assert frappe.db.exists(ORDER, doc.name)


def test_document_delete_bad_arguments_and_missing_document():
	_raises_argument_error(DocumentDelete(), {"doctype": ORDER}, "name")
	_raises_argument_error(DocumentDelete(), {"doctype": ORDER, "name": "x", "force": "sometimes"}, "force")
	with pytest.raises(frappe.DoesNotExistError):
		DocumentDelete().run({"doctype": ORDER, "name": "FTO-NOPE"})
