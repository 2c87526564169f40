"""search_link: the values a Link field to a DocType can take, as Desk's link autocomplete shows them.

Delegates to frappe.desk.search.search_link (search fields, standard queries, enabled/disabled
filtering, User Permissions) as the calling user.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe.desk.search import search_link
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._doctype_access import normalize_filters
from frappe_assistant_core.plugins._output_types import Absent, DocName, sometimes
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import to_json


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType the Link field points to, e.g. 'Customer'.")
	query: str = Field(
		default="", description="Text typed into the link field; empty lists the first options."
	)
	filters: dict[str, Any] | None = Field(
		default=None, description='Extra filters on the linked DocType, e.g. {"status": "Open"}.'
	)
	reference_doctype: str | None = Field(
		default=None,
		description="DocType of the form holding the link field (applies its User Permission rules).",
	)
	limit: int = Field(default=10, ge=1, le=50, description="Maximum number of options (1-50).")


class LinkOption(BaseModel):
	model_config = ConfigDict(extra="forbid")

	value: DocName = Field(description="The name to store in the Link field.")
	description: str = Field(description="The option's other search fields, comma-separated.")
	label: DocName | Absent = sometimes(
		"What Desk shows: the title where the DocType shows titles in links, else the name."
	)


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="The DocType searched.")
	count: int = Field(description="Number of options.")
	results: list[LinkOption] = Field(description="The options, as Desk's link autocomplete orders them.")


class SearchLink(BaseTool):
	name = "search_link"
	title = "Link field options"
	Output = Output
	description = (
		"Find valid values for a Link field: options of a DocType matching the text, each with "
		"its value (the name to store) and a description."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="select")
		filters = normalize_filters(frappe.get_meta(args.doctype), args.filters)
		options = search_link(
			doctype=args.doctype,
			txt=args.query,
			filters=filters,
			page_length=args.limit,
			reference_doctype=args.reference_doctype,
		)
		return {"doctype": args.doctype, "count": len(options), "results": to_json(options)}
