"""FAC Tool Call Log: every tools/call is recorded, with the right fields, whatever its outcome.

Over real HTTP (gunicorn): one call of each status and the fields each records. In-process: the
rollback case, a failing log write, redaction, the logging switches, permissions of each role,
retention and the usage numbers on known rows.
"""

from __future__ import annotations

import contextlib
import json
import os
from unittest import mock

import frappe
import pytest
from frappe.utils import add_days, now_datetime
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.api.fac_endpoint import handle_mcp
from frappe_assistant_core.audit import redaction, store, usage
from frappe_assistant_core.audit.recorder import DOCTYPE
from frappe_assistant_core.utils.plugin_manager import get_tool_registry
from tests.host import bootstrap
from tests.support.doctypes import ORDER, ensure_test_doctypes
from tests.support.server import serve
from tests.support.site import api_credentials, make_user, reconnect, run_host_command

PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
SETTINGS = "Assistant Core Settings"
MEMBER = "fac-log-member@example.com"
OTHER = "fac-log-other@example.com"
ASSISTANT_ADMIN = "fac-log-assistant-admin@example.com"
MANAGER = "fac-log-manager@example.com"
FIELDS = [
	"name",
	"timestamp",
	"user",
	"tool",
	"plugin",
	"source_app",
	"status",
	"error_message",
	"duration_ms",
	"target_doctype",
	"target_name",
	"client_name",
	"client_version",
	"remote_ip",
	"arguments",
	"result_size",
	"result_truncated",
	"output",
]


@pytest.fixture(scope="module")
def users():
	return {
		"member": make_user(MEMBER, ["Assistant User"]),
		"other": make_user(OTHER, ["Assistant User"]),
		"assistant_admin": make_user(ASSISTANT_ADMIN, ["Assistant Admin", "Assistant User"]),
		"manager": make_user(MANAGER, ["System Manager"]),
	}


def written_rows(user: str, **filters) -> list[dict]:
	"""Write what is queued, then the log rows of `user`, oldest first."""
	frappe.db.rollback()  # see what other processes committed
	store.write_pending()
	return frappe.get_all(DOCTYPE, filters={"user": user, **filters}, fields=FIELDS, order_by="timestamp asc")


def clear_rows(user: str) -> None:
	store.write_pending()
	frappe.db.delete(DOCTYPE, {"user": user})
	frappe.db.commit()


# -- over HTTP ---------------------------------------------------------------------------------


def test_each_status_is_recorded_with_its_fields_over_http(users):
	"""Success, Invalid Arguments, Permission Denied, Error, Unavailable (and Timeout, where the
	sandbox runs) each leave one row naming user, tool, plugin, outcome, target and client."""
	ensure_test_doctypes()
	order = frappe.get_doc({"doctype": ORDER, "customer": "Audit Corp"}).insert()
	frappe.db.commit()
	with contextlib.suppress(frappe.ValidationError):  # refused where the sandbox cannot run
		admin_api.toggle_plugin(plugin_name="data_science", enable=1)
	admin_api.toggle_tool(tool_name="execute_python_code", enable=1)
	clear_rows(MEMBER)
	clear_rows(MANAGER)
	member, manager = api_credentials(MEMBER), api_credentials(MANAGER)
	# The revision initialize negotiates below, named on every later request as the spec says.
	agent = {"User-Agent": "audit-agent/3.1 (tests)", "MCP-Protocol-Version": "2025-06-18"}
	with serve(workers=1) as server:

		def rpc(method, params, auth, headers=None):
			message = {"jsonrpc": "2.0", "id": 7, "method": method, "params": params}
			return server.request(
				PATH,
				method="POST",
				body=message,
				auth=auth,
				headers={"Content-Type": "application/json", **agent, **(headers or {})},
			)

		init = {"protocolVersion": "2025-06-18", "capabilities": {}}
		init["clientInfo"] = {"name": "audit-probe", "version": "0.9"}
		assert rpc("initialize", init, manager)[0] == 200
		todo = {"doctype": "ToDo", "data": {"description": "audited call"}}
		created = rpc("tools/call", {"name": "document_create", "arguments": todo}, manager)
		# Another client of the same user (its own User-Agent, no initialize): named by its User-Agent.
		sleepy = {"code": "import time\ntime.sleep(5)", "timeout": 1}
		timed = rpc(
			"tools/call",
			{"name": "execute_python_code", "arguments": sleepy},
			manager,
			{"User-Agent": "other-agent/3.1 (tests)"},
		)
		calls = [
			("document_get", {"doctype": "ToDo"}),
			("document_get", {"doctype": ORDER, "name": order.name}),
			("document_get", {"doctype": "FAC No Such DocType", "name": "FTO-NO-SUCH"}),
			("no_such_tool", {"x": 1}),
		]
		replies = [rpc("tools/call", {"name": n, "arguments": a}, member) for n, a in calls]
		# A client that names itself in the request's _meta wins over anything else.
		meta = {"clientInfo": {"name": "meta-client", "version": "2"}}
		echo = {"name": "test_echo", "arguments": {"message": "hi"}, "_meta": meta}
		replies.append(rpc("tools/call", echo, member))
	assert [status for status, _h, _b in [created, timed, *replies]] == [200] * 7
	result = json.loads(created[2])["result"]
	assert result["isError"] is False, result
	ok, python = written_rows(MANAGER)
	assert (ok.tool, ok.status, ok.plugin, ok.source_app, ok.error_message) == (
		"document_create",
		"Success",
		"core",
		"frappe_assistant_core",
		"",
	)
	assert (ok.target_doctype, ok.target_name) == ("ToDo", result["structuredContent"]["name"])
	assert (ok.client_name, ok.client_version, ok.remote_ip) == ("audit-probe", "0.9", "127.0.0.1")
	assert ok.duration_ms > 0 and ok.timestamp <= now_datetime()
	raw = created[2]
	assert ok.result_size == len(raw[raw.index(b'"result":') + len(b'"result":') : -1])
	assert json.loads(ok.arguments) == todo
	assert ok.output is None and not ok.result_truncated  # output bodies are off by default
	assert python.tool == "execute_python_code"
	assert (python.client_name, python.client_version) == ("other-agent", "3.1")
	timed_reply = json.loads(timed[2])
	if timed_reply.get("result", {}).get("structuredContent", {}).get("status") == "timeout":
		assert python.status == "Timeout" and json.loads(python.arguments)["code"] == sleepy["code"]
	else:  # no sandbox on this machine: the plugin cannot be enabled and its tool is refused
		assert timed_reply["error"]["code"] == -32602, timed_reply
		assert python.status == "Unavailable"
	rows = written_rows(MEMBER)
	assert [(r.tool, r.status) for r in rows] == [
		("document_get", "Invalid Arguments"),
		("document_get", "Permission Denied"),
		("document_get", "Error"),
		("no_such_tool", "Unavailable"),
		("test_echo", "Success"),
	]
	invalid, denied, missing, unknown, echoed = rows
	assert invalid.error_message == "Invalid arguments for document_get: name: Field required"
	assert (invalid.target_doctype, invalid.target_name) == ("ToDo", None)
	assert denied.error_message and (denied.target_doctype, denied.target_name) == (ORDER, order.name)
	assert (missing.status, missing.target_name) == ("Error", "FTO-NO-SUCH")
	assert missing.error_message and "Traceback" not in missing.error_message
	assert (unknown.plugin, unknown.error_message) == ("", "Tool no_such_tool is not available")
	assert json.loads(replies[3][2])["error"]["code"] == -32602  # the client's answer is unchanged
	assert (echoed.client_name, echoed.client_version) == ("meta-client", "2")
	assert (echoed.plugin, echoed.source_app) == ("external", "fac_test_tools")
	assert (echoed.remote_ip, invalid.client_name, invalid.client_version) == (
		"127.0.0.1",
		"audit-agent",
		"3.1",
	)
	# A document a call named can still be deleted: the log row does not hold it.
	frappe.delete_doc(ORDER, order.name, ignore_permissions=True)
	frappe.db.commit()


# -- in-process -------------------------------------------------------------------------------


def call_tool(name: str, arguments: dict, user: str, headers: dict | None = None) -> dict:
	"""One tools/call through the endpoint function, as the framework would run it for `user`."""
	message = {
		"jsonrpc": "2.0",
		"id": 1,
		"method": "tools/call",
		"params": {"name": name, "arguments": arguments},
	}
	environ = EnvironBuilder(
		path=PATH,
		method="POST",
		data=json.dumps(message),
		headers={"MCP-Protocol-Version": "2025-06-18", **(headers or {})},
		content_type="application/json",
	).get_environ()
	previous = getattr(frappe.local, "request", None)
	frappe.local.request = Request(environ)
	frappe.set_user(user)
	try:
		return json.loads(handle_mcp(**message).get_data())
	finally:
		frappe.set_user("Administrator")
		frappe.local.request = previous


def test_the_row_survives_the_rollback_of_a_failed_tools_writes(users, monkeypatch):
	"""A tool that writes a ToDo and then fails: the ToDo is rolled back, the Error row is written,
	also when the whole request's transaction is rolled back afterwards."""
	clear_rows(MANAGER)
	info = get_tool_registry().get_tool("test_create_todo", MANAGER)
	created = []

	def write_then_fail(args):
		created.append(frappe.get_doc({"doctype": "ToDo", "description": args.description}).insert().name)
		raise frappe.ValidationError("second step failed")

	monkeypatch.setattr(info.instance, "execute", write_then_fail)
	reply = call_tool("test_create_todo", {"description": "rolled back"}, MANAGER)
	assert reply["result"] == {"content": [{"type": "text", "text": "second step failed"}], "isError": True}
	frappe.db.rollback()
	assert created and not frappe.db.exists("ToDo", created[0])
	[row] = written_rows(MANAGER)
	assert (row.tool, row.status, row.error_message) == ("test_create_todo", "Error", "second step failed")


def test_a_failing_log_write_never_fails_the_call(users):
	"""The queue refusing the record (Redis gone, a bug) changes nothing in the reply."""
	with mock.patch("frappe_assistant_core.audit.recorder.deferred_insert", side_effect=RuntimeError("down")):
		reply = call_tool("test_echo", {"message": "still answered"}, MEMBER)
	assert reply["result"]["isError"] is False
	assert reply["result"]["structuredContent"] == {"echo": "still answered", "user": MEMBER}
	with mock.patch("frappe_assistant_core.audit.recorder.build_record", side_effect=KeyError("bug")):
		assert call_tool("test_echo", {"message": "again"}, MEMBER)["result"]["isError"] is False


def test_secrets_are_redacted_and_long_values_cut(users):
	"""Keys naming secrets lose their values at any depth; code keeps 4,000 characters, other strings 1,000."""
	clear_rows(MEMBER)
	arguments = {
		"message": "hi",
		"password": "hunter2",
		"nested": {"api_key": "k-123", "Authorization": "token a:b", "items": [{"refresh_token": "t"}]},
		"note": "n" * 5000,
	}
	call_tool("test_echo", arguments, MEMBER)
	[row] = written_rows(MEMBER)
	stored = json.loads(row.arguments)
	assert row.status == "Invalid Arguments"
	assert (
		stored["password"] == stored["nested"]["api_key"] == stored["nested"]["Authorization"] == "[redacted]"
	)
	assert stored["nested"]["items"] == [{"refresh_token": "[redacted]"}]
	assert stored["note"].startswith("n" * 1000) and "5000 characters" in stored["note"]
	assert "hunter2" not in row.arguments and "k-123" not in row.arguments
	code = "x = 1\n" * 2000
	shaped = json.loads(redaction.arguments_json("execute_python_code", {"code": code, "secret": "s"}))
	assert shaped["code"].startswith(code[: redaction.MAX_CODE]) and len(shaped["code"]) < len(code)
	assert shaped["secret"] == "[redacted]"
	huge = json.loads(redaction.arguments_json("x", {"rows": list(range(500))}))
	assert len(huge["rows"]) == redaction.MAX_ITEMS + 1 and huge["rows"][-1] == "[400 more items]"


@pytest.fixture
def settings():
	"""Change Assistant Core Settings for one test (committed: the recorder reads the snapshot)."""
	doc = frappe.get_doc(SETTINGS)
	before = {f: doc.get(f) for f in ("log_tool_calls", "log_tool_output", "log_retention_days")}

	def change(**values):
		doc.update(values)
		doc.save()
		frappe.db.commit()

	yield change
	change(**before)


def test_output_is_stored_capped_only_when_the_setting_says_so_and_logging_can_be_off(users, settings):
	"""Store Tool Output on: the text the client got, capped; Log Tool Calls off: no row at all."""
	clear_rows(MEMBER)
	settings(log_tool_output=1)
	call_tool("test_echo", {"message": "kept"}, MEMBER)
	[row] = written_rows(MEMBER)
	assert json.loads(row.output) == {"echo": "kept", "user": MEMBER}
	clear_rows(MEMBER)
	settings(log_tool_output=0, log_tool_calls=0)
	call_tool("test_echo", {"message": "not logged"}, MEMBER)
	assert written_rows(MEMBER) == []


def test_truncated_results_are_flagged(users):
	"""A result whose structuredContent says `truncated: true` (at its top level) is flagged."""
	from frappe_assistant_core.audit.recorder import _Body

	assert _Body(
		b'{"content":[],"isError":false,"structuredContent":{"rows": [], "truncated": true}}'
	).truncated()
	assert not _Body(
		b'{"content":[],"isError":false,"structuredContent":{"rows": [{"truncated": true}]}}'
	).truncated()
	nested = (
		b'{"content":[],"isError":false,"structuredContent":{"truncated": {"stdout": false, "stderr": true}}}'
	)
	assert _Body(nested).truncated()


# -- permissions ------------------------------------------------------------------------------


def test_a_system_manager_reads_every_row_and_everyone_else_only_their_own(users):
	"""System Manager lists and opens every row; an Assistant Admin or Assistant User only theirs
	(a row can hold whatever its caller could read: tests/test_audit_access.py)."""
	clear_rows(MEMBER)
	clear_rows(OTHER)
	call_tool("test_echo", {"message": "mine"}, MEMBER)
	call_tool("test_echo", {"message": "theirs"}, OTHER)
	[mine] = written_rows(MEMBER)
	[theirs] = written_rows(OTHER)
	for reader, expected in (
		(MANAGER, {mine.name, theirs.name}),
		(ASSISTANT_ADMIN, set()),
		(MEMBER, {mine.name}),
		(OTHER, {theirs.name}),
	):
		frappe.set_user(reader)
		listed = set(
			frappe.get_list(DOCTYPE, filters={"name": ("in", [mine.name, theirs.name])}, pluck="name")
		)
		assert listed == expected, reader
		assert frappe.has_permission(DOCTYPE, "read", doc=mine.name) == (mine.name in expected), reader
		assert frappe.has_permission(DOCTYPE, "read", doc=theirs.name) == (theirs.name in expected), reader
		for ptype in ("create", "write", "delete"):
			assert not frappe.has_permission(DOCTYPE, ptype), (reader, ptype)
	frappe.set_user("Administrator")
	doc = frappe.get_doc(DOCTYPE, mine.name)
	doc.status = "Success"
	doc.tool = "edited"
	with pytest.raises(frappe.PermissionError, match="cannot be edited"):
		doc.save()


def test_nobody_creates_or_edits_rows_over_the_rest_api(users):
	"""Even Administrator's POST / PUT to /api/resource is refused (403) and writes nothing."""
	clear_rows(MEMBER)
	call_tool("test_echo", {"message": "x"}, MEMBER)
	[row] = written_rows(MEMBER)
	admin = api_credentials("Administrator")
	manager = api_credentials(MANAGER)
	with serve(workers=1) as server:
		path = "/api/resource/" + DOCTYPE.replace(" ", "%20")
		forged = {"user": MEMBER, "tool": "forged", "status": "Success", "timestamp": str(now_datetime())}
		for auth in (admin, manager):
			assert server.request(path, method="POST", body=forged, auth=auth)[0] == 403
		assert server.request(f"{path}/{row.name}", method="PUT", body={"tool": "x"}, auth=admin)[0] == 403
		assert server.request(f"{path}/{row.name}", method="PUT", body={"tool": "x"}, auth=manager)[0] == 403
	frappe.db.rollback()
	assert not frappe.db.exists(DOCTYPE, {"tool": "forged"})
	assert frappe.db.get_value(DOCTYPE, row.name, "tool") == "test_echo"


# -- retention --------------------------------------------------------------------------------


def insert_rows(*rows: dict) -> list[str]:
	"""Log rows as the queue writes them (committed)."""
	names = []
	for values in rows:
		doc = frappe.get_doc({"doctype": DOCTYPE, "status": "Success", "duration_ms": 1, **values})
		doc.flags.fac_from_queue = True
		names.append(doc.insert(ignore_permissions=True).name)
	frappe.db.commit()
	return names


def test_retention_deletes_rows_older_than_the_setting_in_batches(users, settings, monkeypatch):
	"""90 days by default: older rows go, in batches; 0 keeps everything."""
	clear_rows(MEMBER)
	old = [{"user": MEMBER, "tool": "t", "timestamp": add_days(now_datetime(), -91 - i)} for i in range(5)]
	recent = {"user": MEMBER, "tool": "t", "timestamp": add_days(now_datetime(), -89)}
	insert_rows(*old, recent)
	settings(log_retention_days=0)
	assert store.delete_expired() == 0
	settings(log_retention_days=90)
	monkeypatch.setattr(store, "BATCH", 2)
	with mock.patch.object(frappe.db, "commit", wraps=frappe.db.commit) as commits:
		assert store.delete_expired() >= 5
	assert commits.call_count >= 3  # 5 rows in batches of 2
	assert [r.timestamp.date() for r in written_rows(MEMBER)] == [recent["timestamp"].date()]


def test_retention_default_is_90_days_when_never_saved():
	frappe.db.delete("Singles", {"doctype": SETTINGS, "field": "log_retention_days"})
	assert store.retention_days() == 90


def test_migrate_stores_the_defaults_of_settings_saved_before_the_log_fields():
	"""Settings saved before the log fields existed load Log Tool Calls unchecked (the next save
	would turn logging off): migrate stores each missing default and keeps every stored value."""
	from frappe_assistant_core.utils import migration_hooks

	before = frappe.db.get_singles_dict(SETTINGS)
	try:
		frappe.db.set_single_value(SETTINGS, "log_tool_output", 1, update_modified=False)
		absent = ("log_tool_calls", "log_retention_days")
		frappe.db.delete("Singles", {"doctype": SETTINGS, "field": ("in", absent)})
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		assert frappe.get_doc(SETTINGS).log_tool_calls == 0  # what Frappe loads for a missing Check
		migration_hooks.after_migrate()
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		doc = frappe.get_doc(SETTINGS)
		assert (doc.log_tool_calls, doc.log_retention_days, doc.log_tool_output) == (1, 90, 1)
		assert frappe.db.get_singles_dict(SETTINGS)["modified"] == before["modified"]
	finally:
		frappe.db.set_single_value(
			SETTINGS, {f: before.get(f) for f in ("log_tool_output", *absent)}, update_modified=False
		)
		frappe.db.commit()


# -- usage stats ------------------------------------------------------------------------------


def test_usage_stats_on_known_rows(users):
	"""Counts per day and status, per tool (error rate, p50, p95) and per user, for known rows."""
	store.write_pending()
	frappe.db.delete(DOCTYPE)
	today = now_datetime().replace(hour=12, minute=0)
	rows = [
		*(
			{"user": MEMBER, "tool": "alpha", "plugin": "core", "duration_ms": d, "timestamp": today}
			for d in range(1, 11)
		),
		{
			"user": OTHER,
			"tool": "alpha",
			"plugin": "core",
			"duration_ms": 100,
			"status": "Error",
			"timestamp": today,
		},
		{
			"user": OTHER,
			"tool": "beta",
			"plugin": "x",
			"duration_ms": 5,
			"status": "Timeout",
			"timestamp": add_days(today, -1),
		},
		{"user": OTHER, "tool": "beta", "plugin": "x", "duration_ms": 7, "timestamp": add_days(today, -40)},
	]
	insert_rows(*rows)
	stats = admin_api.get_usage_stats(days=30)
	assert (stats["total_calls"], stats["error_calls"], stats["user_count"], stats["tool_count"]) == (
		12,
		2,
		2,
		2,
	)
	assert stats["error_rate"] == round(2 / 12, 4)
	assert len(stats["daily"]["dates"]) == 30 and stats["daily"]["dates"][-1] == today.date().isoformat()
	assert stats["daily"]["series"]["Success"][-1] == 10 and stats["daily"]["series"]["Error"][-1] == 1
	assert stats["daily"]["series"]["Timeout"][-2] == 1 and sum(stats["daily"]["series"]["Success"]) == 10
	alpha, beta = stats["tools"]
	assert (alpha["tool"], alpha["calls"], alpha["errors"], alpha["error_rate"]) == (
		"alpha",
		11,
		1,
		round(1 / 11, 4),
	)
	assert (alpha["p50_ms"], alpha["p95_ms"]) == (6.0, 100.0)
	assert (beta["tool"], beta["calls"], beta["by_status"], beta["p50_ms"]) == (
		"beta",
		1,
		{"Timeout": 1},
		5.0,
	)
	assert [(u["user"], u["calls"], u["errors"]) for u in stats["users"]] == [(MEMBER, 10, 0), (OTHER, 2, 2)]
	assert admin_api.get_usage_stats(days=60)["total_calls"] == 13
	recent = admin_api.get_recent_tool_calls("alpha", limit=3)
	assert len(recent) == 3 and set(recent[0]) == set(usage.RECENT_CALL_FIELDS)
	assert len(admin_api.get_recent_tool_calls("beta", limit=10)) == 2  # the older one too
	with pytest.raises(frappe.ValidationError, match="limit must be"):
		admin_api.get_recent_tool_calls("alpha", limit=1000)
	frappe.db.delete(DOCTYPE)
	frappe.db.commit()
	empty = admin_api.get_usage_stats()
	assert (empty["total_calls"], empty["tools"], empty["users"]) == (0, [], [])


def test_usage_api_is_gated_and_checks_days(users):
	"""Only admins; days must be 1..366."""
	frappe.set_user(MEMBER)
	with pytest.raises(frappe.PermissionError):
		admin_api.get_usage_stats()
	with pytest.raises(frappe.PermissionError):
		admin_api.get_recent_tool_calls("test_echo")
	frappe.set_user(ASSISTANT_ADMIN)
	for bad in (0, -1, 367, "x", True):
		with pytest.raises(frappe.ValidationError, match="days must be"):
			admin_api.get_usage_stats(days=bad)
	assert admin_api.get_usage_stats(days="7")["days"] == 7


# -- bench CLI --------------------------------------------------------------------------------


@pytest.mark.skipif(bootstrap.on_real_bench(), reason="uses the host's bench emulation")
def test_fac_usage_cli_writes_the_queue_and_prints_the_numbers(users):
	"""`bench --site SITE fac usage --days 7` writes queued calls first, then prints the tables."""
	store.write_pending()
	frappe.db.delete(DOCTYPE)
	frappe.db.commit()
	call_tool("test_echo", {"message": "queued"}, MEMBER)  # only queued: the CLI writes it
	insert_rows(
		{"user": OTHER, "tool": "beta", "plugin": "x", "status": "Error", "timestamp": now_datetime()}
	)
	frappe.db.commit()
	done = run_host_command("bench", os.environ["DB_NAME"], "fac", "usage", "--days", "7")
	reconnect()
	lines = done.stdout.splitlines()
	assert lines[0].startswith("Tool calls in the last 7 days (since ")
	assert lines[0].endswith(": 2 calls, 1 not successful (50.0%), 2 users, 2 tools")
	assert lines[2].split() == [
		"tool",
		"plugin",
		"calls",
		"errors",
		"error",
		"rate",
		"p50",
		"ms",
		"p95",
		"ms",
		"last",
		"call",
	]
	rows = {line.split()[0]: line.split() for line in lines[3:5]}
	assert rows["test_echo"][1:5] == ["external", "1", "0", "0.0%"]
	assert rows["beta"][1:5] == ["x", "1", "1", "100.0%"]
	assert sorted(line.split()[0] for line in lines[6:]) == sorted(["user", MEMBER, OTHER])
	frappe.db.delete(DOCTYPE)
	frappe.db.commit()
