"""Shared plumbing of the benchmarks: a throwaway site, generated apps, probes, a measured server.

Each benchmark creates its own site on the test host (MariaDB + Redis on 127.0.0.1) with this repo's
app and the benchmark app `fac_bench_api`, generates whatever extra apps or plugin packages it needs
under .host/bench/<site>/ (gitignored), and drops both at the end (FAC_BENCH_KEEP=1 keeps them).
Work that must happen in a fresh process (a cold worker, a migrate) runs as `benchmarks.probes`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.host import bootstrap, config
from tests.support.server import worker_pids

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "benchmarks" / "results"
STATIC_APPS = REPO / "benchmarks" / "apps"
WORK_DIR = config.STATE_DIR / "bench"
BASE_APPS = ("frappe_assistant_core", "fac_bench_api")
PROBE_MARK = "BENCH-RESULT "


class BenchSite:
	"""A throwaway host site plus a folder for generated apps, both removed by drop()."""

	def __init__(self, label: str):
		self.name = f"fac_bench_{label}_{uuid.uuid4().hex[:6]}"
		self.work = WORK_DIR / self.name
		self.apps_dir = self.work / "apps"
		self.apps_dir.mkdir(parents=True, exist_ok=True)
		self.log_dir = self.work / "logs"
		self.log_dir.mkdir(exist_ok=True)

	def env(self, extra_apps: tuple[str, ...] | list[str] = ()) -> dict[str, str]:
		"""Environment of every process of this site with BASE_APPS + `extra_apps` installed."""
		env = dict(os.environ)
		env.update(config.site_env(self.name, ",".join([*BASE_APPS, *extra_apps])))
		paths = [str(REPO), str(STATIC_APPS), str(self.apps_dir)]
		env["PYTHONPATH"] = os.pathsep.join([*paths, *filter(None, [os.environ.get("PYTHONPATH")])])
		return env

	def create(self) -> float:
		started = time.monotonic()
		self._host("new-site")
		return time.monotonic() - started

	def migrate(self, extra_apps: tuple[str, ...] | list[str] = ()) -> float:
		"""`bench migrate` with `extra_apps` installed too (runs the app's after_migrate sync)."""
		started = time.monotonic()
		self._host("migrate", extra_apps=extra_apps)
		return time.monotonic() - started

	def _host(self, command: str, extra_apps=()) -> None:
		log = self.log_dir / f"{command}-{int(time.time() * 1000)}.log"
		with open(log, "w") as out:
			done = subprocess.run(
				[sys.executable, "-m", "tests.host", command, self.name],
				cwd=str(REPO),
				env=self.env(extra_apps),
				stdout=out,
				stderr=subprocess.STDOUT,
			)
		if done.returncode:
			raise RuntimeError(f"`tests.host {command}` failed; see {log}:\n{log.read_text()[-3000:]}")

	def connect(self) -> None:
		"""Connect this process to the site as Administrator (BASE_APPS only)."""
		os.environ.update(self.env())
		for path in (str(STATIC_APPS), str(self.apps_dir)):
			if path not in sys.path:
				sys.path.insert(0, path)
		bootstrap.connect()

	def probe(self, op: str, extra_apps=(), timeout: float = 900, **args) -> dict:
		"""Run `benchmarks.probes OP` in a fresh process of this site and return its JSON result."""
		log = self.log_dir / f"probe-{op}-{int(time.time() * 1000)}.log"
		done = subprocess.run(
			[sys.executable, "-m", "benchmarks.probes", op, json.dumps(args)],
			cwd=str(REPO),
			env=self.env(extra_apps),
			capture_output=True,
			text=True,
			timeout=timeout,
		)
		log.write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
		results = [line for line in done.stdout.splitlines() if line.startswith(PROBE_MARK)]
		if done.returncode or not results:
			raise RuntimeError(f"probe {op} failed ({done.returncode}); see {log}:\n{done.stderr[-3000:]}")
		return json.loads(results[-1][len(PROBE_MARK) :])

	def drop(self) -> None:
		if os.environ.get("FAC_BENCH_KEEP"):
			print(f"(kept site {self.name} and {self.work})")
			return
		from tests.host import site as host_site

		host_site.drop_site(self.name)
		shutil.rmtree(self.work, ignore_errors=True)


@contextlib.contextmanager
def bench_site(label: str) -> Iterator[BenchSite]:
	site = BenchSite(label)
	try:
		seconds = site.create()
	except Exception:
		from tests.host import site as host_site

		host_site.drop_site(site.name)  # the half-made database; the logs stay in site.work
		raise
	print(f"site {site.name} created in {seconds:.1f}s", flush=True)
	try:
		yield site
	finally:
		with contextlib.suppress(Exception):
			import frappe

			frappe.destroy()
		site.drop()


def free_port() -> int:
	import socket

	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


@dataclass
class MeasuredServer:
	url: str
	process: subprocess.Popen

	def worker_pids(self) -> list[int]:
		return worker_pids(self.process.pid)


@contextlib.contextmanager
def measured_server(
	env: dict[str, str], workers: int, log_path: Path, timeout: float = 120
) -> Iterator[MeasuredServer]:
	"""gunicorn with `workers` sync workers on a free loopback port, serving benchmarks.instrument.

	Stops the whole process group afterwards.
	"""
	port = free_port()
	argv = [
		sys.executable, "-m", "gunicorn",
		"--workers", str(workers),
		"--bind", f"127.0.0.1:{port}",
		"--no-control-socket",
		"--chdir", env["FAC_HOST_SITE_DIR"],
		"--pythonpath", str(REPO),
		# The baseline takes seconds per request at 1,000 tools: never let gunicorn kill it.
		"--timeout", "600",
		"benchmarks.instrument:application",
	]  # fmt: skip
	log = open(log_path, "w")
	process = subprocess.Popen(
		argv, cwd=str(REPO), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
	)
	url = f"http://127.0.0.1:{port}"
	try:
		deadline = time.monotonic() + timeout
		while True:
			if process.poll() is not None:
				raise RuntimeError(f"server exited with {process.returncode}; see {log_path}")
			with contextlib.suppress(OSError):
				with urllib.request.urlopen(url + "/api/method/ping", timeout=5) as reply:
					if reply.status == 200:
						break
			if time.monotonic() > deadline:
				raise TimeoutError(f"server did not answer within {timeout}s; see {log_path}")
			time.sleep(0.2)
		yield MeasuredServer(url, process)
	finally:
		with contextlib.suppress(ProcessLookupError):
			os.killpg(process.pid, 15)
		try:
			process.wait(timeout=20)
		except subprocess.TimeoutExpired:
			os.killpg(process.pid, 9)
			process.wait()
		log.close()


def clear_hooks_cache() -> None:
	"""Forget the cached merged hooks: the next process reads the apps' hooks.py files again."""
	import frappe

	frappe.cache.delete_value("app_hooks")
	if getattr(frappe, "client_cache", None) is not None:
		frappe.client_cache.delete_value("app_hooks")


def make_token_user(email: str, roles: list[str]) -> str:
	"""A committed System User with `roles` and fresh API credentials: `key:secret`."""
	from tests.support.site import api_credentials, make_user

	return api_credentials(make_user(email, roles))


def make_todo(user: str, description: str) -> str:
	"""A ToDo owned by `user`, committed; its name."""
	import frappe

	frappe.set_user(user)
	name = frappe.get_doc({"doctype": "ToDo", "description": description}).insert().name
	frappe.set_user("Administrator")
	frappe.db.commit()
	return name


def write_results(name: str, payload: dict) -> Path:
	RESULTS_DIR.mkdir(parents=True, exist_ok=True)
	path = RESULTS_DIR / f"{name}.json"
	payload = {"benchmark": name, "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **payload}
	path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
	return path


def machine() -> dict:
	import platform

	try:
		import psutil

		memory_gb = round(psutil.virtual_memory().total / 2**30, 1)
	except ImportError:
		memory_gb = None
	return {
		"cpus": os.cpu_count(),
		"memory_gb": memory_gb,
		"python": platform.python_version(),
		"platform": platform.platform(),
	}


def table(title: str, headers: list[str], rows: list[list]) -> str:
	"""A plain text table: a title line, a header, a rule, the rows."""
	cells = [[_cell(v) for v in row] for row in rows]
	widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
	lines = [title, "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
	lines.append("  ".join("-" * w for w in widths))
	for row in cells:
		lines.append(
			"  ".join(v.rjust(w) if _numeric(v) else v.ljust(w) for v, w in zip(row, widths, strict=True))
		)
	return "\n".join(lines)


def _cell(value) -> str:
	if isinstance(value, float):
		return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
	if isinstance(value, int) and not isinstance(value, bool):
		return f"{value:,}"
	return str(value)


def _numeric(text: str) -> bool:
	return text.replace(",", "").replace(".", "").replace("-", "").replace("x", "").isdigit()
