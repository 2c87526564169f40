"""Dry runs: run an action as it would really run, return what it produced, keep nothing of it.

`dry_run(action)` runs the action inside a savepoint that is always rolled back, and applies
Frappe's own rollback semantics at that scope (what `frappe.db.rollback()` does for a whole
transaction, and a savepoint rollback does not): work the action queued for the commit (before-
and after-commit callbacks: `enqueue_after_commit` jobs, realtime updates, webhooks) is dropped,
and the rollback callbacks it queued run (Frappe's own invalidation of the DocType meta and
document caches it changed, deletion of files it wrote). What Frappe does at once instead of at
commit is held for a commit that never comes (core.dry_run_holds: background jobs, deferred
inserts, global search updates). `frappe.flags` and the realtime log are put back as they were,
and the caches of every DocType the given documents name are cleared once more. A commit or a
whole-transaction rollback inside the action is refused: it would end the savepoint, and with it
the only way to undo the action. A sequence (an autoincrement DocType's names) is read, never
advanced: sequences are not transactional.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import TypeVar

import frappe
from frappe import _
from frappe.utils import CallbackManager

from frappe_assistant_core.core import dry_run_holds

T = TypeVar("T")

_CALLBACKS = ("before_commit", "after_commit", "before_rollback", "after_rollback")
# frappe.local attribute: the realtime messages queued for the commit (frappe.realtime).
_REALTIME_LOG = "_realtime_log"
# Flags that describe how the action failed: kept when it raises, so its error is reported.
_FAILURE_FLAGS = ("error_message",)


class DryRunError(frappe.ValidationError):
	"""The action cannot be tried without keeping it (it commits), or its undo failed."""


def dry_run(action: Callable[[], T], *, documents: Iterable = (), refusal: str | None = None) -> T:
	"""Run `action` as it would run and return its result; afterwards nothing of it is kept.

	:param documents: documents the action saves; the caches of every DocType they name (their
		own, and any DocType a Link field of theirs points to, as a Custom Field's `dt`) are
		cleared after the rollback.
	:param refusal: the message of the DryRunError raised when the action tries to commit.
	"""
	db = frappe.db
	depth = dry_run_holds.depth()
	savepoint = f"fac_dry_run_{depth}"
	state = _RequestState()
	outer = {name: getattr(db, name) for name in _CALLBACKS}
	db.savepoint(savepoint)
	inner = {name: CallbackManager() for name in _CALLBACKS}
	for name, manager in inner.items():
		setattr(db, name, manager)
	# Instance attributes set by an enclosing dry run, or None for the Database methods.
	replaced = {name: vars(db).get(name) for name in ("commit", "rollback", "get_next_sequence_val")}
	db.commit = _refused(refusal)
	db.rollback = _savepoint_rollback_only(db.rollback, refusal)
	db.get_next_sequence_val = _peeked_sequence_value(db)
	failed = True
	try:
		with dry_run_holds.holding():
			result = action()
		failed = False
		return result
	finally:
		for name, previous in replaced.items():  # the Database methods (or the enclosing dry run's) are back
			if previous is None:
				delattr(db, name)
			else:
				setattr(db, name, previous)
		try:
			_undo(db, savepoint, outer, inner, documents)
		finally:
			state.restore(keep_failure=failed)


def _undo(db, savepoint: str, outer: dict, inner: dict, documents: Iterable) -> None:
	"""Roll back to the savepoint as Frappe rolls back a transaction, clear the named caches, then
	put the outer transaction's callbacks back (the dry run's commit callbacks are dropped with
	`inner`; the invalidations the cache clearing queues for the commit are dropped with them, as
	they have already been made)."""
	_run(inner["before_rollback"])
	try:
		db.rollback(save_point=savepoint)
	except Exception:
		# The savepoint is gone: something ended the transaction behind Frappe's back (an
		# implicit commit). Undo what is left and say so: the dry run did not hold.
		for name, manager in outer.items():
			setattr(db, name, manager)
		db.rollback()
		frappe.throw(
			_("The dry run could not be undone: the action ended the database transaction"), DryRunError
		)
	_clear_named_caches(documents)
	_run(inner["after_rollback"])
	for name, manager in outer.items():
		setattr(db, name, manager)


def _run(callbacks: CallbackManager) -> None:
	"""Run the rollback callbacks the action queued; one failing must not stop the others."""
	while True:
		try:
			callbacks.run()
			return
		except Exception:
			frappe.logger("frappe_assistant_core").exception("dry run: a rollback callback failed")


def _refused(refusal: str | None) -> Callable:
	def refuse_commit(*_args, **_kwargs):
		frappe.throw(
			refusal
			or _(
				"This cannot be tried without keeping it: it commits the transaction (it changes the "
				"database schema), so it could not be undone"
			),
			DryRunError,
		)

	return refuse_commit


def _peeked_sequence_value(db) -> Callable:
	"""A sequence's next value, read without taking it: sequences are not transactional, so a value
	taken (an autoincrement DocType's next name) would stay used after the rollback."""

	def peek(doctype_name: str, slug: str = "_id_seq") -> int:
		sequence = frappe.scrub(f"{doctype_name}{slug}")
		if db.db_type == "postgres":
			quoted = '"' + sequence.replace('"', '""') + '"'
			last, called = db.sql(f"select last_value, is_called from {quoted}")[0]
			return last + 1 if called else last
		quoted = "`" + sequence.replace("`", "``") + "`"
		return db.sql(f"select next_not_cached_value from {quoted}")[0][0]

	return peek


def _savepoint_rollback_only(rollback: Callable, refusal: str | None) -> Callable:
	"""Rolling back to a savepoint (Frappe's nested savepoints) is fine; ending the transaction is not."""
	refuse = _refused(refusal)

	def rollback_to_savepoint(*args, save_point=None, **kwargs):
		if save_point is None:
			refuse()
		return rollback(*args, save_point=save_point, **kwargs)

	return rollback_to_savepoint


def _clear_named_caches(documents: Iterable) -> None:
	doctypes: set[str] = set()
	for doc in documents:
		doctypes.add(doc.doctype)
		if doc.doctype == "DocType" and doc.get("name"):
			doctypes.add(doc.name)
		for df in doc.meta.get_link_fields():
			if df.options == "DocType" and isinstance(value := doc.get(df.fieldname), str) and value:
				doctypes.add(value)
	for doctype in sorted(doctypes):
		frappe.clear_cache(doctype=doctype)


class _RequestState:
	"""frappe.flags and the realtime log of the request, as they were before the dry run.

	Containers are restored in place (code may hold a reference to `frappe.flags.x`) with
	copies of their contents taken before the action ran.
	"""

	def __init__(self):
		self.flags = dict(frappe.local.flags)
		self.contents = {key: _snapshot(value) for key, value in self.flags.items()}
		self.realtime = _snapshot(getattr(frappe.local, _REALTIME_LOG, None))
		self.realtime_log = getattr(frappe.local, _REALTIME_LOG, None)

	def restore(self, keep_failure: bool) -> None:
		flags = frappe.local.flags
		kept = {key: flags[key] for key in _FAILURE_FLAGS if keep_failure and key in flags}
		flags.clear()
		flags.update(self.flags)
		for key, value in self.flags.items():
			_put_back(value, self.contents[key])
		flags.update(kept)
		if self.realtime_log is None:
			if hasattr(frappe.local, _REALTIME_LOG):
				delattr(frappe.local, _REALTIME_LOG)
		else:
			_put_back(self.realtime_log, self.realtime)
			setattr(frappe.local, _REALTIME_LOG, self.realtime_log)


def _snapshot(value):
	if not isinstance(value, dict | list | set):
		return None
	try:
		return copy.deepcopy(value)
	except Exception:
		return copy.copy(value)


def _put_back(container, contents) -> None:
	if contents is None:
		return
	if isinstance(container, list):
		container[:] = contents
	else:
		container.clear()
		container.update(contents)
