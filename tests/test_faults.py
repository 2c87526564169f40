"""Fault tests: Redis lost under HTTP load, a worker killed mid-toggle, a migrate killed mid-sync,
plugins that raise or hang at discovery. Real processes, real MariaDB and Redis, bounded waits.

Redis is never stopped on the shared port: the Redis test starts its own redis-server on a free
port and serves the site with gunicorn pointed at it. Every test restores the state it changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import frappe
import pytest

from benchmarks import load as http_load
from benchmarks.harness import measured_server, worker_pids
from frappe_assistant_core.api.admin_api import get_all_plugins, get_plugin_stats, toggle_plugin
from frappe_assistant_core.exceptions import PluginValidationError
from frappe_assistant_core.mcp import server as mcp_server
from frappe_assistant_core.utils import plugin_manager
from frappe_assistant_core.utils.config_sync import sync_all
from frappe_assistant_core.utils.plugin_discovery import PluginDiscovery
from tests.host import bootstrap
from tests.support.server import free_port
from tests.support.site import api_credentials, make_user, run_migrate
from tests.support.workers import Worker, workers

pytestmark = pytest.mark.slow

PLUGIN_DOCTYPE = "FAC Plugin Configuration"
TOOL_DOCTYPE = "FAC Tool Configuration"
ROLE_DOCTYPE = "FAC Tool Role Access"
host_only = pytest.mark.skipif(bootstrap.on_real_bench(), reason="starts its own processes on the test host")


def _wait_for_file(path: Path, timeout: float, worker: Worker | None = None) -> str:
	"""The text of `path` once it exists; fails if `worker` answers or exits instead of stalling."""
	deadline = time.monotonic() + timeout
	while not path.exists():
		if worker is not None and worker.process.poll() is not None:
			raise AssertionError(f"worker exited ({worker.process.returncode}) before reaching {path.name}")
		if worker is not None and select.select([worker.process.stdout], [], [], 0)[0]:
			raise AssertionError(
				f"worker answered instead of stalling: {worker.process.stdout.readline()[:3000]}"
			)
		if time.monotonic() > deadline:
			raise AssertionError(f"{path.name} did not appear within {timeout}s")
		time.sleep(0.02)
	time.sleep(0.05)  # the writer may still be flushing the note
	return path.read_text()


def _kill(worker: Worker) -> None:
	os.kill(worker.pid, signal.SIGKILL)
	worker.process.wait(timeout=20)


def _set_plugin(plugin: str, enable: bool) -> None:
	toggle_plugin(plugin, enable)
	frappe.db.commit()


def _eventually(check, timeout: float, interval: float = 0.1):
	"""Call `check` until it returns a truthy value or `timeout` passes; return its last value."""
	deadline = time.monotonic() + timeout
	while True:
		value = check()
		if value or time.monotonic() > deadline:
			return value
		time.sleep(interval)


# -- a worker killed in the middle of a toggle ---------------------------------------------------


@host_only
@pytest.mark.parametrize(
	("stage", "stored"),
	[("before_commit", 1), ("after_commit", 0)],
	ids=["killed-before-commit", "killed-between-commit-and-version-bump"],
)
def test_worker_killed_mid_toggle_leaves_a_whole_row_and_the_others_agree(stage, stored, tmp_path):
	"""SIGKILL mid-toggle: the row holds the old value (not committed) or the new one (committed),
	with matching audit fields, never a mix; the row is not left locked; the other workers agree
	with the database: at once, or (killed after COMMIT, before the Redis version bump) once the
	revalidate_registry scheduler job has run."""
	_set_plugin("visualization", True)
	name = "visualization"
	before = frappe.db.get_value(PLUGIN_DOCTYPE, name, ["modified", "last_toggled_at"], as_dict=True)
	versions = frappe.db.count("Version", {"ref_doctype": PLUGIN_DOCTYPE, "docname": name})
	marker = tmp_path / "stalled"
	try:
		with workers(3) as (victim, a, b):
			for worker in (a, b):
				assert name in worker.call("enabled")
			victim.send("toggle_and_stall", plugin=name, enable=False, marker=str(marker), stage=stage)
			_wait_for_file(marker, timeout=30, worker=victim)
			_kill(victim)

			frappe.db.rollback()  # a fresh read view: see what other processes committed
			assert frappe.db.count(PLUGIN_DOCTYPE, {"plugin_name": name}) == 1
			row = frappe.db.get_value(
				PLUGIN_DOCTYPE,
				name,
				["enabled", "modified", "last_toggled_at", "last_toggled_by"],
				as_dict=True,
			)
			assert row.enabled == stored
			now_versions = frappe.db.count("Version", {"ref_doctype": PLUGIN_DOCTYPE, "docname": name})
			if stored:  # rolled back as a whole
				assert (row.modified, row.last_toggled_at, now_versions) == (
					before.modified,
					before.last_toggled_at,
					versions,
				)
			else:  # committed as a whole: value, audit stamp and Version together
				assert row.modified > before.modified and row.last_toggled_at > before.last_toggled_at
				assert now_versions == versions + 1

			def agree():
				return all((name in w.call("enabled")) == bool(stored) for w in (a, b))

			if stored:  # nothing was published: they never left the stored state
				assert agree()
			else:  # published by nobody: the workers keep trusting the token until the scheduler job
				assert not agree(), "a worker read the database although the token did not change"
				a.call("revalidate")  # the job finds the row differs from the state recorded for the token
				assert _eventually(agree, timeout=3.0), "the other workers did not converge"

			started = time.monotonic()
			a.call("toggle", plugin=name, enable=not stored)  # the dead transaction left no lock
			assert time.monotonic() - started < 10
			assert (name in b.call("enabled")) == (not stored)
	finally:
		frappe.db.rollback()
		_set_plugin(name, True)


# -- a migrate interrupted in the middle of the sync -----------------------------------------------


FIRST_TOOL_UPDATE = f"UPDATE `tab{TOOL_DOCTYPE}`"


def _config_state() -> dict:
	"""Everything the sync and the admin keep in the configuration tables (no timestamps)."""
	frappe.db.rollback()
	tools = frappe.get_all(
		TOOL_DOCTYPE,
		fields=[
			"name", "tool_name", "plugin_name", "enabled", "tool_category", "category_override",
			"auto_detected_category", "role_access_mode", "description", "source_app", "module_path",
		],
		order_by="name",
	)  # fmt: skip
	roles = frappe.get_all(
		ROLE_DOCTYPE,
		filters={"parenttype": TOOL_DOCTYPE},
		fields=["parent", "role", "allow_access"],
		order_by="parent, role",
	)
	plugins = frappe.get_all(PLUGIN_DOCTYPE, fields=["plugin_name", "enabled"], order_by="name")
	return {"tools": tools, "roles": roles, "plugins": plugins}


def _user_settings_and_pending_work() -> None:
	"""Admin choices the sync must keep, plus drift it must repair; committed."""
	_set_plugin("visualization", False)
	frappe.db.set_value(TOOL_DOCTYPE, "document_delete", "enabled", 0)
	frappe.db.set_value(
		TOOL_DOCTYPE, "report_execute", {"category_override": 1, "tool_category": "privileged"}
	)
	doc = frappe.get_doc(TOOL_DOCTYPE, "document_list")
	doc.role_access_mode = "Restrict to Listed Roles"
	doc.set("role_access", [{"role": "Assistant Admin", "allow_access": 1}])
	doc.save()
	# Drift: rows missing, code fields stale, orphans of tools and plugins that no longer exist.
	frappe.db.delete(ROLE_DOCTYPE, {"parent": ("in", ["search_link", "test_echo"])})
	frappe.db.delete(TOOL_DOCTYPE, {"name": ("in", ["search_link", "test_echo"])})
	frappe.db.set_value(
		TOOL_DOCTYPE, "document_get", {"description": "stale", "auto_detected_category": "write"}
	)
	frappe.db.set_value(TOOL_DOCTYPE, "create_chart", {"plugin_name": "core", "tool_category": "read_only"})
	frappe.db.delete(PLUGIN_DOCTYPE, {"name": "websocket"})
	for ghost in ("ghost_tool_a", "ghost_tool_b"):
		values = {"tool_name": ghost, "plugin_name": "core", "enabled": 0, "role_access_mode": "Allow All"}
		frappe.get_doc({"doctype": TOOL_DOCTYPE, **values}).db_insert()
	role = {"parent": "ghost_tool_a", "parenttype": TOOL_DOCTYPE, "parentfield": "role_access"}
	frappe.get_doc({"doctype": ROLE_DOCTYPE, **role, "role": "System Manager", "allow_access": 1}).db_insert()
	frappe.get_doc({"doctype": PLUGIN_DOCTYPE, "plugin_name": "ghost_plugin", "enabled": 1}).db_insert()
	frappe.db.commit()


def _assert_user_settings_kept(state: dict) -> None:
	tools = {row.tool_name: row for row in state["tools"]}
	assert tools["document_delete"].enabled == 0
	assert (tools["report_execute"].category_override, tools["report_execute"].tool_category) == (
		1,
		"privileged",
	)
	assert tools["document_list"].role_access_mode == "Restrict to Listed Roles"
	assert {(r.parent, r.role) for r in state["roles"] if r.parent == "document_list"} == {
		("document_list", "Assistant Admin")
	}
	assert {p.plugin_name: p.enabled for p in state["plugins"]}["visualization"] == 0


def _restore(initial: dict) -> None:
	"""Back to the state before the test: a clean sync, then the admin choices as they were."""
	frappe.db.rollback()
	plugins = {p.plugin_name: p.enabled for p in initial["plugins"]}
	frappe.db.delete(PLUGIN_DOCTYPE, {"name": ("not in", list(plugins))})
	sync_all()
	user_fields = ("enabled", "tool_category", "category_override", "role_access_mode")
	for tool in initial["tools"]:
		if frappe.db.exists(TOOL_DOCTYPE, tool.name):
			frappe.db.set_value(TOOL_DOCTYPE, tool.name, {f: tool[f] for f in user_fields})
	frappe.db.delete(ROLE_DOCTYPE, {"parenttype": TOOL_DOCTYPE})
	for role in initial["roles"]:
		values = {"parenttype": TOOL_DOCTYPE, "parentfield": "role_access", **role}
		frappe.get_doc({"doctype": ROLE_DOCTYPE, **values}).db_insert()
	frappe.db.commit()
	for name, enabled in plugins.items():
		if frappe.db.get_value(PLUGIN_DOCTYPE, name, "enabled") != enabled:
			_set_plugin(name, bool(enabled))


@host_only
@pytest.mark.parametrize("commit_partial", [False, True], ids=["uncommitted", "partly-committed"])
def test_migrate_killed_mid_sync_then_rerun_ends_as_an_uninterrupted_run(commit_partial, tmp_path):
	"""The sync is killed in the middle of its tool rows (plugin rows done, new tool rows inserted,
	the first stale row updated), its partial work rolled back, or committed as an app hook that
	commits would: no admin choice is lost, and the next `bench migrate` leaves exactly the rows an
	uninterrupted run leaves."""
	initial = _config_state()
	try:
		_user_settings_and_pending_work()
		sync_all()
		frappe.db.commit()
		uninterrupted = _config_state()
		_assert_user_settings_kept(uninterrupted)
		assert "ghost_tool_a" not in {t.tool_name for t in uninterrupted["tools"]}
		assert {"search_link", "test_echo"} <= {t.tool_name for t in uninterrupted["tools"]}

		_user_settings_and_pending_work()
		drifted = _config_state()
		marker = tmp_path / "stalled"
		with workers(1) as (migrating,):
			migrating.send(
				"sync_and_stall", marker=str(marker), after=FIRST_TOOL_UPDATE, commit_partial=commit_partial
			)
			writes = _wait_for_file(marker, timeout=60, worker=migrating).splitlines()
			_kill(migrating)
		# Where it stopped: plugin rows synced, new tool rows inserted, first stale row updated.
		assert any(w.startswith(f"INSERT INTO `tab{PLUGIN_DOCTYPE}`") for w in writes), writes
		assert any(w.startswith(f"INSERT INTO `tab{TOOL_DOCTYPE}`") for w in writes), writes
		assert writes[-1].startswith(FIRST_TOOL_UPDATE), writes
		interrupted = _config_state()
		_assert_user_settings_kept(interrupted)
		if not commit_partial:
			assert interrupted == drifted  # nothing of the killed sync survived
		else:
			assert interrupted != drifted  # some of it did: the re-run must cope with a half-done sync

		run_migrate()
		assert _config_state() == uninterrupted
	finally:
		_restore(initial)


# -- Redis stopped and restarted while HTTP requests stream in -----------------------------------


class PrivateRedis:
	"""A redis-server of this test's own on a free loopback port."""

	def __init__(self):
		self.port = free_port()
		self.url = f"redis://127.0.0.1:{self.port}"
		self.process: subprocess.Popen | None = None

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				"redis-server",
				"--bind",
				"127.0.0.1",
				"--port",
				str(self.port),
				"--save",
				"",
				"--appendonly",
				"no",
			],
			stdout=subprocess.DEVNULL,
		)
		_eventually(
			lambda: (
				subprocess.run(
					["redis-cli", "-p", str(self.port), "ping"], capture_output=True
				).stdout.strip()
				== b"PONG"
			),
			10,
		)

	def stop(self) -> None:
		if self.process and self.process.poll() is None:
			self.process.terminate()
			self.process.wait(timeout=10)


@dataclass
class Answer:
	at: float  # client clock when the request was sent
	status: int
	tools: frozenset[str] | None
	pid: int
	config_queries: int


class Stream:
	"""Client threads posting MCP tools/list to the server until stopped, keeping every answer."""

	def __init__(self, url: str, token: str, clients: int = 3):
		self.target = http_load.tools_list_target("ours", token)
		self.url = url
		self.answers: list[Answer] = []
		self.failures: list[str] = []
		self._stop = threading.Event()
		self._go = threading.Event()
		self._go.set()
		self._in_flight = 0
		self._lock = threading.Lock()
		self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

	def _run(self) -> None:
		while not self._stop.is_set():
			if not self._go.wait(timeout=0.1):
				continue
			with self._lock:
				self._in_flight += 1
			sent = time.monotonic()
			try:
				sample = http_load.send(self.url, self.target, timeout=30)
			except Exception as exc:  # a dropped connection is a failure the test reports
				self.failures.append(f"{type(exc).__name__}: {exc}")
				time.sleep(0.05)
				continue
			finally:
				with self._lock:
					self._in_flight -= 1
			tools = None
			try:
				tools = frozenset(t["name"] for t in json.loads(sample.body)["result"]["tools"])
			except (ValueError, KeyError, TypeError):
				self.failures.append(f"HTTP {sample.status}: {sample.body[:200]!r}")
			self.answers.append(Answer(sent, sample.status, tools, sample.pid, sample.config_queries))

	@contextlib.contextmanager
	def quiet(self):
		"""No request in flight for the duration: a toggle then never races a request that began
		before its commit (that race is test_request_begun_before_a_toggle_..., not this test)."""
		self._go.clear()
		assert _eventually(lambda: self._in_flight == 0, timeout=60), "requests did not finish"
		try:
			yield
		finally:
			self._go.set()

	def since(self, moment: float) -> list[Answer]:
		return [a for a in list(self.answers) if a.at > moment]

	def wait_for(self, moment: float, count: int, timeout: float = 30) -> list[Answer]:
		return _eventually(lambda: len(self.since(moment)) >= count and self.since(moment), timeout) or []

	def __enter__(self) -> Stream:
		for thread in self._threads:
			thread.start()
		return self

	def __exit__(self, *exc) -> None:
		self._stop.set()
		for thread in self._threads:
			thread.join(timeout=60)


@host_only
@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_redis_stopped_and_restarted_under_http_load(monkeypatch):
	"""gunicorn (3 workers) on a private Redis, tools/list streaming in: Redis stops, a plugin is
	toggled, Redis comes back empty, the plugin is toggled back. Every answer is a correct tools/list
	(no error, no stale list after a toggle is acknowledged), no worker dies, and once Redis is back
	the workers return to zero configuration queries per request."""
	redis = PrivateRedis()
	redis.start()
	monkeypatch.setenv("REDIS_CACHE", redis.url)
	monkeypatch.setenv("REDIS_QUEUE", redis.url)
	admin = api_credentials(make_user("fac-fault-admin@example.com", ["System Manager"]))
	_set_plugin("visualization", True)
	log = Path(os.environ["FAC_HOST_SITE_DIR"]) / f"gunicorn-faults-{redis.port}.log"
	try:
		with measured_server(dict(os.environ), 3, log) as server, Stream(server.url, admin) as stream:
			pids = set(worker_pids(server.process.pid))

			def toggle(enable: bool) -> float:
				with stream.quiet():
					status, body = _post_toggle(server.url, admin, enable)
					assert status == 200, body
					return time.monotonic()

			warm = stream.wait_for(time.monotonic(), 30)
			assert warm and all("create_chart" in a.tools for a in warm if a.tools)

			redis.stop()
			down = time.monotonic()
			before_toggle = stream.wait_for(down, 15)
			assert before_toggle, "requests stopped being answered with Redis down"
			assert all(a.tools is not None and "create_chart" in a.tools for a in before_toggle)
			acked = toggle(False)
			while_down = stream.wait_for(acked, 20)
			assert while_down and all(
				a.tools is not None and "create_chart" not in a.tools for a in while_down
			)
			assert any(a.config_queries > 0 for a in while_down), (
				"with Redis down the state is read from the DB"
			)

			redis.start()
			up = time.monotonic()
			stream.wait_for(up, 15)
			acked = toggle(True)
			after = stream.wait_for(acked, 20)
			assert after and all(a.tools is not None and "create_chart" in a.tools for a in after)

			def recovered():
				recent = stream.since(time.monotonic() - 1.0)
				return len(recent) >= 6 and all(a.config_queries == 0 for a in recent[-6:])

			assert _eventually(recovered, timeout=15), "caches did not recover after Redis came back"
			assert set(worker_pids(server.process.pid)) == pids, "a worker died"
		assert not stream.failures, stream.failures[:5]
		assert all(a.status == 200 for a in stream.answers)
		assert len(stream.answers) > 60
	finally:
		redis.stop()
		_set_plugin("visualization", True)


def _post_toggle(url: str, token: str, enable: bool) -> tuple[int, dict]:
	target = http_load.Target(
		"toggle",
		"/api/method/frappe_assistant_core.api.admin_api.toggle_plugin",
		{"plugin_name": "visualization", "enable": int(enable)},
		{"Authorization": f"token {token}", "Content-Type": "application/json"},
	)
	sample = http_load.send(url, target, timeout=60)
	return sample.status, json.loads(sample.body or b"{}")


# -- plugins whose import raises or hangs at discovery ----------------------------------------------


class _MergedDiscovery:
	"""The shipped plugins plus those of a temporary package."""

	def __init__(self, *discoveries: PluginDiscovery):
		self.discoveries = discoveries

	def discover_plugins(self) -> dict:
		found: dict = {}
		for discovery in self.discoveries:
			found.update(discovery.discover_plugins())
		return found


@pytest.fixture
def broken_plugins(tmp_path, monkeypatch):
	"""This site's manager, discovering the shipped plugins plus one that raises on import and one
	whose import hangs (import time limit 1 s), from a package outside the app."""
	package = f"fac_fault_plugins_{uuid.uuid4().hex[:8]}"
	files = {
		"__init__.py": "",
		"explodes/__init__.py": "",
		"explodes/plugin.py": "raise ImportError('libexplode.so: cannot open shared object file')",
		"stuck/__init__.py": "",
		"stuck/plugin.py": "import time\ntime.sleep(4)\n",
	}
	for path, text in files.items():
		(tmp_path / package / path).parent.mkdir(parents=True, exist_ok=True)
		(tmp_path / package / path).write_text(textwrap.dedent(text))
	monkeypatch.syspath_prepend(str(tmp_path))
	discovery = _MergedDiscovery(PluginDiscovery(), PluginDiscovery(package=package, import_timeout=1.0))
	key = plugin_manager._site_key()
	monkeypatch.setitem(plugin_manager._managers, key, plugin_manager.PluginManager(key, discovery=discovery))
	yield package
	for name in [m for m in sys.modules if m.startswith(package)]:
		del sys.modules[name]


def test_plugins_that_raise_or_hang_at_import_are_named_by_the_admin_api_and_the_rest_works(broken_plugins):
	"""Discovery finishes despite a hanging import; the admin API lists both broken plugins with
	the reason and refuses to enable them; MCP tools/list and tools/call keep working."""
	started = time.monotonic()
	plugins = {p["name"]: p for p in get_all_plugins()}
	assert time.monotonic() - started < 8, "a hanging plugin import must not hang discovery"

	assert plugins["explodes"]["can_enable"] is False and plugins["explodes"]["enabled"] is False
	assert (
		"ImportError: libexplode.so: cannot open shared object file"
		in plugins["explodes"]["validation_error"]
	)
	assert plugins["stuck"]["can_enable"] is False
	assert "did not finish within 1s" in plugins["stuck"]["validation_error"]
	assert plugins["core"]["enabled"] and plugins["core"]["validation_error"] is None

	stats = {p["name"]: p for p in get_plugin_stats()["plugins"]}
	assert {"explodes", "stuck", "core"} <= set(stats) and stats["explodes"]["enabled"] is False
	for name, reason in (("explodes", "libexplode.so"), ("stuck", "did not finish")):
		with pytest.raises(PluginValidationError, match=f"(?s){name}.*{reason}"):
			toggle_plugin(name, True)
	assert not frappe.db.exists(PLUGIN_DOCTYPE, "explodes")

	listing = _mcp("tools/list", {})
	names = {tool["name"] for tool in listing["result"]["tools"]}
	assert {"document_get", "document_list", "search_doctype"} <= names
	called = _mcp("tools/call", {"name": "document_list", "arguments": {"doctype": "Role", "limit": 2}})
	assert called["result"]["isError"] is False, called


def _mcp(method: str, params: dict) -> dict:
	body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).encode()
	reply = mcp_server.handle("POST", body, "2025-11-25")
	assert reply.status == 200, reply.json()
	return reply.json()
