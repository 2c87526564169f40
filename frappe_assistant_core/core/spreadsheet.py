"""Text that is safe to open in a spreadsheet: what Excel, LibreOffice or Google Sheets would run as
a formula gets a leading apostrophe, as OWASP's "CSV Injection" advice says.

A cell is a formula when its text starts with `=`, `+`, `-` or `@` (also after leading spaces, which
importers may trim), or with a tab or a carriage return. Frappe's own Excel export turns HTML into
text first, so a value whose text after removing tags and entities starts that way is neutralised
too. Numbers are left as they are: only text can carry a formula.
"""

from __future__ import annotations

import html
from typing import Any

from frappe.utils import strip_html_tags

FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")


def neutralise(value: Any) -> Any:
	"""`value` with a leading apostrophe when a spreadsheet would run it as a formula."""
	if not isinstance(value, str) or not value:
		return value
	if _runs(value) or ("<" in value and _runs(html.unescape(strip_html_tags(value)))):
		return "'" + value
	return value


def _runs(text: str) -> bool:
	return text.startswith(CONTROL_STARTS) or text.lstrip(" \n\u00a0").startswith(FORMULA_STARTS)
