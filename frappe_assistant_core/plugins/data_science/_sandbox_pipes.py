"""Talking to a sandboxed process (see _sandbox.py): feed its stdin, drain its pipes, end it.

One loop does everything until the pipes close or the deadline passes: stdin is fed from bytes or
streamed from an open file (extract_file_content's file goes in this way, never as a path), and
stdout, stderr and the result pipe are read without ever blocking, keeping at most each one's cap
(the rest is read and dropped, so the process never stalls on a full pipe). `kill` ends the whole
process group.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from typing import BinaryIO

CHUNK = 65536


class _Input:
	"""What goes to stdin: bytes, or a binary file read chunk by chunk as the pipe takes it."""

	def __init__(self, payload: bytes | BinaryIO):
		self.source = None if isinstance(payload, bytes | bytearray) else payload
		self.pending = memoryview(b"" if self.source else payload)

	def next_chunk(self) -> memoryview:
		if not self.pending and self.source is not None:
			self.pending = memoryview(self.source.read(CHUNK))
		return self.pending[:CHUNK]

	def sent(self, count: int) -> None:
		self.pending = self.pending[count:]


def exchange(
	process,
	result_fd: int,
	payload: bytes | BinaryIO,
	caps: dict[str, int],
	deadline: float,
	watch: Callable[[], bool] | None = None,
	interval: float = 1.0,
):
	"""(returncode or None when the deadline passed first, {stream: bytes kept}, {streams over cap}).
	`watch()`, asked every `interval` seconds at most, stops the process when it says True, and
	"watch" is then among the streams over their cap."""
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
	data = _Input(payload)
	timed_out = False
	try:
		while selector.get_map():
			remaining = deadline - time.monotonic()
			if remaining <= 0:
				timed_out = True
				break
			if watch is not None and watch():
				overflow.add("watch")
				with contextlib.suppress(ProcessLookupError, PermissionError):
					os.killpg(process.pid, signal.SIGKILL)
				break
			for key, _events in selector.select(min(remaining, interval)):
				if key.data == "stdin":
					_feed(selector, process, data)
					continue
				try:
					chunk = os.read(key.fd, CHUNK)
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
	return (None if timed_out else process.returncode), {k: bytes(v) for k, v in kept.items()}, overflow


def _feed(selector, process, data: _Input) -> None:
	chunk = data.next_chunk()
	try:
		written = os.write(process.stdin.fileno(), chunk) if chunk else 0
	except BlockingIOError:
		return
	except BrokenPipeError:  # the process ended without reading all its input
		written, data.source, data.pending = len(chunk), None, memoryview(b"")
	data.sent(written)
	if not data.next_chunk():
		selector.unregister(process.stdin.fileno())
		process.stdin.close()


def kill(process) -> None:
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
