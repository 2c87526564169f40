"""Moving a File between the public and private folders through a tool tells nothing of the other
folder: a name taken there by someone else's file is refused with the one missing-file answer,
never with Frappe's own error, which names the file and the server's absolute path.
"""

from __future__ import annotations

import os

import frappe
import pytest

from frappe_assistant_core.exceptions import FileNotReadableError
from frappe_assistant_core.plugins._file_paths import refusal_text
from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate
from tests.tools._fixtures import OUTSIDER, ensure_file_store, ensure_probe, make_file


@pytest.fixture(scope="module", autouse=True)
def users_and_folders():
	ensure_probe()
	ensure_file_store()


def test_a_move_onto_a_name_taken_by_another_users_private_file_is_refused_like_a_missing_file():
	tag = frappe.generate_hash(length=8)
	name = f"fac-taken-{tag}.txt"
	victim = make_file(name, f"victim secret {tag}".encode())
	frappe.set_user(OUTSIDER)
	own = make_file(name, f"the outsider's own {tag}".encode(), is_private=0)
	assert (victim.file_url, own.file_url) == (f"/private/files/{name}", f"/files/{name}")
	with pytest.raises(FileNotReadableError) as refused:
		DocumentUpdate().run({"doctype": "File", "name": own.name, "data": {"is_private": 1}})
	assert str(refused.value) == refusal_text("data.is_private", f"/private/files/{name}")
	assert os.path.realpath(frappe.get_site_path()) not in str(refused.value)
	frappe.set_user("Administrator")
	with open(frappe.get_site_path("private", "files", name), "rb") as kept:
		assert kept.read() == f"victim secret {tag}".encode()
	assert os.path.isfile(frappe.get_site_path("public", "files", name))
