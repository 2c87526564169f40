"""execute_python_code in its sandbox: the issue's attacks reproduced, each shown to fail.

Every test runs real code through the tool as the worker (root on the test host, so the
privilege drop to a uid of the run's own is exercised) and asserts what actually happened outside the sandbox:
the worker's secrets absent from the output, no Redis key written, no process of the sandbox
left alive after the call, the answer's size.
"""

from __future__ import annotations

import json
import os
import time

import frappe
import pytest

from frappe_assistant_core.exceptions import ToolArgumentError, ToolDependencyError
from frappe_assistant_core.plugins.data_science import _sandbox
from frappe_assistant_core.plugins.data_science.plugin import DataSciencePlugin
from frappe_assistant_core.plugins.data_science.tools.execute_python_code import (
	MAX_OUTPUT_CHARS,
	MAX_RESULT_BYTES,
)
from tests.tools._fixtures import ANALYST, PROBE, ensure_probe, load_tool, probe_rows
from tests.tools._processes import alive, watched


@pytest.fixture(scope="module", autouse=True)
def probe():
	ensure_probe()


def run(code: str, **arguments) -> dict:
	return load_tool("data_science", "execute_python_code").run({"code": code, **arguments})


def _rows() -> list[str]:
	return probe_rows(
		{"region": "North", "amount": 10, "qty": 1},
		{"region": "North", "amount": 20, "qty": 2},
		{"region": "South", "amount": 30, "qty": 3},
	)


def run_watched(code: str, **arguments) -> tuple[dict, set[int]]:
	"""Run the tool, recording from a second thread every process it starts while it runs."""
	result, seen, raised = watched(lambda: run(code, **arguments))
	if raised:
		raise raised
	return result, set(seen)


# Working code and limits ----------------------------------------------------------------------
def test_python_code_sees_the_queried_records_and_returns_variables():
	"""data_query rows reach the child as `data` and `df`; stdout and return_variables come back."""
	_rows()
	result = load_tool("data_science", "execute_python_code").run(
		{
			"code": "total = sum(r['amount'] for r in data)\nmean = df['amount'].mean()\nprint('rows', len(data))",
			"data_query": {"doctype": PROBE, "fields": ["title", "amount"], "filters": {"region": "North"}},
			"return_variables": ["total", "mean", "df", "nothing"],
		}
	)
	assert result["status"] == "ok" and result["success"], result
	assert result["stdout"] == "rows 2\n"
	assert result["rows_passed"] == 2
	assert result["variables"]["total"] == 30
	assert result["variables"]["mean"] == 15
	assert sorted(r["amount"] for r in result["variables"]["df"]) == [10, 20]
	assert result["missing_variables"] == ["nothing"]


def test_python_code_is_stopped_at_the_wall_time_limit():
	"""A sleeping child is killed when `timeout` seconds have passed."""
	result = load_tool("data_science", "execute_python_code").run(
		{"code": "import time\ntime.sleep(60)", "timeout": 1}
	)
	assert result["status"] == "timeout" and not result["success"]
	assert result["execution_time"] < 10


def test_python_code_busy_loop_is_stopped_by_time_or_cpu_limit():
	"""A CPU-bound loop cannot outlive the limit."""
	result = load_tool("data_science", "execute_python_code").run(
		{"code": "while True:\n    pass", "timeout": 1}
	)
	assert result["status"] in ("timeout", "cpu_limit")
	assert result["execution_time"] < 10


def test_python_code_memory_limit_raises_memory_error_in_the_child():
	"""Allocating beyond memory_limit_mb fails inside the child, not in the worker."""
	result = load_tool("data_science", "execute_python_code").run(
		{"code": "print('before')\nblock = bytearray(900 * 1024 * 1024)", "memory_limit_mb": 256}
	)
	assert result["status"] == "error"
	assert result["error"]["type"] == "MemoryError"
	assert result["stdout"] == "before\n"


def test_python_code_error_reports_only_the_users_traceback():
	"""An exception in the code is the result: its type, message and the user's own lines."""
	result = load_tool("data_science", "execute_python_code").run({"code": "x = 1\nprint('half')\nx / 0"})
	assert result["status"] == "error"
	assert result["error"]["type"] == "ZeroDivisionError"
	assert 'File "<code>", line 3' in result["error"]["traceback"]
	assert "_sandbox_runner" not in result["error"]["traceback"]
	assert result["stdout"] == "half\n"


def test_python_code_output_is_truncated():
	"""stdout longer than the cap is cut and flagged."""
	result = load_tool("data_science", "execute_python_code").run({"code": "print('x' * 100000)"})
	assert result["truncated"]["stdout"] is True
	assert len(result["stdout"]) == MAX_OUTPUT_CHARS


def test_a_timeout_above_the_web_workers_own_is_kept_below_it(monkeypatch):
	"""timeout 300 with a 120 s worker ended in the worker's HTML 500; the tool now stays below it."""
	assert run("print(1)", timeout=300)["limits"]["timeout_seconds"] == 110  # bench's default 120 s
	monkeypatch.setitem(frappe.local.conf, "http_timeout", 20)
	result = run("import time\ntime.sleep(30)", timeout=300)
	assert result["limits"]["timeout_seconds"] == 10
	assert result["status"] == "timeout" and result["execution_time"] < 15


def test_python_code_is_for_system_managers_only():
	"""A user without System Manager gets PermissionError, even with read access to the data."""
	frappe.set_user(ANALYST)
	with pytest.raises(frappe.PermissionError):
		load_tool("data_science", "execute_python_code").run({"code": "print(1)"})


@pytest.mark.parametrize(
	("arguments", "field"),
	[
		({"code": ""}, "code"),
		({"code": "x", "timeout": 0}, "timeout"),
		({"code": "x", "return_variables": ["not valid"]}, "return_variables"),
		({"code": "x", "shell": True}, "shell"),
		({"code": "x", "data_query": {"doctype": PROBE, "limit": 0}}, "data_query.limit"),
	],
)
def test_python_code_bad_arguments_name_the_field(arguments, field):
	"""pydantic validation: ToolArgumentError whose errors name the field."""
	with pytest.raises(ToolArgumentError) as caught:
		load_tool("data_science", "execute_python_code").run(arguments)
	assert any(e["field"].startswith(field) for e in caught.value.errors), caught.value.errors


def test_python_code_unknown_query_field_is_refused_before_running():
	"""data_query fields are checked against the DocType's meta."""
	with pytest.raises(ToolArgumentError, match=r"data_query\.fields: FAC Analytics Probe has no field nope"):
		load_tool("data_science", "execute_python_code").run(
			{"code": "print(1)", "data_query": {"doctype": PROBE, "fields": ["nope"]}}
		)


# The attacks ---------------------------------------------------------------------------


def test_the_worker_environment_and_proc_are_invisible():
	"""/proc/<ppid>/environ of the worker is out of reach: the sandbox has its own /proc with its
	own processes only, and an environment of a few harmless variables."""
	worker = os.getpid()
	code = f"""
import os, json
seen = {{"env": dict(os.environ), "pids": sorted(p for p in os.listdir("/proc") if p.isdigit())}}
for pid in ("{worker}", str(os.getppid()), "1"):
    try:
        seen[pid] = open(f"/proc/{{pid}}/environ", "rb").read().decode("latin-1")
    except OSError as exc:
        seen[pid] = type(exc).__name__
print(json.dumps(seen))
"""
	result = run(code)
	assert result["status"] == "ok", result
	seen = json.loads(result["stdout"])
	assert set(seen["env"]) <= set(_sandbox.ENVIRONMENT) | set(_sandbox.INHERITED) | {"PWD"}
	assert seen[str(worker)] == "FileNotFoundError" or worker in (1, 2)
	# bwrap's own init: unreadable when the worker runs as root (the test host), and with an empty
	# environment when it runs as the bench's user (a real bench).
	assert seen["1"] == ("PermissionError" if os.geteuid() == 0 else ""), seen["1"][:200]
	assert len(seen["pids"]) <= 2  # bwrap's init and the code: nothing of the host
	secrets = [v for k, v in os.environ.items() if k in ("DB_PASSWORD", "SECRET_KEY", "FAC_ENCRYPTION_KEY")]
	# A real bench keeps them in site_config.json instead.
	secrets += [v for v in (frappe.conf.get("db_password"), frappe.conf.get("encryption_key")) if v]
	assert secrets, "the site's secrets were found neither in the environment nor in its config"
	for secret in secrets:
		assert secret not in result["stdout"]


def test_site_config_sites_folder_and_bench_are_not_visible():
	"""Neither the site's folder, its site_config.json, the sites folder nor the app's code exist
	inside the sandbox."""
	site_dir = os.path.realpath(frappe.get_site_path())
	paths = [
		site_dir,
		os.path.join(site_dir, "site_config.json"),
		os.path.dirname(site_dir),
		os.path.realpath(frappe.get_app_path("frappe_assistant_core")),
		"/run/mysqld",
		"/var/run",
		"/etc/passwd",
	]
	code = f"import os, json\nprint(json.dumps([os.path.exists(p) for p in {paths!r}]))"
	result = run(code)
	assert result["status"] == "ok", result
	assert json.loads(result["stdout"]) == [False] * len(paths)


@pytest.mark.parametrize("port", [3306, 6379])
def test_database_and_redis_cannot_be_reached(port):
	"""A TCP connection to MariaDB or Redis on 127.0.0.1 fails; the Redis key the code tries to set
	(the issue's role-cache attack) is not written."""
	import redis

	key = f"fac_sandbox_probe_{frappe.generate_hash(length=12)}"
	code = f"""
import socket
try:
    s = socket.create_connection(("127.0.0.1", {port}), timeout=2)
    s.sendall(b"SET {key} 1\\r\\n")
    print("connected", s.recv(100))
except OSError as exc:
    print("refused", type(exc).__name__)
"""
	result = run(code)
	assert result["status"] == "ok", result
	assert result["stdout"].startswith("refused PermissionError"), result["stdout"]
	assert redis.Redis.from_url(frappe.conf.redis_cache or "redis://127.0.0.1:6379").exists(key) == 0


def test_no_network_and_no_unix_sockets():
	"""No route anywhere (own network namespace) and no socket at all (seccomp)."""
	code = """
import socket
for family, address in ((socket.AF_INET, ("1.1.1.1", 53)), (socket.AF_UNIX, "/run/mysqld/mysqld.sock")):
    try:
        socket.socket(family).connect(address)
        print("reached")
    except OSError as exc:
        print(type(exc).__name__)
"""
	result = run(code)
	assert result["stdout"].split() == ["PermissionError", "PermissionError"], result


def test_a_setsid_grandchild_cannot_be_started_and_nothing_outlives_the_call():
	"""The issue's escape: a setsid process meant to outlive `timeout`. No process can be started,
	and every process the call ran (bwrap, its init, the code) is gone when it returns."""
	code = """
import subprocess, os, threading, time
try:
    subprocess.Popen(["setsid", "sh", "-c", "sleep 30"], start_new_session=True)
    print("started")
except OSError as exc:
    print("refused", type(exc).__name__)
threading.Thread(target=time.sleep, args=(60,)).start()  # keeps the process alive past the limit
"""
	result, seen = run_watched(code, timeout=2)
	assert result["stdout"] == "refused PermissionError\n"
	assert result["status"] == "timeout"
	assert seen, "the sandbox's processes were observed while it ran"
	time.sleep(0.2)
	assert [pid for pid in seen if alive(pid)] == []


def test_forked_children_and_a_fork_bomb_are_refused():
	"""fork, multiprocessing and the raw clone syscall all fail: the memory limit of the one process
	is the memory limit of the whole tree."""
	code = """
import ctypes, os, multiprocessing
outcomes = []
for attempt in range(4):
    try:
        os.fork()
        outcomes.append("forked")
    except OSError as exc:
        outcomes.append(type(exc).__name__)
try:
    multiprocessing.Pool(4)
    outcomes.append("pool")
except OSError as exc:
    outcomes.append(type(exc).__name__)
libc = ctypes.CDLL(None, use_errno=True)
outcomes.append(libc.syscall(56, 17, 0, 0, 0, 0))  # clone(SIGCHLD): a plain fork
while True:  # the fork bomb ends at its first fork
    os.fork()
"""
	result = run(code, timeout=10)
	assert result["status"] == "error" and result["error"]["type"] == "PermissionError", result
	assert result["execution_time"] < 8


def test_memory_of_threads_is_bounded_by_the_limit():
	"""Four workers each asking for 300 MB under a 512 MiB limit: MemoryError, not 1.2 GB."""
	code = """
import threading
blocks, errors = [], []
def grab():
    try:
        blocks.append(bytearray(300 * 1024 * 1024))
    except MemoryError:
        errors.append("MemoryError")
workers = [threading.Thread(target=grab) for _ in range(4)]
for w in workers: w.start()
for w in workers: w.join()
print(len(blocks), len(errors))
"""
	result = run(code, memory_limit_mb=512)
	assert result["status"] == "ok", result
	kept, failed = map(int, result["stdout"].split())
	assert kept <= 1 and kept + failed == 4


def test_threads_are_capped():
	"""RLIMIT_NPROC applies (the code runs as a uid of its own, not root): a thread bomb stops early."""
	code = """
import threading, time
started = 0
try:
    for _ in range(1000):
        threading.Thread(target=time.sleep, args=(3,), daemon=True).start()
        started += 1
except RuntimeError:
    pass
print(started)
"""
	result = run(code)
	assert result["status"] == "ok", result
	assert int(result["stdout"]) < _sandbox.MAX_THREADS


def test_a_forged_result_is_capped_and_rechecked():
	"""The code writes 15 MB into every pipe it holds (the issue's forged result): the answer stays
	small, and a smaller forged answer keeps only the variables asked for."""
	forge_big = """
import os
for fd in os.listdir("/proc/self/fd"):
    if int(fd) > 2:
        try:
            os.write(int(fd), b"{" + b"x" * (15 * 1024 * 1024))
        except OSError:
            pass
os._exit(0)
"""
	big = run(forge_big, return_variables=["x"])
	assert big["status"] == "too_large" and big["variables"] == {}
	assert len(json.dumps(big)) < 10_000
	forge_small = """
import os, json
answer = json.dumps({"error": None, "variables": {"x": 1, "secret": "s" * 100000}, "missing": []})
for fd in os.listdir("/proc/self/fd"):
    if int(fd) > 2:
        try:
            os.write(int(fd), answer.encode())
        except OSError:
            pass
os._exit(0)
"""
	small = run(forge_small, return_variables=["x"])
	assert small["variables"] == {"x": 1}
	assert "secret" not in json.dumps(small)
	assert MAX_RESULT_BYTES < 15 * 1024 * 1024


def test_the_system_is_read_only_and_scratch_space_is_bounded():
	"""Only /tmp is writable, a private tmpfs of limited size that disappears with the call."""
	code = """
import os
for path in ("/usr/evil", "/evil", "/dev/evil"):
    try:
        open(path, "w")
        print("wrote", path)
    except OSError as exc:
        print(exc.errno)
written = 0
try:
    for i in range(100):
        with open(f"/tmp/f{i}", "wb") as out:
            out.write(b"x" * (8 * 1024 * 1024))
        written += 8
except OSError:
    pass
print(written)
"""
	result = run(code)
	lines = result["stdout"].split()
	assert lines[:3] == ["30", "30", "30"], result  # EROFS
	assert int(lines[3]) <= _sandbox.SCRATCH_BYTES // (1024 * 1024)


def test_without_the_sandbox_the_tool_and_the_plugin_are_unavailable(monkeypatch):
	"""bwrap missing, or a sandbox that does not start: the plugin cannot be enabled (the reason is
	what the admin page shows) and the tool refuses to run. There is no unconfined fallback."""
	monkeypatch.setattr(_sandbox, "_PROBE", None)
	monkeypatch.setattr(_sandbox, "_bwrap", lambda: None)
	ok, reason = DataSciencePlugin().validate_environment()
	assert not ok and "bubblewrap" in reason
	with pytest.raises(ToolDependencyError, match="bubblewrap"):
		run("print(1)")
	monkeypatch.setattr(_sandbox, "_PROBE", None)
	monkeypatch.setattr(_sandbox, "_bwrap", lambda: "/bin/false")
	assert "does not start" in _sandbox.problem()
	monkeypatch.setattr(_sandbox, "_PROBE", None)
