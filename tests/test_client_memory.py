"""What the log remembers of MCP clients is bounded (issue #19, finding 4).

The audit's replay: one Redis key per (user, User-Agent), kept 30 days, so a caller changing its
User-Agent on every `initialize` grew Redis without bound. Now a user has one key, holding at most
a few clients for at most a week, and the newest client is still the one a log row is named after.
"""

from __future__ import annotations

import json

import frappe

from frappe_assistant_core.audit import store
from frappe_assistant_core.audit.recorder import DOCTYPE
from tests.support.server import serve
from tests.support.site import ASSISTANT_USER, api_credentials, make_user

MCP = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
USER = ASSISTANT_USER
AGENTS = 40
WEEK = 7 * 24 * 3600


def _keys_of(user: str) -> list[bytes]:
	return [key for key in frappe.cache.get_keys("fac_mcp_client") if user.encode() in key]


def test_a_user_changing_user_agents_gets_one_bounded_short_lived_key():
	token = api_credentials(make_user(USER, ["Assistant User"]))
	frappe.cache.delete_value([key.decode().split("|", 1)[1] for key in _keys_of(USER)])
	store.write_pending()
	frappe.db.delete(DOCTYPE, {"user": USER})
	frappe.db.commit()
	with serve(workers=1) as server:

		def rpc(method: str, params: dict, agent: str) -> int:
			body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
			headers = {"User-Agent": agent, "MCP-Protocol-Version": "2025-06-18"}
			return server.request(MCP, method="POST", body=body, auth=token, headers=headers)[0]

		for n in range(AGENTS):
			init = {
				"protocolVersion": "2025-06-18",
				"capabilities": {},
				"clientInfo": {"name": f"client-{n}", "version": "1"},
			}
			assert rpc("initialize", init, f"agent-{n}/1.0") == 200
		last = AGENTS - 1
		assert (
			rpc("tools/call", {"name": "test_echo", "arguments": {"message": "hi"}}, f"agent-{last}/1.0")
			== 200
		)
	keys = _keys_of(USER)
	assert len(keys) == 1, keys
	assert 0 < frappe.cache.ttl(keys[0]) <= WEEK
	assert frappe.cache.hlen(keys[0]) <= 8
	frappe.db.rollback()
	store.write_pending()
	[row] = frappe.get_all(DOCTYPE, filters={"user": USER}, fields=["client_name", "client_version"])
	assert (row.client_name, row.client_version) == (f"client-{last}", "1"), json.dumps(row)
