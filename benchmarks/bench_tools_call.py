"""Benchmark 5, tools/call against Frappe's REST API doing the same read, same run, same workers.

gunicorn serves the site with 4 workers; 300 ToDos exist. `document_list` (fields, filters, order
and limit given) is compared with `GET /api/resource/ToDo` asking for the same fields, filters,
order and limit, and `document_get` with `GET /api/resource/ToDo/<name>`, both pairs measured in
interleaved rounds with the same API-key user (benchmarks.floor). Every tools/call answer is checked
against the REST answer (same rows, same document). Measured per request: SQL statements (all, and
those touching the app's configuration), Redis round trips, server p50/p99 and requests/s.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from benchmarks import floor, harness, load

USER = "fac-bench-caller@example.com"
TODOS = 300
FIELDS = ["name", "description", "status", "priority", "date", "modified"]
FILTERS = {"status": "Open"}
ORDER_BY = "modified desc"
LIMIT = 20
P50_TO_REST_MAX = 1.3


def _call_target(label: str, token: str, tool: str, arguments: dict) -> load.Target:
	body = {
		"jsonrpc": "2.0",
		"id": 7,
		"method": "tools/call",
		"params": {"name": tool, "arguments": arguments},
	}
	return load.Target(label, load.MCP_PATH, body, load.mcp_headers(token))


def _rest_target(label: str, token: str, path: str, query: dict | None = None) -> load.Target:
	suffix = f"?{urlencode(query)}" if query else ""
	return load.Target(label, path + suffix, None, {"Authorization": f"token {token}"}, method="GET")


def _pairs(token: str, name: str) -> list[tuple[load.Target, load.Target]]:
	list_args = {
		"doctype": "ToDo",
		"fields": FIELDS,
		"filters": FILTERS,
		"order_by": ORDER_BY,
		"limit": LIMIT,
	}
	rest_list = {
		"fields": json.dumps(FIELDS),
		"filters": json.dumps(FILTERS),
		"order_by": ORDER_BY,
		"limit_page_length": LIMIT,
	}
	return [
		(
			_call_target("document_list (tools/call)", token, "document_list", list_args),
			_rest_target("GET /api/resource/ToDo (floor)", token, "/api/resource/ToDo", rest_list),
		),
		(
			_call_target(
				"document_get (tools/call)", token, "document_get", {"doctype": "ToDo", "name": name}
			),
			_rest_target("GET /api/resource/ToDo/<name> (floor)", token, f"/api/resource/ToDo/{name}"),
		),
	]


def _tool_value(sample: load.Sample) -> dict:
	assert sample.status == 200, sample.body[:500]
	result = sample.json()["result"]
	assert not result["isError"], result["content"][0]["text"][:500]
	return result["structuredContent"]


def _rest_value(sample: load.Sample) -> dict | list:
	assert sample.status == 200, sample.body[:500]
	return sample.json()["data"]


def _same_answer(url: str, tool: load.Target, rest: load.Target) -> bool:
	"""The tool returns what the REST API returns for the same read."""
	ours, theirs = _tool_value(load.send(url, tool)), _rest_value(load.send(url, rest))
	if "data" in ours:
		return ours["data"] == theirs
	return {k: v for k, v in ours["document"].items() if k in theirs} == {
		k: v for k, v in theirs.items() if k in ours["document"]
	} and ours["document"]["name"] == theirs["name"]


def _make_todos() -> str:
	import frappe

	frappe.set_user(USER)
	names = [
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"description": f"benchmark todo {i}",
				"status": "Open" if i % 3 else "Closed",
				"priority": ("Low", "Medium", "High")[i % 3],
				"date": "2026-01-01",
			}
		)
		.insert()
		.name
		for i in range(TODOS)
	]
	frappe.set_user("Administrator")
	frappe.db.commit()
	return names[-1]


def run() -> dict:
	with harness.bench_site("call") as site:
		site.connect()
		token = harness.make_token_user(USER, ["System Manager"])
		name = _make_todos()
		comparisons = []
		log = site.log_dir / "gunicorn-tools-call.log"
		with harness.measured_server(site.env(), floor.WORKERS, log) as server:
			for tool, rest in _pairs(token, name):
				same = _same_answer(server.url, tool, rest)
				print(f"  measuring {tool.label} and {rest.label}, interleaved ...", flush=True)
				ours, theirs = floor.measure_interleaved(server.url, [tool, rest])
				ours.update(floor.ratios(ours, theirs))
				comparisons.append({"tool": ours, "rest": theirs, "same_answer": same})
	targets = {}
	for comparison in comparisons:
		tool = comparison["tool"]["label"].split()[0]
		targets[f"{tool}_p50_within_{P50_TO_REST_MAX}x_rest"] = (
			comparison["tool"]["p50_ratio_to_floor"] <= P50_TO_REST_MAX
		)
		targets[f"{tool}_zero_config_sql"] = (
			comparison["tool"]["config_queries_max"] == 0
			and comparison["tool"]["load_config_queries_max"] == 0
		)
		targets[f"{tool}_same_answer_as_rest"] = comparison["same_answer"]
	targets["no_errors"] = not any(c[k]["errors"] for c in comparisons for k in ("tool", "rest"))
	result = {
		"machine": harness.machine(),
		"workers": floor.WORKERS,
		"clients": floor.CLIENTS,
		"load_seconds": floor.LOAD_SECONDS,
		"rounds": floor.ROUNDS,
		"comparisons": comparisons,
		"target_met": targets,
	}
	_print(comparisons)
	for target, met in targets.items():
		print(f"target {target}: {'met' if met else 'NOT met'}")
	print(f"results: {harness.write_results('tools_call', result)}")
	return result


def _print(comparisons: list[dict]) -> None:
	headers = ["request", "SQL/req", "config SQL", "Redis/req", "p50 ms", "p99 ms", "req/s", "p50 ÷ floor"]
	rows = []
	for comparison in comparisons:
		for key in ("rest", "tool"):
			r = comparison[key]
			ratio = r.get("p50_ratio_to_floor")
			rows.append(
				[
					r["label"],
					r["queries"],
					r["config_queries"],
					r["redis"],
					r["server_ms_p50"],
					r["server_ms_p99"],
					r["rps"],
					f"{ratio:.2f}x" if ratio else "-",
				]
			)
	print()
	print(
		harness.table(
			f"tools/call against the REST API: {floor.WORKERS} gunicorn workers, {floor.CLIENTS} "
			f"closed-loop clients, {floor.ROUNDS} interleaved rounds; SQL/Redis = median of warm "
			"sequential requests",
			headers,
			rows,
		)
	)
	for comparison in comparisons:
		tool = comparison["tool"]
		print(
			f"  {tool['label']}: p50 {tool['p50_ratio_to_floor']:.2f}x the REST call's (target <= "
			f"{P50_TO_REST_MAX}x), rate {tool['rps_ratio_to_floor']:.2f}x; configuration SQL under load: "
			f"max {tool['load_config_queries_max']} per request; same answer as REST: "
			f"{'yes' if comparison['same_answer'] else 'NO'}"
		)


if __name__ == "__main__":
	run()
