"""Attaching files through document_update: from base64 content or a File of the caller's, to a
document the caller may write, private by default, within the settings' size cap, never from a URL.

The file lands on disk inside the site's files folders and a File record attached to the document
points at it; whatever the call is refused for, nothing is left behind, on disk or in the database.
"""

from __future__ import annotations

import base64
import os

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frappe_assistant_core.exceptions import FileNotReadableError, ToolArgumentError
from frappe_assistant_core.plugins._file_access import canonical_site_file
from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate
from tests.support.doctypes import (
	CLERK,
	ORDER,
	OTHER_CLERK,
	READER,
	ensure_test_doctypes,
	ensure_test_users,
	order,
)
from tests.test_mcp_protocol import request_context, rpc  # noqa: F401  (fixture)
from tests.tools._fixtures import ensure_file_store, make_file

pytestmark = pytest.mark.postgres

SETTINGS = "Assistant Core Settings"


@pytest.fixture(scope="module", autouse=True)
def attachment_fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()
	ensure_file_store()


@pytest.fixture(autouse=True)
def files_on_disk_are_cleaned():
	"""The test's rollback runs Frappe's after-rollback cleanup, which deletes the files it wrote."""
	yield
	frappe.db.rollback()


def _order(owner: str = "Administrator", **values):
	frappe.set_user(owner)
	doc = frappe.get_doc(order(internal_note=None, **values)).insert()
	frappe.set_user("Administrator")
	return doc


def _b64(data: bytes) -> str:
	return base64.b64encode(data).decode()


def _attach(name: str, *attachments: dict, **extra) -> dict:
	return DocumentUpdate().run({"doctype": ORDER, "name": name, "attachments": list(attachments), **extra})


def _attached(name: str) -> list[dict]:
	return frappe.get_all(
		"File",
		filters={"attached_to_doctype": ORDER, "attached_to_name": name},
		fields=["name", "file_url", "is_private", "owner", "attached_to_field"],
	)


def _private_files() -> set[str]:
	return set(os.listdir(frappe.get_site_path("private", "files")))


def test_new_content_is_attached_privately_by_default():
	doc = _order()
	content = b"receipt " + frappe.generate_hash().encode()
	out = _attach(doc.name, {"file_name": "receipt.txt", "content_base64": _b64(content)})
	[attached] = out["attachments"]
	assert attached["is_private"] is True and attached["file_url"].startswith("/private/files/receipt")
	[row] = _attached(doc.name)
	assert (row.name, row.file_url, row.is_private) == (attached["name"], attached["file_url"], 1)
	site_file = canonical_site_file(row.file_url)
	assert site_file.is_private and open(site_file.path, "rb").read() == content


def test_public_when_asked_and_an_attach_field_set_on_a_submitted_document():
	"""receipt is an Attach field allowed on submit: set on a submitted order."""
	doc = _order()
	doc.submit()
	out = _attach(
		doc.name,
		{
			"file_name": "scan.txt",
			"content_base64": _b64(b"public scan"),
			"is_private": False,
			"fieldname": "receipt",
		},
	)
	[attached] = out["attachments"]
	assert attached["file_url"].startswith("/files/") and attached["is_private"] is False
	assert frappe.db.get_value(ORDER, doc.name, "receipt") == attached["file_url"]
	assert out["document"]["receipt"] == attached["file_url"] and out["docstatus"] == 1


def test_a_file_of_the_callers_own_is_attached_without_copying_its_content():
	frappe.set_user(CLERK)
	mine = make_file("clerk-notes.txt", b"clerk notes " + frappe.generate_hash().encode())
	frappe.set_user("Administrator")
	doc = _order(CLERK)
	before = _private_files()
	frappe.set_user(CLERK)
	[attached] = _attach(doc.name, {"file": mine.name})["attachments"]
	frappe.set_user("Administrator")
	assert attached["file_url"] == mine.file_url and attached["name"] != mine.name
	assert _private_files() == before
	assert [(r.file_url, r.owner) for r in _attached(doc.name)] == [(mine.file_url, CLERK)]


def test_another_users_private_file_is_refused_as_if_it_did_not_exist():
	frappe.set_user(OTHER_CLERK)
	theirs = make_file("their-notes.txt", b"their notes " + frappe.generate_hash().encode())
	frappe.set_user("Administrator")
	doc = _order(CLERK)
	frappe.set_user(CLERK)
	messages = []
	for name in (theirs.name, "no-such-file"):
		with pytest.raises(FileNotReadableError) as refused:
			_attach(doc.name, {"file": name})
		messages.append(str(refused.value).replace(name, "<name>"))
	frappe.set_user("Administrator")
	assert messages[0] == messages[1]
	assert _attached(doc.name) == []


def test_a_file_pointing_at_another_site_is_never_fetched_or_attached():
	doc = _order()
	remote = frappe.get_doc(
		{"doctype": "File", "file_name": "remote.png", "file_url": "https://example.com/remote.png"}
	).insert()
	with pytest.raises(ToolArgumentError, match="only files stored on this site"):
		_attach(doc.name, {"file": remote.name})
	with pytest.raises(ToolArgumentError, match="file_url"):  # no argument takes a URL
		_attach(doc.name, {"file_name": "x.png", "file_url": "https://example.com/x.png"})
	assert _attached(doc.name) == []


def test_only_a_user_who_may_write_the_document_attaches_to_it():
	"""The clerk writes only its own orders; the reader writes none."""
	mine, theirs = _order(CLERK), _order(OTHER_CLERK)
	frappe.set_user(CLERK)
	_attach(mine.name, {"file_name": "ok.txt", "content_base64": _b64(b"ok")})
	before = _private_files()
	for user, name in ((CLERK, theirs.name), (READER, mine.name)):
		frappe.set_user(user)
		with pytest.raises(frappe.PermissionError):
			_attach(name, {"file_name": "no.txt", "content_base64": _b64(b"no " + user.encode())})
	frappe.set_user("Administrator")
	assert len(_attached(mine.name)) == 1 and _attached(theirs.name) == []
	assert _private_files() == before


def test_the_size_cap_comes_from_the_settings_and_zero_switches_attaching_off():
	doc = _order()
	frappe.db.set_single_value(SETTINGS, "max_attachment_mb", 1)
	too_big = _b64(b"x" * (1024 * 1024 + 1))
	with pytest.raises(ToolArgumentError, match="Max Attachment Size of 1 MB"):
		_attach(doc.name, {"file_name": "big.bin", "content_base64": too_big})
	_attach(doc.name, {"file_name": "fits.bin", "content_base64": _b64(b"x" * (1024 * 1024))})
	frappe.db.set_single_value(SETTINGS, "max_attachment_mb", 0)
	with pytest.raises(ToolArgumentError, match="switched off"):
		_attach(doc.name, {"file_name": "small.txt", "content_base64": _b64(b"small")})
	assert len(_attached(doc.name)) == 1


@pytest.mark.parametrize(
	("attachment", "field"),
	[
		({"file_name": "a.txt", "content_base64": "not base64!"}, "attachments.0.content_base64"),
		({"file_name": "a.txt"}, "attachments.0"),
		({"content_base64": "YQ=="}, "attachments.0"),
		({"file": "x", "content_base64": "YQ=="}, "attachments.0"),
		(
			{"file_name": "a.txt", "content_base64": "YQ==", "fieldname": "customer"},
			"attachments.0.fieldname",
		),
		({"file_name": "a.txt", "content_base64": "YQ==", "fieldname": "nosuch"}, "attachments.0.fieldname"),
	],
)
def test_bad_attachments_name_the_argument(attachment, field):
	doc = _order()
	with pytest.raises(ToolArgumentError, match=field.replace(".", r"\.")):
		_attach(doc.name, attachment)
	assert _attached(doc.name) == []


def test_files_written_by_a_call_that_then_fails_are_deleted(request_context):  # noqa: F811
	"""Over tools/call: the attachment is written, then the document's save is refused (amount may
	not change after submit): the new file leaves neither a row nor its content on disk."""
	doc = _order()
	doc.submit()
	before = _private_files()
	arguments = {
		"doctype": ORDER,
		"name": doc.name,
		"data": {"amount": 1},
		"attachments": [
			{"file_name": "orphan.txt", "content_base64": _b64(b"orphan " + frappe.generate_hash().encode())}
		],
	}
	status, body, _headers = rpc("tools/call", {"name": "document_update", "arguments": arguments})
	assert status == 200 and body["result"]["isError"] is True
	assert "after submission" in body["result"]["content"][0]["text"]
	assert _private_files() == before
	assert _attached(doc.name) == []


_UNSAFE_PART = st.sampled_from(["/", "\\", "\x00", "\n", "\x7f", "../", "..\\"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
	prefix=st.text(max_size=12),
	unsafe=_UNSAFE_PART,
	suffix=st.text(max_size=12),
)
def test_a_file_name_with_a_folder_or_control_character_is_refused(prefix, unsafe, suffix):
	doc = _order()
	before = _private_files()
	with pytest.raises(ToolArgumentError, match=r"attachments\.0\.file_name"):
		_attach(doc.name, {"file_name": prefix + unsafe + suffix, "content_base64": _b64(b"x")})
	assert _private_files() == before
	frappe.db.rollback()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_an_accepted_file_name_always_lands_inside_the_private_files_folder(name):
	"""Whatever plain name is accepted, the stored URL resolves to a file strictly inside private/files."""
	doc = _order()
	try:
		out = _attach(doc.name, {"file_name": name, "content_base64": _b64(name.encode() + b"!")})
	except (ToolArgumentError, frappe.ValidationError):
		frappe.db.rollback()
		return
	site_file = canonical_site_file(out["attachments"][0]["file_url"])
	folder = os.path.realpath(frappe.get_site_path("private", "files"))
	assert site_file.is_private and os.path.dirname(site_file.path) == folder
	frappe.db.rollback()
