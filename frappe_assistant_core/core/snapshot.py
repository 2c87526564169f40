"""What one version of the registry holds: the loaded tools and the stored switches.

`ToolInfo` is a loaded tool of an enabled plugin (or of another app); `Snapshot` is everything a
request needs to know about plugins, tools and the server switch. The plugin manager
(utils.plugin_manager) builds them from code and the DocTypes; the visibility rule
(core.tool_registry), the protocol and governance read them.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.core.tool_categories import category_to_annotations

if TYPE_CHECKING:
	from frappe_assistant_core.utils.plugin_persistence import ToolConfig


@dataclass(frozen=True)
class ToolInfo:
	"""A loaded tool of an enabled plugin (or of another app)."""

	name: str
	plugin_name: str
	description: str
	instance: BaseTool
	source_app: str
	category: str
	module_path: str

	@property
	def annotations(self) -> dict:
		return category_to_annotations(self.category)

	def to_mcp(self) -> dict:
		"""The tool as MCP tools/list describes it."""
		return {
			"name": self.name,
			"description": self.description,
			"inputSchema": self.instance.input_schema(),
			"annotations": self.annotations,
		}


@dataclass(frozen=True)
class Snapshot:
	"""Everything a request needs to know about plugins, tools and the server switch."""

	version: str | None
	enabled: frozenset[str]
	tools: dict[str, ToolInfo]
	tool_configs: dict[str, ToolConfig]
	settings: dict  # Assistant Core Settings values (server_enabled, mcp_server_name)
	loaded_at: float

	@functools.cached_property
	def gated_doctypes(self) -> frozenset[str]:
		"""The DocTypes whose read permission some tool requires (computed once per snapshot)."""
		return frozenset(d for info in self.tools.values() if (d := info.instance.requires_permission))

	@functools.cached_property
	def fingerprint(self) -> str:
		"""A digest of the stored state (not of the code), equal for equal states in any process."""
		state = (
			sorted(self.enabled),
			sorted(self.tool_configs.items()),
			sorted(self.settings.items()),
		)
		return hashlib.sha256(repr(state).encode()).hexdigest()

	def same_state(self, other: Snapshot) -> bool:
		return (self.enabled, self.tool_configs, self.settings) == (
			other.enabled,
			other.tool_configs,
			other.settings,
		)
