"""Dry runs leave nothing behind (issue #19, finding 3), one test per kind of leftover.

`document_create` with `validate_only` runs the insert as a dry run (core.dry_run). The audit's
replays: a refused Custom Field left the never-created field in the DocType's cached meta (every
insert into that DocType then failed, in every worker), and a dry run left a global search entry.
Besides those: rows, a meta change without DDL (Property Setter), the document cache, a file on
disk, background jobs (at once and after commit), deferred inserts, realtime messages and
frappe.flags. "Another worker" is a separate process on the same site (tests/support/worker.py).
"""

from __future__ import annotations

import os
import time
import uuid

import frappe
import pytest
from frappe.utils.background_jobs import get_queue, get_redis_connection_without_auth
from frappe.utils.global_search import sync_global_search

from frappe_assistant_core.core.dry_run import DryRunError, dry_run
from frappe_assistant_core.plugins.core.tools.document_create import DocumentCreate
from tests.support.doctypes import ORDER, ensure_test_doctypes, order
from tests.support.workers import workers
from tests.tools._fixtures import ensure_file_store

PROBE = "fac-dry-run-probe"  # fac_test_tools.dry_run_probe acts on orders with these remarks
PROBE_JOB = "fac_test_tools.dry_run_probe.job"


@pytest.fixture(scope="module", autouse=True)
def fixtures():
	ensure_test_doctypes()


@pytest.fixture(scope="module")
def other_worker():
	with workers(1) as (worker,):
		yield worker


def marker() -> str:
	return f"fac-dry-{uuid.uuid4().hex[:12]}"


def validate_only(doctype: str, data: dict) -> dict:
	return DocumentCreate().run({"doctype": doctype, "data": data, "validate_only": True})


def test_no_row_is_left_of_the_document_or_of_what_its_hooks_wrote():
	customer = marker()
	out = validate_only(ORDER, order(customer=customer))
	assert out["valid"] is True and out["document"]["customer"] == customer
	assert not frappe.db.exists(ORDER, {"customer": customer})
	assert not frappe.db.exists("Version", {"ref_doctype": ORDER, "data": ("like", f"%{customer}%")})


def test_a_refused_custom_field_leaves_no_field_in_any_workers_cached_meta(other_worker):
	"""The audit's replay: after the refused dry run, the field is in no meta, and another worker
	still inserts into the DocType (it failed on a column that was never created)."""
	fieldname = f"fac_dry_{uuid.uuid4().hex[:8]}"
	assert other_worker.call("meta_field", doctype=ORDER, fieldname="customer")  # its meta is cached
	data = {"dt": ORDER, "fieldname": fieldname, "label": "Dry Run Column", "fieldtype": "Data"}
	with pytest.raises(frappe.ValidationError, match="validate_only cannot check a Custom Field"):
		validate_only("Custom Field", data)
	frappe.db.commit()  # the request ends as a refused tool call's does
	assert frappe.get_meta(ORDER).get_field(fieldname) is None
	assert other_worker.call("meta_field", doctype=ORDER, fieldname=fieldname) is None
	assert other_worker.call("insert", doc=order(customer=marker()))


def test_a_property_setter_dry_run_changes_no_workers_meta(other_worker):
	"""A meta change that needs no DDL passes the dry run; no worker keeps it afterwards."""
	assert other_worker.call("meta_field", doctype=ORDER, fieldname="remarks")["reqd"] == 0
	setter = {
		"doc_type": ORDER,
		"doctype_or_field": "DocField",
		"field_name": "remarks",
		"property": "reqd",
		"property_type": "Check",
		"value": "1",
	}
	assert validate_only("Property Setter", setter)["valid"] is True
	frappe.db.commit()
	assert not frappe.get_meta(ORDER).get_field("remarks").reqd
	assert other_worker.call("meta_field", doctype=ORDER, fieldname="remarks")["reqd"] == 0
	assert other_worker.call("insert", doc=order(customer=marker(), remarks=None))


def test_the_document_cache_keeps_the_stored_document(other_worker):
	todo = frappe.get_doc({"doctype": "ToDo", "description": "stored"}).insert()
	frappe.db.commit()

	def change():
		doc = frappe.get_doc("ToDo", todo.name)
		doc.description = "changed in a dry run"
		doc.save()
		return frappe.get_cached_doc("ToDo", todo.name).description

	assert dry_run(change, documents=[todo]) == "changed in a dry run"
	frappe.db.commit()
	assert frappe.get_cached_doc("ToDo", todo.name).description == "stored"
	assert (
		other_worker.call("cached_value", doctype="ToDo", name=todo.name, fieldname="description") == "stored"
	)


def test_no_global_search_entry_is_queued_or_indexed():
	"""The audit's replay: the index entry of a document that was never saved."""
	word = marker()
	validate_only("ToDo", {"description": f"{word} dry run"})
	frappe.db.commit()
	queued = [item.decode() for item in frappe.cache.lrange("global_search_queue", 0, -1)]
	assert not [item for item in queued if word in item]
	sync_global_search()
	assert not frappe.db.sql("select name from __global_search where content like %s", f"%{word}%")


def test_no_file_is_left_on_disk():
	ensure_file_store()
	name = f"{marker()}.txt"

	def save_file():
		file = frappe.get_doc({"doctype": "File", "file_name": name, "content": b"dry", "is_private": 1})
		file.insert()
		return file.get_full_path()

	path = dry_run(save_file)
	assert not frappe.db.exists("File", {"file_name": name})
	assert not os.path.exists(path)


def _probe_jobs(customer: str) -> list[str]:
	"""Markers of the probe's jobs queued for this site (at once, or after commit)."""
	found = []
	for job in get_queue("default").get_jobs():
		kwargs = job.kwargs or {}
		if kwargs.get("method") == PROBE_JOB and customer in str(kwargs.get("kwargs", {}).get("marker")):
			found.append(kwargs["kwargs"]["marker"])
	return found


def test_no_background_job_is_queued_at_once_or_after_commit():
	customer = marker()
	validate_only(ORDER, order(customer=customer, remarks=PROBE))
	assert _probe_jobs(customer) == []
	frappe.db.commit()
	assert _probe_jobs(customer) == []


def test_the_probe_does_queue_jobs_when_the_order_is_saved():
	"""The probe is real: a saved order leaves both of its jobs (so the test above means something)."""
	customer = marker()
	frappe.get_doc(order(customer=customer, remarks=PROBE)).insert()
	frappe.db.commit()
	try:
		assert sorted(_probe_jobs(customer)) == [customer, f"{customer}:after-commit"]
	finally:
		for job in get_queue("default").get_jobs():
			if customer in str((job.kwargs or {}).get("kwargs", {}).get("marker")):
				job.delete()


def test_no_deferred_insert_is_queued():
	customer = marker()
	validate_only(ORDER, order(customer=customer, remarks=PROBE))
	frappe.db.commit()
	queued = [item.decode() for item in frappe.cache.lrange("insert_queue_for_Comment", 0, -1)]
	assert not [item for item in queued if customer in item]


def test_no_realtime_message_is_sent_when_the_request_commits():
	"""A realtime message queued earlier in the same transaction is still sent; the dry run's is not."""
	customer = marker()
	pubsub = get_redis_connection_without_auth().pubsub()
	pubsub.subscribe("events")
	try:
		frappe.publish_realtime("fac_dry_run_probe", {"marker": f"{customer}:kept"}, after_commit=True)
		name = validate_only(ORDER, order(customer=customer, remarks=PROBE))["document"]["name"]
		frappe.db.commit()
		sent = _messages(pubsub, until=f"{customer}:kept")
	finally:
		pubsub.close()
	assert [m for m in sent if f"{customer}:kept" in m]
	assert not [m for m in sent if f'"{customer}"' in m]  # the probe's own message
	assert not [m for m in sent if f'"{name}"' in m]  # doc_update / list_update of a ghost


def _messages(pubsub, until: str, timeout: float = 5.0) -> list[str]:
	seen, deadline = [], time.monotonic() + timeout
	while time.monotonic() < deadline:
		message = pubsub.get_message(timeout=0.2)
		if message and message["type"] == "message":
			seen.append(message["data"].decode())
			if until in seen[-1]:
				time.sleep(0.3)  # anything the same commit sent after it
				while message := pubsub.get_message(timeout=0.1):
					if message["type"] == "message":
						seen.append(message["data"].decode())
				break
	return seen


def test_frappe_flags_are_as_they_were():
	frappe.flags.pop("fac_dry_run_probe", None)  # left by a real save of a probe order
	frappe.flags.fac_dry_run_probe_seen = ["before"]
	customer = marker()
	validate_only(ORDER, order(customer=customer, remarks=PROBE))
	assert "fac_dry_run_probe" not in frappe.flags
	assert frappe.flags.fac_dry_run_probe_seen == ["before"]
	frappe.flags.pop("fac_dry_run_probe_seen")


def test_a_commit_inside_a_dry_run_is_refused_and_nothing_is_kept():
	name = marker()

	def commit_midway():
		frappe.get_doc({"doctype": "ToDo", "description": name}).insert()
		frappe.db.commit()

	with pytest.raises(DryRunError):
		dry_run(commit_midway)
	frappe.db.rollback()
	assert not frappe.db.exists("ToDo", {"description": name})
	assert "commit" not in vars(frappe.local.db) and "rollback" not in vars(frappe.local.db)


def test_dry_runs_nest():
	outer, inner = marker(), marker()

	def both():
		frappe.get_doc({"doctype": "ToDo", "description": outer}).insert()
		dry_run(lambda: frappe.get_doc({"doctype": "ToDo", "description": inner}).insert())
		return bool(frappe.db.exists("ToDo", {"description": outer})), bool(
			frappe.db.exists("ToDo", {"description": inner})
		)

	assert dry_run(both) == (True, False)
	assert not frappe.db.exists("ToDo", {"description": ("in", [outer, inner])})


def test_other_requests_jobs_are_not_held():
	"""Outside a dry run the queue is the real one: the hold is per request, never per process."""
	dry_run(lambda: None)
	assert type(get_queue("default")).__name__ == "Queue"
	assert "disable_global_search" not in frappe.local.conf
