"""The governance limits of one MCP request, as connection rules (core.connection_rules).

`narrow()` runs once per request, after authentication: the site's read-only switch, a read-only
role of the user and the request URL (governance.narrowed_url) each add a rule. Rules only take
tools away: tools/list hides what a rule does not admit and tools/call answers with the first
refusing rule's error, which says why. They are frozen values, so they are part of the tools/list
cache key. Reading them costs no query: the settings come from the registry snapshot, the roles
from Frappe's role cache. An OAuth token's scopes add their own rule the same way; all rules must
admit a tool, so a read-only scope and these rules combine as the intersection of what each admits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import frappe
from frappe import _

from frappe_assistant_core.core import connection_rules
from frappe_assistant_core.core.tool_catalog import EXTERNAL_PLUGIN
from frappe_assistant_core.exceptions import ConnectionRuleError
from frappe_assistant_core.governance import narrowed_url
from frappe_assistant_core.utils.plugin_manager import ToolInfo, get_plugin_manager
from frappe_assistant_core.wire.jsonrpc import INVALID_REQUEST, JsonRpcError, Reply, error

READ_ONLY_CATEGORY = "read_only"
#: Why a connection is read-only (ReadOnly.source).
SITE, ROLE, URL = "site", "role", "url"


@dataclass(frozen=True)
class ReadOnly:
	"""Only tools whose category is read_only."""

	source: str
	role: str | None = None

	def admits(self, info: ToolInfo) -> bool:
		return info.category == READ_ONLY_CATEGORY

	def refuse(self, info: ToolInfo) -> NoReturn:
		if self.source == ROLE:
			reason = _(
				"your role {0} may use only read-only tools (Assistant Core Settings > Read-only Roles)"
			).format(self.role)
		elif self.source == URL:
			reason = _("this connection's URL is read-only (it ends in /readonly or has ?readonly=1)")
		else:
			reason = _(
				"this site's assistant is in read-only mode (Assistant Core Settings > Read-only Mode)"
			)
		frappe.throw(
			_("{0} can change data and is not available: {1}").format(info.name, reason),
			ConnectionRuleError,
			title=_("Read-only"),
		)


@dataclass(frozen=True)
class PluginSubset:
	"""Only the tools of the plugins a narrowed URL names."""

	plugins: frozenset[str]

	def admits(self, info: ToolInfo) -> bool:
		return info.plugin_name in self.plugins

	def refuse(self, info: ToolInfo) -> NoReturn:
		frappe.throw(
			_("{0} belongs to {1}, which this connection's URL does not serve (it serves {2})").format(
				info.name, info.plugin_name, ", ".join(sorted(self.plugins))
			),
			ConnectionRuleError,
			title=_("Not on this connection"),
		)


def narrow(request) -> Reply | None:
	"""Add this request's governance rules; a URL naming something unknown gets a 400 reply."""
	settings = get_plugin_manager().snapshot().settings
	if settings["read_only_mode"]:
		connection_rules.add(ReadOnly(SITE))
	if read_only_roles := settings["read_only_roles"]:
		roles = set(frappe.get_roles())
		if held := [role for role in read_only_roles if role in roles]:
			connection_rules.add(ReadOnly(ROLE, held[0]))
	if not request.args and narrowed_url.METHOD_SEGMENT + "/" not in request.path:
		return None
	try:
		narrowing = narrowed_url.parse(request.path, request.args.items(multi=True), _known_plugins())
	except narrowed_url.NarrowedUrlError as exc:
		return error(None, JsonRpcError(INVALID_REQUEST, str(exc), http_status=400))
	if narrowing.read_only:
		connection_rules.add(ReadOnly(URL))
	if narrowing.plugins is not None:
		connection_rules.add(PluginSubset(narrowing.plugins))
	return None


def _known_plugins() -> frozenset[str]:
	return frozenset(get_plugin_manager().discovered_plugins()) | {EXTERNAL_PLUGIN}
