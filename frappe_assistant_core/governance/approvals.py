"""Which tools/call needs approval, and which way it is asked for.

A call needs approval when its tool is marked so (FAC Tool Configuration > Requires Approval) or
its category is (Assistant Core Settings > Approve ... Tools). Then:

- a client speaking MCP 2026-07-28 that declares form elicitation is asked to show the call to its
  user (governance.elicitation), unless the site sends every approval to an approver;
- any other client gets the call parked as a FAC Approval Request for an approver in the desk
  (governance.parking).

Earlier revisions (2024-11-05 to 2025-11-25) can only elicit through a server-to-client request
sent on an SSE stream; this endpoint answers JSON only (no SSE), so those clients are always
served by an approver. Everything else runs as before: `govern()` calls `run` at once, after two
dictionary lookups in the registry snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from frappe_assistant_core.governance import elicitation, parking
from frappe_assistant_core.utils.governance_settings import CLIENT_OR_APPROVER
from frappe_assistant_core.utils.plugin_manager import Snapshot, ToolInfo, get_plugin_manager
from frappe_assistant_core.wire.jsonrpc import EncodedResult
from frappe_assistant_core.wire.revisions import META_CLIENT_CAPABILITIES, Revision


def govern(info: ToolInfo, params: Any, rev: Revision, run: Callable[[], dict | EncodedResult]):
	"""The answer to a tools/call of `info`: `run()` itself, unless the call needs approval."""
	state = get_plugin_manager().snapshot()
	if not needs_approval(info, state):
		return run()
	if rev.modern and state.settings["approval_mode"] == CLIENT_OR_APPROVER and can_elicit(params):
		return elicitation.answer(info, params, rev, run)
	return parking.answer(info, params, run)


def needs_approval(info: ToolInfo, state: Snapshot) -> bool:
	config = state.tool_configs.get(info.name)
	return bool(config and config.requires_approval) or info.category in state.settings["approval_categories"]


def can_elicit(params: Any) -> bool:
	"""Whether the request declares form elicitation (an empty elicitation object means form)."""
	meta = (params.model_extra or {}).get("_meta")
	capabilities = meta.get(META_CLIENT_CAPABILITIES) if isinstance(meta, dict) else None
	elicitation_capability = capabilities.get("elicitation") if isinstance(capabilities, dict) else None
	return isinstance(elicitation_capability, dict) and (
		not elicitation_capability or isinstance(elicitation_capability.get("form"), dict)
	)
