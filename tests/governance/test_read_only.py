"""Read-only mode, for the site and per role: only read_only tools are listed and callable.

In-process through the endpoint function (tools/list and tools/call as a client sends them), and
the switch from the bench CLI. The SDK over HTTP is in test_sdk_http.py.
"""

from __future__ import annotations

import os

import frappe
import pytest

from frappe_assistant_core.api import admin_governance
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.wire.jsonrpc import FORBIDDEN
from tests.governance._mcp import call, governance, listed, text_of
from tests.host import bootstrap
from tests.support.site import make_user, reconnect, run_host_command

READER = "fac-gov-reader@example.com"
WRITER = "fac-gov-writer@example.com"
READ_ONLY_ROLE = "FAC Gov Read Only"


def _categories() -> dict[str, str]:
	return {name: info.category for name, info in get_plugin_manager().snapshot().tools.items()}


def test_read_only_mode_lists_only_read_only_tools_and_off_lists_them_all_again():
	everything = listed()
	categories = _categories()
	assert any(categories[name] != "read_only" for name in everything), "the site lists write tools"
	with governance(read_only_mode=1):
		narrowed = listed()
	assert narrowed == [name for name in everything if categories[name] == "read_only"]
	assert "document_get" in narrowed and "document_create" not in narrowed
	assert listed() == everything, "switching read-only mode off lists every tool again"


def test_read_only_mode_refuses_a_write_call_naming_why_and_runs_no_write():
	todos = frappe.db.count("ToDo")
	with governance(read_only_mode=1):
		status, body = call("document_create", {"doctype": "ToDo", "data": {"description": "x"}})
		read = call("document_list", {"doctype": "ToDo", "limit": 1})[1]
	assert status == 200 and body["error"]["code"] == FORBIDDEN
	assert "document_create can change data" in body["error"]["message"]
	assert "read-only mode (Assistant Core Settings > Read-only Mode)" in body["error"]["message"]
	assert frappe.db.count("ToDo") == todos
	assert read["result"]["isError"] is False, "read tools still run"
	created = call("document_create", {"doctype": "ToDo", "data": {"description": "after"}})[1]
	assert created["result"]["isError"] is False, text_of(created)


def test_a_read_only_role_limits_its_users_and_nobody_else():
	make_user(READER, ["System Manager", _role()], commit=False)
	make_user(WRITER, ["System Manager"], commit=False)
	with governance(read_only_roles=[READ_ONLY_ROLE]):
		reader_tools = listed(user=READER)
		writer_tools = listed(user=WRITER)
		_status, body = call(
			"document_create", {"doctype": "ToDo", "data": {"description": "r"}}, user=READER
		)
	categories = _categories()
	assert all(categories[name] == "read_only" for name in reader_tools)
	assert "document_create" in writer_tools and "document_create" not in reader_tools
	assert body["error"]["code"] == FORBIDDEN
	assert f"your role {READ_ONLY_ROLE} may use only read-only tools" in body["error"]["message"]


def test_settings_default_empty_limits_refuse_huge_ones_and_a_role_listed_twice():
	"""A limit left empty or 0 (a Single saved before the field existed loads it so) takes its
	default; one above the maximum, and a role listed twice, are refused."""
	doc = frappe.get_single("Assistant Core Settings")
	for field, default in (
		("rate_limit_per_user", 120),
		("rate_limit_per_tool", 60),
		("approval_expiry_hours", 24),
	):
		doc.set(field, 0)
		doc.save()
		assert doc.get(field) == default
		doc.set(field, 100_001)
		with pytest.raises(frappe.ValidationError, match="whole number from 1 to 100000"):
			doc.save()
		doc.reload()
	_role()
	doc.set("read_only_roles", [{"role": READ_ONLY_ROLE}, {"role": READ_ONLY_ROLE}])
	with pytest.raises(frappe.ValidationError, match="only once"):
		doc.save()


def test_admin_api_switches_read_only_mode_and_non_admins_are_refused():
	admin_governance.set_read_only_mode(enable="1")
	assert frappe.db.get_single_value("Assistant Core Settings", "read_only_mode") == 1
	assert "document_create" not in listed()
	admin_governance.set_read_only_mode(enable=0)
	assert "document_create" in listed()
	make_user("fac-gov-nobody@example.com", ["Assistant User"], commit=False)
	frappe.set_user("fac-gov-nobody@example.com")
	with pytest.raises(frappe.PermissionError):
		admin_governance.set_read_only_mode(enable=1)
	with pytest.raises(frappe.PermissionError):
		admin_governance.update_governance(settings={"rate_limit_per_user": 5})


@pytest.mark.skipif(bootstrap.on_real_bench(), reason="uses the host's bench emulation")
def test_bench_fac_read_only_switches_the_site_and_a_role():
	_role()

	def fac(*args):
		frappe.db.commit()
		done = run_host_command("bench", os.environ["DB_NAME"], "fac", "read-only", *args)
		reconnect()
		return done.stdout.strip().splitlines()[-1]

	try:
		assert fac("on") == "Read-only mode: on; read-only roles: none"
		assert frappe.db.get_single_value("Assistant Core Settings", "read_only_mode") == 1
		assert fac() == "Read-only mode: on; read-only roles: none"
		assert fac("on", "--role", READ_ONLY_ROLE) == f"Role {READ_ONLY_ROLE}: read-only on"
		assert fac("off") == f"Read-only mode: off; read-only roles: {READ_ONLY_ROLE}"
		assert fac("off", "--role", READ_ONLY_ROLE) == f"Role {READ_ONLY_ROLE}: read-only off"
	finally:
		admin_governance.update_governance(settings={"read_only_mode": 0, "read_only_roles": []})
		frappe.db.commit()


def _role() -> str:
	if not frappe.db.exists("Role", READ_ONLY_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": READ_ONLY_ROLE, "desk_access": 1}).insert()
		frappe.db.commit()
	return READ_ONLY_ROLE
