"""Usage of the MCP tools from the FAC Tool Call Log: per day, per tool, per user.

Counts are GROUP BY queries; durations are read once per window and their percentiles computed
here (nearest rank), which the databases Frappe supports cannot all do in SQL. Every status other
than Success and Approval Required (a call waiting for approval) counts as an error in the error
rate. Rows of approvers' decisions (Approved, Rejected) are not calls and are left out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

import frappe
from frappe.utils import get_fullname, getdate, nowdate

from frappe_assistant_core.audit.readers import may_read_row
from frappe_assistant_core.audit.recorder import (
	APPROVAL_REQUIRED,
	DECISION_STATUSES,
	DOCTYPE,
	STATUSES,
	SUCCESS,
)
from frappe_assistant_core.audit.store import pending_count, retention_days

TOP_USERS = 10
#: Statuses that are not errors of a call.
NOT_ERRORS = frozenset({SUCCESS, APPROVAL_REQUIRED})
CALL_STATUSES = tuple(status for status in STATUSES if status not in DECISION_STATUSES)
RECENT_CALL_FIELDS = (
	"name",
	"timestamp",
	"user",
	"status",
	"duration_ms",
	"error_message",
	"target_doctype",
	"target_name",
	"client_name",
)


def usage_stats(days: int) -> dict:
	"""Calls of the last `days` days (today included): totals, per day and status, per tool, top users."""
	first_day = getdate(nowdate()) - timedelta(days=days - 1)
	since = {"since": f"{first_day.isoformat()} 00:00:00", "decisions": DECISION_STATUSES}
	table = f"`tab{DOCTYPE}`"
	by_day = frappe.db.sql(
		f"select date(`timestamp`) as day, `status`, count(*) as calls from {table} "
		"where `timestamp` >= %(since)s and `status` not in %(decisions)s group by date(`timestamp`), `status`",
		since,
		as_dict=True,
	)
	by_tool = frappe.db.sql(
		f"select `tool`, `plugin`, `status`, count(*) as calls, max(`timestamp`) as last_call from {table} "
		"where `timestamp` >= %(since)s and `status` not in %(decisions)s group by `tool`, `plugin`, `status`",
		since,
		as_dict=True,
	)
	by_user = frappe.db.sql(
		f"select `user`, `status`, count(*) as calls from {table} "
		"where `timestamp` >= %(since)s and `status` not in %(decisions)s group by `user`, `status`",
		since,
		as_dict=True,
	)
	durations = frappe.db.sql(
		f"select `tool`, `duration_ms` from {table} where `timestamp` >= %(since)s "
		"and `status` not in %(decisions)s",
		since,
		as_list=True,
	)
	tools = _tools(by_tool, durations)
	_fill_plugins(tools)
	users = _users(by_user)
	total = sum(t["calls"] for t in tools)
	errors = sum(t["errors"] for t in tools)
	return {
		"days": days,
		"since": first_day.isoformat(),
		"statuses": list(CALL_STATUSES),
		"total_calls": total,
		"error_calls": errors,
		"error_rate": _rate(errors, total),
		"user_count": len(users),
		"tool_count": len(tools),
		"daily": _daily(by_day, first_day, days),
		"tools": tools,
		"users": users[:TOP_USERS],
		"pending": pending_count(),
		"retention_days": retention_days(),
	}


# What a call's own data put in its row: shown only to those who may read the row itself.
ROW_DATA_FIELDS = ("error_message", "target_name")


def recent_calls(tool: str, limit: int) -> list[dict]:
	"""The last `limit` calls of `tool`, newest first. Of a call whose row the session user may not
	read (someone else's, for anyone but a System Manager), only who, when, how and how long."""
	calls = frappe.get_all(
		DOCTYPE,
		filters={"tool": tool},
		fields=list(RECENT_CALL_FIELDS),
		order_by="timestamp desc",
		limit=limit,
	)
	for call in calls:
		if not may_read_row(call.user):
			call.update(dict.fromkeys(ROW_DATA_FIELDS))
	return calls


def percentile(sorted_values: list[float], pct: float) -> float | None:
	"""Nearest-rank percentile of ascending `sorted_values` (None when empty)."""
	if not sorted_values:
		return None
	rank = max(math.ceil(pct / 100 * len(sorted_values)), 1)
	return sorted_values[rank - 1]


def _daily(rows: list[dict], first_day, days: int) -> dict:
	"""{"dates": [...], "series": {status: [count per date]}}: every day of the window, zeros included."""
	dates = [(first_day + timedelta(days=i)).isoformat() for i in range(days)]
	index = {d: i for i, d in enumerate(dates)}
	series = {status: [0] * days for status in CALL_STATUSES}
	for row in rows:
		day = getdate(row.day).isoformat()
		if day in index and row.status in series:
			series[row.status][index[day]] += int(row.calls)
	return {"dates": dates, "series": series}


def _tools(rows: list[dict], durations: list[list]) -> list[dict]:
	tools: dict[str, dict] = {}
	for row in rows:
		tool = tools.setdefault(
			row.tool,
			{
				"tool": row.tool,
				"plugin": row.plugin or "",
				"calls": 0,
				"errors": 0,
				"by_status": {},
				"last_call": None,
			},
		)
		tool["plugin"] = tool["plugin"] or row.plugin or ""  # a call the tool refused may have none
		calls = int(row.calls)
		tool["calls"] += calls
		tool["by_status"][row.status] = tool["by_status"].get(row.status, 0) + calls
		if row.status not in NOT_ERRORS:
			tool["errors"] += calls
		last = str(row.last_call)
		if tool["last_call"] is None or last > tool["last_call"]:
			tool["last_call"] = last
	spent: dict[str, list[float]] = defaultdict(list)
	for tool_name, duration in durations:
		spent[tool_name].append(float(duration or 0))
	for tool in tools.values():
		values = sorted(spent.get(tool["tool"], ()))
		tool["error_rate"] = _rate(tool["errors"], tool["calls"])
		tool["p50_ms"] = percentile(values, 50)
		tool["p95_ms"] = percentile(values, 95)
	return sorted(tools.values(), key=lambda t: (-t["calls"], t["tool"]))


def _fill_plugins(tools: list[dict]) -> None:
	"""The plugin of tools whose calls were all logged without one (made while the tool was switched
	off or hidden from the caller), from their configuration; a name no tool has keeps none."""
	unknown = [tool["tool"] for tool in tools if not tool["plugin"]]
	if not unknown:
		return
	plugins = dict(
		frappe.get_all(
			"FAC Tool Configuration",
			filters={"name": ("in", unknown)},
			fields=["name", "plugin_name"],
			as_list=True,
		)
	)
	for tool in tools:
		tool["plugin"] = tool["plugin"] or plugins.get(tool["tool"]) or ""


def _users(rows: list[dict]) -> list[dict]:
	users: dict[str, dict] = {}
	for row in rows:
		user = users.setdefault(row.user, {"user": row.user, "calls": 0, "errors": 0})
		user["calls"] += int(row.calls)
		if row.status not in NOT_ERRORS:
			user["errors"] += int(row.calls)
	ranked = sorted(users.values(), key=lambda u: (-u["calls"], u["user"] or ""))
	for user in ranked[:TOP_USERS]:
		user["full_name"] = get_fullname(user["user"]) if user["user"] else ""
		user["error_rate"] = _rate(user["errors"], user["calls"])
	return ranked


def _rate(errors: int, calls: int) -> float:
	return round(errors / calls, 4) if calls else 0.0
