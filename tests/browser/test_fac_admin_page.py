"""FAC Admin desk page (/app/fac-admin): the Page record, the JS unit tests and a real browser run.

The JS unit tests (tests/js, node's test runner + jsdom) run here through `node --test` so they
report through pytest. The browser test drives Debian's headless Chromium with playwright-core
against the real app server (gunicorn, 2 workers) and then reads the database. The test host has
no built desk bundle, so the page runs inside tests/browser/shell.html, a test-only shell that
provides the few desk globals the page uses; a small loopback server here serves that shell, the
app's public/ files under /assets/frappe_assistant_core/ (as bench links them) and forwards /api/*
to the app server, so the page's frappe.call reaches the real endpoints from the same origin.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import frappe
import pytest

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.core.tool_registry import get_tool_registry
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from tests.support.server import serve
from tests.support.site import api_credentials, make_user

REPO = Path(__file__).resolve().parents[2]
PUBLIC = REPO / "frappe_assistant_core" / "public"
SHELL = Path(__file__).with_name("shell.html")
DRIVER = Path(__file__).with_name("drive_fac_admin.js")
USAGE_DRIVER = Path(__file__).with_name("drive_usage.js")
CHARTS = REPO / "tests" / "node_modules" / "frappe-charts" / "dist" / "frappe-charts.min.umd.js"
USAGE_IMAGE = REPO / "docs" / "fac-admin-usage.png"
CHROMIUM = "/usr/bin/chromium"
ARTIFACT = REPO / "test-artifacts" / "fac-admin.png"
README_IMAGE = REPO / "docs" / "fac-admin.png"
ADMIN_USER = "fac-admin-page@example.com"
PLUGIN_DT = "FAC Plugin Configuration"
TOOL_DT = "FAC Tool Configuration"


def _node() -> str:
	node = shutil.which("node")
	if not node or not (REPO / "tests" / "node_modules" / "jsdom").is_dir():
		pytest.fail("node and the npm packages are needed: run tests/host/setup.sh (it runs `npm ci`)")
	return node


# --------------------------------------------------------------------------------------------------
# The Page record
# --------------------------------------------------------------------------------------------------


def test_page_is_installed_for_system_manager_and_assistant_admin_only():
	"""Page fac-admin exists after install, belongs to Assistant Core and admits exactly the admin roles."""
	page = frappe.get_doc("Page", "fac-admin")
	assert (page.page_name, page.title, page.module, page.standard) == (
		"fac-admin",
		"FAC Admin",
		"Assistant Core",
		"Yes",
	)
	assert {row.role for row in page.roles} == {"System Manager", "Assistant Admin"}
	for email, roles, allowed in (
		("fac-page-admin@example.com", ["Assistant Admin"], True),
		("fac-page-sm@example.com", ["System Manager"], True),
		("fac-page-user@example.com", ["Assistant User"], False),
	):
		make_user(email, roles)
		frappe.set_user(email)
		assert bool(page.is_permitted()) is allowed, (email, roles)
	frappe.set_user("Administrator")


def test_page_script_is_the_desk_glue_that_requires_the_modules():
	"""Desk loads fac_admin.js as the page script; it requires the CSS and the six modules, in order."""
	page = frappe.get_doc("Page", "fac-admin")
	page.load_assets()
	assert 'frappe.pages["fac-admin"].on_page_load' in page.script
	assets = re.findall(r'"/assets/frappe_assistant_core/([^"]+)"', page.script)
	assert assets == [
		"css/fac_admin.css",
		"js/fac_admin/util.js",
		"js/fac_admin/filters.js",
		"js/fac_admin/render.js",
		"js/fac_admin/editor.js",
		"js/fac_admin/controller.js",
		"js/fac_admin/usage.js",
	]
	for asset in assets:
		assert (PUBLIC / asset).is_file(), asset


# --------------------------------------------------------------------------------------------------
# JS unit tests
# --------------------------------------------------------------------------------------------------


def test_js_unit_tests_pass():
	"""tests/js/*.test.js (rendering, filtering, controller, desk glue) all pass under node --test."""
	files = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests" / "js").glob("*.test.js"))
	assert files, "no JS tests found"
	done = subprocess.run(
		[_node(), "--test", *files], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
	)
	output = done.stdout + done.stderr
	assert done.returncode == 0, output[-6000:]
	passed = int(re.search(r"^# pass (\d+)$", output, re.M).group(1))
	assert re.search(r"^# fail 0$", output, re.M), output[-3000:]
	assert passed >= 50, f"only {passed} JS tests ran"


# --------------------------------------------------------------------------------------------------
# End to end in Chromium
# --------------------------------------------------------------------------------------------------


class _ShellHandler(http.server.BaseHTTPRequestHandler):
	"""Serves the shell, the app's assets and its config; forwards /api/ to the app server."""

	app_url = ""
	config_js = b""

	def log_message(self, format, *args):  # quiet
		pass

	def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
		self.send_response(status)
		self.send_header("Content-Type", content_type)
		self.send_header("Content-Length", str(len(body)))
		self.send_header("Cache-Control", "no-store")
		for key, value in (headers or {}).items():
			self.send_header(key, value)
		self.end_headers()
		self.wfile.write(body)

	def do_GET(self):
		path = self.path.split("?", 1)[0]
		if path == "/app/fac-admin":
			return self._send(200, SHELL.read_bytes(), "text/html; charset=utf-8")
		if path == "/shell-config.js":
			return self._send(200, self.config_js, "text/javascript")
		prefix = "/assets/frappe_assistant_core/"
		if path.startswith(prefix):
			file = (PUBLIC / path[len(prefix) :]).resolve()
			if file.is_file() and PUBLIC.resolve() in file.parents:
				kind = "text/css" if file.suffix == ".css" else "text/javascript"
				return self._send(200, file.read_bytes(), kind)
			return self._send(404, b"not found", "text/plain")
		if path == "/vendor/frappe-charts.min.umd.js":
			return self._send(200, CHARTS.read_bytes(), "text/javascript")
		if path.startswith("/api/"):
			return self._forward()
		return self._send(404, b"not found", "text/plain")

	def do_POST(self):
		if self.path.startswith("/api/"):
			return self._forward()
		return self._send(404, b"not found", "text/plain")

	def _forward(self) -> None:
		length = int(self.headers.get("Content-Length") or 0)
		body = self.rfile.read(length) if length else None
		headers = {
			k: v for k, v in self.headers.items() if k.lower() in {"authorization", "content-type", "accept"}
		}
		request = urllib.request.Request(
			self.app_url + self.path, data=body, method=self.command, headers=headers
		)
		try:
			with urllib.request.urlopen(request, timeout=60) as response:
				status, content_type, payload = (
					response.status,
					response.headers.get("Content-Type"),
					response.read(),
				)
		except urllib.error.HTTPError as err:
			status, content_type, payload = err.code, err.headers.get("Content-Type"), err.read()
		self._send(status, payload, content_type or "application/json")


@contextlib.contextmanager
def _shell(app_url: str, token: str) -> Iterator[str]:
	handler = type(
		"Handler",
		(_ShellHandler,),
		{
			"app_url": app_url,
			"config_js": f"window.FAC_TEST_CONFIG = {json.dumps({'token': token})};".encode(),
		},
	)
	server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	try:
		yield f"http://127.0.0.1:{server.server_address[1]}"
	finally:
		server.shutdown()
		server.server_close()


def _tool_state(name: str) -> dict:
	return frappe.db.get_value(
		TOOL_DT, name, ["enabled", "tool_category", "category_override", "role_access_mode"], as_dict=True
	)


def _roles_of(name: str) -> set[str]:
	return set(
		frappe.get_all("FAC Tool Role Access", filters={"parent": name, "parenttype": TOOL_DT}, pluck="role")
	)


def _baseline(plugins: list[str], tools: list[str]) -> None:
	"""Known starting state, committed: the plugins and tools on, categories and roles as detected."""
	for plugin in plugins:
		admin_api.toggle_plugin(plugin_name=plugin, enable=1)
	admin_api.bulk_toggle_tools(tool_names=json.dumps(tools), enable=1)
	for tool in tools:
		admin_api.update_tool_category(tool_name=tool, category="read_only", override=0)
		admin_api.update_tool_role_access(tool_name=tool, role_access_mode="Allow All", roles="[]")
	frappe.db.commit()


@pytest.mark.browser
def test_fac_admin_page_in_chromium_changes_the_database():
	"""Toggling a plugin and a tool, editing a tool and a bulk disable in the browser change the DB rows;
	a refused toggle shows the server's message and keeps the stored state; all survives a reload."""
	node = _node()
	if not os.path.exists(CHROMIUM):
		pytest.fail(f"{CHROMIUM} is missing: run tests/host/setup.sh (installs Debian's chromium)")
	core_tools = sorted(frappe.get_all(TOOL_DT, filters={"plugin_name": "core"}, pluck="name"))
	metadata_tools = [t for t in core_tools if "metadata" in t]
	assert len(metadata_tools) >= 2, core_tools
	tool, edit_tool = "search_global", "document_get"
	assert {tool, edit_tool} <= set(core_tools), core_tools
	plugin, fail_plugin = "visualization", "batch_processing"
	plugin_tools = frappe.get_all(TOOL_DT, filters={"plugin_name": plugin}, pluck="name")
	assert plugin_tools, "the visualization plugin's tools are configured"
	touched = sorted({tool, edit_tool, *core_tools})
	_baseline([plugin, fail_plugin], touched)
	token = api_credentials(make_user(ADMIN_USER, ["Assistant Admin"]))
	screenshots = [str(ARTIFACT)]
	if not README_IMAGE.exists() or os.environ.get("FAC_UPDATE_README_IMAGE"):
		screenshots.append(str(README_IMAGE))
	try:
		with serve(workers=2) as server, _shell(server.url, token) as shell_url:
			scenario = {
				"url": f"{shell_url}/app/fac-admin",
				"plugin": plugin,
				"tool": tool,
				"fail_plugin": fail_plugin,
				"edit_tool": edit_tool,
				"edit_role": "Assistant User",
				"bulk_search": "metadata",
				"screenshots": screenshots,
			}
			done = subprocess.run(
				[node, str(DRIVER), json.dumps(scenario)],
				cwd=REPO,
				capture_output=True,
				text=True,
				timeout=300,
				check=False,
			)
		report = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
		assert done.returncode == 0, (report.get("error"), report.get("steps"), done.stderr[-3000:])

		# The page was loaded the desk way, with the Page record's roles, and behaved.
		assert set(report["page_roles"]) == {"System Manager", "Assistant Admin"}
		initial = report["initial"]
		assert initial["plugins"]["core"]["checked"] and initial["plugins"]["core"]["disabled"]
		assert "always enabled" in initial["plugins"]["core"]["lock"]
		assert initial["plugins"][plugin] == {
			**initial["plugins"][plugin],
			"checked": True,
			"disabled": False,
		}
		assert initial["summary"]["total_plugins"] == "5"
		assert len(initial["tools"]) == admin_api.get_tool_configurations()["total"]
		assert report["plugin_in_flight"] == {"checked": False}, "switch disabled + aria-busy while in flight"
		assert report["refused_status"] == 404
		assert "no_such_plugin" in report["refused_message"], report["refused_message"]
		assert report["after_refusal"]["checked"] is True
		assert report["dialog_focus"] == "category_override"
		assert set(metadata_tools) <= set(report["bulk_shown"]) <= set(core_tools), report["bulk_shown"]
		confirms = [d["message"] for d in report["dialogs"] if d["type"] == "confirm"]
		assert confirms == [
			f"Disable the {len(report['bulk_shown'])} tools shown ({len(report['bulk_shown'])} currently enabled)? "
			"They will disappear from MCP tools/list."
		]
		assert [d for d in report["dialogs"] if d["type"] != "confirm"] == [], "no desk message popups"
		assert report["page_errors"] == [] and report["pwned"] is None
		assert all(
			r["type"] == "POST"
			for r in report["requests"]
			if "toggle" in r["method"] or "update" in r["method"]
		)

		# Fresh read of what the server committed.
		frappe.db.rollback()
		assert frappe.db.get_value(PLUGIN_DT, plugin, "enabled") == 0
		assert frappe.db.get_value(PLUGIN_DT, plugin, "last_toggled_by") == ADMIN_USER
		assert frappe.db.get_value(PLUGIN_DT, fail_plugin, "enabled") == 1, "refused toggle changed nothing"
		assert _tool_state(tool).enabled == 0
		edited = _tool_state(edit_tool)
		assert (edited.tool_category, edited.category_override, edited.role_access_mode) == (
			"privileged",
			1,
			"Restrict to Listed Roles",
		)
		assert _roles_of(edit_tool) == {"Assistant User"}
		for name in report["bulk_shown"]:
			assert _tool_state(name).enabled == 0, name
		untouched = set(core_tools) - set(report["bulk_shown"]) - {tool}
		assert untouched and all(_tool_state(name).enabled == 1 for name in untouched)

		# The changes reached the registry MCP tools/list is built from, in this other process.
		get_plugin_manager().reload()
		registry = get_tool_registry()
		assert plugin not in registry.manager.get_enabled_plugins()
		listed = {info.name for info in registry.get_available_tools(ADMIN_USER)}
		assert untouched & listed, "the admin still sees the tools nobody changed"
		hidden = {tool, edit_tool, *report["bulk_shown"], *plugin_tools}
		assert not hidden & listed, hidden & listed
		assistant = make_user("fac-admin-page-assistant@example.com", ["Assistant User"])
		assert edit_tool in {info.name for info in registry.get_available_tools(assistant)}, (
			"listed role admitted"
		)

		# And the page showed the stored state after a reload.
		after = report["after_reload"]
		assert after["plugins"][plugin]["checked"] is False
		assert after["tools"][tool]["checked"] is False
		assert after["tools"][edit_tool]["category"] == "Privileged"
		assert "Assistant User" in after["tools"][edit_tool]["access"]
		assert all(after["tools"][name]["checked"] is False for name in report["bulk_shown"])
		for name in plugin_tools:
			assert after["tools"][name]["status"].startswith("Inactive"), (
				f"{name}: a disabled plugin's tools stay listed"
			)
		assert ARTIFACT.stat().st_size > 20_000
	finally:
		frappe.db.rollback()
		_baseline([plugin, fail_plugin], touched)


@pytest.mark.browser
def test_usage_section_in_chromium():
	"""Known log rows: the Usage section draws the chart, lists tools and users with links to the
	filtered log, sorts by error rate, and the tool dialog shows the tool's recent calls."""
	from frappe.utils import add_days, now_datetime

	from frappe_assistant_core.audit import store

	node = _node()
	store.write_pending()
	frappe.db.delete("FAC Tool Call Log")
	now = now_datetime()
	rows = [("document_get", "Success", 12.0, 0)] * 6 + [("document_get", "Permission Denied", 3.0, 1)]
	rows += [("document_list", "Success", 30.0, 2)] * 3 + [("execute_python_code", "Timeout", 1000.0, 3)] * 2
	for tool, status, duration, days_ago in rows:
		doc = frappe.get_doc(
			{
				"doctype": "FAC Tool Call Log",
				"timestamp": add_days(now, -days_ago),
				"user": ADMIN_USER,
				"tool": tool,
				"plugin": "data_science" if tool == "execute_python_code" else "core",
				"status": status,
				"duration_ms": duration,
				"target_doctype": "ToDo",
			}
		)
		doc.flags.fac_from_queue = True
		doc.insert(ignore_permissions=True)
	frappe.db.commit()
	token = api_credentials(make_user(ADMIN_USER, ["Assistant Admin"]))
	image = (
		USAGE_IMAGE
		if os.environ.get("FAC_UPDATE_README_IMAGE") or not USAGE_IMAGE.exists()
		else ARTIFACT.with_name("fac-admin-usage.png")
	)
	try:
		with serve(workers=1) as server, _shell(server.url, token) as shell_url:
			scenario = {"url": f"{shell_url}/app/fac-admin", "tool": "document_get", "screenshot": str(image)}
			done = subprocess.run(
				[node, str(USAGE_DRIVER), json.dumps(scenario)],
				cwd=REPO,
				capture_output=True,
				text=True,
				timeout=300,
				check=False,
			)
		report = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
		assert done.returncode == 0, (report.get("error"), done.stderr[-3000:])
		assert report["page_errors"] == []
		assert report["summary"].startswith("12 calls in the last 30 days, 3 not successful (25.0%)")
		assert report["chart_bars"] >= 4  # one stacked bar segment per (day, status) with calls
		assert report["tools"] == ["document_get", "document_list", "execute_python_code"]
		assert report["by_error_rate"] == ["execute_python_code", "document_get", "document_list"]
		assert report["tool_link"] == "/app/fac-tool-call-log?tool=document_get"
		assert report["users"] == [
			[ADMIN_USER.split("@")[0], "/app/fac-tool-call-log?user=" + ADMIN_USER.replace("@", "%40")]
		]
		assert len(report["recent"]) == 7 and "Permission Denied" in report["recent"][-1]
		assert image.stat().st_size > 10_000
	finally:
		frappe.db.delete("FAC Tool Call Log")
		frappe.db.commit()
