"""How many files the sandbox's scratch /tmp holds, read from outside while the code runs.

A tmpfs bounds the bytes of its files, not their number, and every file or folder costs kernel
memory that no limit of the sandbox counts (403,000 empty files in 10 s took 400 MB here), and
bubblewrap sets no inode limit on the tmpfs it mounts. So the parent looks at the scratch tmpfs
through /proc/<pid>/root/tmp of a process inside the sandbox (bwrap's child, in its mount
namespace) and `exceeded()` says when it holds more than MAX_SCRATCH_FILES; _sandbox.py then kills
the sandbox. A scratch that cannot be looked at counts as exceeded: the code never runs unbounded.
"""

from __future__ import annotations

import os

#: Files and folders the scratch /tmp may hold (each costs about a kilobyte of kernel memory).
MAX_SCRATCH_FILES = 10_000
#: Seconds between two looks; files made in between (tens of thousands a second) go past the cap.
INTERVAL = 0.05


class ScratchWatch:
	"""Watches the scratch tmpfs of the sandbox that bubblewrap process `bwrap_pid` runs."""

	def __init__(self, bwrap_pid: int):
		self.bwrap_pid = bwrap_pid
		self.host_tmp = os.stat("/tmp").st_dev
		self.inside: int | None = None

	def exceeded(self) -> bool:
		"""Whether the sandbox's /tmp holds more than MAX_SCRATCH_FILES (or cannot be looked at)."""
		pid = self.inside or _descendant(self.bwrap_pid)
		if pid is None:
			return False  # bwrap has not started its child yet, or everything has ended
		path = f"/proc/{pid}/root/tmp"
		try:
			if os.stat(path).st_dev == self.host_tmp:
				return False  # not the sandbox's root yet
			found = os.statvfs(path)
		except PermissionError:
			return True  # this worker may not look into the sandbox: never run it unbounded
		except OSError:
			self.inside = None
			return False  # the process ended, or is between two roots while bwrap sets up
		self.inside = pid
		return found.f_files - found.f_ffree > MAX_SCRATCH_FILES


def _descendant(pid: int) -> int | None:
	"""A child of `pid` (bwrap's own child lives in the sandbox's namespaces), or None."""
	try:
		with open(f"/proc/{pid}/task/{pid}/children") as listing:
			children = listing.read().split()
		return int(children[0]) if children else None
	except FileNotFoundError:
		pass  # a kernel without CONFIG_PROC_CHILDREN, or `pid` has ended: find it by parent
	except OSError:
		return None
	for entry in os.scandir("/proc"):
		if entry.name.isdigit() and _parent(entry.name) == pid:
			return int(entry.name)
	return None


def _parent(pid: str) -> int | None:
	try:
		with open(f"/proc/{pid}/stat") as stat:
			return int(stat.read().rsplit(")", 1)[1].split()[1])
	except (OSError, IndexError, ValueError):
		return None
