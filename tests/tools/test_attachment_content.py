"""Attached content is the caller's own, whatever the site already holds.

Frappe points a new File at identical content already on the site (same bytes, same folder). When
that content was another user's private file, the tool refused the attachment: a refusal that
told the caller a private file holding exactly the bytes they sent exists (their guess of a
payslip, say), where any other bytes were attached. The caller's bytes are now stored in a file
of their own, and another user's file is never touched.
"""

from __future__ import annotations

import base64

import frappe
import pytest

from frappe_assistant_core.plugins._file_access import canonical_site_file, content_grantor
from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate
from tests.support.doctypes import CLERK, ORDER, OTHER_CLERK, ensure_test_doctypes, ensure_test_users, order
from tests.tools._fixtures import ensure_file_store, make_file

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module", autouse=True)
def attachment_fixtures(test_site):
	ensure_test_doctypes()
	ensure_test_users()
	ensure_file_store()


@pytest.fixture(autouse=True)
def files_on_disk_are_cleaned():
	yield
	frappe.db.rollback()


def _attach(name: str, content: bytes) -> dict:
	attachment = {"file_name": "guess.txt", "content_base64": base64.b64encode(content).decode()}
	return DocumentUpdate().run({"doctype": ORDER, "name": name, "attachments": [attachment]})


def test_bytes_equal_to_another_users_private_file_are_attached_as_the_callers_own_file():
	secret = b"their payslip " + frappe.generate_hash().encode()
	frappe.set_user(OTHER_CLERK)
	theirs = make_file("payslip.txt", secret)
	frappe.set_user(CLERK)
	doc = frappe.get_doc(order(internal_note=None)).insert()
	same = _attach(doc.name, secret)["attachments"][0]
	other = _attach(doc.name, b"another guess " + frappe.generate_hash().encode())["attachments"][0]
	frappe.set_user("Administrator")
	assert same["is_private"] is other["is_private"] is True
	assert same["file_url"] != theirs.file_url
	own = canonical_site_file(same["file_url"])
	with open(own.path, "rb") as stored:
		assert stored.read() == secret
	assert content_grantor(own).name == same["name"]
	with open(canonical_site_file(theirs.file_url).path, "rb") as kept:
		assert kept.read() == secret
