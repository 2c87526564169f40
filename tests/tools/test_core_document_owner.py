"""Core document tools judge a right on the document, as Frappe's REST API does (issue 22, item 1).

A role may grant write, delete, submit... only on the documents its user created (if_owner): such a
user gets, updates and deletes their own documents and nobody else's, on the test DocType and on
Frappe's own Contact and Note. Shares and User Permissions are decided on the document too, and a
user with no way in at all learns nothing about which documents exist.
"""

from __future__ import annotations

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frappe_assistant_core.plugins.core.tools.document_delete import DocumentDelete
from frappe_assistant_core.plugins.core.tools.document_get import DocumentGet
from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate
from tests.support.doctypes import (
	CLERK,
	ORDER,
	OTHER_CLERK,
	OUTSIDER,
	READER,
	ensure_test_doctypes,
	ensure_test_users,
	order,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module", autouse=True)
def owner_fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()


def _as(user: str, doc: dict):
	"""`doc` inserted by `user`, through Frappe's own permission checks (so `user` owns it)."""
	frappe.set_user(user)
	inserted = frappe.get_doc(doc).insert()
	frappe.set_user("Administrator")
	return inserted


def _order_of(user: str, **values):
	return _as(user, order(internal_note=None, **values))


def _contact_of(user: str, first_name: str):
	return _as(user, {"doctype": "Contact", "first_name": first_name})


def _note_of(user: str, title: str):
	return _as(user, {"doctype": "Note", "title": title, "content": "draft"})


def test_if_owner_user_updates_and_deletes_their_own_order():
	"""The clerk's role grants write and delete only on its own orders: those it may change."""
	mine = _order_of(CLERK, customer="Mine")
	frappe.set_user(CLERK)
	out = DocumentUpdate().run({"doctype": ORDER, "name": mine.name, "data": {"amount": 42}})
	assert out["document"]["amount"] == 42
	assert DocumentGet().run({"doctype": ORDER, "name": mine.name})["document"]["customer"] == "Mine"
	DocumentDelete().run({"doctype": ORDER, "name": mine.name})
	frappe.set_user("Administrator")
	assert not frappe.db.exists(ORDER, mine.name)


def test_if_owner_user_cannot_get_update_or_delete_another_users_order():
	theirs = _order_of(OTHER_CLERK, customer="Theirs")
	frappe.set_user(CLERK)
	for tool, arguments in (
		(DocumentGet(), {"doctype": ORDER, "name": theirs.name}),
		(DocumentUpdate(), {"doctype": ORDER, "name": theirs.name, "data": {"amount": 1}}),
		(DocumentDelete(), {"doctype": ORDER, "name": theirs.name}),
	):
		with pytest.raises(frappe.PermissionError, match=theirs.name):
			tool.run(arguments)
	frappe.set_user("Administrator")
	assert frappe.db.get_value(ORDER, theirs.name, "amount") == 150


def test_if_owner_user_updates_and_deletes_their_own_contact_and_note():
	"""Frappe's Contact (role All) and Note (Desk User) grant write and delete on one's own only."""
	contact = _contact_of(CLERK, "Own Contact")
	note = _note_of(CLERK, "Own note")
	frappe.set_user(CLERK)
	DocumentUpdate().run({"doctype": "Contact", "name": contact.name, "data": {"last_name": "Edited"}})
	DocumentUpdate().run({"doctype": "Note", "name": note.name, "data": {"content": "edited"}})
	frappe.set_user("Administrator")
	assert frappe.db.get_value("Contact", contact.name, "last_name") == "Edited"
	assert frappe.db.get_value("Note", note.name, "content") == "edited"
	frappe.set_user(CLERK)
	DocumentDelete().run({"doctype": "Contact", "name": contact.name})
	DocumentDelete().run({"doctype": "Note", "name": note.name})
	frappe.set_user("Administrator")
	assert not frappe.db.exists("Contact", contact.name)
	assert not frappe.db.exists("Note", note.name)


def test_if_owner_user_cannot_change_another_users_contact_or_note():
	contact = _contact_of(OTHER_CLERK, "Their Contact")
	note = _note_of(OTHER_CLERK, "Their note")
	frappe.set_user(CLERK)
	for doctype, name, data in (
		("Contact", contact.name, {"last_name": "Hijacked"}),
		("Note", note.name, {"content": "hijacked"}),
	):
		with pytest.raises(frappe.PermissionError):
			DocumentUpdate().run({"doctype": doctype, "name": name, "data": data})
		with pytest.raises(frappe.PermissionError):
			DocumentDelete().run({"doctype": doctype, "name": name})
	frappe.set_user("Administrator")
	assert frappe.db.get_value("Contact", contact.name, "last_name") is None
	assert frappe.db.get_value("Note", note.name, "content") == "draft"


def test_a_document_shared_for_writing_may_be_updated_by_a_user_without_write_rights():
	"""Sharing grants rights on the one document shared, and nothing on the others."""
	shared, other = _order_of(CLERK, customer="Shared"), _order_of(CLERK, customer="Not shared")
	frappe.share.add_docshare(ORDER, shared.name, READER, write=1, flags={"ignore_share_permission": True})
	frappe.set_user(READER)
	DocumentUpdate().run({"doctype": ORDER, "name": shared.name, "data": {"amount": 7}})
	with pytest.raises(frappe.PermissionError):
		DocumentUpdate().run({"doctype": ORDER, "name": other.name, "data": {"amount": 7}})
	frappe.set_user("Administrator")
	assert frappe.db.get_value(ORDER, shared.name, "amount") == 7
	assert frappe.db.get_value(ORDER, other.name, "amount") == 150


def test_user_permissions_limit_the_documents_a_user_may_read():
	"""A User Permission on the DocType itself: only the allowed order can be read."""
	allowed, hidden = _order_of(CLERK, customer="Allowed"), _order_of(CLERK, customer="Hidden")
	frappe.get_doc(
		{"doctype": "User Permission", "user": READER, "allow": ORDER, "for_value": allowed.name}
	).insert(ignore_permissions=True)
	frappe.set_user(READER)
	assert DocumentGet().run({"doctype": ORDER, "name": allowed.name})["name"] == allowed.name
	with pytest.raises(frappe.PermissionError):
		DocumentGet().run({"doctype": ORDER, "name": hidden.name})


def test_a_user_with_no_way_in_learns_nothing_about_which_documents_exist():
	"""An existing and a missing name give the outsider the same PermissionError, never a 404."""
	existing = _order_of(CLERK)
	frappe.set_user(OUTSIDER)
	for name in (existing.name, "FTO-NO-SUCH-ORDER"):
		for tool, arguments in (
			(DocumentGet(), {"doctype": ORDER, "name": name}),
			(DocumentUpdate(), {"doctype": ORDER, "name": name, "data": {"amount": 1}}),
			(DocumentDelete(), {"doctype": ORDER, "name": name}),
		):
			with pytest.raises(frappe.PermissionError, match=f"permission on {ORDER}$"):
				tool.run(arguments)


_SPELLINGS = st.sampled_from(
	[
		str.lower,
		str.upper,
		str.swapcase,
		lambda n: n + " ",
		lambda n: " " + n,
		lambda n: n + "\t",
		lambda n: n,
	]
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spelling=_SPELLINGS)
def test_no_spelling_of_another_users_document_name_lets_an_if_owner_user_change_it(spelling):
	"""The right is decided on the document the name resolves to (a case-insensitive or space-padded
	database collation may resolve several spellings to it), never on the string sent."""
	theirs = _order_of(OTHER_CLERK, customer="Theirs")
	frappe.set_user(CLERK)
	for tool, arguments in (
		(DocumentUpdate(), {"data": {"amount": 1}}),
		(DocumentDelete(), {}),
		(DocumentGet(), {}),
	):
		with pytest.raises((frappe.PermissionError, frappe.DoesNotExistError)):
			tool.run({"doctype": ORDER, "name": spelling(theirs.name), **arguments})
	frappe.set_user("Administrator")
	assert frappe.db.get_value(ORDER, theirs.name, "amount") == 150
	frappe.db.rollback()
