"""Cached tools/list answers are never served to a caller whose access differs; tools/call runs
no configuration SQL at steady state.

The cache (mcp.list_cache) keys answers by registry version, revision and the caller's Access; these
tests change each input between two requests and check the next answer, in this process and over
HTTP on separate gunicorn workers.
"""

from __future__ import annotations

import json

import frappe
import pytest

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.mcp import list_cache, tools
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from tests.host import bootstrap
from tests.support.server import serve
from tests.support.site import api_credentials, make_user
from tests.support.sql_probe import SQL_COUNTING_CLIENT, run_probe

REVISION = "2025-11-25"
GATED_TOOL = "workflow_list"  # requires_permission = "Workflow"
ROLE = "FAC Cache Probe Role"


def _listed(user: str, revision: str = REVISION) -> list[str]:
	"""What `user` is listed, from a committed state, asserting the answer now comes from the cache
	(with uncommitted writes pending nothing is cached, and these tests would prove nothing)."""
	frappe.db.commit()
	previous = frappe.session.user
	frappe.set_user(user)
	try:
		encoded = tools.list_tools(tools.ListToolsParams(), revision)
		assert tools.list_tools(tools.ListToolsParams(), revision) is encoded, "answer not cached"
	finally:
		frappe.set_user(previous)
	return [tool["name"] for tool in json.loads(encoded)["tools"]]


@pytest.fixture(autouse=True)
def restore_committed_state():
	"""These tests commit (the cache keeps only provably current state): undo what they changed."""
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	admin_api.update_tool_role_access("test_create_todo", "Allow All", [])
	admin_api.toggle_tool("test_echo", True)
	admin_api.toggle_plugin("visualization", True)
	frappe.db.delete("Custom DocPerm", {"parent": "Workflow", "role": ROLE})
	frappe.clear_cache(doctype="Workflow")
	frappe.db.commit()


@pytest.fixture
def probe_role():
	if not frappe.db.exists("Role", ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": ROLE, "desk_access": 1}).insert()
		frappe.db.commit()
	return ROLE


def test_same_access_shares_one_encoded_answer():
	"""Two users with the same roles get the very same bytes, built once."""
	one = make_user("fac-cache-one@example.com", ["Assistant User"])
	two = make_user("fac-cache-two@example.com", ["Assistant User"])
	list_cache.clear()
	frappe.set_user(one)
	first = tools.list_tools(tools.ListToolsParams(), REVISION)
	frappe.set_user(two)
	second = tools.list_tools(tools.ListToolsParams(), REVISION)
	frappe.set_user("Administrator")
	assert first is second
	assert len(list_cache._answers) == 1


def test_different_roles_get_their_own_answer():
	"""A role-restricted tool is listed for the role that may use it and for nobody else."""
	admin_api.update_tool_role_access("test_create_todo", "Restrict to Listed Roles", ["Assistant Admin"])
	plain = make_user("fac-cache-plain@example.com", ["Assistant User"])
	admin = make_user("fac-cache-admin@example.com", ["Assistant User", "Assistant Admin"])
	assert "test_create_todo" not in _listed(plain)
	assert "test_create_todo" in _listed(admin)
	assert "test_create_todo" not in _listed(plain)


def test_role_assignment_between_two_requests_changes_the_next_answer():
	"""Granting, then revoking, a role (no registry change) shows in the very next list."""
	admin_api.update_tool_role_access("test_create_todo", "Restrict to Listed Roles", ["Assistant Admin"])
	user = make_user("fac-cache-promoted@example.com", ["Assistant User"])
	assert "test_create_todo" not in _listed(user)
	version = get_plugin_manager().snapshot().version
	# Saving a User makes Frappe v15 clear its whole cache (User defaults): every site key goes,
	# the token with it. The token must stay put unless Frappe wiped everything (a canary tells).
	frappe.cache.set_value("fac_test_canary", 1)
	make_user(user, ["Assistant User", "Assistant Admin"])
	assert "test_create_todo" in _listed(user)
	make_user(user, ["Assistant User"])
	assert "test_create_todo" not in _listed(user)
	if frappe.cache.get_value("fac_test_canary"):
		assert get_plugin_manager().snapshot().version == version  # the token never moved
	frappe.cache.delete_value("fac_test_canary")


def test_doctype_permission_change_between_two_requests_changes_the_next_answer(probe_role):
	"""A Custom DocPerm granting read on a gated DocType shows its tool; removing it hides it again."""
	user = make_user("fac-cache-perm@example.com", ["Assistant User", probe_role])
	assert GATED_TOOL not in _listed(user)
	frappe.permissions.add_permission("Workflow", probe_role, 0, "read")
	assert GATED_TOOL in _listed(user)
	frappe.db.delete("Custom DocPerm", {"parent": "Workflow", "role": probe_role})
	frappe.clear_cache(doctype="Workflow")
	assert GATED_TOOL not in _listed(user)


def test_toggle_between_two_requests_changes_the_next_answer():
	"""A plugin toggle and a tool toggle each show in the next list of an already cached caller."""
	viz = {n for n, e in get_plugin_manager().get_tool_catalog().items() if e.plugin_name == "visualization"}
	admin_api.toggle_plugin("visualization", True)
	assert viz <= set(_listed("Administrator"))
	admin_api.toggle_plugin("visualization", False)
	assert not viz & set(_listed("Administrator"))
	admin_api.toggle_tool("test_echo", False)
	assert "test_echo" not in _listed("Administrator")
	admin_api.toggle_tool("test_echo", True)
	assert "test_echo" in _listed("Administrator")


def test_protocol_revision_is_part_of_the_key():
	"""Answers for different revisions are kept apart (their shapes may differ)."""
	list_cache.clear()
	_listed("Administrator", "2025-11-25")
	_listed("Administrator", "2025-06-18")
	assert len(list_cache._answers) == 2


def test_answers_stay_within_their_memory_bound():
	"""Past the byte budget the least recently used answers go."""
	lru = list_cache._Lru(max_entries=10, max_bytes=100)
	for i in range(5):
		lru.put(i, list_cache.EncodedResult(b"x" * 40))
	assert len(lru) == 2 and lru.get(4) is not None and lru.get(0) is None


def test_workers_never_serve_a_cached_answer_after_a_role_change():
	"""Over HTTP with 2 gunicorn workers: after a committed role grant or revoke made by another
	process, every worker's next tools/list for that user reflects it (each had it cached)."""
	admin_api.update_tool_role_access("test_create_todo", "Restrict to Listed Roles", ["Assistant Admin"])
	user = make_user("fac-cache-http@example.com", ["Assistant User"])
	token = api_credentials(user)
	frappe.db.commit()
	headers = {
		"Accept": "application/json, text/event-stream",
		"Content-Type": "application/json",
		"MCP-Protocol-Version": REVISION,
	}
	message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}

	def listings(server, count=8) -> list[set[str]]:
		out = []
		for _ in range(count):
			status, _h, raw = server.request(
				"/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp",
				method="POST",
				body=message,
				auth=token,
				headers=headers,
			)
			assert status == 200, raw[:300]
			out.append({t["name"] for t in json.loads(raw)["result"]["tools"]})
		return out

	with serve(workers=2) as server:
		assert all("test_create_todo" not in names for names in listings(server))
		make_user(user, ["Assistant User", "Assistant Admin"])
		assert all("test_create_todo" in names for names in listings(server))
		make_user(user, ["Assistant User"])
		assert all("test_create_todo" not in names for names in listings(server))


_CALL_PROBE = (
	SQL_COUNTING_CLIENT
	+ """calls = {
	"ping": ("ping", {}),
	"document_list": ("tools/call", {"name": "document_list", "arguments": {"doctype": "ToDo", "limit": 5}}),
	"document_get": ("tools/call", {"name": "document_get", "arguments": {"doctype": "ToDo", "name": sys.argv[3]}}),
}
report = {}
for label, (method, params) in calls.items():
	for _ in range(3):  # two warm-ups, then the measured request
		queries.clear()
		message = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
		response = client.post(sys.argv[2], json=message, headers=headers)
	report[label] = {"status": response.status_code, "body": response.get_json(), "queries": list(queries)}
print(json.dumps(report))
"""
)


@pytest.mark.skipif(bootstrap.on_real_bench(), reason="drives the test host's WSGI application")
def test_tools_call_runs_no_configuration_sql_at_steady_state():
	"""A whole steady-state document_list / document_get request (framework included) sends no
	statement touching plugin or tool configuration or Assistant Core Settings: beyond ping's
	statements (authentication, COMMIT) only the tool's own read and its savepoint."""
	user = make_user("fac-cache-caller@example.com", ["System Manager"])
	todo = frappe.get_doc({"doctype": "ToDo", "description": "steady state probe"}).insert()
	token = api_credentials(user)
	frappe.db.commit()
	report = run_probe(
		_CALL_PROBE, token, "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp", todo.name
	)
	ping = report.pop("ping")
	for label, call in report.items():
		assert call["status"] == 200 and call["body"]["result"]["isError"] is False, call["body"]
		extra = [q for q in call["queries"] if q not in ping["queries"]]
		for query in call["queries"]:
			assert "FAC " not in query and "Assistant Core Settings" not in query, query
		tool_sql = [q for q in extra if not q.lower().startswith("savepoint")]
		# document_list: its one SELECT on tabToDo; document_get: its one document load.
		assert len(tool_sql) == 1 and "tabToDo" in tool_sql[0], (label, extra)
