"""The audit log never widens access (issue #19, finding 3), over Frappe's real permission API.

The audit's replay: an Assistant Admin who is not a System Manager switched on output logging,
then read every user's logged outputs (documents it may not read itself), and could switch
logging off for System Managers' calls. Now the log settings are System Managers' alone, and a
log row is readable only by the user whose call it records and by System Managers.
"""

from __future__ import annotations

import json
import urllib.parse

import frappe
import pytest

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.audit import store
from frappe_assistant_core.audit.recorder import DOCTYPE
from tests.support.doctypes import ORDER, ensure_test_doctypes
from tests.support.server import serve
from tests.support.site import ASSISTANT_ADMIN as SHARED_ASSISTANT_ADMIN
from tests.support.site import SYSTEM_MANAGER, api_credentials, make_user

SETTINGS = "Assistant Core Settings"
SETTINGS_PATH = "/api/resource/Assistant%20Core%20Settings/Assistant%20Core%20Settings"
LOG_PATH = "/api/resource/FAC%20Tool%20Call%20Log"
MCP = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
#: Assistant Admin (and Assistant User), not a System Manager.
ASSISTANT_ADMIN = SHARED_ASSISTANT_ADMIN
MANAGER = SYSTEM_MANAGER
LOG_SETTINGS = {"log_tool_calls": 1, "log_tool_output": 0, "log_retention_days": 90}


@pytest.fixture(scope="module")
def tokens():
	ensure_test_doctypes()
	admin = make_user(ASSISTANT_ADMIN, ["Assistant Admin", "Assistant User"])
	manager = make_user(MANAGER, ["System Manager"])
	return {"admin": api_credentials(admin), "manager": api_credentials(manager)}


@pytest.fixture(scope="module")
def server(tokens):
	with serve(workers=1) as running:
		yield running


def save_settings(**values) -> None:
	"""Save the settings as Administrator and commit (every worker's snapshot follows)."""
	frappe.set_user("Administrator")
	doc = frappe.get_doc(SETTINGS)
	doc.update(values)
	doc.save()
	frappe.db.commit()


@pytest.fixture
def log_settings():
	"""The log settings at their defaults before and after the test."""
	save_settings(**LOG_SETTINGS)
	yield
	save_settings(**LOG_SETTINGS)


def stored_log_settings() -> dict:
	frappe.db.rollback()
	values = frappe.db.get_singles_dict(SETTINGS)
	return {key: frappe.utils.cint(values.get(key)) for key in LOG_SETTINGS}


def put_settings(server, token: str, values: dict) -> int:
	status, _headers, _body = server.request(SETTINGS_PATH, method="PUT", body=values, auth=token)
	return status


def test_an_assistant_admin_cannot_switch_on_output_logging_or_switch_logging_off(
	server, tokens, log_settings
):
	"""The audit's replay over the REST API: none of the three changes is stored."""
	for change in ({"log_tool_output": 1}, {"log_tool_calls": 0}, {"log_retention_days": 1}):
		put_settings(server, tokens["admin"], change)
		assert stored_log_settings() == LOG_SETTINGS, change


def test_an_assistant_admin_still_changes_the_other_settings(server, tokens, log_settings):
	save_settings(mcp_instructions="")
	assert put_settings(server, tokens["admin"], {"mcp_instructions": "Be brief."}) == 200
	frappe.db.rollback()
	assert frappe.db.get_single_value(SETTINGS, "mcp_instructions") == "Be brief."
	save_settings(mcp_instructions="")


def test_a_system_manager_changes_the_log_settings(server, tokens, log_settings):
	assert put_settings(server, tokens["manager"], {"log_tool_output": 1, "log_retention_days": 30}) == 200
	assert stored_log_settings() == {**LOG_SETTINGS, "log_tool_output": 1, "log_retention_days": 30}


def test_a_save_that_skips_permissions_is_refused_for_anyone_but_a_system_manager(tokens, log_settings):
	"""Code saving the settings with ignore_permissions as an Assistant Admin gets a clear refusal."""
	frappe.set_user(ASSISTANT_ADMIN)
	doc = frappe.get_doc(SETTINGS)
	doc.log_tool_output = 1
	doc.flags.ignore_permissions = True
	with pytest.raises(frappe.PermissionError, match="Only a System Manager"):
		doc.save()
	frappe.set_user(MANAGER)
	doc = frappe.get_doc(SETTINGS)
	doc.log_tool_output = 1
	doc.save()
	frappe.db.rollback()


def test_the_log_settings_are_read_only_for_an_assistant_admin():
	"""What the desk shows: the three fields are readable, not writable, for an Assistant Admin."""
	make_user(ASSISTANT_ADMIN, ["Assistant Admin", "Assistant User"])
	frappe.set_user(ASSISTANT_ADMIN)
	doc = frappe.get_doc(SETTINGS)
	for field in LOG_SETTINGS:
		assert doc.has_permlevel_access_to(field, permission_type="read"), field
		assert not doc.has_permlevel_access_to(field, permission_type="write"), field


def _rpc(server, token: str, name: str, arguments: dict) -> dict:
	message = {
		"jsonrpc": "2.0",
		"id": 1,
		"method": "tools/call",
		"params": {"name": name, "arguments": arguments},
	}
	status, _h, raw = server.request(
		MCP, method="POST", body=message, auth=token, headers={"MCP-Protocol-Version": "2025-06-18"}
	)
	assert status == 200, raw
	return json.loads(raw)["result"]


def test_a_logged_output_is_readable_by_its_own_user_and_system_managers_only(server, tokens, log_settings):
	"""With output logging on, a System Manager reads a document an Assistant Admin may not; the
	Assistant Admin can neither list nor open that row, nor see its error or target through the
	admin API, while it still reads its own rows."""
	save_settings(log_tool_output=1)
	secret = frappe.get_doc(
		{"doctype": ORDER, "customer": "Hidden Margin Corp", "remarks": "secret"}
	).insert()
	frappe.db.commit()
	store.write_pending()
	frappe.db.delete(DOCTYPE, {"user": ("in", [MANAGER, ASSISTANT_ADMIN])})
	frappe.db.commit()
	assert not _rpc(server, tokens["manager"], "document_get", {"doctype": ORDER, "name": secret.name})[
		"isError"
	]
	_rpc(server, tokens["admin"], "test_echo", {"message": "mine"})
	frappe.db.rollback()
	store.write_pending()
	[theirs] = frappe.get_all(DOCTYPE, filters={"user": MANAGER}, fields=["name", "output"])
	[mine] = frappe.get_all(DOCTYPE, filters={"user": ASSISTANT_ADMIN}, pluck="name")
	assert "Hidden Margin Corp" in theirs.output

	query = urllib.parse.urlencode({"fields": json.dumps(["name", "user", "output"]), "limit_page_length": 0})
	status, _h, raw = server.request(f"{LOG_PATH}?{query}", auth=tokens["admin"])
	assert status == 200
	assert [row["name"] for row in json.loads(raw)["data"]] == [mine]
	status, _h, raw = server.request(f"{LOG_PATH}/{theirs.name}", auth=tokens["admin"])
	assert status == 403 and b"Hidden Margin" not in raw
	assert server.request(f"{LOG_PATH}/{mine}", auth=tokens["admin"])[0] == 200
	status, _h, raw = server.request(f"{LOG_PATH}/{theirs.name}", auth=tokens["manager"])
	assert status == 200 and b"Hidden Margin Corp" in raw

	# Other tests of this session may have logged document_get calls of other users: look at this one.
	frappe.set_user(ASSISTANT_ADMIN)
	[call] = [c for c in admin_api.get_recent_tool_calls(tool_name="document_get") if c.user == MANAGER]
	assert call.status == "Success"
	assert call.target_doctype == ORDER and call.target_name is None and call.error_message is None
	frappe.set_user(MANAGER)
	[call] = [c for c in admin_api.get_recent_tool_calls(tool_name="document_get") if c.user == MANAGER]
	assert call.target_name == secret.name
