"""Reads of plugin and tool state that are as fresh as the version token they are tagged with.

The plugin manager checks the token once per HTTP request (`checked_in_this_request`,
`remember_checked`) and, before reading the DocTypes for a new token, starts a transaction whose
snapshot includes every commit up to now (`start_fresh_read`).
"""

from __future__ import annotations

import frappe

from frappe_assistant_core.core.snapshot import Snapshot


def checked_in_this_request() -> Snapshot | None:
	"""The snapshot already validated during the current HTTP request, if any."""
	return getattr(frappe.local, "fac_checked_snapshot", None) if getattr(frappe, "request", None) else None


def remember_checked(snapshot: Snapshot | None) -> None:
	# frappe.local is released at the end of every request, so this never outlives it.
	if getattr(frappe, "request", None):
		frappe.local.fac_checked_snapshot = snapshot


def start_fresh_read() -> bool:
	"""Make the next reads see every commit up to now; False when that is not possible.

	Under REPEATABLE READ a transaction reads from the snapshot taken at its first read, which can
	predate the commit behind the version token just read from Redis; state read there and tagged
	with that token would look current while being stale. A transaction that has written nothing
	(the usual request on its way to tools/list) is rolled back, which loses nothing and starts a
	new snapshot. One with writes, or with our own uncommitted changes, keeps its transaction: the
	state it reads is used but not kept.
	"""
	db = frappe.db
	if db.transaction_writes or frappe.local.flags.get("fac_change_queued"):
		return False
	if getattr(db, "_disable_transaction_control", 0):
		return False
	db.rollback()
	return True
