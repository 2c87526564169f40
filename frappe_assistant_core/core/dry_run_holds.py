"""What Frappe does at once rather than at commit, held while the current request is in a dry run.

Three side effects of saving a document do not wait for the transaction: a background job
enqueued without `enqueue_after_commit` (a ToDo's assignment notification, say) is pushed to the
queue at once, a deferred insert is pushed to its Redis list at once, and the global search index
entry is pushed to its queue at once. During a dry run (core.dry_run) the first two become
after-commit work, which the dry run drops; global search is switched off with the site's own
`disable_global_search` setting on this request's config. Frappe has no switch for jobs and
deferred inserts, so `frappe.utils.background_jobs.get_queue` and
`frappe.deferred_insert.deferred_insert` are wrapped once per process: the wrappers pass every call
through unchanged unless the calling request is inside a dry run (a `frappe.local` counter, so
other requests and threads are never affected).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator

import frappe
import frappe.deferred_insert as deferred
from frappe.utils import background_jobs

_DEPTH = "fac_dry_run_depth"  # frappe.local attribute: dry runs the request is inside
_MARK = "_fac_dry_run_hold"
_GLOBAL_SEARCH_OFF = "disable_global_search"
_install_lock = threading.Lock()


def depth() -> int:
	"""How many dry runs the current request is inside (0: none)."""
	return getattr(frappe.local, _DEPTH, 0)


@contextlib.contextmanager
def holding() -> Iterator[None]:
	"""Inside the block, jobs, deferred inserts and global search updates wait for the commit."""
	_install()
	outer = depth()
	conf = frappe.local.conf
	had_switch, switch = _GLOBAL_SEARCH_OFF in conf, conf.get(_GLOBAL_SEARCH_OFF)
	setattr(frappe.local, _DEPTH, outer + 1)
	conf[_GLOBAL_SEARCH_OFF] = 1
	try:
		yield
	finally:
		setattr(frappe.local, _DEPTH, outer)
		if had_switch:
			conf[_GLOBAL_SEARCH_OFF] = switch
		else:
			conf.pop(_GLOBAL_SEARCH_OFF, None)


def _install() -> None:
	if getattr(background_jobs.get_queue, _MARK, False) and getattr(deferred.deferred_insert, _MARK, False):
		return
	with _install_lock:
		if not getattr(background_jobs.get_queue, _MARK, False):
			background_jobs.get_queue = _marked(_hold_jobs(background_jobs.get_queue))
		if not getattr(deferred.deferred_insert, _MARK, False):
			deferred.deferred_insert = _marked(_hold_deferred_inserts(deferred.deferred_insert))


def _marked(function: Callable) -> Callable:
	setattr(function, _MARK, True)
	return function


def _hold_jobs(get_queue: Callable) -> Callable:
	@functools.wraps(get_queue)
	def get_queue_holding_jobs_in_dry_runs(*args, **kwargs):
		queue = get_queue(*args, **kwargs)
		return _HeldQueue(queue) if depth() else queue

	return get_queue_holding_jobs_in_dry_runs


def _hold_deferred_inserts(deferred_insert: Callable) -> Callable:
	@functools.wraps(deferred_insert)
	def deferred_insert_held_in_dry_runs(doctype, records):
		if depth():
			frappe.db.after_commit.add(functools.partial(deferred_insert, doctype, records))
			return None
		return deferred_insert(doctype, records)

	return deferred_insert_held_in_dry_runs


class _HeldQueue:
	"""A job queue whose jobs wait for the commit (as `enqueue_after_commit` ones do); the rest of
	the queue (its size, its jobs) is the real one's."""

	def __init__(self, queue):
		self._queue = queue

	def __getattr__(self, name: str):
		return getattr(self._queue, name)

	def enqueue_call(self, *args, **kwargs) -> None:
		frappe.db.after_commit.add(functools.partial(self._queue.enqueue_call, *args, **kwargs))
