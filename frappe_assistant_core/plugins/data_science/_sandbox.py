"""The OS-level sandbox execute_python_code runs in: bubblewrap, a seccomp filter and resource limits.

`run(payload, limits)` starts `bwrap` with its own PID, network, IPC and UTS namespaces and a new
root that holds only the read-only Python runtime, its library folders, /usr, a fresh /proc of the
sandbox's own PID namespace, a minimal /dev, and a size-limited tmpfs as scratch dir: no sites/, no
bench, no /run or database and Redis sockets, no environment variables but a few harmless ones.
_sandbox_runner.py then limits itself and, when the worker runs as root, drops to nobody (65534),
since the kernel enforces RLIMIT_NPROC for no process of uid 0. The filter from _seccomp.py forbids
new processes, so the address-space limit bounds the memory of the whole tree. Data goes in on
stdin; stdout, stderr and the result come back on pipes read with byte caps; at the wall-clock
limit the whole sandbox is killed (its PID namespace dies with bwrap). `problem()` says why the
sandbox cannot start here, if it cannot: then the tool is unavailable, never run without it.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

from frappe_assistant_core.plugins.data_science import _seccomp

RUNNER = Path(__file__).resolve().parent / "_sandbox_runner.py"
RUNNER_IN_SANDBOX = "/fac/runner.py"
NOBODY = 65534
SCRATCH_BYTES = 64 * 1024 * 1024
FILE_BYTES = 16 * 1024 * 1024
MAX_THREADS = 32
OPEN_FILES = 256
STARTUP_GRACE_SECONDS = 2
# Non-secret variables the child may have: locale, and one thread per numeric library (every
# thread's stack counts against the address-space limit).
ENVIRONMENT = {
	"PATH": "/usr/bin:/bin",
	"HOME": "/tmp",
	"TMPDIR": "/tmp",
	"LANG": "C.UTF-8",
	"OPENBLAS_NUM_THREADS": "1",
	"OMP_NUM_THREADS": "1",
	"MKL_NUM_THREADS": "1",
}
INHERITED = ("TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass
class Limits:
	wall_seconds: int
	cpu_seconds: int
	memory_bytes: int
	max_output_bytes: int
	max_result_bytes: int
	max_variable_chars: int


@dataclass
class Outcome:
	returncode: int | None
	timed_out: bool
	stdout: bytes
	stderr: bytes
	result: bytes
	#: Which of stdout, stderr, result went over their byte cap.
	overflow: set[str]
	elapsed: float


_PROBE: tuple[float, str | None] | None = None
PROBE_RETRY_SECONDS = 60


def problem() -> str | None:
	"""Why the sandbox cannot run on this server (None when a trial run succeeded); cached."""
	global _PROBE
	if _PROBE and (_PROBE[1] is None or time.monotonic() - _PROBE[0] < PROBE_RETRY_SECONDS):
		return _PROBE[1]
	_PROBE = (time.monotonic(), _probe())
	return _PROBE[1]


def _probe() -> str | None:
	if not _bwrap():
		return "the bubblewrap program (bwrap) is not installed; install the Debian/Ubuntu package bubblewrap"
	try:
		_seccomp.filter_program()
	except Exception as exc:  # ImportError, OSError of ctypes, libseccomp errors
		return f"seccomp filters cannot be built ({type(exc).__name__}: {exc}); install pyseccomp and libseccomp2"
	limits = Limits(10, 10, 512 * 1024 * 1024, 4096, 4096, 100)
	payload = json.dumps({"code": "", "data": [], "return_variables": []}).encode()
	outcome = run(payload, limits)
	if outcome.returncode == 0 and outcome.result.startswith(b"{"):
		return None
	detail = outcome.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [str(outcome.returncode)]
	return f"the sandbox does not start on this server (user namespaces off?): {detail[0][:300]}"


def _bwrap() -> str | None:
	return shutil.which("bwrap", path=os.pathsep.join((os.environ.get("PATH", ""), "/usr/bin", "/bin")))


def run(payload: bytes, limits: Limits) -> Outcome:
	"""Run the runner in the sandbox with `payload` on stdin; everything it sends back, capped."""
	program_read, program_write = os.pipe()
	result_read, result_write = os.pipe()
	os.write(program_write, _seccomp.filter_program())
	os.close(program_write)
	started = time.monotonic()
	try:
		process = subprocess.Popen(
			_command(program_read, result_write, limits),
			stdin=subprocess.PIPE,
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			pass_fds=(program_read, result_write),
			env={},
			start_new_session=True,  # one process group: the kill below reaches bwrap and all it runs
		)
	finally:
		os.close(program_read)
		os.close(result_write)
	try:
		deadline = started + limits.wall_seconds + STARTUP_GRACE_SECONDS
		outcome = _exchange(process, result_read, payload, limits, deadline)
	finally:
		_kill(process)
		os.close(result_read)
	outcome.elapsed = round(time.monotonic() - started, 3)
	return outcome


def _command(program_fd: int, result_fd: int, limits: Limits) -> list[str]:
	runtime, packages = _library_paths()
	as_root = os.getuid() == 0
	# As root, bwrap needs no user namespace and the runner drops to nobody itself (with the two
	# capabilities it keeps for that, and loses with the uid). Unprivileged, bwrap makes a user
	# namespace, and further namespaces inside it are refused.
	identity = (
		["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
		if as_root
		else ["--unshare-user", "--disable-userns"]
	)
	command = [_bwrap(), *identity, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
	command += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
	command += ["--ro-bind", "/usr", "/usr"]
	for name in ("bin", "lib", "lib32", "lib64", "sbin"):
		top = Path("/", name)
		if top.is_symlink():
			command += ["--symlink", os.readlink(top), str(top)]
		elif top.is_dir():
			command += ["--ro-bind", str(top), str(top)]
	# The scratch tmpfs goes first: a Python installation under /tmp (a checkout there) is then bound
	# on top of it, instead of being hidden by a tmpfs mounted over it afterwards.
	command += ["--size", str(SCRATCH_BYTES), "--perms", "1777", "--tmpfs", "/tmp"]
	mounted = {"/usr", "/"}
	for path in (*runtime, *packages):
		if any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounted if m != "/"):
			continue
		for parent in reversed(Path(path).parents):
			if str(parent) not in mounted:
				mounted.add(str(parent))
				command += ["--perms", "0755", "--dir", str(parent)]
		command += ["--ro-bind", path, path]
		mounted.add(path)
	command += ["--perms", "0755", "--dir", "/fac", "--ro-bind", str(RUNNER), RUNNER_IN_SANDBOX]
	command += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
	command += ["--remount-ro", "/"]
	for name, value in _environment().items():
		command += ["--setenv", name, value]
	command += ["--chdir", "/tmp", "--seccomp", str(program_fd)]
	settings = {
		"cpu_seconds": limits.cpu_seconds,
		"memory_bytes": limits.memory_bytes,
		"file_bytes": FILE_BYTES,
		"processes": MAX_THREADS,
		"open_files": OPEN_FILES,
		"uid": NOBODY,
		"gid": NOBODY,
		"paths": packages,
		"result_fd": result_fd,
		"max_variable_chars": limits.max_variable_chars,
	}
	return [*command, "--", _interpreter(), "-I", "-S", RUNNER_IN_SANDBOX, json.dumps(settings)]


def _interpreter() -> str:
	return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def _library_paths() -> tuple[list[str], list[str]]:
	"""(the Python installation and its standard library, the folders of installed packages)."""
	paths = sysconfig.get_paths()
	runtime = list(dict.fromkeys(os.path.realpath(p) for p in (sys.base_prefix, paths["stdlib"])))
	packages = [
		path
		for path in dict.fromkeys(os.path.realpath(paths[key]) for key in ("purelib", "platlib"))
		if os.path.isdir(path)
	]
	return runtime, packages


def _environment() -> dict[str, str]:
	return {**ENVIRONMENT, **{k: os.environ[k] for k in INHERITED if k in os.environ}}


def _exchange(process, result_fd: int, payload: bytes, limits: Limits, deadline: float) -> Outcome:
	"""Feed stdin and drain the three pipes until they close or the deadline passes; keep at most
	the cap of each (the rest is read and dropped, so the code never blocks on a full pipe)."""
	caps = {
		"stdout": limits.max_output_bytes,
		"stderr": limits.max_output_bytes,
		"result": limits.max_result_bytes,
	}
	kept = {name: bytearray() for name in caps}
	overflow: set[str] = set()
	selector = selectors.DefaultSelector()
	for name, stream in (("stdout", process.stdout), ("stderr", process.stderr)):
		os.set_blocking(stream.fileno(), False)
		selector.register(stream.fileno(), selectors.EVENT_READ, name)
	os.set_blocking(result_fd, False)
	selector.register(result_fd, selectors.EVENT_READ, "result")
	stdin = process.stdin.fileno()
	os.set_blocking(stdin, False)
	selector.register(stdin, selectors.EVENT_WRITE, "stdin")
	pending = memoryview(payload)
	timed_out = False
	try:
		while selector.get_map():
			remaining = deadline - time.monotonic()
			if remaining <= 0:
				timed_out = True
				break
			for key, _events in selector.select(min(remaining, 1.0)):
				if key.data == "stdin":
					pending = _feed(selector, process, pending)
					continue
				try:
					chunk = os.read(key.fd, 65536)
				except BlockingIOError:
					continue
				if not chunk:
					selector.unregister(key.fd)
					continue
				room = caps[key.data] - len(kept[key.data])
				kept[key.data] += chunk[: max(room, 0)]
				if len(chunk) > room:
					overflow.add(key.data)
	finally:
		selector.close()
	if not timed_out:
		try:
			process.wait(timeout=max(deadline - time.monotonic(), 0.1))
		except subprocess.TimeoutExpired:
			timed_out = True
	return Outcome(
		None if timed_out else process.returncode,
		timed_out,
		bytes(kept["stdout"]),
		bytes(kept["stderr"]),
		bytes(kept["result"]),
		overflow,
		0.0,
	)


def _feed(selector, process, pending: memoryview) -> memoryview:
	try:
		written = os.write(process.stdin.fileno(), pending[:65536])
	except BlockingIOError:
		return pending
	except BrokenPipeError:  # the code ended without reading all its data
		written = len(pending)
	pending = pending[written:]
	if not pending:
		selector.unregister(process.stdin.fileno())
		process.stdin.close()
	return pending


def _kill(process) -> None:
	"""SIGKILL the process group (bwrap); --die-with-parent and the PID namespace take the rest."""
	try:
		os.killpg(process.pid, signal.SIGKILL)
	except (ProcessLookupError, PermissionError):
		pass
	process.wait()
	for stream in (process.stdin, process.stdout, process.stderr):
		try:
			stream.close()
		except OSError:
			pass
