"""Assistant Core Settings: server switches. `enabled_plugins_list` is legacy, read by one patch."""

from __future__ import annotations

import frappe
from frappe.model.document import Document

MCP_METHOD = "frappe_assistant_core.api.fac_endpoint.handle_mcp"


class AssistantCoreSettings(Document):
	@property
	def mcp_endpoint_url(self) -> str:
		return f"{frappe.utils.get_url()}/api/method/{MCP_METHOD}"
