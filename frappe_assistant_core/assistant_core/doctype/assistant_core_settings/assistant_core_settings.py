"""Assistant Core Settings: server switches. `enabled_plugins_list` is legacy, read by one patch."""

from __future__ import annotations

import frappe
from frappe.model.document import Document

from frappe_assistant_core.governance import settings as governance_settings
from frappe_assistant_core.utils.cache import publish_change

MCP_METHOD = "frappe_assistant_core.api.fac_endpoint.handle_mcp"


class AssistantCoreSettings(Document):
	def validate(self):
		governance_settings.validate(self)

	def on_update(self):
		# The MCP endpoint reads the server switch from the registry snapshot of every worker.
		publish_change()

	@property
	def mcp_endpoint_url(self) -> str:
		return f"{frappe.utils.get_url()}/api/method/{MCP_METHOD}"
