"""The admin API of Frappe Assistant Core, at the import paths the guide documents.

Plugin endpoints live in admin_plugins, tool endpoints in admin_tools, tool call log endpoints in
admin_usage; every one is whitelisted, gated on System Manager / Assistant Admin, and POST-only
when it changes anything.
"""

from frappe_assistant_core.api.admin_plugins import get_all_plugins, get_plugin_stats, toggle_plugin
from frappe_assistant_core.api.admin_tools import (
	bulk_toggle_tools,
	get_available_roles,
	get_tool_configurations,
	get_tool_stats,
	toggle_tool,
	update_tool_category,
	update_tool_role_access,
)
from frappe_assistant_core.api.admin_usage import get_recent_tool_calls, get_usage_stats

__all__ = [
	"bulk_toggle_tools",
	"get_all_plugins",
	"get_available_roles",
	"get_plugin_stats",
	"get_recent_tool_calls",
	"get_tool_configurations",
	"get_tool_stats",
	"get_usage_stats",
	"toggle_plugin",
	"toggle_tool",
	"update_tool_category",
	"update_tool_role_access",
]
