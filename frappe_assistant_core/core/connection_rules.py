"""Rules a connection places on top of the user's own access: they only ever take tools away.

A request may reach fewer tools than its user could: an OAuth token's scopes, a read-only switch,
an endpoint URL that names a subset of plugins. Each such limit is a `ConnectionRule` added for the
current request with `add()`; core.tool_registry hides from tools/list every tool a rule does not
admit and, on tools/call, lets the first rule that refuses a tool raise its own error (so a missing
scope can answer 403 insufficient_scope while a read-only connection answers with its reason).
Rules are frozen and hashable: they are part of the tools/list cache key (core.tool_registry.Access).
The rules live on `frappe.local`, so they end with the request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn, Protocol, runtime_checkable

import frappe

if TYPE_CHECKING:
	from frappe_assistant_core.core.snapshot import ToolInfo

_LOCAL_KEY = "fac_connection_rules"


@runtime_checkable
class ConnectionRule(Protocol):
	"""One limit of the current connection. Implementations are frozen dataclasses (hashable)."""

	def admits(self, info: ToolInfo) -> bool:
		"""Whether a tool the user may use stays reachable on this connection."""
		...

	def refuse(self, info: ToolInfo) -> NoReturn:
		"""Raise the error a tools/call of a tool this rule does not admit answers with."""
		...


def current() -> tuple[ConnectionRule, ...]:
	"""The rules of the current request, in the order they were added (empty: no limit)."""
	return getattr(frappe.local, _LOCAL_KEY, ())


def add(rule: ConnectionRule) -> None:
	"""Limit the current request further by `rule` (a rule already present is not repeated)."""
	rules = current()
	if rule not in rules:
		setattr(frappe.local, _LOCAL_KEY, (*rules, rule))


def reset() -> None:
	"""Drop every rule of the current request (the endpoint starts each request from none)."""
	setattr(frappe.local, _LOCAL_KEY, ())


def admits_all(rules: tuple[ConnectionRule, ...], info: ToolInfo) -> bool:
	return all(rule.admits(info) for rule in rules)


def enforce(rules: tuple[ConnectionRule, ...], info: ToolInfo) -> None:
	"""Raise the error of the first rule that does not admit `info`; return if all do."""
	for rule in rules:
		if not rule.admits(info):
			rule.refuse(info)
