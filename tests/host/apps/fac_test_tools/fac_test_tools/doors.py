"""Other doors to the MCP endpoint, as any installed app could open them (tests/test_endpoint_doors.py):
an alias of the endpoint function in another module, and (hooks.py) an override that maps a
whitelisted name to it."""

from __future__ import annotations

from frappe_assistant_core.api.fac_endpoint import handle_mcp

__all__ = ["handle_mcp"]
