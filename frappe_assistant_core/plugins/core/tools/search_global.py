"""search_global: full-text search across every DocType in Frappe's global search the user can read.

Delegates to frappe.utils.global_search.search (DocTypes the user can read, ranked as in the Desk
search bar), then keeps a hit only when the user may read its document (row-level rules: owner,
User Permissions, sharing), and answers with the text of the fields the user may read, never the
index's text: the index holds every global-search field whatever its permission level. A hit that
only a field the user may not read explains (the query's words are in the index entry but not in
what the user can see) is dropped as well, so a search cannot be used to probe hidden values.
"""

from __future__ import annotations

import re

import frappe
from frappe.model import table_fields
from frappe.utils.global_search import get_formatted_value, search
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access
from frappe_assistant_core.plugins.core._helpers import to_json

_CONTENT_CHARS = 300
_SEPARATOR = " ||| "  # as the index joins its fields


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
	title: str = Field(description="Its title (its name when it has none, or none the user may read).")
	content: str = Field(
		description=f"The searchable text of the fields the user may read, at most {_CONTENT_CHARS} characters."
	)


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
		words = set(re.findall(r"\w+", args.query.lower()))
		hits = search(args.query, start=args.start, limit=args.limit, doctype=args.doctype or "")
		results = [found for hit in hits if (found := _readable_hit(hit, words)) is not None]
		return {"query": args.query, "count": len(results), "results": to_json(results)}


def _readable_hit(hit, words: set[str]) -> dict | None:
	"""The hit as the user may see it, or None: its document is gone (the index can hold entries
	of documents deleted since), unreadable, or matched only through fields the user may not read."""
	if not frappe.db.exists(hit.doctype, hit.name):
		return None
	doc = frappe.get_doc(hit.doctype, hit.name)
	if not frappe.has_permission(hit.doctype, ptype="read", doc=doc):
		return None
	levels = {0, *doc.get_permlevel_access("read")}
	content = _SEPARATOR.join(_readable_values(doc, levels))
	title = _readable_title(doc, levels)
	visible = f"{hit.name} {title} {content}".lower()
	matched = {word for word in words if word in (hit.content or "").lower() or word in hit.name.lower()}
	if not matched or any(word not in visible for word in matched):
		return None
	return {"doctype": hit.doctype, "name": hit.name, "title": title, "content": content[:_CONTENT_CHARS]}


def _readable_values(doc, levels: set[int]) -> list[str]:
	"""The global-search text of each field of `doc` (and of its rows) the user may read."""
	values = []
	for df in doc.meta.get_global_search_fields():
		if df.fieldtype not in table_fields and (df.permlevel or 0) in levels and doc.get(df.fieldname):
			values.append(get_formatted_value(doc.get(df.fieldname), df))
	for table in doc.meta.get_table_fields():
		if (table.permlevel or 0) not in levels:
			continue
		for row in doc.get(table.fieldname):
			for df in row.meta.get_global_search_fields():
				if (df.permlevel or 0) in levels and row.get(df.fieldname):
					values.append(get_formatted_value(row.get(df.fieldname), df))
	return values


def _readable_title(doc, levels: set[int]) -> str:
	title_field = doc.meta.get_field(doc.meta.title_field) if doc.meta.title_field else None
	if title_field is not None and (title_field.permlevel or 0) not in levels:
		return doc.name
	return str(doc.get_title() or doc.name)
