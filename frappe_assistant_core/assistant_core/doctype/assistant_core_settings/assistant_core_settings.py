"""Assistant Core Settings: server switches. `enabled_plugins_list` is legacy, read by one patch.

The tool call log switches (what is recorded, whether outputs are stored, how long rows are kept)
are System Managers' alone: a row can hold any data its caller could read, a System Manager's
included, so whoever decides what rows keep must be someone who may read all of it. They sit at
permlevel 1, which only System Manager may write (Frappe keeps the stored values when anyone else
saves); `validate` also refuses a change by anyone else on paths that skip permissions.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document

from frappe_assistant_core.governance import settings as governance_settings
from frappe_assistant_core.oauth import settings as oauth_settings
from frappe_assistant_core.oauth import urls
from frappe_assistant_core.utils.cache import publish_change

LOG_SETTINGS = ("log_tool_calls", "log_tool_output", "log_retention_days")
LOG_SETTINGS_ROLE = "System Manager"


class AssistantCoreSettings(Document):
	def validate(self):
		self._validate_log_settings_changed_by_system_manager()
		governance_settings.validate(self)
		oauth_settings.validate(self)

	def on_update(self):
		# The MCP endpoint reads the server switch from the registry snapshot of every worker.
		publish_change()

	@property
	def mcp_endpoint_url(self) -> str:
		# As a client reaches it: behind a proxy, its public scheme, host and port (oauth.urls).
		return urls.resource_url()

	def _validate_log_settings_changed_by_system_manager(self) -> None:
		if may_change_log_settings(frappe.session.user):
			return
		changed = [f for f in LOG_SETTINGS if self.has_value_changed(f)]
		if changed:
			frappe.throw(
				_("Only a System Manager can change the tool call log settings ({0})").format(
					", ".join(_(self.meta.get_label(f)) for f in changed)
				),
				frappe.PermissionError,
				title=_("Not permitted"),
			)


def may_change_log_settings(user: str) -> bool:
	return user == "Administrator" or LOG_SETTINGS_ROLE in frappe.get_roles(user)
