"""document_update: change fields and child table rows of an existing document.

Saves through Frappe as the calling user, so every rule applies: on a submitted document only
allow_on_submit fields may change (UpdateAfterSubmitError otherwise), a cancelled one cannot change.
Child rows are matched by their `name`; a `name` that is not a row of this document is refused,
so a row of another document can never be rewritten.
"""

from __future__ import annotations

from typing import Any, Literal

import frappe
from frappe import _
from frappe.model import table_fields
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._file_access import check_new_file_url
from frappe_assistant_core.plugins._output_types import DocName
from frappe_assistant_core.plugins.core._helpers import (
	argument_error,
	check_access,
	check_document_data,
	doc_payload,
)


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType of the document.")
	name: str = Field(min_length=1, description="Name (ID) of the document to update.")
	data: dict[str, Any] = Field(
		min_length=1,
		description=(
			"Field values to set by fieldname. A table field takes a list of row objects; a row with "
			"the `name` of an existing row updates that row, a row without `name` is added."
		),
	)
	child_table_mode: Literal["patch", "replace"] = Field(
		default="patch",
		description=(
			"patch: rows not mentioned are kept; replace: the table becomes exactly the rows given "
			"(rows not mentioned are removed)."
		),
	)


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="DocType of the document.")
	name: DocName = Field(description="Name (ID) of the document.")
	docstatus: Literal[0, 1] = Field(description="0: draft; 1: submitted (a cancelled one cannot change).")
	document: dict[str, Any] = Field(
		description=(
			"The document as saved, {fieldname: value}; a table field holds a list of row objects. "
			"Fields the user may not read are left out."
		)
	)


class DocumentUpdate(BaseTool):
	name = "document_update"
	rehearsable = True  # its changes are documents: a dry run can undo them
	title = "Update a document"
	Output = Output
	description = (
		"Update fields of an existing document, including child table rows. On a submitted "
		"document only fields marked 'Allow on Submit' can change."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="write", name=args.name)
		doc = frappe.get_doc(args.doctype, args.name)
		if "name" in args.data:
			argument_error("data.name", _("renaming is not supported; leave out name"))
		check_document_data(doc.meta, args.data)
		for fieldname, value in args.data.items():
			if fieldname == "doctype":
				continue
			if doc.meta.get_field(fieldname).fieldtype in table_fields:
				_set_rows(doc, fieldname, value, args.child_table_mode)
			else:
				doc.set(fieldname, value)
		if doc.doctype == "File" and doc.has_value_changed("file_url"):
			check_new_file_url(doc)
		doc.save()
		return {
			"doctype": doc.doctype,
			"name": doc.name,
			"docstatus": doc.docstatus,
			"document": doc_payload(doc),
		}


def _set_rows(doc, fieldname: str, rows: list[dict], mode: str) -> None:
	existing = {row.name: row for row in doc.get(fieldname)}
	kept = []
	for index, values in enumerate(rows):
		values = {k: v for k, v in values.items() if k != "doctype"}
		row_name = values.pop("name", None)
		if row_name is None:
			kept.append(values if mode == "replace" else doc.append(fieldname, values))
			continue
		if row_name not in existing:
			argument_error(
				f"data.{fieldname}.{index}.name",
				_("{0} is not a row of {1} in {2}").format(row_name, fieldname, doc.name),
			)
		existing[row_name].update(values)
		kept.append(existing[row_name])
	if mode == "replace":
		doc.set(fieldname, kept)
		for idx, row in enumerate(doc.get(fieldname), start=1):  # the order given is the new order
			row.idx = idx
