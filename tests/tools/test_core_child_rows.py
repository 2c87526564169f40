"""Child rows through document_update and document_create: added, updated by row name, removed,
and fields above the caller's write permission level refused rather than quietly dropped.

FAC Test Order Item's `cost` and FAC Test Order's `internal_note` are permission level 1, which
System Manager may write and the if_owner clerk may not even read.
"""

from __future__ import annotations

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frappe_assistant_core.exceptions import ToolArgumentError
from frappe_assistant_core.plugins.core.tools.document_create import DocumentCreate
from frappe_assistant_core.plugins.core.tools.document_get import DocumentGet
from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate
from tests.support.doctypes import (
	CLERK,
	ORDER,
	ORDER_ITEM,
	ensure_test_doctypes,
	ensure_test_users,
	order,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module", autouse=True)
def row_fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()


def _order(owner: str = "Administrator", **values):
	frappe.set_user(owner)
	doc = frappe.get_doc(order(internal_note=None, **values)).insert()
	frappe.set_user("Administrator")
	return doc


def _rows(name: str) -> list[tuple]:
	rows = frappe.get_all(
		ORDER_ITEM, filters={"parent": name}, fields=["idx", "item", "qty", "cost"], order_by="idx"
	)
	return [(r.idx, r.item, r.qty, r.cost) for r in rows]


def test_remove_rows_removes_the_named_rows_and_renumbers_the_rest():
	doc = _order(items=[{"item": "Bolt"}, {"item": "Nut"}, {"item": "Gear"}])
	DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "remove_rows": {"items": [doc.items[1].name]}})
	assert [(idx, item) for idx, item, _qty, _cost in _rows(doc.name)] == [(1, "Bolt"), (2, "Gear")]
	assert not frappe.db.exists(ORDER_ITEM, doc.items[1].name)


def test_rows_are_added_updated_and_removed_in_one_call():
	doc = _order()
	bolt, nut = (row.name for row in doc.items)
	DocumentUpdate().run(
		{
			"doctype": ORDER,
			"name": doc.name,
			"data": {"items": [{"name": nut, "qty": 21}, {"item": "Washer", "qty": 3}]},
			"remove_rows": {"items": [bolt]},
		}
	)
	assert [(item, qty) for _idx, item, qty, _cost in _rows(doc.name)] == [("Nut", 21), ("Washer", 3)]


@pytest.mark.parametrize(
	("remove_rows", "field"),
	[
		(lambda other: {"items": [other.items[0].name]}, "remove_rows.items.0"),
		(lambda other: {"items": ["no-such-row"]}, "remove_rows.items.0"),
		(lambda other: {"customer": ["x"]}, "remove_rows.customer"),
		(lambda other: {"nosuch": ["x"]}, "remove_rows.nosuch"),
	],
	ids=["row of another document", "unknown row", "not a table", "unknown field"],
)
def test_remove_rows_refuses_what_is_not_a_row_of_this_document(remove_rows, field):
	other, doc = _order(customer="Other"), _order()
	with pytest.raises(ToolArgumentError, match=field.replace(".", r"\.")):
		DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "remove_rows": remove_rows(other)})
	assert len(_rows(doc.name)) == 2 and len(_rows(other.name)) == 2


def test_a_row_field_above_the_users_level_is_refused_on_update():
	"""The clerk may change its own order's rows, but not their cost (level 1): refused, not dropped."""
	doc = _order(CLERK)
	frappe.set_user(CLERK)
	for rows in ([{"name": doc.items[0].name, "cost": 9}], [{"item": "Gear", "cost": 9}]):
		with pytest.raises(frappe.PermissionError, match=r"data\.items\.0\.cost"):
			DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "data": {"items": rows}})
	DocumentUpdate().run(
		{"doctype": ORDER, "name": doc.name, "data": {"items": [{"item": "Gear", "qty": 2}]}}
	)
	frappe.set_user("Administrator")
	assert [(item, qty, cost) for _idx, item, qty, cost in _rows(doc.name)] == [
		("Bolt", 10, 0),
		("Nut", 20, 0),
		("Gear", 2, 0),
	]


def test_a_row_field_above_the_users_level_is_refused_on_create():
	"""Frappe's insert keeps child values above the user's level; the tool refuses them."""
	before = frappe.db.count(ORDER)
	frappe.set_user(CLERK)
	with pytest.raises(frappe.PermissionError, match=r"data\.items\.0\.cost"):
		DocumentCreate().run(
			{"doctype": ORDER, "data": order(internal_note=None, items=[{"item": "Bolt", "cost": 99}])}
		)
	frappe.set_user("Administrator")
	assert frappe.db.count(ORDER) == before


def test_a_document_field_above_the_users_level_is_refused_and_an_unchanged_one_is_not():
	doc = _order(CLERK)
	frappe.db.set_value(ORDER, doc.name, "internal_note", "kept")
	frappe.set_user(CLERK)
	with pytest.raises(frappe.PermissionError, match=r"data\.internal_note"):
		DocumentUpdate().run({"doctype": ORDER, "name": doc.name, "data": {"internal_note": "changed"}})
	with pytest.raises(frappe.PermissionError, match=r"data\.internal_note"):
		DocumentCreate().run({"doctype": ORDER, "data": order(internal_note="forged")})
	DocumentCreate().run({"doctype": ORDER, "data": order(internal_note=None)})  # the default: no change
	frappe.set_user("Administrator")
	assert frappe.db.get_value(ORDER, doc.name, "internal_note") == "kept"


def test_a_user_with_the_level_sets_row_fields_and_a_user_without_does_not_see_them():
	doc = _order(CLERK)
	DocumentUpdate().run(
		{"doctype": ORDER, "name": doc.name, "data": {"items": [{"name": doc.items[0].name, "cost": 4.5}]}}
	)
	assert _rows(doc.name)[0][3] == 4.5
	frappe.set_user(CLERK)
	rows = DocumentGet().run({"doctype": ORDER, "name": doc.name})["document"]["items"]
	assert rows[0]["item"] == "Bolt" and "cost" not in rows[0]


_SPELLINGS = st.sampled_from(
	[str.lower, str.upper, str.swapcase, lambda n: n + " ", lambda n: " " + n, lambda n: n[:-1], lambda n: n]
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spelling=_SPELLINGS, remove=st.booleans())
def test_no_spelling_of_another_documents_row_name_reaches_that_row(spelling, remove):
	"""Rows are matched against this document's rows as loaded, whatever spelling is sent."""
	other, doc = _order(customer="Other"), _order()
	foreign = spelling(other.items[0].name)
	arguments = (
		{"remove_rows": {"items": [foreign]}}
		if remove
		else {"data": {"items": [{"name": foreign, "qty": 0}]}}
	)
	with pytest.raises(ToolArgumentError):
		DocumentUpdate().run({"doctype": ORDER, "name": doc.name, **arguments})
	assert _rows(other.name) == [(1, "Bolt", 10, 0), (2, "Nut", 20, 0)]
	assert len(_rows(doc.name)) == 2
	frappe.db.rollback()
