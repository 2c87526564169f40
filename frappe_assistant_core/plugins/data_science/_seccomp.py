"""The seccomp filter of the Python sandbox, compiled to the BPF program bubblewrap's --seccomp loads.

Built with libseccomp (through the `pyseccomp` ctypes binding) and only exported, never loaded into
the worker. The rule that matters most: no new processes. fork, vfork and clone without CLONE_THREAD
fail with EPERM, and clone3 with ENOSYS (so the C library falls back to clone, where threads stay
allowed and everything else is refused). With one process per sandbox, RLIMIT_AS bounds the memory
of the whole tree. The second rule: no memory outside the address space (memfd_create, SysV shared
memory, message queues and semaphores, POSIX message queues), so RLIMIT_AS bounds all of it. Also
refused: sockets, namespaces, mounts, ptrace, keyrings, BPF, perf events, io_uring and userfaultfd. Syscalls of another ABI (i386, x32) kill the process (libseccomp's default).
"""

from __future__ import annotations

import errno
import os

CLONE_THREAD = 0x00010000
REFUSED = (
	"fork",
	"vfork",
	"socket",
	"unshare",
	"setns",
	"mount",
	"umount2",
	"pivot_root",
	"chroot",
	"ptrace",
	"process_vm_readv",
	"process_vm_writev",
	"keyctl",
	"add_key",
	"request_key",
	"bpf",
	"perf_event_open",
	"userfaultfd",
	"io_uring_setup",
	"open_by_handle_at",
	"name_to_handle_at",
	# Memory that would live outside the address space RLIMIT_AS counts: a memfd, SysV shared
	# memory, message queues and semaphore sets, POSIX message queues. (POSIX shared memory is a file
	# in /dev/shm, read-only in the sandbox; /tmp is a tmpfs of bounded size.)
	"memfd_create",
	"memfd_secret",
	"shmget",
	"shmat",
	"shmctl",
	"msgget",
	"msgsnd",
	"msgctl",
	"semget",
	"semctl",
	"semop",
	"semtimedop",
	"mq_open",
	"mq_timedsend",
)

_PROGRAM: bytes | None = None


def filter_program() -> bytes:
	"""The compiled BPF program (built once per process); raises if libseccomp is unusable."""
	global _PROGRAM
	if _PROGRAM is None:
		import pyseccomp as seccomp

		rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
		for name in REFUSED:
			rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
		rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
		rules.add_rule(
			seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0)
		)
		read_end, write_end = os.pipe()
		try:
			with open(write_end, "wb", closefd=False) as out:
				rules.export_bpf(out)
			os.close(write_end)
			write_end = -1
			with open(read_end, "rb", closefd=False) as source:
				_PROGRAM = source.read()
		finally:
			os.close(read_end)
			if write_end >= 0:
				os.close(write_end)
	return _PROGRAM
