"""Admin endpoints for the tool call log: usage stats for the FAC Admin page and recent calls.

Both are read-only, whitelisted for GET and POST, and gated on System Manager / Assistant Admin
like every admin endpoint; the numbers come from audit.usage.
"""

from __future__ import annotations

import frappe
from frappe import _

from frappe_assistant_core.api._gate import parse_name, require_assistant_admin
from frappe_assistant_core.audit import usage
from frappe_assistant_core.governance import rate_limit

MAX_DAYS = 366
MAX_RECENT = 100


@frappe.whitelist(methods=["GET", "POST"])
def get_usage_stats(days: int | str = 30) -> dict:
	"""Tool calls of the last `days` days: totals, per day and status, per tool, top users. Admins only."""
	require_assistant_admin()
	days = _parse_count(days, "days", MAX_DAYS)
	# Calls a rate limit refused are never logged (they cost no write): their counts come from Redis.
	return {**usage.usage_stats(days), "rate_limited": rate_limit.refusals(days)}


@frappe.whitelist(methods=["GET", "POST"])
def get_recent_tool_calls(tool_name: str | None = None, limit: int | str = 10) -> list[dict]:
	"""The last `limit` calls of one tool, newest first (others' error and document only for
	System Managers). Admins only."""
	require_assistant_admin()
	return usage.recent_calls(parse_name(tool_name, "tool_name"), _parse_count(limit, "limit", MAX_RECENT))


def _parse_count(value, argument: str, maximum: int) -> int:
	"""A whole number from 1 to `maximum` (strings of digits too); anything else is a ValidationError."""
	if isinstance(value, str) and value.strip().isdigit():
		value = int(value.strip())
	if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
		frappe.throw(
			_("{0} must be a whole number from 1 to {1}").format(argument, maximum),
			frappe.ValidationError,
			title=_("Invalid value"),
		)
	return value
