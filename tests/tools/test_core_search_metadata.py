"""Core plugin, search and metadata tools: real searches and DocType metadata as the calling user.

Each tool: a working call asserting real data, a permission-denied call, bad arguments
(SPEC §4, issue: core tools).
"""

from __future__ import annotations

import json

import frappe
import pytest
from frappe.utils.global_search import sync_global_search

from frappe_assistant_core.exceptions import ToolArgumentError
from frappe_assistant_core.plugins.core.tools.metadata_doctype import MetadataDoctype
from frappe_assistant_core.plugins.core.tools.metadata_doctype_fields import MetadataDoctypeFields
from frappe_assistant_core.plugins.core.tools.metadata_list_doctypes import MetadataListDoctypes
from frappe_assistant_core.plugins.core.tools.metadata_permissions import MetadataPermissions
from frappe_assistant_core.plugins.core.tools.metadata_workflow import MetadataWorkflow
from frappe_assistant_core.plugins.core.tools.search_doctype import SearchDoctype
from frappe_assistant_core.plugins.core.tools.search_global import SearchGlobal
from frappe_assistant_core.plugins.core.tools.search_link import SearchLink
from tests.support.doctypes import (
	ORDER,
	ORDER_ITEM,
	OUTSIDER,
	READER,
	REQUEST,
	WORKFLOW,
	ensure_test_doctypes,
	ensure_test_users,
	order,
)


@pytest.fixture(scope="module", autouse=True)
def core_fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()


@pytest.fixture
def indexed_orders():
	"""Three orders with distinct customers, synced into the global search index (MyISAM, so not
	rolled back with the test: the rows are deleted afterwards)."""
	suffix = frappe.generate_hash(length=6)
	customers = [f"{word}{suffix}" for word in ("Zanzibarquokka", "Marrakechotter", "Valparaisolynx")]
	names = [frappe.get_doc(order(customer=customer)).insert().name for customer in customers]
	sync_global_search()
	yield dict(zip(customers, names, strict=True))
	frappe.db.delete("__global_search", {"doctype": ORDER, "name": ("in", names)})


def _raises_argument_error(tool, arguments: dict, field: str) -> None:
	with pytest.raises(ToolArgumentError, match=field):
		tool.run(arguments)


# --- search_global --------------------------------------------------------------------------------


def test_search_global_finds_indexed_documents(indexed_orders):
	customer, name = next(iter(indexed_orders.items()))
	out = SearchGlobal().run({"query": customer})
	json.dumps(out)
	assert [(hit["doctype"], hit["name"]) for hit in out["results"]] == [(ORDER, name)]
	assert customer in out["results"][0]["content"]
	frappe.set_user(READER)
	assert [hit["name"] for hit in SearchGlobal().run({"query": customer, "doctype": ORDER})["results"]] == [
		name
	]


def test_search_global_hides_documents_the_user_cannot_read(indexed_orders):
	"""The outsider finds nothing of a DocType it cannot read, and may not search that DocType."""
	customer = next(iter(indexed_orders))
	frappe.set_user(OUTSIDER)
	assert SearchGlobal().run({"query": customer})["results"] == []
	with pytest.raises(frappe.PermissionError):
		SearchGlobal().run({"query": customer, "doctype": ORDER})


def test_search_global_drops_hits_on_documents_the_user_cannot_read():
	"""The reader may read ToDo, but only ToDos allocated to them: another user's ToDo is not a hit."""
	word = f"Tasmaniaplatypus{frappe.generate_hash(length=6)}"
	mine = frappe.get_doc({"doctype": "ToDo", "description": f"{word} mine", "allocated_to": READER}).insert()
	theirs = frappe.get_doc({"doctype": "ToDo", "description": f"{word} theirs"}).insert()
	frappe.get_doc({"doctype": "ToDo", "description": "unrelated filler for the full-text index"}).insert()
	sync_global_search()
	try:
		assert {hit["name"] for hit in SearchGlobal().run({"query": word})["results"]} == {
			mine.name,
			theirs.name,
		}
		frappe.set_user(READER)
		assert [hit["name"] for hit in SearchGlobal().run({"query": word})["results"]] == [mine.name]
	finally:
		frappe.db.delete("__global_search", {"doctype": "ToDo"})


def test_search_global_bad_arguments_name_the_field():
	_raises_argument_error(SearchGlobal(), {"query": ""}, "query")
	_raises_argument_error(SearchGlobal(), {"query": "x", "limit": 0}, "limit")
	_raises_argument_error(SearchGlobal(), {"text": "x"}, "query")


# --- search_doctype -------------------------------------------------------------------------------


def test_search_doctype_matches_title_and_search_fields():
	globex = frappe.get_doc(order(customer="Globex Search")).insert()
	frappe.get_doc(order(customer="Initech Search")).insert()
	out = SearchDoctype().run({"doctype": ORDER, "query": "globex"})
	json.dumps(out)
	assert out["searched_fields"] == ["name", "customer", "status"]
	assert [(row["name"], row["customer"]) for row in out["results"]] == [(globex.name, "Globex Search")]
	by_name = SearchDoctype().run({"doctype": ORDER, "query": globex.name})
	assert [row["name"] for row in by_name["results"]] == [globex.name]


def test_search_doctype_denied_without_read_permission():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		SearchDoctype().run({"doctype": ORDER, "query": "Acme"})


def test_search_doctype_bad_arguments_name_the_field():
	_raises_argument_error(SearchDoctype(), {"doctype": ORDER}, "query")
	_raises_argument_error(SearchDoctype(), {"doctype": ORDER, "query": "x", "limit": 101}, "limit")
	with pytest.raises(frappe.DoesNotExistError):
		SearchDoctype().run({"doctype": "No Such Doctype", "query": "x"})


# --- search_link ----------------------------------------------------------------------------------


def test_search_link_returns_link_options_with_description():
	doc = frappe.get_doc(order(customer="Linkable Umbrella")).insert()
	frappe.set_user(READER)
	out = SearchLink().run({"doctype": ORDER, "query": "umbrella", "filters": {"status": "Open"}})
	json.dumps(out)
	assert [option["value"] for option in out["results"]] == [doc.name]
	assert "Linkable Umbrella" in out["results"][0]["description"]
	closed = SearchLink().run({"doctype": ORDER, "query": "umbrella", "filters": {"status": "Closed"}})
	assert closed["results"] == []


def test_search_link_denied_without_read_permission():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		SearchLink().run({"doctype": ORDER, "query": "Acme"})


def test_search_link_bad_arguments_name_the_field():
	_raises_argument_error(SearchLink(), {"doctype": ORDER, "limit": 51}, "limit")
	_raises_argument_error(SearchLink(), {"doctype": ORDER, "filters": "status=Open"}, "filters")
	with pytest.raises(frappe.ValidationError, match="filters: FAC Test Order has no field nosuch"):
		SearchLink().run({"doctype": ORDER, "filters": {"nosuch": 1}})


# --- metadata_doctype -----------------------------------------------------------------------------


def test_metadata_doctype_describes_fields_child_tables_and_workflow():
	frappe.set_user(READER)
	out = MetadataDoctype().run({"doctype": ORDER})
	json.dumps(out)
	assert out["is_submittable"] is True and out["title_field"] == "customer"
	assert {
		"fieldname": "customer",
		"label": "Customer",
		"fieldtype": "Data",
		"options": None,
		"reqd": True,
	} in out["fields"]
	[items] = out["child_tables"]
	assert (items["fieldname"], items["doctype"]) == ("items", ORDER_ITEM)
	assert [f["fieldname"] for f in items["fields"]] == ["item", "qty", "rate", "note", "cost"]
	assert out["workflow"] is None
	assert MetadataDoctype().run({"doctype": REQUEST})["workflow"] == WORKFLOW


def test_metadata_doctype_denied_without_read_permission():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		MetadataDoctype().run({"doctype": ORDER})


def test_metadata_doctype_bad_arguments_and_unknown_doctype():
	_raises_argument_error(MetadataDoctype(), {"doctype": ORDER, "verbose": True}, "verbose")
	_raises_argument_error(MetadataDoctype(), {}, "doctype")
	with pytest.raises(frappe.DoesNotExistError):
		MetadataDoctype().run({"doctype": "No Such Doctype"})


# --- metadata_list_doctypes -----------------------------------------------------------------------


def test_metadata_list_doctypes_filters_by_module_and_flags():
	tables = MetadataListDoctypes().run({"module": "Custom", "custom": True, "istable": True})
	assert ORDER_ITEM in {d["name"] for d in tables["doctypes"]}
	assert all(d["istable"] and d["custom"] for d in tables["doctypes"])
	documents = MetadataListDoctypes().run({"module": "Custom", "istable": False, "is_submittable": True})
	names = {d["name"] for d in documents["doctypes"]}
	assert {ORDER, REQUEST} <= names and ORDER_ITEM not in names
	assert [d["name"] for d in MetadataListDoctypes().run({"search": "FAC Test Requ"})["doctypes"]] == [
		REQUEST
	]


def test_metadata_list_doctypes_denied_without_read_on_doctype():
	"""Listing DocType records needs read on DocType, as /api/resource/DocType does."""
	frappe.set_user(READER)
	with pytest.raises(frappe.PermissionError):
		MetadataListDoctypes().run({})


def test_metadata_list_doctypes_bad_arguments_name_the_field():
	_raises_argument_error(MetadataListDoctypes(), {"custom": "perhaps"}, "custom")
	_raises_argument_error(MetadataListDoctypes(), {"limit": 1001}, "limit")


# --- metadata_doctype_fields ----------------------------------------------------------------------


def test_metadata_doctype_fields_lists_details_filtered_by_type():
	out = MetadataDoctypeFields().run({"doctype": ORDER, "fieldtypes": ["Currency", "Data"]})
	fields = {f["fieldname"]: f for f in out["fields"]}
	assert set(fields) == {"customer", "amount", "internal_note"}
	assert fields["internal_note"]["permlevel"] == 1
	assert fields["customer"]["in_list_view"] is True
	standard = MetadataDoctypeFields().run({"doctype": ORDER, "include_standard": True})
	assert {"owner", "creation", "remarks", "items"} <= {f["fieldname"] for f in standard["fields"]}
	layout = MetadataDoctypeFields().run(
		{"doctype": ORDER, "fieldtypes": ["Section Break"], "include_layout": True}
	)
	assert layout["count"] == 0  # the test DocType has none


def test_metadata_doctype_fields_denied_without_read_permission():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		MetadataDoctypeFields().run({"doctype": ORDER})


def test_metadata_doctype_fields_bad_arguments_name_the_field():
	_raises_argument_error(MetadataDoctypeFields(), {"doctype": ORDER, "fieldtypes": []}, "fieldtypes")
	_raises_argument_error(
		MetadataDoctypeFields(), {"doctype": ORDER, "include_layout": "yes please"}, "include_layout"
	)


# --- metadata_permissions -------------------------------------------------------------------------


def test_metadata_permissions_reports_the_calling_users_rights():
	doc = frappe.get_doc(order()).insert()
	admin = MetadataPermissions().run({"doctype": ORDER})
	assert admin["doctype_permissions"]["delete"] is True and admin["user"] == "Administrator"
	frappe.set_user(READER)
	out = MetadataPermissions().run({"doctype": ORDER, "name": doc.name})
	json.dumps(out)
	assert out["user"] == READER
	rights = out["doctype_permissions"]
	assert (rights["read"], rights["report"], rights["write"], rights["create"], rights["delete"]) == (
		True,
		True,
		False,
		False,
		False,
	)
	assert out["document_permissions"]["read"] is True
	assert out["document_permissions"]["write"] is False


def test_metadata_permissions_denied_without_read_permission():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		MetadataPermissions().run({"doctype": ORDER})


def test_metadata_permissions_bad_arguments_name_the_field():
	_raises_argument_error(MetadataPermissions(), {"name": "x"}, "doctype")
	_raises_argument_error(MetadataPermissions(), {"doctype": ORDER, "name": ""}, "name")


# --- metadata_workflow ----------------------------------------------------------------------------


def test_metadata_workflow_describes_states_and_transitions():
	frappe.set_user(READER)
	out = MetadataWorkflow().run({"doctype": REQUEST})
	json.dumps(out)
	assert (out["workflow"], out["workflow_state_field"]) == (WORKFLOW, "workflow_state")
	assert [(s["state"], s["docstatus"]) for s in out["states"]] == [
		("Pending", 0),
		("Approved", 1),
		("Rejected", 0),
	]
	assert [(t["state"], t["action"], t["next_state"], t["allowed"]) for t in out["transitions"]] == [
		("Pending", "Approve", "Approved", "System Manager"),
		("Pending", "Reject", "Rejected", "System Manager"),
	]
	assert MetadataWorkflow().run({"doctype": ORDER}) == {"doctype": ORDER, "has_workflow": False}


def test_metadata_workflow_denied_without_read_permission():
	frappe.set_user(OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		MetadataWorkflow().run({"doctype": REQUEST})


def test_metadata_workflow_bad_arguments_name_the_field():
	_raises_argument_error(MetadataWorkflow(), {"doctype": ""}, "doctype")
	_raises_argument_error(MetadataWorkflow(), {"doctype": 5}, "doctype")
