"""What the data_science and visualization tool tests share: a DocType with numbers, users, tools.

FAC Analytics Probe has a Select, two numeric fields, a Percent, a Date and a permlevel-1 field.
FAC Analytics Reader may read it (permlevel 0 only); FAC Analytics Owner may read only the records
it owns. `ensure_probe()` is idempotent and commits, because creating a DocType is DDL.
"""

from __future__ import annotations

import importlib
import importlib.util
import os

import frappe

from frappe_assistant_core.core.base_tool import BaseTool
from tests.support.site import make_user

PROBE = "FAC Analytics Probe"
READER_ROLE = "FAC Analytics Reader"
OWNER_ROLE = "FAC Analytics Owner"
#: Reads the probe (permlevel 0); no other rights.
ANALYST = "fac-ds-analyst@example.com"
#: Reads only the probe records it owns.
OWN_ANALYST = "fac-ds-own-analyst@example.com"
#: A System User with no role: cannot read the probe.
OUTSIDER = "fac-ds-outsider@example.com"
#: Dashboard Manager that cannot read the probe.
DASHBOARD_MAKER = "fac-viz-maker@example.com"
#: Dashboard Manager that reads the probe.
DASHBOARD_ANALYST = "fac-viz-analyst@example.com"


def ensure_probe() -> None:
	"""Create the probe DocType, its roles and the users (once), then commit."""
	previous = frappe.session.user
	frappe.set_user("Administrator")
	for role in (READER_ROLE, OWNER_ROLE):
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert()
	if not frappe.db.exists("DocType", PROBE):
		frappe.get_doc(_probe_doctype()).insert()
	frappe.db.commit()
	make_user(ANALYST, [READER_ROLE])
	make_user(OWN_ANALYST, [OWNER_ROLE])
	make_user(OUTSIDER, [])
	make_user(DASHBOARD_MAKER, ["Dashboard Manager"])
	make_user(DASHBOARD_ANALYST, ["Dashboard Manager", READER_ROLE])
	frappe.set_user(previous)


def ensure_file_store() -> None:
	"""The site's public and private file folders (a bench's new-site makes them; the host may not)."""
	for folder in (("public", "files"), ("private", "files")):
		os.makedirs(frappe.get_site_path(*folder), exist_ok=True)


def probe_rows(*rows: dict, owner: str | None = None) -> list[str]:
	"""Insert probe records (uncommitted: the test's rollback removes them); returns their names."""
	names = []
	for values in rows:
		doc = frappe.get_doc({"doctype": PROBE, "title": "row", **values}).insert(ignore_permissions=True)
		if owner:
			frappe.db.set_value(PROBE, doc.name, "owner", owner, update_modified=False)
		names.append(doc.name)
	return names


def load_tool(plugin: str, name: str) -> BaseTool:
	"""An instance of the tool class in plugins/<plugin>/tools/<name>.py."""
	module = importlib.import_module(f"frappe_assistant_core.plugins.{plugin}.tools.{name}")
	for value in vars(module).values():
		if isinstance(value, type) and issubclass(value, BaseTool) and value.name == name:
			return value()
	raise LookupError(name)


def module_path(plugin: str, name: str) -> str:
	return importlib.util.find_spec(f"frappe_assistant_core.plugins.{plugin}.tools.{name}").origin


def _probe_doctype() -> dict:
	def field(fieldname: str, fieldtype: str, **extra) -> dict:
		return {
			"fieldname": fieldname,
			"label": fieldname.replace("_", " ").title(),
			"fieldtype": fieldtype,
			**extra,
		}

	return {
		"doctype": "DocType",
		"name": PROBE,
		"module": "Custom",
		"custom": 1,
		"autoname": "hash",
		"fields": [
			field("title", "Data", reqd=1),
			field("region", "Select", options="\nNorth\nSouth\nEast"),
			field("amount", "Currency"),
			field("qty", "Int"),
			field("discount", "Percent"),
			field("posted_on", "Date"),
			field("secret_margin", "Float", permlevel=1),
		],
		"permissions": [
			{
				"role": "System Manager",
				"permlevel": 0,
				"read": 1,
				"write": 1,
				"create": 1,
				"delete": 1,
				"report": 1,
			},
			{"role": "System Manager", "permlevel": 1, "read": 1, "write": 1},
			{"role": READER_ROLE, "permlevel": 0, "read": 1, "report": 1, "select": 1},
			{"role": OWNER_ROLE, "permlevel": 0, "read": 1, "report": 1, "if_owner": 1},
		],
	}
