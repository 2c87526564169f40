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

import os
import time

from benchmarks import harness, load
from benchmarks.generate import write_tool_app

WORKERS = 4
CLIENTS = 8
EXTRA_APP = "fac_bench_list_tools"
EXTRA_TOOLS = 1000
LOAD_SECONDS = float(os.environ.get("FAC_BENCH_LOAD_SECONDS", "12"))
PROBES = 15
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


def _probe(url: str, target: load.Target, budget_s: float = 30.0) -> list[load.Sample]:
	"""Sequential warm requests: PROBES of them, fewer (at least 5) if they are slow."""
	samples, started = [], time.monotonic()
	while len(samples) < PROBES and (len(samples) < 5 or time.monotonic() - started < budget_s):
		samples.append(load.send(url, target, keep_body=False))
	return samples


def _measure(url: str, target: load.Target) -> dict:
	# Warm every worker (each loads its registry on its first request), then measure.
	load.closed_loop(url, target, CLIENTS, duration=1.0, min_requests=2 * WORKERS, max_duration=300)
	probes = _probe(url, target)
	samples, elapsed = load.closed_loop(
		url, target, CLIENTS, duration=LOAD_SECONDS, min_requests=3 * WORKERS, max_duration=240
	)
	bad = [s.status for s in samples + probes if s.status != 200]
	server_ms = [s.server_ms for s in samples]
	return {
		"label": target.label,
		"errors": len(bad),
		"probe_requests": len(probes),
		"queries": load.median([s.queries for s in probes]),
		"config_queries": load.median([s.config_queries for s in probes]),
		"config_queries_max": max(s.config_queries for s in probes),
		"redis": load.median([s.redis for s in probes]),
		"config_redis": load.median([s.config_redis for s in probes]),
		"config_redis_keys": probes[-1].config_redis_keys,
		"sequential_ms_p50": load.median([s.server_ms for s in probes]),
		"load_requests": len(samples),
		"load_seconds": elapsed,
		"rps": len(samples) / elapsed,
		"server_ms_p50": load.percentile(server_ms, 50),
		"server_ms_p99": load.percentile(server_ms, 99),
		"client_ms_p50": load.percentile([s.client_ms for s in samples], 50),
		"load_config_queries_mean": sum(s.config_queries for s in samples) / max(len(samples), 1),
		"load_queries_mean": sum(s.queries for s in samples) / max(len(samples), 1),
		"workers_seen": len({s.pid for s in samples}),
	}


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
		rows = []
		for target in targets:
			print(f"  measuring {label}: {target.label} ...", flush=True)
			rows.append(_measure(url, target))
	ours = rows[0]
	for row in rows:
		row["configuration"] = label
		row["tools_listed"] = len(listings[0])
		row["rps_ratio_ours_vs_this"] = ours["rps"] / row["rps"] if row["rps"] else None
		row["p50_ratio_this_vs_ours"] = row["server_ms_p50"] / ours["server_ms_p50"]
	return {"label": label, "tools_listed": len(listings[0]), "differences": differences, "rows": rows}


def _print(configurations: list[dict]) -> None:
	headers = [
		"configuration", "strategy", "SQL/req", "config SQL", "Redis/req", "config Redis",
		"p50 ms", "p99 ms", "req/s", "ours/this req/s",
	]  # fmt: skip
	rows = []
	for config in configurations:
		for r in config["rows"]:
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
					f"{r['rps_ratio_ours_vs_this']:.1f}x" if r["rps_ratio_ours_vs_this"] else "n/a",
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
		"no_errors": not any(r["errors"] for c in configurations for r in c["rows"]),
	}
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
