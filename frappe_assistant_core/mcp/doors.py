"""The MCP endpoint's address: the function Frappe calls, its path, and which requests reach it.

A request is the endpoint's when its URL makes Frappe call `handle_mcp`, by any spelling or alias
Frappe accepts (utils.routing resolves it as Frappe does). auth (the 401 header) and guard (the
refusals) both ask this here: guard reads auth's settings, so auth must not import guard.
"""

from __future__ import annotations

from frappe_assistant_core.oauth.urls import MCP_METHOD, MCP_PATH
from frappe_assistant_core.utils import routing

__all__ = ["MCP_METHOD", "MCP_PATH", "is_mcp_request"]


def is_mcp_request(request) -> bool:
	"""Whether the request's URL makes Frappe call the MCP endpoint (by any spelling or alias)."""
	return routing.qualified_name(routing.requested_function(request)) == MCP_METHOD
