"""HTTP driving for the benchmarks: one request, a sequential probe, a closed-loop load.

Requests go through http.client (no library overhead worth mentioning); every reply's X-Bench-*
headers (benchmarks.instrument) become a Sample. Load is closed-loop: `concurrency` client threads
each send the next request as soon as the previous answer arrives, for a fixed duration.
"""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MCP_PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
SWITCH_PATH = "/api/method/fac_bench_api.api.tools_list"
TOOLS_LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


@dataclass(frozen=True)
class Target:
	"""One kind of request: where it goes and what it carries."""

	label: str
	path: str
	body: dict | None
	headers: dict[str, str]
	method: str = "POST"


def mcp_headers(token: str) -> dict[str, str]:
	return {
		"Authorization": f"token {token}",
		"Content-Type": "application/json",
		"Accept": "application/json, text/event-stream",
		"MCP-Protocol-Version": "2025-11-25",
	}


def tools_list_target(label: str, token: str, strategy: str | None = None) -> Target:
	"""tools/list on the real MCP endpoint (strategy None) or through the strategy switch."""
	path = MCP_PATH if strategy is None else f"{SWITCH_PATH}?strategy={strategy}"
	return Target(label, path, TOOLS_LIST, mcp_headers(token))


@dataclass
class Sample:
	status: int
	pid: int
	start: float  # server wall clock when the request entered the worker
	end: float  # server wall clock when the response started
	server_ms: float
	client_ms: float
	queries: int
	config_queries: int
	redis: int
	config_redis: int
	commit_at: float | None
	config_redis_keys: str = ""
	body: bytes | None = field(default=None, repr=False)

	def json(self):
		return json.loads(self.body)


def send(url: str, target: Target, keep_body: bool = True, timeout: float = 600) -> Sample:
	parts = urlsplit(url)
	data = json.dumps(target.body).encode() if target.body is not None else None
	started = time.perf_counter()
	conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
	try:
		conn.request(target.method, target.path, body=data, headers=target.headers)
		reply = conn.getresponse()
		body = reply.read()
	finally:
		conn.close()
	client_ms = (time.perf_counter() - started) * 1000

	def header(name: str, default="0"):
		return reply.getheader(f"X-Bench-{name}", default) or default

	commit = header("Commit-At", "")
	return Sample(
		status=reply.status,
		pid=int(header("Pid")),
		start=float(header("Start")),
		end=float(header("End")),
		server_ms=float(header("Ms")),
		client_ms=client_ms,
		queries=int(header("Queries")),
		config_queries=int(header("Config-Queries")),
		redis=int(header("Redis")),
		config_redis=int(header("Config-Redis")),
		commit_at=float(commit) if commit else None,
		config_redis_keys=header("Config-Redis-Keys", ""),
		body=body if keep_body else None,
	)


def sequential(url: str, target: Target, count: int) -> list[Sample]:
	return [send(url, target) for _ in range(count)]


def closed_loop(
	url: str,
	target: Target,
	concurrency: int,
	duration: float,
	min_requests: int = 0,
	max_duration: float | None = None,
	keep_body: bool = False,
) -> tuple[list[Sample], float]:
	"""(samples, elapsed seconds): `concurrency` clients for `duration` seconds (longer if fewer
	than `min_requests` answers arrived, up to `max_duration`)."""
	samples: list[Sample] = []
	errors: list[BaseException] = []
	lock = threading.Lock()
	started = time.monotonic()
	hard_stop = started + (max_duration or duration)

	def keep_going() -> bool:
		now = time.monotonic()
		return now < started + duration or (len(samples) < min_requests and now < hard_stop)

	def client():
		while keep_going() and not errors:
			try:
				sample = send(url, target, keep_body=keep_body)
			except BaseException as exc:  # recorded and re-raised by the caller
				errors.append(exc)
				return
			with lock:
				samples.append(sample)

	threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	if errors:
		raise errors[0]
	return samples, time.monotonic() - started


def percentile(values: list[float], pct: float) -> float:
	"""Nearest-rank percentile (pct in 0..100); NaN for no values."""
	if not values:
		return math.nan
	ordered = sorted(values)
	rank = max(1, math.ceil(pct / 100 * len(ordered)))
	return ordered[rank - 1]


def median(values: list[float]) -> float:
	return percentile(values, 50)
