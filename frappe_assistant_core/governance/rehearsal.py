"""A rehearsal: run a write tool for real inside a savepoint, note what it changed, undo it all.

This is the validate_only path of document_create made general, so that every write tool can say
what it would change: the block runs with its writes rolled back to a savepoint afterwards, any
COMMIT refused (DDL commits, which would make the rollback meaningless), and the work it queued
for commit time (jobs enqueued after commit, realtime updates, emails) dropped. Around it: the
global search queue is not fed (a document that never existed must not be indexed), files written
by File documents are removed (their own after-rollback callbacks, which a savepoint rollback
does not run), and the document cache of every changed document (and the meta of a changed
DocType, Custom Field or Property Setter) is cleared.

Schema changes (DDL, which commits) are refused with PreviewUnavailable, so a preview says it
cannot show them rather than failing like a broken call.

What changed is noted through doc_events (hooks.py: validate, before_cancel,
before_update_after_submit, on_trash) while a rehearsal is active on this request: the document
objects, their state before the change, and the action. Writes that bypass the document API
(frappe.db.set_value, raw SQL) are undone too but not noted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import frappe
from frappe import _

SAVEPOINT = "fac_governance_rehearsal"
_ACTIVE = "fac_governance_rehearsal"  # frappe.local attribute: the Notes of the running rehearsal
#: Changing a document of these DocTypes changes the meta of the DocType it names.
_META_DOCTYPES = {"DocType": "name", "Custom Field": "dt", "Property Setter": "doc_type"}


class PreviewUnavailable(frappe.ValidationError):
	"""The change commits the transaction (schema changes), so it cannot be rehearsed."""


@dataclass
class Noted:
	"""One document the rehearsal changed: the object as it ends up, and what it was before."""

	action: str  # insert, update, submit, cancel, delete
	doc: object
	before: object | None = None


@dataclass
class Notes:
	"""The documents a rehearsal changed, in the order they were first changed."""

	changed: dict[tuple[str, str], Noted] = field(default_factory=dict)

	def note(self, doc, action: str) -> None:
		key = (doc.doctype, str(doc.name or id(doc)))
		noted = self.changed.get(key)
		if noted is None:
			before = None if action == "insert" else doc.get_doc_before_save()
			if before is None and action != "insert" and not doc.is_new():
				before = frappe.get_doc(doc.doctype, doc.name)  # not written yet: the stored state
			self.changed[key] = Noted(action, doc, before)
			return
		noted.doc = doc
		# A new document stays an insert (submitted in the same call or not) unless it is deleted.
		if action == "delete" or (noted.action != "insert" and action != "update"):
			noted.action = action


@contextlib.contextmanager
def rehearsal() -> Iterator[Notes]:
	"""Run the block's writes, then undo them and everything they queued; yields the Notes."""
	db = frappe.db
	notes = Notes()
	managers = (db.before_commit, db.after_commit, db.before_rollback, db.after_rollback)
	kept = [list(manager._functions) for manager in managers]
	conf = frappe.local.conf
	search_setting = conf.get("disable_global_search")
	outer = getattr(frappe.local, _ACTIVE, None)
	setattr(frappe.local, _ACTIVE, notes)
	conf["disable_global_search"] = 1
	db.savepoint(SAVEPOINT)
	# Instance attributes: this connection only, removed below. DDL is refused before the COMMIT it
	# starts with, so a tool's own dry run (which refuses commits its way) never sees it.
	db.commit = db.sql_ddl = _refuse_commit
	try:
		yield notes
	finally:
		db.__dict__.pop("commit", None)
		db.__dict__.pop("sql_ddl", None)
		_roll_back(db)
		added_undo = [f for f in db.after_rollback._functions if f not in kept[3]]
		for manager, functions in zip(managers, kept, strict=True):
			manager.reset()
			for function in functions:
				manager.add(function)
		for undo in added_undo:
			_quietly(undo)
		_clear_caches(notes)
		setattr(frappe.local, _ACTIVE, outer)
		if search_setting is None:
			conf.pop("disable_global_search", None)
		else:
			conf["disable_global_search"] = search_setting


def active() -> Notes | None:
	"""The Notes of the rehearsal running on this request, if any."""
	return getattr(frappe.local, _ACTIVE, None)


# doc_events handlers (hooks.py): cheap when no rehearsal runs, which is almost always.
def note_saved(doc, method=None) -> None:
	if (notes := active()) is not None:
		inserting = doc.flags.in_insert or doc.is_new()
		submitting = getattr(doc, "_action", None) == "submit"
		notes.note(doc, "insert" if inserting else ("submit" if submitting else "update"))


def note_cancelled(doc, method=None) -> None:
	if (notes := active()) is not None:
		notes.note(doc, "cancel")


def note_updated_after_submit(doc, method=None) -> None:
	if (notes := active()) is not None:
		notes.note(doc, "update")


def note_deleted(doc, method=None) -> None:
	if (notes := active()) is not None:
		notes.note(doc, "delete")


def _refuse_commit(*_args, **_kwargs):
	frappe.throw(
		_(
			"This change cannot be previewed: saving it commits the transaction (it changes the "
			"database schema), so it could not be undone"
		),
		PreviewUnavailable,
		title=_("No preview"),
	)


def _roll_back(db) -> None:
	try:
		db.rollback(save_point=SAVEPOINT)
	except Exception:
		# The savepoint is gone (the block rolled back or a deadlock ended the transaction).
		db.rollback()


def _quietly(function) -> None:
	try:
		function()
	except Exception:
		frappe.logger("frappe_assistant_core").exception("Rehearsal: an undo callback failed")


def _clear_caches(notes: Notes) -> None:
	"""Frappe may have cached what the rehearsal wrote (a document, a DocType's meta): forget it."""
	for (doctype, name), noted in notes.changed.items():
		frappe.clear_document_cache(doctype, name)
		if (target_field := _META_DOCTYPES.get(doctype)) and (target := noted.doc.get(target_field)):
			frappe.clear_cache(doctype=target)
