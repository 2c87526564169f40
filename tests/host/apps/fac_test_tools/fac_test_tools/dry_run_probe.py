"""A document hook that leaves one of each kind of side effect Frappe produces when a document is
saved, for the dry run tests (tests/test_dry_run.py). It acts only on a FAC Test Order whose
remarks are PROBE, so no other test sees it."""

from __future__ import annotations

import frappe

PROBE = "fac-dry-run-probe"
JOB = "fac_test_tools.dry_run_probe.job"
DEFERRED_DOCTYPE = "Comment"
REALTIME_EVENT = "fac_dry_run_probe"
FLAG = "fac_dry_run_probe"
LIST_FLAG = "fac_dry_run_probe_seen"


def on_update(doc, method=None):
	if doc.get("remarks") != PROBE:
		return
	marker = doc.customer
	frappe.enqueue(JOB, marker=marker)  # pushed to the queue at once
	frappe.enqueue(JOB, marker=f"{marker}:after-commit", enqueue_after_commit=True)
	from frappe.deferred_insert import deferred_insert

	deferred_insert(DEFERRED_DOCTYPE, [{"comment_type": "Info", "content": marker}])
	frappe.publish_realtime(REALTIME_EVENT, {"marker": marker}, after_commit=True)
	frappe.flags[FLAG] = marker
	frappe.flags.setdefault(LIST_FLAG, []).append(marker)


def job(marker: str) -> None:
	"""Never meant to run: the tests look for it in the queue."""
