"""metadata_doctype: what a DocType is and holds: settings, fields and the fields of its child tables.

Readable by anyone who can read the DocType, as Desk sends the same meta to its form.
metadata_doctype_fields gives the full detail of each field.
"""

from __future__ import annotations

import frappe
from frappe.model import display_fieldtypes, table_fields
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._helpers import active_workflow, check_access, describe_field


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType to describe, e.g. 'Sales Order'.")


class MetadataDoctype(BaseTool):
	name = "metadata_doctype"
	title = "DocType metadata"
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
