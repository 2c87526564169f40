"""Watching the processes a tool call starts: which ran (and what), and whether any outlived it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def descendants(pid: int) -> set[int]:
	"""Host pids of every process below `pid` (children of children too)."""
	parents: dict[int, list[int]] = {}
	for entry in Path("/proc").iterdir():
		if entry.name.isdigit():
			try:
				stat = (entry / "stat").read_text()
			except OSError:
				continue
			parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
	found, todo = set(), [pid]
	while todo:
		for child in parents.get(todo.pop(), []):
			if child not in found:
				found.add(child)
				todo.append(child)
	return found


def alive(pid: int) -> bool:
	try:
		return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
	except OSError:
		return False


def watched(call: Callable[[], Any]) -> tuple[Any, dict[int, str], BaseException | None]:
	"""(what `call` returned, {pid: command line} of every process it started while it ran, what it
	raised): a second thread records the worker's descendants every 50 ms."""
	seen: dict[int, str] = {}
	done = threading.Event()

	def watch() -> None:
		while not done.is_set():
			for pid in descendants(os.getpid()) - {pid for pid, command in seen.items() if command}:
				try:  # read again while empty: between fork and exec a process has no command line
					seen[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
				except OSError:
					seen[pid] = ""
			time.sleep(0.05)

	watcher = threading.Thread(target=watch)
	watcher.start()
	result, raised = None, None
	try:
		result = call()
	except Exception as exc:  # the caller asserts on it
		raised = exc
	finally:
		done.set()
		watcher.join()
	return result, seen, raised
