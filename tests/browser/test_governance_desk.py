"""Governance in the real desk (headless Chromium, tests/browser/drive_governance.js): an approver
approves one parked tool call and rejects another in the FAC Approval Request list and forms, the
assistant's next identical calls run the first (once, as the asker) and learn the rejection; an
Assistant Admin sets the FAC Admin page's Governance section and a tool's approval and rate limit."""

from __future__ import annotations

import json
import os

import frappe
import pytest
from frappe.deferred_insert import queue_prefix
from frappe.utils.password import update_password

from frappe_assistant_core.governance.answers import APPROVAL_META
from frappe_assistant_core.utils.cache import publish_change
from tests.browser.test_fac_admin_page import (  # noqa: F401  (desk_site is a fixture)
	ARTIFACT,
	CHROMIUM,
	REPO,
	_console_errors,
	_run_driver,
	_screenshots,
	desk_site,
)
from tests.governance._mcp import SETTINGS, TOOL_DOCTYPE, call, restore_settings, text_of, tool_governance
from tests.support.server import serve
from tests.support.site import make_user

DRIVER = REPO / "tests" / "browser" / "drive_governance.js"
FORM_IMAGE = REPO / "docs" / "fac-approval-request.png"
SECTION_IMAGE = REPO / "docs" / "fac-admin-governance.png"
PASSWORD = "fac-governance-Pa55!"
APPROVER = "fac-desk-approver@example.com"
ADMIN = "fac-desk-gov-admin@example.com"
ASKER = "fac-desk-asker@example.com"
REQUESTS = "FAC Approval Request"
GOVERNED = ("read_only_mode", "rate_limit_per_tool", "approval_for_privileged")


def _users() -> None:
	for user, roles in (
		(APPROVER, ["Assistant Approver"]),
		(ADMIN, ["Assistant Admin"]),
		(ASKER, ["System Manager"]),
	):
		make_user(user, roles)
		update_password(user, PASSWORD)
	frappe.db.commit()


def _park(description: str) -> str:
	_status, body = call("test_create_todo", {"description": description}, user=ASKER)
	return body["result"]["_meta"][APPROVAL_META]["request"]


def _decisions_queued() -> list[dict]:
	rows = []
	for raw in frappe.cache.lrange(f"{queue_prefix}FAC Tool Call Log", 0, -1):
		records = json.loads(raw)
		rows.extend([records] if isinstance(records, dict) else records)
	return [row for row in rows if row["status"] in ("Approved", "Rejected")]


@pytest.mark.browser
def test_approvals_and_the_governance_section_in_the_real_desk(desk_site):  # noqa: F811
	if not os.path.exists(CHROMIUM):
		pytest.fail(f"{CHROMIUM} is missing: run tests/host/setup.sh (installs Debian's chromium)")
	_users()
	settings_before = frappe.db.get_singles_dict(SETTINGS)
	tool_before = frappe.db.get_value(
		TOOL_DOCTYPE, "document_get", ["requires_approval", "rate_limit"], as_dict=True
	)
	tool_governance("test_create_todo", requires_approval=1)
	approve, reject = _park("desk approves me"), _park("desk rejects me")
	frappe.db.commit()
	decided_before = len(_decisions_queued())
	form_image = _screenshots(ARTIFACT.with_name("fac-approval-request.png"), FORM_IMAGE)[-1]
	section_image = _screenshots(ARTIFACT.with_name("fac-admin-governance.png"), SECTION_IMAGE)[-1]
	scenario = {
		"approver": APPROVER,
		"admin": ADMIN,
		"password": PASSWORD,
		"approve": approve,
		"reject": reject,
		"reason": "Not before the audit",
		"tool": "document_get",
		"screenshots": {"form": form_image, "section": section_image},
	}
	try:
		with serve(workers=2) as server:
			report = _run_driver(DRIVER, {**scenario, "base_url": server.url}, timeout=600)
		frappe.db.rollback()  # a fresh read of what the server committed
		assert report["steps"] == ["decide", "governance_section"], report
		assert report["page_errors"] == [] and _console_errors(report, desk_site) == []
		listed = {row["name"]: row["text"] for row in report["pending_listed"]}
		assert {approve, reject} <= set(listed), report["pending_listed"]
		assert "test_create_todo" in listed[approve] and "Pending" in listed[approve]
		assert "Create ToDo" in report["changes_shown"] and "desk approves me" in report["changes_shown"]
		assert "runs, once, when the assistant calls it again" in report["approve_question"]
		assert (report["approved_status"], report["buttons_after_approval"]) == ("Approved", 0)
		assert (report["rejected_status"], report["rejected_note"]) == ("Rejected", "Not before the audit")
		for name, status in ((approve, "Approved"), (reject, "Rejected")):
			row = frappe.db.get_value(REQUESTS, name, ["status", "decided_by"], as_dict=True)
			assert (row.status, row.decided_by) == (status, APPROVER)
		decided = _decisions_queued()[decided_before:]
		assert sorted((row["approval_request"], row["status"]) for row in decided) == sorted(
			[(approve, "Approved"), (reject, "Rejected")]
		)

		assert report["pending_link"].startswith("Approval requests waiting: ")
		assert report["urls"][1].endswith("handle_mcp/readonly")
		stored = frappe.db.get_singles_dict(SETTINGS)
		assert (
			int(stored.read_only_mode),
			int(stored.rate_limit_per_tool),
			int(stored.approval_for_privileged),
		) == (1, 42, 1)
		assert report["read_only_after_switch"] is True
		tool = frappe.db.get_value(
			TOOL_DOCTYPE, "document_get", ["requires_approval", "rate_limit"], as_dict=True
		)
		assert (tool.requires_approval, tool.rate_limit) == (1, 9)

		# The assistant's next identical calls, with read-only mode off again.
		frappe.db.set_single_value(SETTINGS, "read_only_mode", 0)
		publish_change()
		_status, ran = call("test_create_todo", {"description": "desk approves me"}, user=ASKER)
		assert ran["result"]["isError"] is False and ran["result"]["structuredContent"]["owner"] == ASKER
		assert frappe.db.count("ToDo", {"description": "desk approves me"}) == 1
		_status, told = call("test_create_todo", {"description": "desk rejects me"}, user=ASKER)
		assert "Not before the audit" in text_of(told)
		assert frappe.db.count("ToDo", {"description": "desk rejects me"}) == 0
	finally:
		frappe.db.rollback()
		restore_settings(settings_before, list(GOVERNED))
		frappe.db.set_value(TOOL_DOCTYPE, "document_get", dict(tool_before))
		tool_governance("test_create_todo", committed=True, requires_approval=0)
