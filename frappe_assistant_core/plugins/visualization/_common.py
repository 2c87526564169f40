"""What the visualization tools share: source and link checks, filters_json, dashboard links.

Each tool checks `create` on the document it makes; the reads it depends on (the source DocType,
the charts and cards it links, the dashboard it adds to) are checked here, with errors naming the
argument at fault. Filters are stored in the list form the desk's chart and card renderers need.
"""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.utils import get_url_to_form
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from frappe_assistant_core.plugins._doctype_access import doctype_meta, normalize_filters, require_permission

#: Accept "line", "group by", "last month": the desk's options are all Title Case words.
Titled = BeforeValidator(lambda value: value.strip().title() if isinstance(value, str) else value)
ColorPattern = r"^#[0-9A-Fa-f]{6}$"


def source_meta(doctype: str, argument: str = "doctype"):
	"""Meta of the DocType a chart or card counts, once the session user may read it."""
	meta = doctype_meta(doctype, argument)
	require_permission(doctype, "read", argument)
	return meta


def filters_json(meta, filters: dict | list | None) -> str:
	"""Filters as stored by the desk: `[[doctype, field, operator, value, false], ...]`."""
	return json.dumps([[*row, False] for row in normalize_filters(meta, filters)], default=str)


def readable_names(doctype: str, names: list[str], argument: str) -> list[str]:
	"""`names` without repeats, once each is an existing `doctype` the user may read."""
	for name in names:
		if not frappe.db.exists(doctype, name):
			frappe.throw(
				_("{0}: {1} {2} does not exist").format(argument, _(doctype), name), frappe.DoesNotExistError
			)
		if not frappe.has_permission(doctype, "read", doc=name):
			frappe.throw(
				_("{0}: you do not have permission to read {1} {2}").format(argument, _(doctype), name),
				frappe.PermissionError,
			)
	return list(dict.fromkeys(names))


def ensure_new(doctype: str, name: str, argument: str) -> None:
	if frappe.db.exists(doctype, name):
		frappe.throw(
			_("{0}: a {1} named {2} already exists").format(argument, _(doctype), name),
			frappe.DuplicateEntryError,
		)


def writable_dashboard(name: str | None):
	"""The Dashboard called `name` once the user may change it; None when no name is given."""
	if not name:
		return None
	if not frappe.db.exists("Dashboard", name):
		frappe.throw(_("dashboard_name: Dashboard {0} does not exist").format(name), frappe.DoesNotExistError)
	dashboard = frappe.get_doc("Dashboard", name)
	if not dashboard.has_permission("write"):
		frappe.throw(
			_("dashboard_name: you do not have permission to change Dashboard {0}").format(name),
			frappe.PermissionError,
		)
	return dashboard


def link_to_dashboard(dashboard, table: str, row: dict) -> str | None:
	"""Append `row` to the dashboard's `table` (charts or cards) and save; returns its name."""
	if dashboard is None:
		return None
	dashboard.append(table, row)
	dashboard.save()
	return dashboard.name


class Created(BaseModel):
	"""The start of what a visualization tool returns: the document it made (see `created`)."""

	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="DocType of the new document.")
	name: str = Field(description="Name of the new document.")
	url: str = Field(description="Its address in Desk.")


def created(doc, **extra) -> dict:
	"""What a visualization tool returns about the document it made."""
	return {"doctype": doc.doctype, "name": doc.name, "url": get_url_to_form(doc.doctype, doc.name), **extra}


def optional(**values) -> dict:
	"""The keyword arguments that have a value (so a DocType default applies to the others)."""
	return {key: value for key, value in values.items() if value is not None}
