"""Field values and child rows a tool sets on a document, within the caller's permission levels.

Frappe quietly puts back a value the user may not write (a field above their write permission
level), and on a new document does not even do that for child rows. A model would then believe
it changed something it did not, so a change to such a field, of the document or of a row (child
DocType fields are judged against the parent DocType's permissions, as Frappe does), is refused
with the field's name before anything is saved. Rows are matched by their `name`: a name that is
not a row of this document's table is refused, so a row of another document is never touched.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model import table_fields
from frappe.utils import cast

from frappe_assistant_core.plugins.core._helpers import argument_error


def check_writable(doc, data: dict, remove_rows: dict[str, list[str]] | None = None) -> None:
	"""PermissionError naming the first value of `data` (child rows included) that would change a
	field above the session user's write permission level on `doc` (the document before the change:
	loaded, or new with its defaults), or a table of `remove_rows` at such a level."""
	access = set(doc.get_permlevel_access("write"))
	for fieldname, value in data.items():
		df = doc.meta.get_field(fieldname)
		if df is None:
			continue  # name / doctype: check_document_data has vetted them
		if df.fieldtype not in table_fields:
			if not _same(df, doc.get(fieldname), value):
				_require_level(doc.meta, df, access, f"data.{fieldname}")
			continue
		_require_level(doc.meta, df, access, f"data.{fieldname}")
		child_meta = frappe.get_meta(df.options)
		current = {row.name: row for row in doc.get(fieldname)}
		for index, row in enumerate(value):
			before = current.get(row.get("name")) or frappe.new_doc(df.options, as_dict=True)
			for key, new in row.items():
				child_df = child_meta.get_field(key)
				if child_df and not _same(child_df, before.get(key), new):
					_require_level(child_meta, child_df, access, f"data.{fieldname}.{index}.{key}")
	for fieldname in remove_rows or {}:
		if df := doc.meta.get_field(fieldname):
			_require_level(doc.meta, df, access, f"remove_rows.{fieldname}")


def apply_changes(
	doc, data: dict, mode: str = "patch", remove_rows: dict[str, list[str]] | None = None
) -> None:
	"""Set `data` on `doc` (tables row by row, see set_rows) and remove the rows `remove_rows` names."""
	for fieldname, value in data.items():
		if fieldname in ("doctype", "name"):
			continue
		if doc.meta.get_field(fieldname).fieldtype in table_fields:
			set_rows(doc, fieldname, value, mode)
		else:
			doc.set(fieldname, value)
	for fieldname, names in (remove_rows or {}).items():
		_remove_rows(doc, fieldname, names)


def set_rows(doc, fieldname: str, rows: list[dict], mode: str) -> None:
	"""patch: a row with the `name` of an existing row updates it, one without is added, the rest
	stay; replace: the table becomes exactly the rows given, in that order."""
	existing = {row.name: row for row in doc.get(fieldname)}
	kept = []
	for index, values in enumerate(rows):
		values = {k: v for k, v in values.items() if k != "doctype"}
		row_name = values.pop("name", None)
		if row_name is None:
			kept.append(values if mode == "replace" else doc.append(fieldname, values))
			continue
		if row_name not in existing:
			_not_a_row(doc, fieldname, row_name, f"data.{fieldname}.{index}.name")
		existing[row_name].update(values)
		kept.append(existing[row_name])
	if mode == "replace":
		doc.set(fieldname, kept)
		for idx, row in enumerate(doc.get(fieldname), start=1):  # the order given is the new order
			row.idx = idx


def table_field_names(meta) -> set[str]:
	return {df.fieldname for df in meta.get_table_fields()}


def _remove_rows(doc, fieldname: str, names: list[str]) -> None:
	if fieldname not in table_field_names(doc.meta):
		argument_error(
			f"remove_rows.{fieldname}", _("{0} has no table field {1}").format(_(doc.doctype), fieldname)
		)
	rows = doc.get(fieldname)
	present = {row.name for row in rows}
	for index, name in enumerate(names):
		if name not in present:
			_not_a_row(doc, fieldname, name, f"remove_rows.{fieldname}.{index}")
	doc.set(fieldname, [row for row in rows if row.name not in set(names)])
	for idx, row in enumerate(doc.get(fieldname), start=1):
		row.idx = idx


def _not_a_row(doc, fieldname: str, row_name: str, argument: str) -> None:
	argument_error(argument, _("{0} is not a row of {1} in {2}").format(row_name, fieldname, doc.name))


def _same(df, before, after) -> bool:
	"""Whether `after` leaves the field as `before` had it (compared as the field's type)."""
	try:
		return cast(df.fieldtype, before) == cast(df.fieldtype, after)
	except (TypeError, ValueError):
		return False


def _require_level(meta, df, access: set[int], argument: str) -> None:
	level = df.permlevel or 0
	if level and level not in access:  # level 0 is the document's own write right, checked on it
		frappe.throw(
			_("{0}: you may not change field {1} of {2} (permission level {3})").format(
				argument, df.fieldname, _(meta.name), level
			),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
