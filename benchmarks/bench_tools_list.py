"""Benchmark 1, tools/list cost per request: ours against the upstream strategy, same run, same server.

gunicorn serves the site with 4 workers on 127.0.0.1 (benchmarks.instrument counts SQL and Redis in
each worker). Two configurations: the shipped plugins, then the shipped plugins plus 1,000 tools of a
generated app (installed and migrated, so every tool has its FAC Tool Configuration row). For each,
three request kinds: our MCP endpoint, and the strategy switch of the benchmark app answering with
the upstream baseline (benchmarks.upstream) and with its kinder single-pass variant. All three must
list exactly the same tools. Measured: steady-state SQL statements and Redis round trips per request
(sequential, warm), server time p50/p99 and requests/s under closed-loop load (8 clients).
"""

from __future__ import annotations

from benchmarks import floor, harness, load
from benchmarks.generate import write_tool_app

WORKERS = floor.WORKERS
CLIENTS = floor.CLIENTS
EXTRA_APP = "fac_bench_list_tools"
EXTRA_TOOLS = 1000
LOAD_SECONDS = floor.LOAD_SECONDS
# Targets against Frappe's authenticated ping, measured in the same rounds (issue 14).
P50_TO_PING_MAX = 1.5
RPS_TO_PING_MIN = 0.7
USER = "fac-bench-lister@example.com"


def _targets(token: str) -> list[load.Target]:
	return [
		load.tools_list_target("ours (MCP endpoint)", token),
		load.tools_list_target("upstream baseline", token, "upstream"),
		load.tools_list_target("upstream, single pass", token, "upstream_single_pass"),
	]


def _listing(sample: load.Sample) -> dict[str, dict]:
	assert sample.status == 200, sample.body[:500]
	return {tool["name"]: tool for tool in sample.json()["result"]["tools"]}


def _same_listing(reference: dict, other: dict) -> list[str]:
	"""Differences between two tools/list results (names, descriptions, schemas, annotations)."""
	problems = [f"only in one: {name}" for name in sorted(set(reference) ^ set(other))]
	for name in sorted(set(reference) & set(other)):
		for key in ("description", "inputSchema", "annotations"):
			if reference[name].get(key) != other[name].get(key):
				problems.append(f"{name}.{key} differs")
	return problems


def _measure(url: str, target: load.Target) -> dict:
	floor.warm(url, target)
	probes = floor.probe(url, target)
	samples, elapsed = load.closed_loop(
		url, target, CLIENTS, duration=LOAD_SECONDS, min_requests=3 * WORKERS, max_duration=240
	)
	return floor.summary(target, probes, samples, elapsed)


def _configuration(site: harness.BenchSite, label: str, extra_apps: list[str], token: str) -> dict:
	log = site.log_dir / f"gunicorn-{label.replace(' ', '_').replace(',', '')}.log"
	with harness.measured_server(site.env(extra_apps), WORKERS, log) as server:
		url = server.url
		targets = _targets(token)
		listings = [_listing(load.send(url, t)) for t in targets]
		differences = {
			t.label: _same_listing(listings[0], other)
			for t, other in zip(targets[1:], listings[1:], strict=True)
		}
		print(f"  measuring {label}: ours and Frappe's ping, interleaved ...", flush=True)
		ours, ping = floor.measure_interleaved(url, [targets[0], floor.ping_target(token)])
		rows = [ours]
		for target in targets[1:]:
			print(f"  measuring {label}: {target.label} ...", flush=True)
			rows.append(_measure(url, target))
	ours.update(floor.ratios(ours, ping))
	for row in rows:
		row["configuration"] = label
		row["tools_listed"] = len(listings[0])
		row["rps_ratio_ours_vs_this"] = ours["rps"] / row["rps"] if row["rps"] else None
		row["p50_ratio_this_vs_ours"] = row["server_ms_p50"] / ours["server_ms_p50"]
	return {
		"label": label,
		"tools_listed": len(listings[0]),
		"differences": differences,
		"rows": rows,
		"ping": ping,
	}


def _print(configurations: list[dict]) -> None:
	headers = [
		"configuration", "strategy", "SQL/req", "config SQL", "Redis/req", "config Redis",
		"p50 ms", "p99 ms", "req/s", "ours/this req/s",
	]  # fmt: skip
	rows = []
	for config in configurations:
		for r in [config["ping"], *config["rows"]]:
			ratio = r.get("rps_ratio_ours_vs_this")
			rows.append(
				[
					f"{config['label']} ({config['tools_listed']:,} tools)",
					r["label"],
					r["queries"],
					r["config_queries"],
					r["redis"],
					r["config_redis"],
					r["server_ms_p50"],
					r["server_ms_p99"],
					r["rps"],
					f"{ratio:.1f}x" if ratio else "-",
				]
			)
	print()
	print(
		harness.table(
			f"tools/list per request: {WORKERS} gunicorn workers, {CLIENTS} closed-loop clients, "
			"SQL/Redis = median of warm sequential requests",
			headers,
			rows,
		)
	)
	print("ours against Frappe's authenticated ping (same workers, interleaved rounds):")
	for config in configurations:
		ours = config["rows"][0]
		print(
			f"  {config['tools_listed']:>5,} tools: p50 {ours['p50_ratio_to_floor']:.2f}x ping's "
			f"(target <= {P50_TO_PING_MAX}x), rate {ours['rps_ratio_to_floor']:.2f}x ping's "
			f"(target >= {RPS_TO_PING_MIN}x), client-side p50 {ours['client_p50_ratio_to_floor']:.2f}x"
		)
	print("configuration keys read from Redis per request (key names without the site prefix):")
	for row in configurations[-1]["rows"]:
		print(f"  {row['label']}: {row['config_redis_keys'] or '(none)'}")
	for config in configurations:
		for label, problems in config["differences"].items():
			same = "yes" if not problems else problems[:5]
			print(f"{config['label']}: {label} lists exactly the tools ours lists: {same}")


def run() -> dict:
	with harness.bench_site("list") as site:
		site.connect()
		token = harness.make_token_user(USER, ["System Manager"])
		configurations = [_configuration(site, "shipped plugins", [], token)]
		write_tool_app(site.apps_dir, EXTRA_APP, [f"list_tool_{i:04d}" for i in range(EXTRA_TOOLS)])
		site.migrate(extra_apps=[EXTRA_APP])
		configurations.append(_configuration(site, f"+{EXTRA_TOOLS:,} app tools", [EXTRA_APP], token))
	big = configurations[-1]["rows"]
	ours, baseline = big[0], big[1]
	targets = {
		"zero_config_sql_steady_state": all(c["rows"][0]["config_queries"] == 0 for c in configurations),
		"at_most_one_config_redis_read": all(c["rows"][0]["config_redis"] <= 1 for c in configurations),
		"ten_times_baseline_rps_at_1000_tools": ours["rps"] >= 10 * baseline["rps"],
		"same_tools_listed": not any(p for c in configurations for p in c["differences"].values()),
		"no_errors": not any(r["errors"] for c in configurations for r in [c["ping"], *c["rows"]]),
	}
	for config, size in zip(configurations, ("26", "1026"), strict=True):
		row = config["rows"][0]
		targets[f"p50_within_{P50_TO_PING_MAX}x_ping_at_{size}_tools"] = (
			row["p50_ratio_to_floor"] <= P50_TO_PING_MAX
		)
		targets[f"rate_at_least_{RPS_TO_PING_MIN}x_ping_at_{size}_tools"] = (
			row["rps_ratio_to_floor"] >= RPS_TO_PING_MIN
		)
	result = {
		"machine": harness.machine(),
		"workers": WORKERS,
		"clients": CLIENTS,
		"load_seconds": LOAD_SECONDS,
		"configurations": configurations,
		"target_met": targets,
	}
	_print(configurations)
	for name, met in targets.items():
		print(f"target {name}: {'met' if met else 'NOT met'}")
	path = harness.write_results("tools_list", result)
	print(f"results: {path}")
	return result


if __name__ == "__main__":
	run()
