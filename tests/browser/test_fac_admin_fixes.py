"""The FAC Admin page and the app's forms in the real desk, where issue 22 (items 3 and 5) found them wrong.

Driven in headless Chromium by drive_admin_fixes.js against the real app server, each flow as the
user it needs: a user the page admits but the admin API refuses sees that the lists could not be
loaded (not "no plugins were discovered"); an Assistant Admin's tool dialog, and a tool's
configuration form, offer no category below the detected one and no role a restriction refuses; the Usage section draws no chart of no series
when every call is stamped after today (a time zone moved back) and says so; Assistant Core
Settings opens saved on a site that never saved it; a FAC Tool Call Log row's form has no Save, not
even for Administrator. No flow may leave a JS error on the page.
"""

from __future__ import annotations

import os
from pathlib import Path

import frappe
import pytest
from frappe.utils import add_days, now_datetime
from frappe.utils.password import update_password

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.audit import store
from frappe_assistant_core.utils import migration_hooks
from tests.browser.test_fac_admin_page import (  # noqa: F401  (desk_site is a fixture)
	ADMIN_PASSWORD,
	CHROMIUM,
	_console_errors,
	_desk_user,
	_run_driver,
	desk_site,
)
from tests.support.server import serve
from tests.support.site import make_user

DRIVER = Path(__file__).with_name("drive_admin_fixes.js")
SETTINGS = "Assistant Core Settings"
LOG = "FAC Tool Call Log"
VIEWER = "fac-admin-page-viewer@example.com"
VIEWER_ROLE = "FAC Admin Page Viewer"
PASSWORD = "fac-admin-fixes-Pa55!"
REFUSAL = "Only System Managers and Assistant Admins can manage Frappe Assistant Core"
#: The admin API modules whose reads the viewer's page makes and the server refuses (HTTP 403).
REFUSED_MODULES = ("admin_api", "admin_governance", "admin_connections")
FLOWS = ["refused_lists", "pickers", "tool_form_pickers", "usage_outside", "settings_form", "log_form"]


@pytest.fixture
def page_viewer():
	"""A user the FAC Admin page admits through an extra page role, but the admin API does not."""
	if not frappe.db.exists("Role", VIEWER_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": VIEWER_ROLE, "desk_access": 1}).insert()
	make_user(VIEWER, [VIEWER_ROLE])
	update_password(VIEWER, PASSWORD)
	page = frappe.get_doc("Page", "fac-admin")
	page.append("roles", {"role": VIEWER_ROLE})
	page.save(ignore_permissions=True)
	frappe.db.commit()
	yield VIEWER
	frappe.db.delete("Has Role", {"parent": "fac-admin", "parenttype": "Page", "role": VIEWER_ROLE})
	frappe.db.commit()


@pytest.fixture
def calls_after_today():
	"""Three logged calls stamped two days ahead, one of a tool logged without its plugin."""
	store.write_pending()
	frappe.db.delete(LOG)
	names = []
	for tool, plugin in (("document_get", ""), ("document_get", "core"), ("no_such_tool", "")):
		doc = frappe.get_doc(
			{
				"doctype": LOG,
				"timestamp": add_days(now_datetime(), 2),
				"user": "Administrator",
				"tool": tool,
				"plugin": plugin,
				"status": "Success",
				"duration_ms": 2,
			}
		)
		doc.flags.fac_from_queue = True
		names.append(doc.insert(ignore_permissions=True).name)
	frappe.db.commit()
	yield names
	frappe.db.delete(LOG)
	frappe.db.commit()


@pytest.fixture
def never_saved_settings():
	"""Assistant Core Settings as a fresh site has them, after the app's migrate hook ran."""
	before = frappe.db.get_singles_dict(SETTINGS)
	frappe.db.delete("Singles", {"doctype": SETTINGS})
	migration_hooks.after_migrate()
	frappe.db.commit()
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	yield
	frappe.db.delete("Singles", {"doctype": SETTINGS})
	if before:
		frappe.db.set_single_value(SETTINGS, dict(before), update_modified=False)
	frappe.db.commit()
	frappe.clear_document_cache(SETTINGS, SETTINGS)


@pytest.mark.browser
def test_fac_admin_page_and_forms_in_the_real_desk(
	desk_site,  # noqa: F811  (the fixture imported above, requested by name)
	page_viewer,
	calls_after_today,
	never_saved_settings,
):
	if not os.path.exists(CHROMIUM):
		pytest.fail(f"{CHROMIUM} is missing: run tests/host/setup.sh (installs Debian's chromium)")
	update_password("Administrator", PASSWORD)
	frappe.db.commit()
	scenario = {
		"flows": FLOWS,
		"viewer": [page_viewer, PASSWORD],
		"admin": [_desk_user(), ADMIN_PASSWORD],
		"administrator": ["Administrator", PASSWORD],
		"privileged_tool": "document_delete",
		"role_tool": "document_get",
		"log_name": calls_after_today[0],
	}
	with serve(workers=1) as server:
		report = _run_driver(DRIVER, {**scenario, "base_url": server.url}, timeout=600)
	assert report["steps"] == FLOWS, report["steps"]
	flows = report["flows"]

	refused = flows["refused_lists"]
	assert "No plugins were discovered" not in refused["plugins"]
	assert refused["plugins"].strip() == f"The plugins could not be loaded: {REFUSAL}", refused
	assert refused["tools"].strip().startswith("The tools could not be loaded:"), refused
	assert "run bench migrate" not in refused["tools"].lower()

	pickers = flows["pickers"]
	assert pickers["privileged"]["categories"] == ["privileged"]
	assert pickers["read_only"]["categories"] == ["read_only", "write", "read_write", "privileged"]
	for offered in (pickers["privileged"]["roles"], pickers["read_only"]["roles"]):
		assert not {"Guest", "All", "Desk User"} & set(offered), offered
		assert "Assistant User" in offered

	form = flows["tool_form_pickers"]
	assert form["categories"] == ["privileged"]
	found = frappe.get_all("Role", filters=form["role_filters"], pluck="name")  # what the picker searches
	assert not {"Guest", "All", "Desk User"} & set(found) and "Assistant User" in found
	assert set(found) == set(admin_api.get_available_roles())

	usage = flows["usage_outside"]
	assert usage["summary"].startswith("3 calls in the last 30 days")
	assert usage["charts"] == 0
	assert usage["note"].startswith("3 of these calls are stamped later than today")
	assert dict(usage["tools"]) == {"document_get": "core", "no_such_tool": "unknown tool"}

	assert flows["settings_form"] == {"dirty": False, "indicator": ""}, flows["settings_form"]
	assert flows["log_form"] == {"save_disabled": True, "primary_action": []}, flows["log_form"]

	assert report["page_errors"] == [] and report["native_dialogs"] == []
	for error in _console_errors(report, desk_site):
		# The viewer's reads, refused by the server on purpose (HTTP 403), are the only failures: the
		# failed request, and the traceback Frappe prints for a System User ending in the refusal.
		if error["text"].startswith("Failed to load resource"):
			assert any(f"{module}." in error["url"] for module in REFUSED_MODULES), error
		else:
			assert error["text"].startswith("Traceback") and REFUSAL in error["text"], error
