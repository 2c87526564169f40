"""A rehearsal: run a write tool for real as a dry run, note what it changed, keep nothing.

This is the validate_only path of document_create made general, so that every write tool can say
what it would change: `rehearse(action)` runs the action through core.dry_run (a savepoint always
rolled back with Frappe's own rollback semantics: commit-time work dropped, rollback callbacks run
so files written are removed and changed metas forgotten, jobs, deferred inserts and search index
updates held, any COMMIT refused) and clears the document cache of every document it changed.
Schema changes (DDL, which commits) are refused with core.dry_run.DryRunError, so a preview says
it cannot show them rather than failing like a broken call.

What changed is noted through doc_events (hooks.py: validate, before_cancel,
before_update_after_submit, on_trash) while a rehearsal is active on this request: the document
objects, their state before the change, and the action. Writes that bypass the document API
(frappe.db.set_value, raw SQL) are undone too but not noted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import frappe
from frappe import _

from frappe_assistant_core.core.dry_run import dry_run

T = TypeVar("T")

_ACTIVE = "fac_governance_rehearsal"  # frappe.local attribute: the Notes of the running rehearsal


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


def rehearse(action: Callable[[Notes], T]) -> T:
	"""Run `action(notes)` as a dry run (core.dry_run: nothing of it is kept), noting in `notes`
	the documents it changes; returns what the action returned (computed before the rollback)."""
	notes = Notes()
	outer = getattr(frappe.local, _ACTIVE, None)
	setattr(frappe.local, _ACTIVE, notes)
	try:
		return dry_run(lambda: action(notes), documents=_NotedDocuments(notes), refusal=_refusal())
	finally:
		setattr(frappe.local, _ACTIVE, outer)
		_clear_document_caches(notes)


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


def _refusal() -> str:
	return _(
		"This change cannot be previewed: saving it commits the transaction (it changes the database "
		"schema), so it could not be undone"
	)


class _NotedDocuments:
	"""The documents the rehearsal changed, read when core.dry_run clears their DocTypes' caches
	(after the action, so every noted document is there)."""

	def __init__(self, notes: Notes):
		self.notes = notes

	def __iter__(self) -> Iterator:
		return (noted.doc for noted in self.notes.changed.values())


def _clear_document_caches(notes: Notes) -> None:
	"""Frappe may have cached a document the rehearsal wrote: forget it."""
	for doctype, name in notes.changed:
		frappe.clear_document_cache(doctype, name)
