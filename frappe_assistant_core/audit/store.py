"""Writing queued FAC Tool Call Log records, and deleting rows older than the retention setting.

The recorder queues records with frappe.deferred_insert (a Redis list per DocType). Frappe's own
deferred-insert job drains a limited number per run; `write_pending` (every scheduler tick) drains
the whole list in committed batches, so a busy site never builds a backlog. `delete_expired`
(daily) removes rows older than `log_retention_days` in batches, each committed on its own so a
large purge never holds one long transaction.
"""

from __future__ import annotations

import json

import frappe
from frappe.deferred_insert import queue_prefix
from frappe.utils import add_days, cint, now_datetime

from frappe_assistant_core.audit.recorder import DOCTYPE

SETTINGS = "Assistant Core Settings"
DEFAULT_RETENTION_DAYS = 90
BATCH = 500


def pending_count() -> int:
	"""How many calls wait in the queue, not written yet."""
	return int(frappe.cache.llen(_queue_key()) or 0)


def write_pending(limit: int | None = None) -> int:
	"""Insert queued records (all of them, or at most `limit`), committing every BATCH rows."""
	written = 0
	while limit is None or written < limit:
		raw = frappe.cache.lpop(_queue_key())
		if raw is None:
			break
		records = json.loads(raw)
		for record in [records] if isinstance(records, dict) else records:
			written += _insert(record)
			if written % BATCH == 0:
				frappe.db.commit()
	frappe.db.commit()
	return written


def retention_days() -> int:
	"""log_retention_days from Assistant Core Settings (never saved: the default, 90; 0: forever)."""
	stored = frappe.db.get_singles_dict(SETTINGS).get("log_retention_days")
	return DEFAULT_RETENTION_DAYS if stored in (None, "") else max(cint(stored), 0)


def delete_expired() -> int:
	"""Delete log rows older than the retention setting, BATCH at a time; returns how many."""
	days = retention_days()
	if not days:
		return 0
	cutoff = add_days(now_datetime(), -days)
	deleted = 0
	while names := frappe.get_all(
		DOCTYPE,
		filters={"timestamp": ("<", cutoff)},
		pluck="name",
		order_by="timestamp asc",
		limit=BATCH,
	):
		frappe.db.delete(DOCTYPE, {"name": ("in", names)})
		frappe.db.commit()
		deleted += len(names)
	if deleted:
		frappe.logger("frappe_assistant_core").info(
			f"FAC Tool Call Log: deleted {deleted} rows older than {days} days"
		)
	return deleted


def _insert(record: dict) -> int:
	try:
		doc = frappe.get_doc({**record, "doctype": DOCTYPE})
		doc.flags.fac_from_queue = True
		doc.insert(ignore_permissions=True)
		return 1
	except Exception:
		# One bad record must not block the queue behind it.
		frappe.logger("frappe_assistant_core").exception("FAC Tool Call Log: could not write a queued record")
		return 0


def _queue_key() -> str:
	return f"{queue_prefix}{DOCTYPE}"
