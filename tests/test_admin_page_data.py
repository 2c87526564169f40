"""What the FAC Admin page and the settings form get from the server (issue 22, item 5).

The role picker is offered only roles a restriction accepts; the Usage table names the plugin of
every tool the site has, whatever its calls were logged with; Assistant Core Settings is a saved
document from the first migrate on, so the desk does not open it "Not Saved".
"""

from __future__ import annotations

import frappe
import pytest
from frappe.utils import now_datetime

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.audit import store
from frappe_assistant_core.utils import migration_hooks

pytestmark = pytest.mark.postgres

SETTINGS = "Assistant Core Settings"
LOG = "FAC Tool Call Log"


def test_the_role_picker_offers_no_role_a_restriction_refuses():
	"""Guest, All and Desk User admit everyone, so update_tool_role_access refuses them: not offered."""
	offered = admin_api.get_available_roles()
	assert not {"Guest", "All", "Desk User"} & set(offered)
	assert {"System Manager", "Assistant User"} <= set(offered)
	for role in offered:  # every role offered is one the server accepts
		admin_api.update_tool_role_access("document_get", "Restrict to Listed Roles", [role])


def _log(tool: str, plugin: str, status: str = "Success") -> None:
	doc = frappe.get_doc(
		{
			"doctype": LOG,
			"timestamp": now_datetime(),
			"user": "Administrator",
			"tool": tool,
			"plugin": plugin,
			"status": status,
			"duration_ms": 1,
		}
	)
	doc.flags.fac_from_queue = True
	doc.insert(ignore_permissions=True)


@pytest.fixture
def empty_log():
	store.write_pending()
	frappe.db.delete(LOG)
	yield
	frappe.db.rollback()


def test_usage_names_the_plugin_of_tools_logged_without_one(empty_log):
	"""A call to a switched-off tool is logged with no plugin (the registry did not load it): the
	table still names the tool's plugin, for tools with such calls only or mixed with others."""
	_log("document_get", "", "Unavailable")
	_log("document_get", "core")
	_log("document_get", "", "Unavailable")
	_log("execute_python_code", "", "Unavailable")
	_log("no_such_tool", "", "Unavailable")
	plugins = {t["tool"]: t["plugin"] for t in admin_api.get_usage_stats(days=1)["tools"]}
	assert plugins == {"document_get": "core", "execute_python_code": "data_science", "no_such_tool": ""}


def test_a_fresh_site_stores_every_settings_default_so_the_form_opens_saved():
	"""A never-saved Single has no stored values (v16 then loads it marked unsaved, which the desk
	shows as "Not Saved"; v15's desk fills the defaults in); migrate saves every default."""
	frappe.db.delete("Singles", {"doctype": SETTINGS})
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	try:
		assert not frappe.db.get_singles_dict(SETTINGS)
		migration_hooks.after_migrate()
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		doc = frappe.get_doc(SETTINGS)
		assert not doc.get("__unsaved")
		stored = frappe.db.get_singles_dict(SETTINGS)
		for df in frappe.get_meta(SETTINGS).fields:
			if df.default not in (None, ""):
				assert str(stored[df.fieldname]) == str(df.default), df.fieldname
		assert (doc.server_enabled, doc.log_tool_calls, doc.max_result_kb) == (1, 1, 256)
	finally:
		frappe.db.rollback()
		frappe.clear_document_cache(SETTINGS, SETTINGS)
