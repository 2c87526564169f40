"""The OS sandbox of execute_python_code and of extract_file_content's parsers: bubblewrap, a
seccomp filter and resource limits.

`run(payload, limits, job)` starts `bwrap` with its own PID, network, IPC and UTS namespaces and a
new root that holds only the read-only Python runtime, its library folders, /usr, a fresh /proc of
the sandbox's own PID namespace, a read-only minimal /dev, and at /tmp a tmpfs limited in size and
in files (_sandbox_scratch.py) for code, or nothing writable for parsers: no sites/, no bench, no
/run or database and Redis sockets, no environment variables but a few harmless ones.
_sandbox_runner.py then limits itself and, when the worker runs as root, drops to a uid of the run's
own (no process of uid 0 is held to RLIMIT_NPROC, and one shared uid would share that limit among
all runs). The filter from _seccomp.py forbids new processes and memory outside the address space
(memfds, SysV and POSIX shared memory and queues), so the address-space limit bounds the memory of
the whole tree. Data goes in on stdin (a file as a stream, never as a path); stdout, stderr and the
result come back on pipes read with byte caps (_sandbox_pipes.py); at the wall-clock limit the whole
sandbox is killed (its PID namespace dies with bwrap). `problem()` says why the sandbox cannot start
here, if it cannot: then the tools are unavailable, never run without it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from frappe_assistant_core.plugins.data_science import _sandbox_pipes, _sandbox_scratch, _seccomp

RUNNER = Path(__file__).resolve().parent / "_sandbox_runner.py"
RUNNER_IN_SANDBOX = "/fac/runner.py"
EXTRACTORS = Path(__file__).resolve().parent / "_extractors.py"
EXTRACTORS_FOLDER = "/fac/lib"  # the runner's EXTRACTORS_FOLDER
# As root, the runner drops to a uid (and gid) of the run's own, in [SANDBOX_IDS, SANDBOX_IDS +
# SANDBOX_ID_SPAN): no file or process has it, and RLIMIT_NPROC, which the kernel counts per uid, is
# that run's alone (when every run was nobody, one run's threads left none to the others).
SANDBOX_IDS = 1 << 30
SANDBOX_ID_SPAN = 1 << 30
SCRATCH_BYTES = 64 * 1024 * 1024
FILE_BYTES = 16 * 1024 * 1024
MAX_THREADS = 32
OPEN_FILES = 256
STARTUP_GRACE_SECONDS = 2
MAX_SCRATCH_FILES = _sandbox_scratch.MAX_SCRATCH_FILES
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
	max_variable_chars: int = 0
	#: Size of the writable tmpfs at /tmp; 0: none. A tmpfs bounds the bytes of its files, not how
	#: many there are (each costs kernel memory outside every limit here): _sandbox_scratch.py
	#: stops the sandbox past MAX_SCRATCH_FILES of them.
	scratch_bytes: int = SCRATCH_BYTES


@dataclass
class Outcome:
	returncode: int | None
	timed_out: bool
	stdout: bytes
	stderr: bytes
	result: bytes
	#: Which of stdout, stderr, result went over their byte cap; "scratch": /tmp held more than
	#: MAX_SCRATCH_FILES files and the sandbox was stopped.
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
	if "scratch" in outcome.overflow:
		return "the sandbox's /tmp cannot be looked at through /proc, so its number of files has no bound"
	if outcome.returncode == 0 and outcome.result.startswith(b"{"):
		return None
	detail = outcome.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [str(outcome.returncode)]
	return f"the sandbox does not start on this server (user namespaces off?): {detail[0][:300]}"


def _bwrap() -> str | None:
	return shutil.which("bwrap", path=os.pathsep.join((os.environ.get("PATH", ""), "/usr/bin", "/bin")))


def run(
	payload: bytes | BinaryIO, limits: Limits, job: str = "python", options: dict | None = None
) -> Outcome:
	"""Run `job` of the runner in the sandbox with `payload` (bytes, or an open file streamed) on
	stdin; everything it sends back, capped."""
	program_read, program_write = os.pipe()
	result_read, result_write = os.pipe()
	os.write(program_write, _seccomp.filter_program())
	os.close(program_write)
	started = time.monotonic()
	try:
		process = subprocess.Popen(
			_command(program_read, result_write, limits, job, options or {}),
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
	caps = {
		"stdout": limits.max_output_bytes,
		"stderr": limits.max_output_bytes,
		"result": limits.max_result_bytes,
	}
	watch = _sandbox_scratch.ScratchWatch(process.pid) if limits.scratch_bytes else None
	try:
		deadline = started + limits.wall_seconds + STARTUP_GRACE_SECONDS
		returncode, kept, overflow = _sandbox_pipes.exchange(
			process,
			result_read,
			payload,
			caps,
			deadline,
			watch=watch.exceeded if watch else None,
			interval=_sandbox_scratch.INTERVAL if watch else 1.0,
		)
	finally:
		_sandbox_pipes.kill(process)
		os.close(result_read)
	if "watch" in overflow:  # the scratch /tmp held too many files: the sandbox was killed
		overflow = (overflow - {"watch"}) | {"scratch"}
	elapsed = round(time.monotonic() - started, 3)
	return Outcome(
		returncode, returncode is None, kept["stdout"], kept["stderr"], kept["result"], overflow, elapsed
	)


def _command(program_fd: int, result_fd: int, limits: Limits, job: str, options: dict) -> list[str]:
	runtime, packages = _library_paths()
	as_root = os.getuid() == 0
	# As root, bwrap needs no user namespace and the runner drops to its own uid itself (with the two
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
	# on top of it, instead of being hidden by a tmpfs mounted over it afterwards. Without scratch,
	# /tmp is an empty folder of the read-only root.
	if limits.scratch_bytes:
		command += ["--size", str(limits.scratch_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
	else:
		command += ["--perms", "0755", "--dir", "/tmp"]
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
	if job == "extract":  # the parsers, alone in a folder the runner puts on sys.path
		command += ["--perms", "0755", "--dir", EXTRACTORS_FOLDER]
		command += ["--ro-bind", str(EXTRACTORS), f"{EXTRACTORS_FOLDER}/_extractors.py"]
	command += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
	command += ["--remount-ro", "/"]
	for name, value in _environment().items():
		command += ["--setenv", name, value]
	command += ["--chdir", "/tmp", "--seccomp", str(program_fd)]
	identity_id = SANDBOX_IDS + secrets.randbelow(SANDBOX_ID_SPAN)
	settings = {
		"cpu_seconds": limits.cpu_seconds,
		"memory_bytes": limits.memory_bytes,
		"file_bytes": FILE_BYTES,
		"processes": MAX_THREADS,
		"open_files": OPEN_FILES,
		"uid": identity_id,
		"gid": identity_id,
		"paths": packages,
		"result_fd": result_fd,
		"max_variable_chars": limits.max_variable_chars,
		"job": job,
		"options": options,
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
