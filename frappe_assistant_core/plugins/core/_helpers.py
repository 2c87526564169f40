"""Shared private helpers of the core tools: permission gates, argument checks, JSON-safe output.

Permission gates live in _access.py. Report helpers read what a report declares (its filters)
without running it; running and listing stay in the report tools.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

import frappe
from frappe import _
from frappe.model import display_fieldtypes, table_fields

from frappe_assistant_core.exceptions import ToolArgumentError


def argument_error(field: str, message: str) -> NoReturn:
	"""Raise the error BaseTool raises for pydantic failures, for a check pydantic cannot make."""
	raise ToolArgumentError(
		_("Invalid argument {0}: {1}").format(field, message), errors=[{"field": field, "message": message}]
	)


def to_json(value: Any) -> Any:
	"""`value` with dates, decimals and documents turned into JSON types, as Frappe's responses do."""
	return json.loads(frappe.as_json(value, indent=None))


def doc_payload(doc) -> dict:
	"""The document as a JSON-safe dict without the fields, child fields included, above the user's
	read permission level (left out rather than blanked, so a hidden value never reads as empty)."""
	data = to_json(doc.as_dict())
	access = set(doc.get_permlevel_access("read"))
	_drop_private([data])
	_drop_unreadable(doc.meta, [data], access)
	for table in doc.meta.get_table_fields():
		rows = data.get(table.fieldname) or []
		_drop_private(rows)
		_drop_unreadable(frappe.get_meta(table.options), rows, access)
	return data


# Desk-only state that as_dict() adds to a document and to each child row. Frappe v16 can leave it
# out (as_dict(no_private_properties=True)); v15.44.2's as_dict() has no such argument and always
# adds it, so one path for both: ask for the plain dict and drop the keys here.
_PRIVATE_PROPERTIES = ("_user_tags", "__islocal", "__onload", "_liked_by", "__run_link_triggers", "__unsaved")


def _drop_private(rows: list[dict]) -> None:
	for row in rows:
		for key in _PRIVATE_PROPERTIES:
			row.pop(key, None)


def _drop_unreadable(meta, rows: list[dict], access: set[int]) -> None:
	hidden = [df.fieldname for df in meta.fields if df.permlevel and df.permlevel not in access]
	for row in rows:
		for fieldname in hidden:
			row.pop(fieldname, None)


def check_document_data(meta, data: dict, argument: str = "data") -> None:
	"""Every key of `data` and of its child rows must be a field of the DocType: no silent typos and
	no forged owner / creation. `name` is accepted (documents named by the caller, child row ids)."""
	fields = {df.fieldname: df for df in meta.fields if df.fieldtype not in display_fieldtypes}
	for key, value in data.items():
		path = f"{argument}.{key}"
		if key == "name" or (key == "doctype" and value == meta.name):
			continue
		df = fields.get(key)
		if not df:
			argument_error(path, _("{0} has no field {1}").format(_(meta.name), key))
		if df.fieldtype not in table_fields:
			continue
		if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
			argument_error(path, _("a table field takes a list of row objects"))
		child_meta = frappe.get_meta(df.options)
		for index, row in enumerate(value):
			check_document_data(child_meta, row, f"{path}.{index}")


def describe_field(df, detailed: bool = False) -> dict:
	"""What a model needs to know about a field to read or fill it."""
	info = {
		"fieldname": df.fieldname,
		"label": df.label,
		"fieldtype": df.fieldtype,
		"options": df.options,
		"reqd": bool(df.reqd),
	}
	if detailed:
		for key in ("read_only", "hidden", "unique", "allow_on_submit", "in_list_view", "in_standard_filter"):
			info[key] = bool(df.get(key))
		for key in ("default", "description", "depends_on", "mandatory_depends_on", "fetch_from"):
			info[key] = df.get(key)
		info["permlevel"] = df.get("permlevel") or 0
	return info


def active_workflow(doctype: str, required: bool = True):
	"""The active Workflow of `doctype` (None, or DoesNotExistError when `required`, if it has none)."""
	from frappe.model.workflow import get_workflow_name

	workflow_name = get_workflow_name(doctype)
	if workflow_name:
		return frappe.get_cached_doc("Workflow", workflow_name)
	if required:
		frappe.throw(_("DocType {0} has no active workflow").format(_(doctype)), frappe.DoesNotExistError)
	return None


def load_report(report_name: str):
	"""The Report, if it exists and its role list admits the user (Frappe's Report.is_permitted)."""
	if not frappe.db.exists("Report", report_name):
		frappe.throw(_("Report {0} not found").format(report_name), frappe.DoesNotExistError)
	report = frappe.get_doc("Report", report_name)
	if not report.is_permitted():
		frappe.throw(_("You do not have access to Report {0}").format(_(report_name)), frappe.PermissionError)
	return report


def report_filters(report) -> list[dict]:
	"""The filters a report declares: its Report Filter rows and the `filters` of its JS definition."""
	if report.report_type == "Report Builder":
		return []
	from frappe.desk.query_report import get_script

	declared = [
		{
			"fieldname": row.fieldname,
			"label": row.label,
			"fieldtype": row.fieldtype,
			"options": row.options,
			"reqd": bool(row.mandatory),
			"default": row.default,
		}
		for row in report.filters
	]
	return declared + _js_filters(get_script(report.name).get("script") or "")


_FILTERS_START = re.compile(r"\bfilters\s*:\s*\[")
_STRING_PROP = re.compile(r"""(\w+)\s*:\s*(?:__\(\s*)?(["'`])(.*?)\2""")
_LITERAL_PROP = re.compile(r"(\w+)\s*:\s*(-?\d+(?:\.\d+)?|true|false)\b")
_ARRAY_PROP = re.compile(r"(\w+)\s*:\s*\[([^\]]*)\]")


def _js_filters(script: str) -> list[dict]:
	"""Filter definitions of `frappe.query_reports[...] = {filters: [...]}`: literal values only
	(a computed default such as today's date is left out; the report computes it in Desk)."""
	start = _FILTERS_START.search(script)
	if not start:
		return []
	objects, buffer, depth = [], [], 0
	for char in script[start.end() :]:
		if char == "]" and depth == 0:
			break
		if char == "{":
			depth += 1
		elif char == "}":
			depth -= 1
			if depth == 0:
				objects.append("".join(buffer))
				buffer = []
		elif depth == 1:  # keep the filter's own properties, drop nested objects (get_query etc.)
			buffer.append(char)
	return [f for f in map(_js_filter, objects) if f["fieldname"]]


def _js_filter(text: str) -> dict:
	props: dict[str, Any] = {key: value for key, _quote, value in _STRING_PROP.findall(text)}
	for key, raw in _LITERAL_PROP.findall(text):
		props.setdefault(key, json.loads(raw))
	for key, items in _ARRAY_PROP.findall(text):
		props.setdefault(key, "\n".join(v for _q, v in re.findall(r"""(["'])(.*?)\1""", items)))
	return {
		"fieldname": props.get("fieldname"),
		"label": props.get("label"),
		"fieldtype": props.get("fieldtype") or "Data",
		"options": props.get("options"),
		"reqd": bool(props.get("reqd")),
		"default": props.get("default"),
	}
