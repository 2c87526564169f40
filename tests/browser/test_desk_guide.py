"""What guides an administrator, in the real desk (headless Chromium, tests/browser/drive_desk_guide.js):
the Assistant Core workspace reached from the desk's home, the FAC Admin page's "Connect a client"
panel, and its Test action, whose calls go through the MCP endpoint and land in the Tool Call Log.

The app server is the real one (gunicorn, the desk's built bundles), the user an Assistant Admin who
logs in through /login. Screenshots for docs/desk.md are written with FAC_UPDATE_README_IMAGE=1.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

import frappe
import pytest

from frappe_assistant_core.api import admin_api
from tests.browser import test_fac_admin_page as page_test
from tests.support.server import serve
from tests.support.site import make_user

DRIVER = Path(__file__).with_name("drive_desk_guide.js")
DOCS = page_test.REPO / "docs"
ARTIFACTS = page_test.REPO / "test-artifacts"
ENDPOINT = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
SHORTCUTS = [
	"FAC Admin",
	"Plugin Configuration",
	"Tool Configuration",
	"Tool Call Log",
	"Assistant Core Settings",
]
# Where each shortcut leads, as desk's route: (view, name) of what opens.
LEADS_TO = {
	"FAC Admin": ["fac-admin"],
	"Plugin Configuration": ["List", "FAC Plugin Configuration"],
	"Tool Configuration": ["List", "FAC Tool Configuration"],
	"Tool Call Log": ["List", "FAC Tool Call Log"],
	"Assistant Core Settings": ["Form", "Assistant Core Settings"],
}
TOOLS = ["document_get", "document_list"]
LOG = "FAC Tool Call Log"
OTHER_MANAGER = "fac-desk-guide-manager@example.com"

desk_site = page_test.desk_site


def _images(name: str) -> list[str]:
	"""The test's own screenshot, and docs/NAME when it is missing or FAC_UPDATE_README_IMAGE is set."""
	return page_test._screenshots(ARTIFACTS / name, DOCS / name)


@pytest.fixture
def todo():
	"""A ToDo given to the desk user, committed: the user may read it, as the tools will.

	Another System Manager is made first: Frappe gives System Manager to a System User saved while
	no other user has it (v15 on a fresh bench site), and the desk user must not have it."""
	make_user(OTHER_MANAGER, ["System Manager"])
	user = page_test._desk_user()
	assert "System Manager" not in frappe.get_roles(user)
	doc = frappe.get_doc(
		{"doctype": "ToDo", "description": "Call the supplier about the late pallets", "allocated_to": user}
	)
	doc.insert(ignore_permissions=True)
	for name in TOOLS:
		admin_api.toggle_tool(tool_name=name, enable=1)
		admin_api.update_tool_role_access(tool_name=name, role_access_mode="Allow All", roles="[]")
	frappe.db.commit()
	yield doc
	frappe.delete_doc("ToDo", doc.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def _calls(user: str) -> dict[str, frappe._dict]:
	"""The user's FAC Tool Call Log rows by tool, once the queue is written."""
	from frappe_assistant_core.audit import store

	store.write_pending()
	rows = frappe.get_all(
		LOG,
		filters={"user": user},
		fields=["tool", "status", "client_name", "target_doctype", "target_name", "error_message"],
	)
	return {row.tool: row for row in rows}


@pytest.mark.browser
def test_workspace_connect_panel_and_test_action_in_the_real_desk(desk_site, todo):
	"""From the desk's home an Assistant Admin reaches the workspace and every place it names; the
	connect panel shows this server's endpoint URL and copies it and a client's config; Test runs a
	read tool with arguments and shows its result, shows a permission refusal and a hidden tool's
	refusal, and each of those calls is in the Tool Call Log as the user's, from the tester; the
	Tool Configuration form and list show categories with the page's labels."""
	if not os.path.exists(page_test.CHROMIUM):
		pytest.fail(f"{page_test.CHROMIUM} is missing: run tests/host/setup.sh (installs Debian's chromium)")
	user = page_test._desk_user()
	frappe.db.delete(LOG, {"user": user})
	frappe.db.commit()
	with serve(workers=2) as server:
		scenario = {
			"base_url": server.url,
			"user": user,
			"password": page_test.ADMIN_PASSWORD,
			"todo": {"name": todo.name, "description": todo.description},
			"shortcuts": SHORTCUTS,
			"label_tool": "document_get",
			"failure_screenshot": str(ARTIFACTS / "desk-guide-failure.png"),
			"screenshots": {
				"workspace": _images("desk-workspace.png"),
				"connect": _images("fac-admin-connect.png"),
				"tester": _images("fac-admin-test-tool.png"),
			},
		}
		report = page_test._run_driver(DRIVER, scenario, timeout=600)
	assert report["steps"] == ["workspace", "connect", "tester", "labels"], report["steps"]
	assert not report["page_errors"], "\n".join(report["page_errors"])
	assert report["native_dialogs"] == []
	assert page_test._console_errors(report, desk_site) == []
	frappe.db.rollback()
	_check_workspace(report["flows"]["workspace"])
	_check_connect(report["flows"]["connect"], server.url, user)
	_check_tester(report["flows"]["tester"], todo)
	_check_log(_calls(user), todo)
	_check_labels(report["flows"]["labels"])


def _check_workspace(result: dict) -> None:
	v16 = bool(frappe.db.exists("DocType", "Workspace Sidebar"))
	assert result["entry"] == ("desktop icon" if v16 else "sidebar")
	assert "Assistant Core" in result["route"], result["route"]
	assert result["shortcuts"] == SHORTCUTS
	hrefs = [href for _label, href in result["links"]]
	for target in ("fac-admin", "fac-plugin-configuration", "fac-tool-configuration", "fac-tool-call-log"):
		assert any(href.rstrip("/").endswith("/" + target) for href in hrefs), (target, hrefs)
	assert any("/assistant-core-settings" in href for href in hrefs), hrefs
	for label, route in LEADS_TO.items():
		assert result["followed"][label][: len(route)] == route, (label, result["followed"][label])


def _check_connect(result: dict, base_url: str, user: str) -> None:
	order = result["order"]
	assert (
		order.index("fac-admin-plugins") < order.index("fac-admin-connect") < order.index("fac-admin-tools")
	)
	assert order.index("fac-admin-tools") < order.index("fac-admin-usage"), "Usage below the switches"
	assert result["url"] == base_url + ENDPOINT
	assert result["copied_url"] == result["url"], "Copy put the URL on the clipboard"
	assert result["snippet"].startswith(
		f"claude mcp add --transport http frappe {base_url}{ENDPOINT} --header"
	)
	assert result["copied_snippet"] == result["snippet"]
	assert result["user_link"] == "/app/user/" + quote(user, safe="")
	assert "need only the endpoint URL and a login" in result["oauth"]
	assert result["after_arrow"] == "mcp-remote", "arrow keys move between the client tabs"


def _check_tester(result: dict, todo) -> None:
	assert [label.strip() for label in result["read_fields"]] == ["doctype", "name"]
	assert "Runs a real tools/call as" in result["read_intro"]
	assert result["read"]["state"] == "success", result["read"]
	assert re.match(r"Result \(\d+ ms\)", result["read"]["title"])
	assert todo.description in result["read"]["text"] and todo.name in result["read"]["text"]
	assert result["refused"]["state"] == "tool_error", result["refused"]
	assert "You do not have read permission on Error Log" in result["refused"]["text"]
	assert "execute_python_code is not in your tools/list" in result["hidden_intro"]
	assert result["hidden"]["state"] == "refused", result["hidden"]
	assert "JSON-RPC error -32602" in result["hidden"]["title"]
	assert "execute_python_code is not available" in result["hidden"]["text"]


def _check_log(calls: dict, todo) -> None:
	"""The tester's calls took the MCP path: each is logged, as the user's, from the tester."""
	assert set(calls) == {"document_get", "document_list", "execute_python_code"}, json.dumps(
		calls, default=str
	)
	assert {row.client_name for row in calls.values()} == {"FAC Admin tool test"}
	read = calls["document_get"]
	assert (read.status, read.target_doctype, read.target_name) == ("Success", "ToDo", todo.name)
	assert calls["document_list"].status == "Permission Denied"
	assert calls["execute_python_code"].status == "Unavailable"


def _check_labels(result: dict) -> None:
	"""document_get is read_only: "Read Only" on the page, in the form's select (which keeps the
	value) and read-only field, and in the list."""
	assert result["page"] == "Read Only"
	form = result["form"]
	assert (form["value"], form["selected"], form["dirty"]) == ("read_only", "Read Only", False)
	assert form["options"] == [
		["", ""],
		["read_only", "Read Only"],
		["write", "Write"],
		["read_write", "Read & Write"],
		["privileged", "Privileged"],
	]
	assert form["detected"] == "Read Only"
	assert "Read Only" in result["list"] and "read_only" not in result["list"], result["list"]
