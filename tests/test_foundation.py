"""The app installs into a real site and behaves like a Frappe app there (issue: foundation)."""

from __future__ import annotations

import frappe
import pytest

from tests.support import fresh_install
from tests.support.server import serve
from tests.support.site import api_credentials, make_user, run_migrate

APP_DOCTYPES = (
	"FAC Plugin Configuration",
	"FAC Tool Configuration",
	"FAC Tool Role Access",
	"Assistant Core Settings",
)


def _plugin_row(name: str) -> dict:
	return {
		"doctype": "FAC Plugin Configuration",
		"plugin_name": name,
		"display_name": name.title(),
		"enabled": 1,
	}


def test_app_doctypes_and_roles_exist_after_install():
	"""Installing the app syncs its four DocTypes into the database and creates its two roles."""
	for doctype in APP_DOCTYPES:
		assert frappe.db.exists("DocType", doctype), doctype
		assert frappe.get_meta(doctype).module == "Assistant Core"
	for doctype in APP_DOCTYPES[:3]:
		assert frappe.db.table_exists(doctype), doctype
	assert frappe.get_meta("FAC Plugin Configuration").track_changes
	assert frappe.get_meta("FAC Tool Configuration").track_changes
	assert frappe.get_meta("Assistant Core Settings").issingle
	assert frappe.get_meta("Assistant Core Settings").get_field("enabled_plugins_list").hidden
	assert set(frappe.get_all("Role", filters={"name": ("like", "Assistant %")}, pluck="name")) >= {
		"Assistant Admin",
		"Assistant User",
	}


def test_plugin_name_is_unique_in_the_database():
	"""A second FAC Plugin Configuration row with the same plugin_name is a DuplicateEntryError."""
	assert frappe.db.exists("FAC Plugin Configuration", "visualization")
	with pytest.raises(frappe.DuplicateEntryError):
		frappe.get_doc(_plugin_row("visualization")).insert()


def test_assistant_user_cannot_write_plugin_configuration_but_admin_can():
	"""Permissions: Assistant User reads only; Assistant Admin may create and write."""
	reader = make_user("fac-reader@example.com", ["Assistant User"])
	admin = make_user("fac-admin@example.com", ["Assistant Admin"])
	frappe.db.delete("FAC Plugin Configuration", {"plugin_name": "websocket"})
	frappe.set_user(reader)
	assert frappe.has_permission("FAC Plugin Configuration", "read")
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc(_plugin_row("websocket")).insert()
	row = frappe.get_doc("FAC Plugin Configuration", "core")
	with pytest.raises(frappe.PermissionError):
		row.save()
	frappe.set_user(admin)
	doc = frappe.get_doc(_plugin_row("websocket")).insert()
	assert frappe.db.exists("FAC Plugin Configuration", doc.name)
	doc.enabled = 0
	doc.save()
	assert frappe.db.get_value("FAC Plugin Configuration", "websocket", "enabled") == 0
	assert not frappe.has_permission("FAC Plugin Configuration", "delete")


def test_saving_a_change_records_a_version():
	"""track_changes: changing a row writes a Version document with the changed field."""
	doc = frappe.get_doc("FAC Plugin Configuration", "batch_processing")
	doc.enabled = 0 if doc.enabled else 1
	doc.save()
	versions = frappe.get_all(
		"Version", filters={"ref_doctype": "FAC Plugin Configuration", "docname": doc.name}, pluck="data"
	)
	assert versions and any('"enabled"' in data for data in versions)


def test_whitelisted_method_answers_over_http_with_api_key_auth():
	"""The site is served on 127.0.0.1; token key:secret authenticates a whitelisted call."""
	email = make_user("fac-http@example.com", ["System Manager"])
	token = api_credentials(email)
	with serve(workers=2) as server:
		assert server.call("ping", http_method="GET") == (200, {"message": "pong"})
		status, body = server.call("frappe.auth.get_logged_user", auth=token, http_method="GET")
		assert (status, body["message"]) == (200, email)
		status, _ = server.call("frappe.auth.get_logged_user", auth=token.split(":")[0] + ":wrong")
		assert status in (401, 403)


def _schema_fingerprint() -> list[tuple]:
	return frappe.db.sql(
		"""select name, modified from `tabDocType` where module='Assistant Core'
		union all select name, modified from `tabRole` where name like 'Assistant %%'
		union all select name, modified from `tabFAC Plugin Configuration`
		union all select name, modified from `tabFAC Tool Configuration`
		order by 1"""
	)


def _app_versions() -> int:
	"""Version rows of the app's documents (Frappe's own migrate may save its settings, as v15 does)."""
	doctypes = frappe.get_all("DocType", filters={"module": "Assistant Core"}, pluck="name")
	return frappe.db.count("Version", {"ref_doctype": ("in", [*doctypes, "Role"])})


def test_second_migrate_changes_nothing():
	"""bench migrate twice: both succeed and the second writes no app row or DocType."""
	# A missing tool row that migrate recreates proves its after_migrate sync ran (what migrate
	# prints differs between Frappe versions).
	tool = frappe.get_all("FAC Tool Configuration", pluck="name", limit=1)[0]
	frappe.delete_doc("FAC Tool Configuration", tool, ignore_permissions=True, force=True)
	frappe.db.commit()
	run_migrate()
	assert frappe.db.exists("FAC Tool Configuration", tool), "after_migrate did not run"
	# A recreated row takes a fresh install's switch (write tools off); the suite runs with all on.
	fresh_install.enable_every_tool()
	before = _schema_fingerprint()
	versions = _app_versions()
	run_migrate()
	assert _schema_fingerprint() == before
	assert _app_versions() == versions
