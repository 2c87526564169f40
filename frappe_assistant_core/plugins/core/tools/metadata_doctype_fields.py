"""metadata_doctype_fields: every field of a DocType in full detail, optionally filtered by type.

Adds what metadata_doctype leaves out: read-only / hidden / unique flags, defaults, descriptions,
dependencies, fetch_from and permission levels; optionally the standard columns and layout fields.
"""

from __future__ import annotations

import frappe
from frappe.model import display_fieldtypes, std_fields
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import describe_field
from frappe_assistant_core.plugins.core._outputs import FieldDetail

_STANDARD = ("name", "owner", "creation", "modified", "modified_by", "docstatus", "idx")


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType whose fields to list.")
	fieldtypes: list[str] | None = Field(
		default=None, min_length=1, description="Only fields of these types, e.g. ['Link', 'Date']."
	)
	include_layout: bool = Field(
		default=False, description="Also list Section Break, Column Break, Tab Break and HTML fields."
	)
	include_standard: bool = Field(
		default=False, description="Also list the standard columns (name, owner, creation, modified, ...)."
	)


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="The DocType.")
	count: int = Field(description="Number of fields listed.")
	fields: list[FieldDetail] = Field(description="The fields in form order, standard columns last.")


class MetadataDoctypeFields(BaseTool):
	name = "metadata_doctype_fields"
	title = "DocType fields"
	Output = Output
	description = (
		"List the fields of a DocType with full detail (type, options, mandatory, read-only, "
		"hidden, default, dependencies, permission level), optionally filtered by field type."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="read")
		meta = frappe.get_meta(args.doctype)
		fields = [
			describe_field(df, detailed=True)
			for df in meta.fields
			if args.include_layout or df.fieldtype not in display_fieldtypes
		]
		if args.include_standard:
			fields += [
				describe_field(frappe._dict(df), detailed=True)
				for df in std_fields
				if df["fieldname"] in _STANDARD
			]
		if args.fieldtypes:
			fields = [f for f in fields if f["fieldtype"] in args.fieldtypes]
		return {"doctype": meta.name, "count": len(fields), "fields": fields}
