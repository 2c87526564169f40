"""search_doctype: documents of one DocType whose name, title or search fields contain the text.

Searches the fields Frappe's own search uses (name, title_field, search_fields) that the user may
read, through the permission-aware frappe.get_list.
"""

from __future__ import annotations

import frappe
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._doctype_access import doctype_meta
from frappe_assistant_core.plugins._output_types import DocName
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import to_json

_TEXT_TYPES = frozenset(
	("Data", "Small Text", "Text", "Long Text", "Text Editor", "Link", "Dynamic Link", "Select", "Read Only")
)


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType to search in, e.g. 'Customer'.")
	query: str = Field(min_length=1, description="Text that the name, title or a search field contains.")
	limit: int = Field(default=20, ge=1, le=100, description="Maximum number of results (1-100).")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="The DocType searched.")
	searched_fields: list[str] = Field(description="The fields searched: name, the title and search fields.")
	count: int = Field(description="Number of results.")
	results: list[dict[str, DocName | None]] = Field(
		description="The matches, most recently modified first, each {searched field: value}."
	)


class SearchDoctype(BaseTool):
	name = "search_doctype"
	title = "Search a DocType"
	Output = Output
	description = (
		"Search documents of one DocType by text in their name, title and search fields; returns "
		"those fields for each match, most recently modified first."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="read")
		meta = doctype_meta(args.doctype)
		fields = _search_fields(meta)
		rows = frappe.get_list(
			args.doctype,
			fields=fields,
			or_filters=[[args.doctype, field, "like", f"%{args.query}%"] for field in fields],
			order_by="modified desc",
			limit_page_length=args.limit,
		)
		return {
			"doctype": args.doctype,
			"searched_fields": fields,
			"count": len(rows),
			"results": to_json(rows),
		}


def _search_fields(meta) -> list[str]:
	permitted = set(meta.get_permitted_fieldnames(with_virtual_fields=False))
	candidates = dict.fromkeys([meta.title_field, *meta.get_search_fields()])
	return ["name"] + [
		field
		for field in candidates
		if field and field != "name" and field in permitted and meta.get_field(field).fieldtype in _TEXT_TYPES
	]
