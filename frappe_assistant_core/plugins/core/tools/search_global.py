"""search_global: full-text search across every DocType in Frappe's global search the user can read.

Delegates to frappe.utils.global_search.search (DocTypes the user can read, ranked as in the Desk
search bar), then drops each hit whose document is gone or that the user may not read, so
row-level rules (owner, User Permissions, sharing) hold as well.
"""

from __future__ import annotations

import frappe
from frappe.utils.global_search import search
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import to_json

_CONTENT_CHARS = 300


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	query: str = Field(min_length=1, description="Words to search for, e.g. 'Acme invoice'.")
	doctype: str | None = Field(default=None, description="Search only this DocType (optional).")
	limit: int = Field(default=20, ge=1, le=100, description="Maximum number of results (1-100).")
	start: int = Field(default=0, ge=0, description="Number of results to skip (paging).")


class Hit(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="DocType of the document found.")
	name: str = Field(description="Name (ID) of the document.")
	title: str = Field(description="Its title (its name when it has none).")
	content: str = Field(description=f"The indexed text that matched, at most {_CONTENT_CHARS} characters.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	query: str = Field(description="The words searched for.")
	count: int = Field(description="Number of results.")
	results: list[Hit] = Field(description="The documents found, best match first.")


class SearchGlobal(BaseTool):
	name = "search_global"
	title = "Search everything"
	Output = Output
	description = (
		"Full-text search across all documents the user can read (the DocTypes enabled in Global "
		"Search Settings); returns DocType, name, title and the matching content."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		if args.doctype:
			check_access(args.doctype, ptype="read")
		hits = search(args.query, start=args.start, limit=args.limit, doctype=args.doctype or "")
		results = [
			{
				"doctype": hit.doctype,
				"name": hit.name,
				"title": hit.get("title") or hit.name,
				"content": (hit.content or "")[:_CONTENT_CHARS],
			}
			for hit in hits
			if _readable(hit)
		]
		return {"query": args.query, "count": len(results), "results": to_json(results)}


def _readable(hit) -> bool:
	"""The index can hold entries of documents gone since (a rolled-back insert is indexed too)."""
	return bool(frappe.db.exists(hit.doctype, hit.name)) and frappe.has_permission(
		hit.doctype, ptype="read", doc=hit.name
	)
