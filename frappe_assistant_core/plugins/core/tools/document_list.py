"""document_list: documents of a DocType matching filters, through Frappe's permission-aware get_list.

Field, filter and sort names are checked against the DocType (and the user's field permissions)
before the query runs, so a typo is a clear error and never reaches SQL.
"""

from __future__ import annotations

import frappe
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._doctype_access import check_fields, doctype_meta, normalize_filters
from frappe_assistant_core.plugins._filters import Filters
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import to_json

MAX_LIMIT = 1000


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType to list, e.g. 'ToDo'.")
	filters: Filters = Field(
		default_factory=dict,
		description=(
			'Frappe filters: {"status": "Open"}, {"amount": [">", 100]} or [["status", "=", "Open"]].'
		),
	)
	fields: list[str] | None = Field(
		default=None,
		min_length=1,
		description="Fieldnames to return. Default: name, the title field and the list-view fields.",
	)
	order_by: str | None = Field(
		default=None,
		pattern=r"^\s*\w+(\s+(?i:asc|desc))?\s*$",
		description="One fieldname, optionally followed by asc or desc, e.g. 'modified desc'.",
	)
	limit: int = Field(default=20, ge=1, le=MAX_LIMIT, description="Maximum number of documents (1-1000).")
	start: int = Field(default=0, ge=0, description="Number of matching documents to skip (paging).")


class Output(BaseModel):
	doctype: str = Field(description="The DocType listed.")
	count: int = Field(description="Number of documents in data.")
	has_more: bool = Field(description="Whether more documents match beyond this page.")
	start: int = Field(description="Number of matching documents skipped.")
	data: list[dict] = Field(description="The documents, each as {fieldname: value}.")


class DocumentList(BaseTool):
	name = "document_list"
	title = "List documents"
	Output = Output
	description = (
		"List documents of a DocType with filters, chosen fields, sort order and paging; only "
		"documents and fields the user may read are returned."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="read")
		meta = doctype_meta(args.doctype)
		fields = check_fields(meta, args.fields or _default_fields(meta))
		filters = normalize_filters(meta, args.filters)
		sort_field, _space, direction = (args.order_by or "").strip().partition(" ")
		if sort_field:
			check_fields(meta, [sort_field], "order_by")
		rows = frappe.get_list(
			args.doctype,
			fields=fields,
			filters=filters,
			order_by=f"{sort_field} {direction.strip() or 'desc'}" if sort_field else _default_order(meta),
			limit_start=args.start,
			limit_page_length=args.limit + 1,
		)
		return {
			"doctype": args.doctype,
			"count": min(len(rows), args.limit),
			"has_more": len(rows) > args.limit,
			"start": args.start,
			"data": to_json(rows[: args.limit]),
		}


def _default_order(meta) -> str:
	return f"{meta.sort_field or 'modified'} {meta.sort_order or 'desc'}"


def _default_fields(meta) -> list[str]:
	permitted = set(meta.get_permitted_fieldnames(with_virtual_fields=False))
	wanted = [meta.title_field, *(df.fieldname for df in meta.fields if df.in_list_view)]
	return ["name", *(f for f in dict.fromkeys(wanted) if f and f in permitted), "modified"]
