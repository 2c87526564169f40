"""Dry runs: every write tool can say what it would change (the document as it would be saved, the
fields that differ) without writing, and leaves nothing behind: no row, no search index entry, no
file, no cached document or meta, no commit-time work."""

from __future__ import annotations

import os

import frappe
import pytest

from frappe_assistant_core.exceptions import ToolArgumentError
from frappe_assistant_core.governance.preview import preview
from frappe_assistant_core.governance.rehearsal import rehearse
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager, get_tool_registry
from tests.support.doctypes import ORDER, REQUEST, ensure_test_doctypes, order
from tests.tools._fixtures import PROBE, ensure_file_store, ensure_probe


@pytest.fixture(scope="module", autouse=True)
def fixtures():
	ensure_test_doctypes()
	ensure_probe()
	ensure_file_store()


def _info(name: str):
	return get_tool_registry().get_tool(name)


def _todo(description: str = "before") -> str:
	return frappe.get_doc({"doctype": "ToDo", "description": description}).insert().name


def _search_queue() -> int:
	return frappe.cache.llen("global_search_queue")


def test_an_update_shows_the_fields_that_differ_and_changes_nothing():
	name = _todo()
	frappe.get_cached_doc("ToDo", name)
	result = preview(
		_info("document_update"),
		{"doctype": "ToDo", "name": name, "data": {"description": "after", "priority": "High"}},
	)
	assert result.unavailable is None
	(change,) = result.changes
	assert (change["action"], change["doctype"], change["name"]) == ("update", "ToDo", name)
	assert change["fields"]["description"] == {"from": "before", "to": "after"}
	assert change["fields"]["priority"]["to"] == "High"
	assert "modified" not in change["fields"]
	assert frappe.db.get_value("ToDo", name, "description") == "before"
	assert frappe.get_cached_doc("ToDo", name).description == "before", (
		"the document cache kept the rehearsal"
	)
	assert 'description: "before" → "after"' in result.text()


def test_a_create_through_validate_only_shows_the_document_and_indexes_nothing():
	before_rows, before_queue = frappe.db.count(ORDER), _search_queue()
	data = {k: v for k, v in order(remarks="searchable words").items() if k != "doctype"}
	result = preview(_info("document_create"), {"doctype": ORDER, "data": data})
	(change,) = result.changes
	assert change["action"] == "insert" and change["doctype"] == ORDER
	document = change["document"]
	assert document["customer"] == "Acme Corp" and document["remarks"] == "searchable words"
	assert [row["item"] for row in document["items"]] == ["Bolt", "Nut"]
	assert "name" not in document["items"][0], "child rows without bookkeeping fields"
	assert frappe.db.count(ORDER) == before_rows
	assert _search_queue() == before_queue, "a document that never existed was queued for the search index"


def test_a_workflow_transition_is_shown_and_undone():
	request = frappe.get_doc({"doctype": REQUEST, "subject": "Laptop"}).insert().name
	moved = preview(_info("workflow_action"), {"doctype": REQUEST, "name": request, "action": "Approve"})
	(change,) = [c for c in moved.changes if c["doctype"] == REQUEST]
	assert change["action"] == "submit"
	assert change["fields"]["workflow_state"] == {"from": "Pending", "to": "Approved"}
	assert frappe.db.get_value(REQUEST, request, ["workflow_state", "docstatus"]) == ("Pending", 0)


def test_a_delete_is_never_rehearsed_since_it_removes_attached_files_from_disk_at_once():
	"""Deleting a document deletes its attachments' files before any rollback could keep them: the
	dry run of document_delete checks the call and says why it shows only the arguments."""
	name = _todo("with an attachment")
	attached = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "fac-keep.txt",
			"content": b"keep me",
			"is_private": 1,
			"attached_to_doctype": "ToDo",
			"attached_to_name": name,
		}
	).insert()
	on_disk = attached.get_full_path()
	result = preview(_info("document_delete"), {"doctype": "ToDo", "name": name})
	assert result.changes == [] and "not run to preview it" in result.unavailable
	assert os.path.exists(on_disk), "the dry run deleted the attachment's file"
	assert frappe.db.exists("ToDo", name)
	with pytest.raises(ToolArgumentError):
		preview(_info("document_delete"), {"doctype": "ToDo"})


def test_a_file_written_by_the_rehearsal_is_removed_from_disk():
	"""The shipped tools cannot write file content; another app's tool can (a File with content
	writes to disk at insert): the rehearsal runs the File's own undo, which a savepoint does not."""
	files = frappe.get_site_path("private", "files")
	before = set(os.listdir(files))

	def write_a_file(notes):
		frappe.get_doc(
			{"doctype": "File", "file_name": "fac-preview.txt", "content": b"hello", "is_private": 1}
		).insert()
		assert set(os.listdir(files)) - before, "the File wrote its content"
		return notes

	notes = rehearse(write_a_file)
	assert [noted.action for (doctype, _name), noted in notes.changed.items() if doctype == "File"] == [
		"insert"
	]
	assert set(os.listdir(files)) == before, "the rehearsal left a file on disk"
	assert not frappe.db.exists("File", {"file_name": "fac-preview.txt"})


def test_an_update_with_an_attachment_shows_the_new_file_and_leaves_none_on_disk():
	"""document_update writes an attachment's content to disk at once: its preview (the approval
	view) must show the File and leave neither the file nor its row behind."""
	name = _todo()
	files = frappe.get_site_path("private", "files")
	before_files, before_rows = set(os.listdir(files)), frappe.db.count("File")
	result = preview(
		_info("document_update"),
		{
			"doctype": "ToDo",
			"name": name,
			"attachments": [{"file_name": "fac-preview-receipt.txt", "content_base64": "aGVsbG8="}],
		},
	)
	assert result.unavailable is None
	assert ("insert", "File") in {(change["action"], change["doctype"]) for change in result.changes}
	assert set(os.listdir(files)) == before_files, "the preview left the attachment's file on disk"
	assert frappe.db.count("File") == before_rows
	assert not frappe.db.exists("File", {"file_name": "fac-preview-receipt.txt"})


def test_a_schema_change_cannot_be_previewed_and_leaves_no_field_in_the_cached_meta():
	frappe.get_meta("ToDo")  # cached before
	result = preview(
		_info("document_create"),
		{
			"doctype": "Custom Field",
			"data": {
				"dt": "ToDo",
				"fieldname": "fac_preview_field",
				"label": "FAC Preview",
				"fieldtype": "Data",
			},
		},
	)
	assert result.unavailable and "commits the transaction" in result.unavailable
	assert "No preview" in result.text()
	assert not frappe.get_meta("ToDo").has_field("fac_preview_field")
	assert not frappe.db.exists("Custom Field", {"fieldname": "fac_preview_field"})
	frappe.get_doc({"doctype": "ToDo", "description": "still insertable"}).insert()


def test_a_call_that_would_fail_raises_its_own_error():
	with pytest.raises(frappe.DoesNotExistError):
		preview(
			_info("document_update"),
			{"doctype": "ToDo", "name": "no-such-todo", "data": {"status": "Closed"}},
		)


# One valid call of every write tool shipped (and of the test app's); a new write tool without an
# entry here fails the coverage test below, so every write tool has a proven dry run.
def _write_calls() -> dict:
	chart = _info("create_chart").instance.run({"chart_name": "FAC Preview Existing", "doctype": PROBE})[
		"name"
	]
	return {
		"document_create": {"doctype": "ToDo", "data": {"description": "preview create"}},
		"document_update": {"doctype": "ToDo", "name": _todo(), "data": {"status": "Closed"}},
		"document_delete": {"doctype": "ToDo", "name": _todo()},
		"workflow_action": {
			"doctype": REQUEST,
			"name": frappe.get_doc({"doctype": REQUEST, "subject": "Desk"}).insert().name,
			"action": "Reject",
		},
		"create_chart": {"chart_name": "FAC Preview Chart", "doctype": PROBE},
		"create_kpi_card": {"label": "FAC Preview Card", "doctype": PROBE},
		"create_dashboard": {"dashboard_name": "FAC Preview Board", "chart_names": [chart]},
		"execute_python_code": {"code": "result = 1 + 1"},
		"query_and_analyze": {"query": "select name from `tabToDo` limit 1"},
		"test_create_todo": {"description": "preview todo"},
		"test_simple_text": {},
		"test_error_handling": {},
	}


#: Tools that are not rehearsable: their dry run checks the call and runs nothing.
_NOT_RUN = {
	"document_delete",
	"execute_python_code",
	"query_and_analyze",
	"test_simple_text",
	"test_error_handling",
}


def test_every_write_tool_previews_without_writing():
	calls = _write_calls()
	writers = sorted(
		n for n, info in get_plugin_manager().snapshot().tools.items() if info.category != "read_only"
	)
	missing = set(writers) - set(calls)
	assert not missing, f"write tools without a dry-run test: {sorted(missing)}"
	counts = {
		dt: frappe.db.count(dt) for dt in ("ToDo", "Dashboard", "Dashboard Chart", "Number Card", REQUEST)
	}
	for name in writers:
		result = preview(_info(name), calls[name])
		if name in _NOT_RUN:
			assert result.changes == [] and "not run to preview it" in result.unavailable, name
		else:
			assert result.unavailable is None and result.changes, (name, result.unavailable)
	assert {dt: frappe.db.count(dt) for dt in counts} == counts
