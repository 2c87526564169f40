"""Validation of the DocType, field and filter names that tools pass on to Frappe's queries.

Tools of several plugins let the model name a DocType, its fields and filters. This module turns
those names into clear, translated errors before any query runs (unknown DocType → 404, unknown or
wrongly typed field → ToolArgumentError, 417, field above the user's permission level → 403) and normalises filters
to Frappe's list form. Document-level permission checks stay in each tool, where they are visible.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.model import no_value_fields

from frappe_assistant_core.exceptions import ToolArgumentError

#: Columns every non-single DocType has, with the field type they behave like.
STANDARD_FIELDS = {
	"name": "Data",
	"owner": "Link",
	"creation": "Datetime",
	"modified": "Datetime",
	"modified_by": "Link",
	"docstatus": "Int",
	"idx": "Int",
}
NUMERIC_TYPES = frozenset({"Int", "Long Int", "Float", "Currency", "Percent"})
DATE_TYPES = frozenset({"Date", "Datetime"})
FILTER_OPERATORS = frozenset(
	{"=", "!=", "<", ">", "<=", ">=", "like", "not like", "in", "not in", "between", "is", "timespan"}
)
_HIDDEN_TYPES = frozenset({"Password", "Attach", "Attach Image", "Signature", *no_value_fields})


def cached_meta(doctype: str):
	"""Meta of `doctype` from Frappe's meta cache, None when there is no such DocType.

	Cheaper than frappe.db.exists("DocType", ...) first: once cached, asking costs no query.
	"""
	try:
		return frappe.get_meta(doctype)
	except frappe.DoesNotExistError:
		frappe.clear_messages()  # the loader's own "not found" message; callers raise theirs
		return None


def doctype_meta(doctype: str, argument: str = "doctype"):
	"""Meta of a DocType whose records can be listed (exists, neither single nor a child table)."""
	meta = cached_meta(doctype)
	if meta is None:
		frappe.throw(_("{0}: DocType {1} does not exist").format(argument, doctype), frappe.DoesNotExistError)
	if meta.issingle or meta.istable:
		frappe.throw(
			_("{0}: {1} is a single or child-table DocType; name a DocType with its own records").format(
				argument, doctype
			),
			ToolArgumentError,
		)
	return meta


def require_permission(doctype: str, ptype: str, argument: str | None = None) -> None:
	"""PermissionError naming `ptype` and `doctype` unless the session user has that right.

	Tools call it with `ptype=` as a keyword, which is what category detection reads.
	"""
	if not frappe.has_permission(doctype, ptype=ptype):
		message = _("You do not have {0} permission on {1}").format(_(ptype), _(doctype))
		frappe.throw(f"{argument}: {message}" if argument else message, frappe.PermissionError)


def field_type(meta, fieldname: str) -> str | None:
	"""Field type of a column of `meta` (standard columns included), None when there is no such column."""
	if fieldname in STANDARD_FIELDS:
		return STANDARD_FIELDS[fieldname]
	df = meta.get_field(fieldname)
	if not df or df.fieldtype in no_value_fields or df.get("is_virtual"):
		return None
	return df.fieldtype


def check_fields(
	meta, fields: list[str], argument: str = "fields", types: frozenset[str] | None = None
) -> list[str]:
	"""Return `fields` once each is a column of `meta` (of one of `types`) the user may read."""
	permitted = None
	for fieldname in fields:
		fieldtype = field_type(meta, fieldname)
		if fieldtype is None:
			frappe.throw(
				_("{0}: {1} has no field {2}").format(argument, meta.name, fieldname), ToolArgumentError
			)
		if types is not None and fieldtype not in types:
			frappe.throw(
				_("{0}: field {1} of {2} is a {3} field; expected one of: {4}").format(
					argument, fieldname, meta.name, fieldtype, ", ".join(sorted(types))
				),
				ToolArgumentError,
			)
		if fieldname in STANDARD_FIELDS:
			continue
		if permitted is None:
			permitted = set(meta.get_permitted_fieldnames())
		if fieldname not in permitted:
			frappe.throw(
				_("{0}: you do not have permission to read field {1} of {2}").format(
					argument, fieldname, meta.name
				),
				frappe.PermissionError,
			)
	return list(dict.fromkeys(fields))


def value_fields(meta, types: frozenset[str] | None = None) -> list[str]:
	"""The user-readable data fields of `meta` (of `types`, when given), in form order."""
	permitted = set(meta.get_permitted_fieldnames())
	return [
		df.fieldname
		for df in meta.fields
		if df.fieldname in permitted
		and df.fieldtype not in _HIDDEN_TYPES
		and not df.get("is_virtual")
		and (types is None or df.fieldtype in types)
	]


def normalize_filters(meta, filters: dict | list | None, argument: str = "filters") -> list[list]:
	"""Filters as `[[doctype, field, operator, value], ...]`, every field and operator checked.

	Accepts `{field: value}`, `{field: [operator, value]}`, `[[field, operator, value], ...]` and
	`[[doctype, field, operator, value], ...]` (the forms Frappe's list API takes).
	"""
	if not filters:
		return []
	if isinstance(filters, dict):
		items = [[field, *_operator_value(value)] for field, value in filters.items()]
	else:
		items = [_filter_row(meta, row, argument) for row in filters]
	out = []
	for field, operator, value in items:
		check_fields(meta, [field], argument)
		if str(operator).lower() not in FILTER_OPERATORS:
			frappe.throw(
				_("{0}: unsupported operator {1} (use one of: {2})").format(
					argument, operator, ", ".join(sorted(FILTER_OPERATORS))
				),
				ToolArgumentError,
			)
		out.append([meta.name, field, operator, value])
	return out


def _operator_value(value: Any) -> tuple[str, Any]:
	if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], str):
		return value[0], value[1]
	return "=", value


def _filter_row(meta, row: Any, argument: str) -> list:
	if isinstance(row, list | tuple):
		if len(row) == 3:
			return list(row)
		if len(row) in (4, 5) and row[0] == meta.name:
			return list(row[1:4])
	frappe.throw(
		_(
			"{0}: each filter must be [field, operator, value] or [{1}, field, operator, value]; got {2}"
		).format(argument, meta.name, frappe.as_json(row, indent=None)),
		ToolArgumentError,
	)
