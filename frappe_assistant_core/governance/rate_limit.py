"""Rate limits of tools/call, per user and per tool, counted in Redis and shared by every worker.

MCP requires servers to rate-limit tool invocations. Each tools/call is counted before it is
looked up, run or logged (so an unknown tool counts too, and a flood writes nothing): one
pipelined round trip increments two fixed one-minute windows, the user's calls of every tool and
the user's calls of this tool (a tool's own limit, else the site's default). A call over either
limit gets the JSON-RPC error RATE_LIMITED with `data.retryAfterSeconds` (and a Retry-After
header); its only cost is a counter in a per-day Redis hash that the Usage section reads.
Counters are per site (frappe.cache.make_key) and expire with their window. Names outside the
registry share one bucket, so a caller cannot create keys at will.

If Redis cannot count, the limit cannot be enforced and tool calls are refused (never let through
uncounted); the app's log says why.
"""

from __future__ import annotations

import math
import time
from datetime import date, timedelta

import frappe
import redis
from frappe import _
from frappe.utils import getdate, nowdate

from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.wire.jsonrpc import INTERNAL_ERROR, RATE_LIMITED, JsonRpcError

WINDOW_SECONDS = 60
#: The bucket of every name that is not a registered tool.
UNKNOWN_TOOL = "(unknown)"
#: Refusal counts are kept per day for this long (the Usage section's window is 30 days).
REFUSALS_KEPT_DAYS = 32
_SEPARATOR = "\t"


def check(tool_name: object) -> None:
	"""Count one tools/call of the session user; raise RATE_LIMITED when it is over a limit."""
	state = get_plugin_manager().snapshot()
	settings = state.settings
	tool = tool_name if isinstance(tool_name, str) and tool_name in state.tools else UNKNOWN_TOOL
	config = state.tool_configs.get(tool)
	per_tool = (config.rate_limit if config else 0) or settings["rate_limit_per_tool"]
	per_user = settings["rate_limit_per_user"]
	user = frappe.session.user
	now = time.time()
	window = int(now // WINDOW_SECONDS)
	user_key = frappe.cache.make_key(f"fac_rate_user:{window}:{user}")
	tool_key = frappe.cache.make_key(f"fac_rate_tool:{window}:{tool}:{user}")
	try:
		pipe = frappe.cache.pipeline(transaction=False)
		pipe.incr(user_key)
		pipe.expire(user_key, 2 * WINDOW_SECONDS)
		pipe.incr(tool_key)
		pipe.expire(tool_key, 2 * WINDOW_SECONDS)
		user_calls, _expired, tool_calls, _expired_too = pipe.execute()
	except redis.exceptions.RedisError as exc:
		frappe.logger("frappe_assistant_core").error(f"Rate limiter: Redis unreachable ({exc})")
		raise JsonRpcError(
			INTERNAL_ERROR,
			_(
				"Tool calls are refused for now: the rate limiter cannot count them (the site's cache is unreachable)"
			),
			http_status=503,
		) from None
	if tool_calls > per_tool:
		scope, limit = "tool", per_tool
		message = _("Rate limit reached: at most {0} calls of {1} per minute for each user").format(
			per_tool, tool
		)
	elif user_calls > per_user:
		scope, limit = "user", per_user
		message = _("Rate limit reached: at most {0} tool calls per minute for each user").format(per_user)
	else:
		return
	retry_after = max(math.ceil((window + 1) * WINDOW_SECONDS - now), 1)
	_count_refusal(tool, user)
	raise JsonRpcError(
		RATE_LIMITED,
		_("{0}. Try again in {1} seconds.").format(message, retry_after),
		{"retryAfterSeconds": retry_after, "limit": limit, "scope": scope, "windowSeconds": WINDOW_SECONDS},
		headers={"Retry-After": str(retry_after)},
	)


def refusals(days: int) -> dict:
	"""Calls refused by a rate limit in the last `days` days (today included), from Redis:
	{total, tools: [{tool, refused}], users: [{user, refused}]}, largest first."""
	today = getdate(nowdate())
	keys = [_day_key(today - timedelta(days=offset)) for offset in range(min(days, REFUSALS_KEPT_DAYS))]
	by_tool: dict[str, int] = {}
	by_user: dict[str, int] = {}
	try:
		pipe = frappe.cache.pipeline(transaction=False)
		for key in keys:
			pipe.hgetall(key)
		days_counts = pipe.execute()
	except redis.exceptions.RedisError:
		days_counts = []
	for counts in days_counts:
		for field, value in (counts or {}).items():
			tool, _sep, user = _text(field).partition(_SEPARATOR)
			by_tool[tool] = by_tool.get(tool, 0) + int(value)
			by_user[user] = by_user.get(user, 0) + int(value)
	return {
		"total": sum(by_tool.values()),
		"tools": _ranked(by_tool, "tool"),
		"users": _ranked(by_user, "user"),
	}


def _count_refusal(tool: str, user: str) -> None:
	key = _day_key(getdate(nowdate()))
	try:
		pipe = frappe.cache.pipeline(transaction=False)
		pipe.hincrby(key, f"{tool}{_SEPARATOR}{user}", 1)
		pipe.expire(key, REFUSALS_KEPT_DAYS * 86400)
		pipe.execute()
	except redis.exceptions.RedisError:
		pass  # the refusal itself stands; only its count on the Usage section is lost


def _day_key(day: date) -> str:
	return frappe.cache.make_key(f"fac_rate_refused:{day.isoformat()}")


def _text(value) -> str:
	return value.decode() if isinstance(value, bytes) else str(value)


def _ranked(counts: dict[str, int], label: str) -> list[dict]:
	return [
		{label: name, "refused": count}
		for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
	]
