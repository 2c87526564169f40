"""Reading the records a data_science tool works on, as the calling user.

The tool checks that the user may read the DocType; this module validates the field and filter
names (plugins/_doctype_access.py) and reads with `frappe.get_list`, so Frappe applies the user's
role, user-permission and permission-query restrictions to every row returned.
"""

from __future__ import annotations

import frappe

from frappe_assistant_core.plugins._doctype_access import check_fields, normalize_filters


def fetch_records(
	meta, fields: list[str], filters: dict | list | None, limit: int, prefix: str = ""
) -> list[dict]:
	"""Up to `limit` records of `meta.name` (newest first) with `fields`, readable by the session user.

	`prefix` names where the arguments sit in the tool's input (e.g. "data_query.") for errors.
	"""
	fields = check_fields(meta, fields, f"{prefix}fields")
	return frappe.get_list(
		meta.name,
		fields=fields,
		filters=normalize_filters(meta, filters, f"{prefix}filters"),
		limit_page_length=limit,
		order_by="creation desc",
	)
