"""Which tools a user may see and call: the one rule, used by MCP, admin screens and tests.

plugin enabled -> tool enabled (FAC Tool Configuration; no row: enabled when it reads) -> the tool's own
`required_roles` -> role access (Allow All, System Manager, or a listed role) -> read permission
on the tool's `requires_permission` DocType, then the connection's own rules (core.connection_rules:
token scopes, read-only, a narrowed URL), which only take tools away. tools/call reaches exactly
what tools/list shows the same user on the same connection. What the rule reads about a request is
its `Access` (roles, readable gated DocTypes, connection rules): two requests with the same Access
see the same tools, which is what lets tools/list answers be cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import frappe
import frappe.permissions
from frappe import _

from frappe_assistant_core.core import connection_rules
from frappe_assistant_core.core.connection_rules import ConnectionRule
from frappe_assistant_core.core.snapshot import Snapshot, ToolInfo
from frappe_assistant_core.core.tool_defaults import starts_enabled
from frappe_assistant_core.exceptions import ToolNotFoundError

if TYPE_CHECKING:
	from frappe_assistant_core.utils.plugin_manager import PluginManager


@dataclass(frozen=True)
class Access:
	"""Everything the visibility rule reads about a user, from Frappe's cached role and permission data."""

	roles: frozenset[str]
	#: The snapshot's permission-gated DocTypes (`requires_permission`) the user may read.
	readable: frozenset[str]
	#: The current connection's rules (core.connection_rules), in the order they were added.
	rules: tuple[ConnectionRule, ...] = ()


class ToolRegistry:
	"""A view of one site's plugin manager, filtered for a user."""

	def __init__(self, manager: PluginManager):
		self.manager = manager

	def get_available_tools(self, user: str | None = None) -> list[ToolInfo]:
		"""Tools `user` (default: session user) may use, in plugin order."""
		state = self.manager.snapshot()
		return self.visible_tools(state, self.access_of(state, user))

	def access_of(self, state: Snapshot, user: str | None = None) -> Access:
		"""What decides which of `state`'s tools `user` (default: session user) sees: no query.

		Frappe clears its cached roles when a user's roles change and its cached DocType permissions
		when DocPerm / Custom DocPerm rows change, so an Access read now is current.
		"""
		user = user or frappe.session.user
		readable = frozenset(d for d in state.gated_doctypes if _can_read(d, user))
		return Access(frozenset(frappe.get_roles(user)), readable, connection_rules.current())

	def visible_tools(self, state: Snapshot, access: Access) -> list[ToolInfo]:
		"""The tools of `state` a user with `access` may use, in plugin order."""
		return [
			info
			for info in state.tools.values()
			if _visible(info, state.tool_configs.get(info.name), access.roles, access.readable.__contains__)
			and connection_rules.admits_all(access.rules, info)
		]

	def get_tool(self, name: str, user: str | None = None) -> ToolInfo:
		"""The tool if `user` may use it on this connection: else ToolNotFoundError (hidden and
		missing look alike), or the error of the connection rule that does not admit it."""
		user = user or frappe.session.user
		state = self.manager.snapshot()
		info = state.tools.get(name) if isinstance(name, str) else None
		if info is None or not _visible(
			info,
			state.tool_configs.get(name),
			frozenset(frappe.get_roles(user)),
			lambda d: _can_read(d, user),
		):
			frappe.throw(
				_("Tool {0} is not available").format(frappe.bold(str(name))),
				ToolNotFoundError,
				title=_("Unknown tool"),
			)
		connection_rules.enforce(connection_rules.current(), info)
		return info

	def call_tool(self, name: str, arguments: dict | None, user: str | None = None) -> Any:
		"""Run a visible tool as the session user; raises Frappe exceptions on failure."""
		return self.get_tool(name, user).instance.run(arguments)


def _visible(info: ToolInfo, config, roles: frozenset[str], can_read: Callable[[str], bool]) -> bool:
	if info.instance.required_roles and roles.isdisjoint(info.instance.required_roles):
		return False
	if config is None and not starts_enabled(info.category):
		return False  # a tool without a row yet (not synced): on only if it reads (core.tool_defaults)
	if config is not None and (not config.enabled or not config.admits(roles)):
		return False
	doctype = info.instance.requires_permission
	return not doctype or can_read(doctype)


def _can_read(doctype: str, user: str) -> bool:
	"""Role-level read (own documents count), from cached metadata: no query per request.

	Unlike frappe.has_permission(doctype) this ignores documents shared one by one, which would
	cost a DocShare query on every tools/list; the tool itself still checks each document.
	"""
	permissions = frappe.permissions.get_role_permissions(doctype, user=user)
	return bool(permissions.get("read") or (permissions.get("if_owner") or {}).get("read"))
