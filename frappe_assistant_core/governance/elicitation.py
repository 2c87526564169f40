"""Approval by the calling user, through MCP 2026-07-28 elicitation (multi round-trip requests).

First call: the call is previewed (nothing kept) and answered with an `input_required` result
holding one form elicitation (what would change, the exact arguments, and an Approve box) and a
`requestState` bound to the user, the tool and the exact arguments (governance.request_state).
Retry (the same call plus `inputResponses` and the echoed `requestState`): the state is checked
and consumed first, so a replayed, altered, expired or foreign state is refused with a JSON-RPC
error and nothing runs. Then only an explicit acceptance with Approve ticked runs the call, once;
a decline, a cancel or an unticked box answers that the call did not run. A retry whose response
is missing asks again with a fresh state. Every outcome goes to the tool call log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import frappe
from frappe import _

from frappe_assistant_core.audit import recorder
from frappe_assistant_core.audit.redaction import arguments_json
from frappe_assistant_core.governance import request_state
from frappe_assistant_core.governance.answers import APPROVAL_META, approval_result, capped, previewed
from frappe_assistant_core.utils.plugin_manager import ToolInfo
from frappe_assistant_core.wire.identity import server_identity
from frappe_assistant_core.wire.revisions import META_SERVER_INFO, Revision

#: Key of the one input request, in inputRequests and inputResponses.
INPUT_KEY = "approval"
APPROVE_FIELD = "approve"
ACCEPTED, DECLINED, CANCELLED, UNTICKED = "accepted", "declined", "cancelled", "unticked"


def answer(info: ToolInfo, params: Any, rev: Revision, run: Callable[[], Any]):
	"""The answer to a tools/call that needs the user's approval, on a client that can elicit."""
	extra = params.model_extra or {}
	user = frappe.session.user
	if (token := extra.get("requestState")) is not None:
		request_state.redeem(token, user, info.name, params.arguments)
		decision = _decision(extra.get("inputResponses"))
		if decision == ACCEPTED:
			recorder.note_approval(_("Approved by the user in the client (elicitation)"))
			return run()
		if decision is not None:
			note, message = _turned_down(info.name, decision)
			recorder.note_approval(note, recorder.DECLINED)
			return approval_result(message, {"status": decision})
	preview, failed = previewed(info, params.arguments)
	if failed is not None:
		return failed
	recorder.note_approval(_("Waiting for the user to approve in the client"), recorder.APPROVAL_REQUIRED)
	message = _(
		"Approve running {0} as {1}? Nothing has been written yet.\n\nWhat it would change:\n{2}\n\n"
		"Arguments:\n{3}\n\nTick Approve and accept to run it once; decline to stop it."
	).format(
		info.name,
		user,
		capped(preview.text(), 5000),
		capped(_pretty(arguments_json(info.name, params.arguments or {})), 2000),
	)
	return {
		"resultType": "input_required",
		"inputRequests": {
			INPUT_KEY: {
				"method": "elicitation/create",
				"params": {"mode": "form", "message": capped(message), "requestedSchema": _schema(info)},
			}
		},
		"requestState": request_state.issue(user, info.name, params.arguments),
		"_meta": {META_SERVER_INFO: server_identity(rev), APPROVAL_META: {"status": "input_required"}},
	}


def _schema(info: ToolInfo) -> dict:
	return {
		"type": "object",
		"properties": {
			APPROVE_FIELD: {
				"type": "boolean",
				"title": _("Approve"),
				"description": _("Run {0} once with exactly these arguments").format(info.name),
				"default": False,
			}
		},
		"required": [APPROVE_FIELD],
	}


def _decision(responses: object) -> str | None:
	"""What the user answered; None when the response is missing or not an elicitation result."""
	response = responses.get(INPUT_KEY) if isinstance(responses, dict) else None
	action = response.get("action") if isinstance(response, dict) else None
	if action == "accept":
		content = response.get("content")
		return ACCEPTED if isinstance(content, dict) and content.get(APPROVE_FIELD) is True else UNTICKED
	return {"decline": DECLINED, "cancel": CANCELLED}.get(action)


def _turned_down(tool: str, decision: str) -> tuple[str, str]:
	"""(log note, message to the assistant) for a call the user did not approve."""
	notes = {
		DECLINED: _("Declined by the user in the client"),
		CANCELLED: _("Dismissed by the user in the client without a decision"),
		UNTICKED: _("Accepted in the client without ticking Approve"),
	}
	message = _(
		"Not run: the user did not approve this call of {0} ({1}). Nothing was written. Do not "
		"retry it unless the user asks for it again."
	).format(tool, notes[decision].lower())
	return notes[decision], message


def _pretty(arguments: str) -> str:
	try:
		return json.dumps(json.loads(arguments), indent=1, ensure_ascii=False)
	except ValueError:
		return arguments
