"""How the server introduces itself: serverInfo and the instructions for the model.

Both come from Assistant Core Settings through the plugin manager's snapshot (no query): the
server name, and instructions an administrator may override (a short default otherwise).
"""

from __future__ import annotations

import frappe_assistant_core
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.wire.revisions import Revision

SERVER_TITLE = "Frappe Assistant Core"
DEFAULT_INSTRUCTIONS = (
	"Tools of a Frappe site, run as the signed-in user with that user's permissions. Use the "
	"metadata_* tools to learn a DocType's fields before reading or writing its documents; "
	"document_* tools read and change documents and report_* tools run reports. A result larger "
	"than the site's limit is cut short and says so in its _meta."
)


def server_identity(revision: Revision | None) -> dict:
	"""serverInfo (an Implementation): name and version, plus title from 2025-06-18 on."""
	identity = {"name": _server_settings()["mcp_server_name"], "version": frappe_assistant_core.__version__}
	if revision is None or revision.structured:
		identity["title"] = SERVER_TITLE
	return identity


def instructions() -> str:
	"""The server's instructions (Assistant Core Settings > MCP Instructions, else the default)."""
	return _server_settings().get("mcp_instructions") or DEFAULT_INSTRUCTIONS


def _server_settings() -> dict:
	"""Assistant Core Settings' server values, from the plugin manager's snapshot (no query)."""
	return get_plugin_manager().snapshot().settings
