"""Measuring our requests against Frappe's own cheapest ones: interleaved load, per-request counts.

A floor is a request Frappe answers with nothing of ours in the way (its authenticated `ping`, its
REST API doing the same read); a comparison is only fair when both kinds ran on the same workers at
the same time. `measure_interleaved` therefore alternates short rounds of every target, pooling each
target's samples, so a burst of load from elsewhere on the machine lands on all of them alike.
SQL and Redis counts come from warm sequential requests (exact: one request per worker at a time).
"""

from __future__ import annotations

import os
import time

from benchmarks import load

WORKERS = 4
CLIENTS = 8
LOAD_SECONDS = float(os.environ.get("FAC_BENCH_LOAD_SECONDS", "12"))
ROUNDS = int(os.environ.get("FAC_BENCH_ROUNDS", "6"))
PROBES = 15


def run_settings() -> dict:
	"""What a result records about how it was measured: the machine and the load's shape."""
	from benchmarks import harness

	return {
		"machine": harness.machine(),
		"workers": WORKERS,
		"clients": CLIENTS,
		"load_seconds": LOAD_SECONDS,
		"rounds": ROUNDS,
	}


def ping_target(token: str) -> load.Target:
	"""Frappe's own ping, authenticated like our calls, by POST like every MCP message."""
	return load.Target("Frappe ping (floor)", "/api/method/ping", {}, load.mcp_headers(token))


def probe(url: str, target: load.Target, budget_s: float = 30.0) -> list[load.Sample]:
	"""Sequential warm requests: PROBES of them, fewer (at least 5) if they are slow."""
	samples, started = [], time.monotonic()
	while len(samples) < PROBES and (len(samples) < 5 or time.monotonic() - started < budget_s):
		samples.append(load.send(url, target, keep_body=False))
	return samples


def warm(url: str, target: load.Target) -> None:
	"""Every worker serves the target a few times (each loads its registry on its first request)."""
	load.closed_loop(url, target, CLIENTS, duration=1.0, min_requests=2 * WORKERS, max_duration=300)


def summary(
	target: load.Target, probes: list[load.Sample], samples: list[load.Sample], elapsed: float
) -> dict:
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
		"rps": len(samples) / elapsed if elapsed else 0.0,
		"server_ms_p50": load.percentile(server_ms, 50),
		"server_ms_p99": load.percentile(server_ms, 99),
		"client_ms_p50": load.percentile([s.client_ms for s in samples], 50),
		"load_config_queries_mean": sum(s.config_queries for s in samples) / max(len(samples), 1),
		"load_config_queries_max": max((s.config_queries for s in samples), default=0),
		"load_queries_mean": sum(s.queries for s in samples) / max(len(samples), 1),
		"workers_seen": len({s.pid for s in samples}),
	}


def measure_interleaved(url: str, targets: list[load.Target]) -> list[dict]:
	"""One summary per target: warm, sequential probes, then ROUNDS rounds of closed-loop load in
	which every target gets LOAD_SECONDS / ROUNDS seconds in turn (rate = its requests / its time)."""
	for target in targets:
		warm(url, target)
	probes = {t.label: probe(url, t) for t in targets}
	pooled: dict[str, list[load.Sample]] = {t.label: [] for t in targets}
	seconds = dict.fromkeys(pooled, 0.0)
	for round_index in range(ROUNDS):
		# Alternate the order too, so neither kind always follows the other.
		for target in targets if round_index % 2 == 0 else targets[::-1]:
			samples, elapsed = load.closed_loop(url, target, CLIENTS, duration=LOAD_SECONDS / ROUNDS)
			pooled[target.label].extend(samples)
			seconds[target.label] += elapsed
	return [summary(t, probes[t.label], pooled[t.label], seconds[t.label]) for t in targets]


def ratios(row: dict, floor: dict) -> dict:
	"""p50 and rate of `row` relative to its floor, measured in the same rounds."""
	return {
		"p50_ratio_to_floor": row["server_ms_p50"] / floor["server_ms_p50"],
		"client_p50_ratio_to_floor": row["client_ms_p50"] / floor["client_ms_p50"],
		"rps_ratio_to_floor": row["rps"] / floor["rps"] if floor["rps"] else 0.0,
	}
