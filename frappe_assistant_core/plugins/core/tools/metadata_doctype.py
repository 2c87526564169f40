"""metadata_doctype: what a DocType is and holds: settings, fields and the fields of its child tables.

Readable by anyone who can read the DocType, as Desk sends the same meta to its form.
metadata_doctype_fields gives the full detail of each field.
"""

from __future__ import annotations

import frappe
from frappe.model import display_fieldtypes, table_fields
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import active_workflow, describe_field
from frappe_assistant_core.plugins.core._outputs import FieldInfo


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType to describe, e.g. 'Sales Order'.")


class ChildTable(BaseModel):
	"""A table field and the fields of the child DocType its rows belong to."""

	model_config = ConfigDict(extra="forbid")

	fieldname: str = Field(description="Name of the table field in the parent DocType.")
	label: str | None = Field(description="Label of the table field.")
	doctype: str = Field(description="The child DocType (of each row).")
	fields: list[FieldInfo] = Field(description="Fields of the child DocType.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	name: str = Field(description="Name of the DocType.")
	module: str = Field(description="Module the DocType belongs to.")
	description: str | None = Field(description="Description of the DocType.")
	custom: bool = Field(description="Whether it is a custom DocType (made on this site).")
	issingle: bool = Field(description="Whether it is a Single (one document, named after the DocType).")
	is_submittable: bool = Field(description="Whether its documents can be submitted and cancelled.")
	is_tree: bool = Field(description="Whether its documents form a tree (parent/child nodes).")
	track_changes: bool = Field(description="Whether changes are recorded as versions.")
	autoname: str | None = Field(description="Naming rule, e.g. 'hash', 'field:title', 'ACC-.####'.")
	title_field: str | None = Field(description="Field shown as the document's title.")
	search_fields: list[str] = Field(description="Fields that link searches look in besides the name.")
	sort: str = Field(description="Default sort order, e.g. 'modified DESC'.")
	workflow: str | None = Field(description="The active Workflow of the DocType, if any.")
	fields: list[FieldInfo] = Field(description="Data fields in form order (layout fields left out).")
	child_tables: list[ChildTable] = Field(description="Each table field with its child DocType's fields.")


class MetadataDoctype(BaseTool):
	name = "metadata_doctype"
	title = "DocType metadata"
	Output = Output
	description = (
		"Describe a DocType: module, naming, title and search fields, whether it is submittable, "
		"single or a tree, its workflow, its fields and the fields of each child table."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="read")
		meta = frappe.get_meta(args.doctype)
		workflow = active_workflow(args.doctype, required=False)
		return {
			"name": meta.name,
			"module": meta.module,
			"description": meta.description,
			"custom": bool(meta.custom),
			"issingle": bool(meta.issingle),
			"is_submittable": bool(meta.is_submittable),
			"is_tree": bool(meta.is_tree),
			"track_changes": bool(meta.track_changes),
			"autoname": meta.autoname,
			"title_field": meta.title_field,
			"search_fields": meta.get_search_fields(),
			"sort": f"{meta.sort_field or 'modified'} {meta.sort_order or 'DESC'}",
			"workflow": workflow.name if workflow else None,
			"fields": _fields(meta),
			"child_tables": [
				{
					"fieldname": df.fieldname,
					"label": df.label,
					"doctype": df.options,
					"fields": _fields(frappe.get_meta(df.options)),
				}
				for df in meta.fields
				if df.fieldtype in table_fields
			],
		}


def _fields(meta) -> list[dict]:
	return [describe_field(df) for df in meta.fields if df.fieldtype not in display_fieldtypes]
