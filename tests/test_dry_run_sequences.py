"""A dry run leaves no trace in a sequence: database sequences are not transactional, so a rolled
back insert would still have used up the number it took (a DocType named by autoincrement takes
its next name from one). During a dry run the next number is read, never taken.
"""

from __future__ import annotations

import frappe
import pytest

from frappe_assistant_core.plugins.core.tools.document_create import DocumentCreate

COUNTER = "FAC Dry Run Counter"


@pytest.fixture(scope="module", autouse=True)
def counter_doctype(test_site):
	if not frappe.db.exists("DocType", COUNTER):
		frappe.get_doc(
			{
				"doctype": "DocType",
				"name": COUNTER,
				"module": "Custom",
				"custom": 1,
				"autoname": "autoincrement",
				"fields": [{"fieldname": "note", "label": "Note", "fieldtype": "Data"}],
				"permissions": [{"role": "System Manager", "read": 1, "write": 1, "create": 1, "delete": 1}],
			}
		).insert()
		frappe.db.commit()


@pytest.mark.postgres
def test_a_dry_run_takes_no_number_from_a_sequence():
	first = frappe.get_doc({"doctype": COUNTER, "note": "real"}).insert()
	for _ in range(3):
		answer = DocumentCreate().run({"doctype": COUNTER, "data": {"note": "tried"}, "validate_only": True})
		assert answer["valid"] is True and int(answer["document"]["name"]) == int(first.name) + 1
	second = frappe.get_doc({"doctype": COUNTER, "note": "real"}).insert()
	assert int(second.name) == int(first.name) + 1
	assert not frappe.db.exists(COUNTER, {"note": "tried"})
