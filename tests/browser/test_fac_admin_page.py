"""FAC Admin desk page (/app/fac-admin): the Page record, the JS unit tests and the real desk.

The JS unit tests (tests/js, node's test runner + jsdom) run here through `node --test` so they
report through pytest. The browser test drives Debian's headless Chromium with playwright-core
against the real app server (gunicorn, 2 workers) serving the real desk (the bundles built by
tests/host/assets/build.js): it logs in through /login, runs the flows of drive_fac_admin.js (the
FAC Admin page's plugin and tool flows, the plugin list and form, whose save is a toggle, and its
refusal for core, a tool's form) and then reads the database. Each flow's result is checked by the
`_check_<flow>` function of the same name below.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import frappe
import pytest

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager, get_tool_registry
from tests.support.server import serve
from tests.support.site import make_user, mark_setup_complete

REPO = Path(__file__).resolve().parents[2]
PUBLIC = REPO / "frappe_assistant_core" / "public"
DRIVER = Path(__file__).with_name("drive_fac_admin.js")
USAGE_DRIVER = Path(__file__).with_name("drive_usage.js")
USAGE_IMAGE = REPO / "docs" / "fac-admin-usage.png"
CHROMIUM = "/usr/bin/chromium"
ARTIFACT = REPO / "test-artifacts" / "fac-admin.png"
README_IMAGE = REPO / "docs" / "fac-admin.png"
REFUSAL_ARTIFACT = REPO / "test-artifacts" / "fac-plugin-configuration-refusal.png"
REFUSAL_README_IMAGE = REPO / "docs" / "fac-plugin-configuration-refusal.png"
ADMIN_USER = "fac-admin-page@example.com"
ADMIN_PASSWORD = "fac-admin-page-Pa55!"
CORE_REFUSAL = "Plugin core is always enabled and cannot be disabled"
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
	"""Desk loads fac_admin.js as the page script; it requires the CSS and the modules, in order."""
	page = frappe.get_doc("Page", "fac-admin")
	page.load_assets()
	assert 'frappe.pages["fac-admin"].on_page_load' in page.script
	assets = re.findall(r'"/assets/frappe_assistant_core/([^"]+)"', page.script)
	assert assets == [
		"css/fac_admin.css",
		"js/fac_admin/util.js",
		"js/fac_admin/desk_adapters.js",
		"js/fac_admin/filters.js",
		"js/fac_admin/render.js",
		"js/fac_admin/editor.js",
		"js/fac_admin/controller.js",
		"js/fac_admin/usage.js",
		"js/fac_admin/governance.js",
		"css/fac_admin_connections.css",
		"js/fac_admin/connections.js",
		"js/fac_admin/doctor.js",
		"css/fac_admin_connect.css",
		"js/fac_admin/connect_guide.js",
		"js/fac_admin/connect.js",
		"js/fac_admin/schema_form.js",
		"js/fac_admin/mcp_client.js",
		"js/fac_admin/tool_trial.js",
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
# End to end in Chromium, in the real desk
# --------------------------------------------------------------------------------------------------

FLOWS = [
	"login",
	"fac_admin_plugins",
	"fac_admin_tools",
	"fac_admin_reload",
	"plugin_form_toggle",
	"plugin_form_refusal",
	"tool_form",
]


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


def _desk_user() -> str:
	"""An Assistant Admin (no System Manager) who logs in with a password, committed."""
	from frappe.utils.password import update_password

	make_user(ADMIN_USER, ["Assistant Admin"])
	update_password(ADMIN_USER, ADMIN_PASSWORD)
	frappe.db.commit()
	return ADMIN_USER


@pytest.fixture
def desk_site() -> tuple[str, ...]:
	"""A desk any user can open, on a bench too; returns the URLs whose failures are the server's.

	A bench's new site sends every user to /app/setup-wizard until its wizard has run (host sites
	are made done): mark it done (committed; a bench site is put back after the run). A bench web
	server with no realtime server behind it (`bench serve` alone) answers the desk's socket.io
	polls 404; the site config key that stops them (`disable_async`, the host's) breaks v15's list
	view (its realtime client then has no socket), so those 404s are the only ones let through.
	"""
	if not frappe.db.get_single_value("System Settings", "setup_complete"):
		mark_setup_complete()
		frappe.db.commit()
	return () if frappe.conf.get("disable_async") or _realtime_answers() else ("/socket.io/",)


def _realtime_answers() -> bool:
	"""Whether the web server the tests use passes the desk's socket.io requests to a realtime server."""
	with serve(workers=1) as server:
		status, _headers, _body = server.request("/socket.io/?EIO=4&transport=polling")
	return status == 200


def _console_errors(report: dict, no_server: tuple[str, ...]) -> list[dict]:
	"""The page's console errors but the failed polls of a realtime server the bench does not run."""
	return [e for e in report["console_errors"] if not any(url in e["url"] for url in no_server)]


def _screenshots(artifact: Path, readme_image: Path) -> list[str]:
	"""The test's own screenshot, and the README's when it is missing or FAC_UPDATE_README_IMAGE is set."""
	paths = [str(artifact)]
	if not readme_image.exists() or os.environ.get("FAC_UPDATE_README_IMAGE"):
		paths.append(str(readme_image))
	return paths


def _run_driver(driver: Path, scenario: dict, timeout: int) -> dict:
	"""Run a node driver with `scenario`; its report (the last line of stdout), asserted successful."""
	done = subprocess.run(
		[_node(), str(driver), json.dumps(scenario)],
		cwd=REPO,
		capture_output=True,
		text=True,
		timeout=timeout,
		check=False,
	)
	report = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
	assert done.returncode == 0, (report.get("error"), report.get("steps"), done.stderr[-3000:])
	return report


def _drive(scenario: dict) -> dict:
	report = _run_driver(DRIVER, scenario, timeout=600)
	assert report["steps"] == scenario["flows"], report["steps"]
	return report


@pytest.mark.browser
def test_real_desk_in_chromium_changes_the_database(desk_site):
	"""Logged in through /login, the FAC Admin page's plugin and tool flows, the plugin form's save
	(a toggle) and its refusal for core, and a tool's form work in the real desk with no console
	error, and what they changed is in the database and reaches the MCP registry."""
	if not os.path.exists(CHROMIUM):
		pytest.fail(f"{CHROMIUM} is missing: run tests/host/setup.sh (installs Debian's chromium)")
	core_tools = sorted(frappe.get_all(TOOL_DT, filters={"plugin_name": "core"}, pluck="name"))
	scenario = {
		"flows": FLOWS,
		"user": _desk_user(),
		"password": ADMIN_PASSWORD,
		"plugin": "visualization",
		"fail_plugin": "data_science",
		"form_plugin": "data_science",
		"tool": "search_global",
		"edit_tool": "document_get",
		"edit_role": "Assistant User",
		"bulk_search": "metadata",
		"form_tool": "document_list",
		"core_refusal": CORE_REFUSAL,
		"screenshots": _screenshots(ARTIFACT, README_IMAGE),
		"refusal_screenshots": _screenshots(REFUSAL_ARTIFACT, REFUSAL_README_IMAGE),
	}
	assert {scenario["tool"], scenario["edit_tool"], scenario["form_tool"]} <= set(core_tools), core_tools
	plugins = [scenario["plugin"], scenario["fail_plugin"], scenario["form_plugin"]]
	touched = sorted({scenario["tool"], scenario["edit_tool"], *core_tools})
	_baseline(plugins, touched)
	try:
		with serve(workers=2) as server:
			report = _drive({**scenario, "base_url": server.url})
		frappe.db.rollback()  # a fresh read of what the server committed
		for flow in FLOWS:
			globals()[f"_check_{flow}"](report["flows"][flow], scenario, core_tools)
		_check_console(report, desk_site)
		_check_registry(report, scenario)
	finally:
		frappe.db.rollback()
		_baseline(plugins, touched)


def _check_login(result: dict, scenario: dict, core_tools: list[str]) -> None:
	assert re.search(r"/(app|desk)(/|$)", result["landed"]), result["landed"]
	assert result["user"] == scenario["user"]


def _check_fac_admin_plugins(result: dict, scenario: dict, core_tools: list[str]) -> None:
	plugin, fail_plugin = scenario["plugin"], scenario["fail_plugin"]
	assert result["route"] == "fac-admin"
	initial = result["initial"]
	assert initial["plugins"]["core"]["checked"] and initial["plugins"]["core"]["disabled"]
	assert "always enabled" in initial["plugins"]["core"]["lock"]
	assert initial["plugins"][plugin] == {**initial["plugins"][plugin], "checked": True, "disabled": False}
	for name, shown in initial["plugins"].items():
		assert "Enabled" not in shown["pills"] and "Disabled" not in shown["pills"], "the switch says it"
		tools = frappe.get_all(TOOL_DT, filters={"plugin_name": name}, pluck="name")
		assert (shown["checked"] is None) == (not tools) == (shown["no_tools"] == "No tools"), name
	assert initial["summary"]["total_plugins"] == "5"
	assert len(initial["tools"]) == admin_api.get_tool_configurations()["total"]
	assert result["in_flight"] == {"checked": False}, "switch disabled + aria-busy while in flight"
	# The refusal is the server's own (the request was altered to switch off core), shown on the page.
	assert result["refused_status"] == 417
	assert CORE_REFUSAL in result["refused_message"], result["refused_message"]
	assert result["after_refusal"]["checked"] is True
	assert result["modals_after_refusal"] == 0, "the page shows the refusal itself, in no desk popup"
	assert frappe.db.get_value(PLUGIN_DT, plugin, "enabled") == 0
	assert frappe.db.get_value(PLUGIN_DT, plugin, "last_toggled_by") == scenario["user"]
	# after_refusal is the page re-read from the server: the refused toggle changed nothing.
	assert initial["plugins"][fail_plugin]["checked"] is True
	assert frappe.db.get_value(PLUGIN_DT, "core", "enabled") == 1


def _check_fac_admin_tools(result: dict, scenario: dict, core_tools: list[str]) -> None:
	metadata_tools = [t for t in core_tools if "metadata" in t]
	assert len(metadata_tools) >= 2, core_tools
	assert result["dialog_focus"] == "category_override"
	shown = result["bulk_shown"]
	assert set(metadata_tools) <= set(shown) <= set(core_tools), shown
	assert (
		f"Disable the {len(shown)} tools shown ({len(shown)} currently enabled)? "
		"They will disappear from MCP tools/list."
	) in result["confirm_message"], result["confirm_message"]
	assert _tool_state(scenario["tool"]).enabled == 0
	edited = _tool_state(scenario["edit_tool"])
	assert (edited.tool_category, edited.category_override, edited.role_access_mode) == (
		"privileged",
		1,
		"Restrict to Listed Roles",
	)
	assert _roles_of(scenario["edit_tool"]) == {scenario["edit_role"]}
	for name in shown:
		assert _tool_state(name).enabled == 0, name
	untouched = set(core_tools) - set(shown) - {scenario["tool"]}
	assert untouched and all(_tool_state(name).enabled == 1 for name in untouched)


def _check_fac_admin_reload(result: dict, scenario: dict, core_tools: list[str]) -> None:
	after = result["after_reload"]
	assert after["plugins"][scenario["plugin"]]["checked"] is False
	assert after["tools"][scenario["tool"]]["checked"] is False
	assert after["tools"][scenario["edit_tool"]]["category"] == "Privileged"
	assert scenario["edit_role"] in after["tools"][scenario["edit_tool"]]["access"]
	for name in frappe.get_all(TOOL_DT, filters={"plugin_name": scenario["plugin"]}, pluck="name"):
		assert after["tools"][name]["status"].startswith("Inactive"), (
			f"{name}: a disabled plugin's tools stay listed"
		)
	assert result["pwned"] is None
	assert ARTIFACT.stat().st_size > 20_000


def _check_plugin_form_toggle(result: dict, scenario: dict, core_tools: list[str]) -> None:
	assert result["list_names"] == sorted(frappe.get_all(PLUGIN_DT, pluck="name"))
	assert result["save_status"] == 200
	assert result["after_save"]["enabled"] == 0
	assert result["after_save"]["last_toggled_by"] == scenario["user"]
	assert result["modals"] == 0
	row = frappe.db.get_value(
		PLUGIN_DT, scenario["form_plugin"], ["enabled", "last_toggled_by"], as_dict=True
	)
	assert (row.enabled, row.last_toggled_by) == (0, scenario["user"])


def _check_plugin_form_refusal(result: dict, scenario: dict, core_tools: list[str]) -> None:
	assert result["save_status"] == 417
	assert CORE_REFUSAL in result["message"], result["message"]
	assert result["still_dirty"] is True, "the refused change stays in the form, unsaved"
	assert result["stored_enabled"] == 1
	assert frappe.db.get_value(PLUGIN_DT, "core", "enabled") == 1


def _check_tool_form(result: dict, scenario: dict, core_tools: list[str]) -> None:
	tool = scenario["form_tool"]
	assert result["doc"] == {"tool_name": tool, "plugin_name": "core"}
	assert tool in result["fields"]["tool_name"]
	assert "core" in result["fields"]["plugin_name"]
	assert result["fields"]["role_access_mode"], "the role access field is drawn"


def _check_console(report: dict, no_server: tuple[str, ...]) -> None:
	"""No JS error at all; the only console errors are the desk's lines about the refusals the
	flows caused on purpose: the failed request, and the server's traceback Frappe prints for a
	System User (System Settings, Allow Error Traceback) ending in the refusal's message."""
	assert report["page_errors"] == []
	assert report["native_dialogs"] == []
	expected = report["expected_failures"]
	assert expected, "the flows declare the refusals they cause"
	for error in _console_errors(report, no_server):
		text = error["text"]
		if text.startswith("Failed to load resource"):
			assert any(e["url"] in error["url"] for e in expected), error
		else:
			assert text.startswith("Traceback") and any(e["message"] in text for e in expected), error
	mutations = [r for r in report["requests"] if re.search(r"toggle|update|savedocs", r["method"])]
	assert mutations and all(r["type"] == "POST" for r in mutations), mutations


def _check_registry(report: dict, scenario: dict) -> None:
	"""The changes reached the registry MCP tools/list is built from, in this other process."""
	get_plugin_manager().reload()
	registry = get_tool_registry()
	enabled = registry.manager.get_enabled_plugins()
	assert scenario["plugin"] not in enabled and scenario["form_plugin"] not in enabled
	listed = {info.name for info in registry.get_available_tools(scenario["user"])}
	shown = report["flows"]["fac_admin_tools"]["bulk_shown"]
	hidden = {scenario["tool"], scenario["edit_tool"], *shown}
	hidden |= set(frappe.get_all(TOOL_DT, filters={"plugin_name": scenario["plugin"]}, pluck="name"))
	assert not hidden & listed, hidden & listed
	assert listed, "the admin still sees the tools nobody changed"
	assistant = make_user("fac-admin-page-assistant@example.com", ["Assistant User"])
	listed_for_assistant = {info.name for info in registry.get_available_tools(assistant)}
	assert scenario["edit_tool"] in listed_for_assistant, "listed role admitted"


@pytest.mark.browser
def test_usage_section_in_the_real_desk(desk_site):
	"""Known log rows: the Usage section draws the desk's own frappe.Chart, lists tools and users with
	links to the filtered log, sorts by error rate, and the tool dialog shows the tool's recent calls."""
	from frappe.utils import add_days, now_datetime

	from frappe_assistant_core.audit import store

	store.write_pending()
	frappe.db.delete("FAC Tool Call Log")
	now = now_datetime()
	user = _desk_user()
	rows = [("document_get", "Success", 12.0, 0)] * 6 + [("document_get", "Permission Denied", 3.0, 1)]
	rows += [("document_list", "Success", 30.0, 2)] * 3 + [("execute_python_code", "Timeout", 1000.0, 3)] * 2
	for tool, status, duration, days_ago in rows:
		doc = frappe.get_doc(
			{
				"doctype": "FAC Tool Call Log",
				"timestamp": add_days(now, -days_ago),
				"user": user,
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
	image = (
		USAGE_IMAGE
		if os.environ.get("FAC_UPDATE_README_IMAGE") or not USAGE_IMAGE.exists()
		else ARTIFACT.with_name("fac-admin-usage.png")
	)
	try:
		with serve(workers=1) as server:
			scenario = {
				"base_url": server.url,
				"user": user,
				"password": ADMIN_PASSWORD,
				"tool": "document_get",
				"screenshot": str(image),
			}
			report = _run_driver(USAGE_DRIVER, scenario, timeout=300)
		assert report["page_errors"] == [] and _console_errors(report, desk_site) == []
		assert report["summary"].startswith("12 calls in the last 30 days, 3 not successful (25.0%)")
		assert report["chart_bars"] >= 4  # one stacked bar segment per (day, status) with calls
		assert report["tools"] == ["document_get", "document_list", "execute_python_code"]
		assert report["by_error_rate"] == ["execute_python_code", "document_get", "document_list"]
		assert report["tool_link"] == "/app/fac-tool-call-log?tool=document_get"
		assert report["users"] == [
			[user.split("@")[0], "/app/fac-tool-call-log?user=" + user.replace("@", "%40")]
		]
		assert len(report["recent"]) == 7 and "Permission Denied" in report["recent"][-1]
		assert image.stat().st_size > 10_000
	finally:
		frappe.db.delete("FAC Tool Call Log")
		frappe.db.commit()
