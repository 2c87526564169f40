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
