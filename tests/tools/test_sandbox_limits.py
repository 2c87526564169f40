"""The sandbox's resource limits, one resource a test, each tried past its limit by real code.

Heap, threads, /tmp, output bytes and wall-clock time are tried in test_python_sandbox.py; here
memory that lives outside the address space (the audit held 960 MiB in memfds under a 128 MiB
limit; SysV and POSIX shared memory, message queues, semaphores) and CPU time on its own. Code runs
through execute_python_code as the worker would run it (root on the test host, so the drop to a
uid of the run's own is exercised), or through the sandbox itself where a limit must differ from the tool's.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from frappe_assistant_core.plugins.data_science import _file_extraction, _sandbox
from tests.tools._fixtures import ensure_probe, load_tool

MIB = 1024 * 1024


@pytest.fixture(scope="module", autouse=True)
def probe():
	ensure_probe()


def run(code: str, **arguments) -> dict:
	result = load_tool("data_science", "execute_python_code").run({"code": code, **arguments})
	assert result["status"] == "ok", result
	return json.loads(result["stdout"])


def test_memfds_cannot_hold_memory_beyond_the_limit():
	"""The audit's attack: 16 MiB memfds (RLIMIT_FSIZE's size), written then unmapped, held 960 MiB
	under a 128 MiB limit, since such memory is in no address space. memfd_create is refused."""
	code = """
import json, mmap, os
held, error = 0, None
try:
    for _ in range(60):
        fd = os.memfd_create("fac")
        os.ftruncate(fd, 16 * 1024 * 1024)
        with mmap.mmap(fd, 16 * 1024 * 1024) as block:
            block.write(b"x" * (16 * 1024 * 1024))
        held += 16
except OSError as exc:
    error = exc.errno
print(json.dumps({"held_mib": held, "errno": error}))
"""
	seen = run(code, memory_limit_mb=128)
	assert seen["held_mib"] <= 128 and seen["errno"] is not None, seen


def test_sysv_shared_memory_message_queues_and_semaphores_are_refused():
	"""A SysV segment, queue or semaphore set outlives every mapping and is counted by no rlimit; in
	its own IPC namespace the sandbox could still fill one up to the kernel's defaults."""
	code = """
import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
outcome = {}
for name, call in (
    ("shmget", lambda: libc.shmget(0, 512 * 1024 * 1024, IPC_CREAT | 0o600)),
    ("msgget", lambda: libc.msgget(0, IPC_CREAT | 0o600)),
    ("semget", lambda: libc.semget(0, 32000, IPC_CREAT | 0o600)),
    ("mq_open", lambda: libc.mq_open(b"/fac", 0o100 | 2, 0o600, None)),
):
    ctypes.set_errno(0)
    outcome[name] = [call(), ctypes.get_errno()]
print(json.dumps(outcome))
"""
	seen = run(code)
	assert seen == {name: [-1, 1] for name in ("shmget", "msgget", "semget", "mq_open")}, seen  # EPERM


def test_posix_shared_memory_and_dev_shm_cannot_be_written():
	"""shm_open creates files in /dev/shm, which is read-only in the sandbox (only /tmp is
	writable, a tmpfs of bounded size)."""
	code = """
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
outcome = {}
try:
    open("/dev/shm/fac", "wb").write(b"x" * 1024 * 1024)
    outcome["dev_shm"] = "written"
except OSError as exc:
    outcome["dev_shm"] = exc.errno
ctypes.set_errno(0)
fd = libc.shm_open(b"/fac", os.O_CREAT | os.O_RDWR, 0o600)
outcome["shm_open"] = [fd, ctypes.get_errno()]
print(json.dumps(outcome))
"""
	seen = run(code)
	assert seen == {"dev_shm": 30, "shm_open": [-1, 30]}, seen  # EROFS


def test_cpu_time_is_limited_apart_from_wall_time():
	"""CPU-bound code on a 1 s CPU limit and a 30 s wall-clock limit is killed by the kernel at
	about 1 s of CPU, long before the parent's wall-clock kill."""
	limits = _sandbox.Limits(
		wall_seconds=30, cpu_seconds=1, memory_bytes=512 * MIB, max_output_bytes=4096, max_result_bytes=4096
	)
	payload = json.dumps({"code": "while True:\n    pass", "data": [], "return_variables": []}).encode()
	outcome = _sandbox.run(payload, limits)
	assert not outcome.timed_out
	assert outcome.returncode in (
		-signal.SIGXCPU,
		-signal.SIGKILL,
		128 + signal.SIGXCPU,
		128 + signal.SIGKILL,
	), outcome.returncode
	assert outcome.elapsed < 15, outcome.elapsed


def test_a_parse_has_no_scratch_space_at_all():
	"""A tmpfs bounds the bytes of its files, not their number, and every file costs kernel memory no
	limit counts (350,000 empty files in 8 s took 350 MB here). File parsing gets no writable /tmp:
	nothing there can be created."""
	code = """
import json, os
outcome = []
for path in ("/tmp/fac", "/fac-root", "/dev/shm/fac"):
    try:
        open(path, "w").close()
        outcome.append("created")
    except OSError as exc:
        outcome.append(exc.errno)
print(json.dumps(outcome))
"""
	limits = _sandbox.Limits(
		wall_seconds=10,
		cpu_seconds=10,
		memory_bytes=512 * MIB,
		max_output_bytes=4096,
		max_result_bytes=4096,
		scratch_bytes=0,
	)
	assert _file_extraction._limits(10, 4096).scratch_bytes == 0  # what the parsers run with
	payload = json.dumps({"code": code, "data": [], "return_variables": []}).encode()
	outcome = _sandbox.run(payload, limits)
	assert json.loads(outcome.stdout) == [30, 30, 30], outcome  # EROFS everywhere


def test_scratch_space_is_bounded_in_files_not_only_in_bytes():
	"""A tmpfs bounds the bytes of its files, not their number, and every file costs kernel memory
	no limit counts: empty files in /tmp took 400 MB of it in 10 s here (403,000 files). The
	sandbox is stopped once /tmp holds more than MAX_SCRATCH_FILES files and folders."""
	code = """
import os
made = 0
try:
    while made < 300_000:
        if made % 1000 == 0:
            os.mkdir(f"/tmp/d{made}")
        os.close(os.open(f"/tmp/d{made - made % 1000}/{made}", os.O_CREAT | os.O_WRONLY))
        made += 1
        if made % 1000 == 0:
            print(made, flush=True)
except OSError as exc:
    print("refused", exc.errno, flush=True)
"""
	result = load_tool("data_science", "execute_python_code").run({"code": code, "timeout": 60})
	assert result["status"] == "too_large", result
	assert "/tmp" in result["error"]["message"], result
	made = int(result["stdout"].split()[-1])
	assert made < _sandbox.MAX_SCRATCH_FILES * 3, made


def _threads_of_a_sandbox_reach(count: int, within: float = 30.0) -> bool:
	"""Whether some sandboxed runner (seen from outside, in /proc) has `count` threads, waiting."""
	stop = time.monotonic() + within
	while time.monotonic() < stop:
		for entry in os.scandir("/proc"):
			try:
				with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
					if _sandbox.RUNNER_IN_SANDBOX.encode() not in cmdline.read():
						continue
				with open(f"/proc/{entry.name}/status") as status:
					threads = next(line for line in status if line.startswith("Threads:"))
			except (OSError, StopIteration):
				continue
			if int(threads.split()[1]) >= count:
				return True
		time.sleep(0.05)
	return False


@pytest.mark.skipif(os.geteuid() != 0, reason="unprivileged, every sandbox is the worker's own user")
def test_one_sandboxs_threads_do_not_use_up_another_sandboxs():
	"""The kernel counts RLIMIT_NPROC per uid: when every sandbox ran as nobody, one caller holding
	31 threads left no thread (nor OCR's exec) to anyone else's run at the same time."""
	hog = """
import threading, time
threading.stack_size(65536)
started = 0
try:
    for _ in range(_sandbox_threads):
        threading.Thread(target=time.sleep, args=(20,), daemon=True).start()
        started += 1
except RuntimeError:
    pass
print(started, flush=True)
time.sleep(20)
""".replace("_sandbox_threads", str(_sandbox.MAX_THREADS - 1))
	other = "import threading\nt = threading.Thread(target=print, args=('ran',))\nt.start()\nt.join()"
	limits = _sandbox.Limits(25, 25, 512 * MIB, 4096, 4096, 100)
	held = {}

	def hold():
		held["outcome"] = _sandbox.run(_payload(hog), limits)

	holder = threading.Thread(target=hold)
	holder.start()
	try:
		assert _threads_of_a_sandbox_reach(_sandbox.MAX_THREADS - 1)
		outcome = _sandbox.run(_payload(other), _sandbox.Limits(10, 10, 512 * MIB, 4096, 4096, 100))
	finally:
		holder.join()
	assert outcome.stdout == b"ran\n", outcome
	assert json.loads(outcome.result)["error"] is None, outcome.result


def _payload(code: str) -> bytes:
	return json.dumps({"code": code, "data": [], "return_variables": []}).encode()
