"""The benchmark's strategy switch: one whitelisted method answering MCP tools/list either way.

`strategy=fac` hands the request to the real MCP endpoint (frappe_assistant_core.api.fac_endpoint);
`strategy=upstream` answers with the upstream app's per-call strategy (benchmarks.upstream). Both run
in the same gunicorn workers, behind the same framework authentication, so a run compares the
strategies and nothing else.
"""

from __future__ import annotations

import json
from typing import Any

import frappe
from werkzeug.wrappers import Response

from benchmarks import upstream
from frappe_assistant_core.api import fac_endpoint

STRATEGIES = ("fac", "upstream", "upstream_single_pass")


@frappe.whitelist(methods=["POST"])
def tools_list(**kwargs: Any) -> Response:
	"""A JSON-RPC tools/list answer computed with the strategy named in the query string."""
	# Read from the URL itself: a JSON body replaces the query arguments in form_dict.
	strategy = frappe.request.args.get("strategy", "upstream")
	if strategy == "fac":
		return fac_endpoint.handle_mcp()
	if strategy not in STRATEGIES:
		frappe.throw(f"strategy must be one of {', '.join(STRATEGIES)}", frappe.ValidationError)
	message = json.loads(frappe.request.get_data() or b"{}")
	tools = upstream.tools_list(frappe.session.user, per_tool_lookup=strategy == "upstream")
	body = {"jsonrpc": "2.0", "id": message.get("id"), "result": {"tools": tools}}
	return Response(json.dumps(body, ensure_ascii=False), status=200, mimetype="application/json")


@frappe.whitelist(methods=["POST"])
def handle_mcp_unlogged(**kwargs: Any) -> Response:
	"""The real MCP endpoint with tools/call's recorder taken out: the 'logging off' baseline of
	benchmarks.bench_audit, served by the same workers in the same rounds as the logged endpoint."""
	from frappe_assistant_core.mcp import tools

	logged = tools.call_tool
	tools.call_tool = logged.__wrapped__  # sync workers: one request at a time per process
	try:
		return fac_endpoint.handle_mcp()
	finally:
		tools.call_tool = logged


@frappe.whitelist(methods=["POST"])
def handle_mcp_ungoverned(**kwargs: Any) -> Response:
	"""The real MCP endpoint with the governance checks taken out (the connection's read-only and
	narrowed-URL rules, the rate limiter, the approval gate): the baseline of
	benchmarks.bench_governance, served by the same workers in the same rounds as the governed one."""
	from frappe_assistant_core.governance import approvals, connection, rate_limit

	originals = [(connection, "narrow"), (rate_limit, "check"), (approvals, "govern")]
	saved = [getattr(module, name) for module, name in originals]
	connection.narrow = lambda request: None
	rate_limit.check = lambda tool_name: None
	approvals.govern = lambda info, params, rev, run: run()
	try:  # sync workers: one request at a time per process
		return fac_endpoint.handle_mcp()
	finally:
		for (module, name), value in zip(originals, saved, strict=True):
			setattr(module, name, value)
