"""bench CLI: `bench --site SITE fac ...`, run in its own process through the app's click group."""

from __future__ import annotations

import os

import frappe
import pytest

from tests.host import bootstrap
from tests.support.site import reconnect, run_host_command

pytestmark = pytest.mark.skipif(bootstrap.on_real_bench(), reason="uses the host's bench emulation")


def _fac(*args: str, check: bool = True):
	frappe.db.commit()
	done = run_host_command("bench", os.environ["DB_NAME"], "fac", *args, check=check)
	reconnect()
	return done


def test_fac_plugins_prints_a_table_of_the_five_plugins():
	out = _fac("plugins").stdout.splitlines()
	assert out[0].split() == ["plugin", "display", "name", "state", "tools", "problem"]
	names = [line.split()[0] for line in out[1:]]
	assert names[0] == "core" and sorted(names) == sorted(
		["core", "data_science", "visualization", "websocket", "batch_processing"]
	)


def test_fac_disable_and_enable_change_the_row():
	assert "Plugin 'visualization' disabled." in _fac("disable", "visualization").stdout
	assert frappe.db.get_value("FAC Plugin Configuration", "visualization", "enabled") == 0
	assert "Plugin 'visualization' enabled." in _fac("enable", "visualization").stdout
	assert frappe.db.get_value("FAC Plugin Configuration", "visualization", "enabled") == 1


def test_fac_refuses_like_the_api_and_exits_non_zero():
	done = _fac("disable", "core", check=False)
	assert done.returncode == 1 and "always enabled" in done.stderr
	assert frappe.db.get_value("FAC Plugin Configuration", "core", "enabled") == 1
	done = _fac("enable", "nope", check=False)
	assert done.returncode == 1 and "not found" in done.stderr


def test_fac_tools_filters_by_plugin_and_fac_sync_reports():
	lines = _fac("tools", "--plugin", "external").stdout.splitlines()
	assert {line.split()[0] for line in lines[1:]} == {
		"test_echo",
		"test_create_todo",
		"test_simple_text",
		"test_error_handling",
	}
	assert "FAC sync:" in _fac("sync").stdout


def test_a_bad_option_or_command_is_one_line_of_error_not_a_traceback():
	for args in (("fac", "--bogus"), ("fac", "enable"), ("nope",)):
		done = run_host_command("bench", os.environ["DB_NAME"], *args, check=False)
		assert done.returncode == 2, args
		assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1, done.stderr


def test_a_command_for_a_site_that_does_not_exist_is_one_line_of_error():
	done = run_host_command("bench", "fac_no_such_site", "fac", "plugins", check=False)
	assert done.returncode == 2
	assert done.stderr.strip() == (
		"python -m tests.host: no host site fac_no_such_site (create it with `new-site fac_no_such_site`)"
	)


# --------------------------------------------------------------------------------------------------
# One tool: `fac tool show|enable|disable|category|roles`, through the admin API's rules
# --------------------------------------------------------------------------------------------------

TOOL_DT = "FAC Tool Configuration"


@pytest.fixture
def tool_state():
	"""document_get and search_global on, categories as detected, open to all; put back afterwards."""

	def reset():
		from frappe_assistant_core.api import admin_api

		frappe.set_user("Administrator")
		for name in ("document_get", "search_global", "document_create"):
			admin_api.toggle_tool(tool_name=name, enable=1)
			admin_api.update_tool_category(tool_name=name, override=0)
			admin_api.update_tool_role_access(tool_name=name, role_access_mode="Allow All", roles="[]")
		frappe.db.commit()

	reset()
	yield
	reset()


def _row(name: str) -> dict:
	return frappe.db.get_value(
		TOOL_DT, name, ["enabled", "tool_category", "category_override", "role_access_mode"], as_dict=True
	)


def _refused(*args: str) -> str:
	"""A refused command: exit status 1 and one line on stderr (its message), nothing on stdout."""
	done = _fac(*args, check=False)
	assert done.returncode == 1, (done.stdout, done.stderr)
	lines = done.stderr.strip().splitlines()
	assert len(lines) == 1 and lines[0].startswith(os.environ["DB_NAME"] + ": "), done.stderr
	assert "Traceback" not in done.stderr and not done.stdout.strip()
	return lines[0]


def test_fac_tool_disable_and_enable_switch_one_or_several_tools(tool_state):
	assert "Tool 'document_get' disabled." in _fac("tool", "disable", "document_get").stdout
	assert _row("document_get").enabled == 0
	assert "tools enabled." in _fac("tool", "enable", "document_get", "search_global").stdout
	assert (_row("document_get").enabled, _row("search_global").enabled) == (1, 1)
	assert "2 tools disabled." in _fac("tool", "disable", "search_global", "document_get").stdout
	assert (_row("document_get").enabled, _row("search_global").enabled) == (0, 0)


def test_fac_tool_with_an_unknown_name_among_several_changes_none(tool_state):
	assert "Tool nope not found" in _refused("tool", "disable", "document_get", "nope")
	assert _row("document_get").enabled == 1


def test_fac_tool_category_raises_and_returns_to_the_detected_one(tool_state):
	assert "category is now privileged" in _fac("tool", "category", "document_get", "privileged").stdout
	row = _row("document_get")
	assert (row.tool_category, row.category_override) == ("privileged", 1)
	shown = _fac("tool", "show", "document_get").stdout
	assert "privileged (override; detected read_only)" in shown
	assert "category is now read_only" in _fac("tool", "category", "document_get", "--detected").stdout
	row = _row("document_get")
	assert (row.tool_category, row.category_override) == ("read_only", 0)


def test_fac_tool_category_is_never_lowered_below_the_detected_one(tool_state):
	"""The admin API's rule: document_create is detected as write, so read_only is refused."""
	line = _refused("tool", "category", "document_create", "read_only")
	assert "can be raised above write, not lowered to read_only" in line
	assert (_row("document_create").tool_category, _row("document_create").category_override) == ("write", 0)
	assert "must be one of read_only, write, read_write, privileged" in _refused(
		"tool", "category", "document_get", "harmless"
	)


def test_fac_tool_roles_restrict_and_allow_all(tool_state):
	out = _fac("tool", "roles", "document_get", "Assistant User", "System Manager").stdout
	assert "Restrict to Listed Roles: Assistant User, System Manager" in out
	assert _row("document_get").role_access_mode == "Restrict to Listed Roles"
	assert set(frappe.get_all("FAC Tool Role Access", filters={"parent": "document_get"}, pluck="role")) == {
		"Assistant User",
		"System Manager",
	}
	assert "access:      Allow All" in _fac("tool", "roles", "document_get", "--all").stdout
	assert _row("document_get").role_access_mode == "Allow All"
	assert not frappe.get_all("FAC Tool Role Access", filters={"parent": "document_get"})


def test_fac_tool_roles_refuses_unknown_and_everyone_roles(tool_state):
	assert "Unknown roles: No Such Role" in _refused(
		"tool", "roles", "document_get", "Assistant User", "No Such Role"
	)
	assert "Guest cannot restrict a tool" in _refused("tool", "roles", "document_get", "Guest")
	assert _row("document_get").role_access_mode == "Allow All"


def test_fac_tool_show_names_a_missing_tool_in_one_line():
	assert "Tool nope not found" in _refused("tool", "show", "nope")
	assert "must be a plugin or tool name" in _refused("tool", "show", "../etc")


@pytest.mark.parametrize(
	("args", "message"),
	[
		(["tool", "disable"], "Missing argument 'TOOL_NAMES...'"),
		(["tool", "category", "document_get"], "Give a CATEGORY, or --detected"),
		(["tool", "category", "document_get", "write", "--detected"], "Give a CATEGORY, or --detected"),
		(["tool", "roles", "document_get"], "Give one or more ROLES, or --all"),
		(["tool", "roles", "document_get", "--everyone"], "No such option: --everyone"),
	],
)
def test_bad_command_lines_are_one_line_errors(args, message):
	"""As bench runs a command (click's standalone mode): exit status 2, one line, no usage block."""
	from click.testing import CliRunner

	from frappe_assistant_core.commands import fac

	done = CliRunner().invoke(fac, args, obj=frappe._dict(sites=["unused"]))
	assert done.exit_code == 2, done.output
	lines = done.output.strip().splitlines()
	assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], done.output
