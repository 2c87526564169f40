"""Several OS processes on one site, as Gunicorn workers are: consistency, races, Redis loss."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time

import frappe
import pytest

from frappe_assistant_core.api import admin_api
from tests.support.server import free_port
from tests.support.workers import Worker, workers

pytestmark = pytest.mark.slow


def test_a_toggle_in_one_worker_is_seen_by_the_others_next_call():
	"""Three workers: after a toggle commits in one, every other worker's next answer is fresh."""
	with workers(3) as (a, b, c):
		a.call("toggle", plugin="visualization", enable=True)
		for worker in (a, b, c):
			worker.call("all_tools")
		stale = 0
		for round_ in range(20):
			enable = round_ % 2 == 1
			actor = (a, b, c)[round_ % 3]
			actor.call("toggle", plugin="visualization", enable=enable)
			for worker in (a, b, c):
				visible = "visualization" in worker.call("enabled")
				stale += visible != enable
		assert stale == 0


def test_steady_state_worker_runs_no_query():
	"""In a separate process, a warm get_all_tools() issues zero SQL statements."""
	with workers(1) as (worker,):
		worker.call("all_tools")
		assert worker.call("queries_for_all_tools") == 0


def test_concurrent_toggles_from_eight_processes_lose_nothing():
	"""8 processes x 100 toggles: one row per plugin, stored value == last committed toggle."""
	plugins = ("visualization", "data_science")
	rng = random.Random(7)
	plan = [[(rng.choice(plugins), rng.random() < 0.5) for _ in range(100)] for _ in range(8)]
	with workers(8) as pool:
		for step in range(100):
			for worker, toggles in zip(pool, plan, strict=True):
				plugin, enable = toggles[step]
				worker.send("timed_toggle", plugin=plugin, enable=enable)
			for worker in pool:
				worker.receive()
		history = [entry for worker in pool for entry in worker.call("history")]
	assert len(history) == 800
	frappe.db.rollback()
	for plugin in plugins:
		assert frappe.db.count("FAC Plugin Configuration", {"plugin_name": plugin}) == 1
		last = max((h for h in history if h["plugin"] == plugin), key=lambda h: h["at"])
		assert frappe.db.get_value("FAC Plugin Configuration", plugin, "enabled") == int(last["enable"])


@pytest.fixture(autouse=True)
def toggled_plugins_on_afterwards():
	"""The worker processes toggle visualization and data_science and commit: put them back as the
	suite's site has them."""
	yield
	frappe.db.rollback()
	for plugin in ("visualization", "data_science"):
		if not frappe.db.get_value("FAC Plugin Configuration", plugin, "enabled"):
			admin_api.toggle_plugin(plugin, True)
			frappe.db.commit()


@pytest.fixture
def private_redis():
	"""A Redis of our own on a free port, so stopping it never touches the shared one."""
	if not shutil.which("redis-server"):
		pytest.skip("redis-server is not installed")
	port = free_port()
	process = subprocess.Popen(
		["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
		stdout=subprocess.DEVNULL,
	)
	time.sleep(0.3)

	def restart():
		nonlocal process
		process = subprocess.Popen(
			["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
			stdout=subprocess.DEVNULL,
		)
		time.sleep(0.3)

	def stop():
		process.terminate()
		process.wait(timeout=10)

	yield f"redis://127.0.0.1:{port}", stop, restart
	if process.poll() is None:
		stop()


def test_workers_stay_correct_while_redis_is_down_and_recover_after(private_redis, monkeypatch):
	"""Redis stopped: answers come from the database, correct and crash-free; then it recovers."""
	url, stop, restart = private_redis
	port = int(url.rsplit(":", 1)[1])
	# The test host reads REDIS_CACHE; Frappe v15 reads FRAPPE_REDIS_CACHE (before site_config).
	for name in ("REDIS_CACHE", "REDIS_QUEUE", "FRAPPE_REDIS_CACHE", "FRAPPE_REDIS_QUEUE"):
		monkeypatch.setenv(name, url)
	with workers(2) as (a, b):
		assert a.call("cache_state") == b.call("cache_state") == {"port": port, "up": True}
		a.call("toggle", plugin="visualization", enable=True)
		assert "visualization" in b.call("enabled")
		stop()
		assert a.call("cache_state") == b.call("cache_state") == {"port": port, "up": False}, (
			"the workers still reach a Redis: the fault did not happen"
		)
		_wait_until_client_caches_notice(a, b)
		a.call("toggle", plugin="visualization", enable=False)
		assert "visualization" not in b.call("enabled")
		assert "visualization" not in a.call("enabled")
		b.call("toggle", plugin="visualization", enable=True)
		assert "visualization" in a.call("enabled")
		restart()
		assert a.call("cache_state")["up"]
		assert "visualization" in a.call("enabled") and "visualization" in b.call("enabled")
		b.call("toggle", plugin="visualization", enable=False)
		assert "visualization" not in a.call("enabled")
		a.call("all_tools")
		assert a.call("queries_for_all_tools") == 0


def _wait_until_client_caches_notice(*workers_, timeout: float = 60.0) -> None:
	"""Wait for Frappe's client-side caches to switch off after the outage (their invalidator thread
	notices it asynchronously); a save in that window fails inside Frappe's own hooks on any app."""
	deadline = time.monotonic() + timeout
	while not all(worker.call("client_cache_noticed_outage") for worker in workers_):
		assert time.monotonic() < deadline, "Frappe's client cache never noticed Redis stopping"
		time.sleep(0.2)


def test_worker_helper_is_a_real_separate_process():
	with workers(2) as (a, b):
		assert len({a.pid, b.pid, os.getpid()}) == 3
		assert isinstance(a, Worker)


def test_a_request_whose_snapshot_predates_the_toggle_still_answers_fresh(tmp_path):
	"""Under REPEATABLE READ a worker mid-request reads from an old snapshot: it must not keep it.

	Worker B starts a request and reads (its transaction snapshot is taken), A toggles and commits,
	then B, still in that request, asks for the enabled plugins: fresh, and fresh again next time.
	"""
	go = tmp_path / "go"
	with workers(2) as (a, b):
		a.call("toggle", plugin="visualization", enable=True)
		assert "visualization" in b.call("enabled")
		b.send("enabled_after", marker=str(go))
		time.sleep(1.0)  # B has read and is waiting, inside its transaction
		a.call("toggle", plugin="visualization", enable=False)
		go.touch()
		assert "visualization" not in b.receive()
		assert "visualization" not in b.call("enabled")
