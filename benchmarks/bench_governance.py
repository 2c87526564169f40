"""Benchmark 7, the cost of the governance checks on tools/list and tools/call.

gunicorn serves the site with 4 workers; tools/list and a tools/call of `document_get` go through
the real MCP endpoint (governed: the request's read-only and narrowed-URL rules, the per-user and
per-tool rate limits counted in Redis, the approval gate) and through
`fac_bench_api.api.handle_mcp_ungoverned`, the same endpoint with those three checks taken out,
which is what the endpoint did before them. Interleaved rounds, same API-key user, same workers
(benchmarks.floor). Under a loaded machine the p50s move by more than the checks cost, so the
checks are also timed alone in a fresh process of the site (benchmarks.probes governance_checks)
and set against the ungoverned request's sequential p50. The rate limits are raised so that no call is refused: the cost of counting is
measured, not of refusing. Every tool is switched on, as on a site an administrator opened up.
"""

from __future__ import annotations

from benchmarks import floor, harness, load

USER = "fac-bench-governed@example.com"
OVERHEAD_MAX = 0.05
UNGOVERNED_PATH = "/api/method/fac_bench_api.api.handle_mcp_ungoverned"


def _targets(token: str, name: str) -> list[load.Target]:
	listing = {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}
	calling = {
		"jsonrpc": "2.0",
		"id": 7,
		"method": "tools/call",
		"params": {"name": "document_get", "arguments": {"doctype": "ToDo", "name": name}},
	}
	headers = load.mcp_headers(token)
	return [
		load.Target("tools/list, governed", load.MCP_PATH, listing, headers),
		load.Target("tools/list, ungoverned", UNGOVERNED_PATH, listing, headers),
		load.Target("tools/call document_get, governed", load.MCP_PATH, calling, headers),
		load.Target("tools/call document_get, ungoverned", UNGOVERNED_PATH, calling, headers),
	]


def _prepare() -> str:
	"""Every tool on, limits no benchmark reaches, one ToDo to read; committed. Its name."""
	import frappe

	from frappe_assistant_core.utils.cache import publish_change

	frappe.db.set_value("FAC Tool Configuration", {"enabled": 0}, "enabled", 1, update_modified=False)
	settings = frappe.get_single("Assistant Core Settings")
	settings.rate_limit_per_user = settings.rate_limit_per_tool = 100_000
	settings.save()
	publish_change()
	frappe.db.commit()
	return harness.make_todo(USER, "governed benchmark todo")


def run() -> dict:
	with harness.bench_site("governance") as site:
		site.connect()
		token = harness.make_token_user(USER, ["System Manager"])
		targets = _targets(token, _prepare())
		log = site.log_dir / "gunicorn-governance.log"
		with harness.measured_server(site.env(), floor.WORKERS, log) as server:
			print(
				"  measuring tools/list and tools/call with and without the checks, interleaved ...",
				flush=True,
			)
			list_on, list_off, call_on, call_off = floor.measure_interleaved(server.url, targets)
		print("  timing the checks alone in a fresh process ...", flush=True)
		alone = site.probe("governance_checks", user=USER)
	ratios = {
		"tools_list": list_on["server_ms_p50"] / list_off["server_ms_p50"],
		"tools_call": call_on["server_ms_p50"] / call_off["server_ms_p50"],
	}
	# The checks' own time against the ungoverned request: what they add, without the load's noise.
	added = {
		"tools_list": 1 + alone["tools_list_us"] / 1000 / list_off["sequential_ms_p50"],
		"tools_call": 1 + alone["tools_call_us"] / 1000 / call_off["sequential_ms_p50"],
	}
	targets_met = {
		f"tools_list_p50_within_{int(OVERHEAD_MAX * 100)}_percent": ratios["tools_list"] - 1 <= OVERHEAD_MAX,
		f"tools_call_p50_within_{int(OVERHEAD_MAX * 100)}_percent": ratios["tools_call"] - 1 <= OVERHEAD_MAX,
		f"checks_alone_within_{int(OVERHEAD_MAX * 100)}_percent": max(added.values()) - 1 <= OVERHEAD_MAX,
		"no_extra_sql": list_on["queries"] == list_off["queries"]
		and call_on["queries"] == call_off["queries"],
		"no_errors": not any(r["errors"] for r in (list_on, list_off, call_on, call_off)),
	}
	result = {
		**floor.run_settings(),
		"tools_list": {"governed": list_on, "ungoverned": list_off},
		"tools_call": {"governed": call_on, "ungoverned": call_off},
		"p50_ratio": ratios,
		"checks_alone_us": alone,
		"checks_alone_ratio": added,
		"target_met": targets_met,
	}
	_print([list_off, list_on, call_off, call_on], ratios)
	for kind, ratio in added.items():
		print(
			f"  {kind}: the checks alone take {alone[kind + '_us']:.0f} us, {(ratio - 1) * 100:+.1f}% of the "
			"ungoverned request's sequential p50"
		)
	for target, met in targets_met.items():
		print(f"target {target}: {'met' if met else 'NOT met'}")
	print(f"results: {harness.write_results('governance', result)}")
	return result


def _print(rows: list[dict], ratios: dict) -> None:
	headers = ["request", "SQL/req", "Redis/req", "p50 ms", "p99 ms", "req/s"]
	table = [
		[r["label"], r["queries"], r["redis"], r["server_ms_p50"], r["server_ms_p99"], f"{r['rps']:.1f}"]
		for r in rows
	]
	print()
	print(
		harness.table(
			f"governance checks: {floor.WORKERS} gunicorn workers, {floor.CLIENTS} closed-loop clients, "
			f"{floor.ROUNDS} interleaved rounds; SQL/Redis = median of warm sequential requests",
			headers,
			table,
		)
	)
	for kind, ratio in ratios.items():
		print(
			f"  {kind}: p50 governed / ungoverned = {ratio:.3f} ({(ratio - 1) * 100:+.1f}%, target <= +{OVERHEAD_MAX * 100:.0f}%)"
		)


if __name__ == "__main__":
	run()
