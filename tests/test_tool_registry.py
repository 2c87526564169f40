"""The registry's one visibility rule, and what a steady-state lookup costs."""

from __future__ import annotations

import frappe
import pytest

from frappe_assistant_core.api import admin_api
from frappe_assistant_core.exceptions import ToolNotFoundError
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager, get_tool_registry
from tests.support.counting import count_queries, count_redis_commands
from tests.support.site import make_user


def _names(user: str = "Administrator") -> set[str]:
	return {t.name for t in get_tool_registry().get_available_tools(user)}


def test_chain_plugin_then_tool_then_role():
	"""Plugin off hides all its tools; tool off hides one; a role restriction hides it per user."""
	admin_api.toggle_plugin("visualization", True)
	viz_tools = {
		n for n, e in get_plugin_manager().get_tool_catalog().items() if e.plugin_name == "visualization"
	}
	user = make_user("fac-chain@example.com", ["Assistant User"], commit=False)
	assert viz_tools <= _names()
	admin_api.toggle_plugin("visualization", False)
	assert not viz_tools & _names()
	admin_api.toggle_tool("test_create_todo", False)
	assert "test_create_todo" not in _names() and "test_echo" in _names()
	admin_api.toggle_tool("test_create_todo", True)
	admin_api.update_tool_role_access("test_create_todo", "Restrict to Listed Roles", ["Assistant Admin"])
	assert "test_create_todo" not in _names(user)
	assert "test_create_todo" in _names("Administrator")


def test_call_reaches_exactly_what_list_shows():
	"""A hidden tool cannot be called; a visible one runs as the session user."""
	registry = get_tool_registry()
	admin_api.toggle_tool("test_echo", True)
	frappe.set_user(make_user("fac-caller@example.com", ["System Manager"], commit=False))
	assert registry.call_tool("test_echo", {"message": "hi"}) == {
		"echo": "hi",
		"user": "fac-caller@example.com",
	}
	frappe.set_user("Administrator")
	admin_api.toggle_tool("test_echo", False)
	with pytest.raises(ToolNotFoundError, match="not available"):
		registry.call_tool("test_echo", {"message": "hi"})
	with pytest.raises(ToolNotFoundError):
		registry.get_tool("no_such_tool")


def test_requires_permission_hides_a_tool_from_users_who_cannot_read_the_doctype(monkeypatch):
	"""requires_permission: a user without read on the DocType does not see the tool."""
	admin_api.toggle_tool("test_echo", True)
	tool = get_plugin_manager().get_all_tools()["test_echo"].instance
	monkeypatch.setattr(type(tool), "requires_permission", "Role Profile")
	reader = make_user("fac-noperm@example.com", ["Assistant User"], commit=False)
	assert "test_echo" not in _names(reader)
	assert "test_echo" in _names("Administrator")


def test_tools_for_system_managers_are_not_listed_to_anyone_else():
	"""execute_python_code (required_roles) was listed to users who could never call it; now neither
	tools/list nor tools/call shows it to anyone without System Manager. (query_and_analyze has no
	such gate any more: it reads only what the caller may read, tests/tools/test_query_permissions.py.)"""
	admin_api.toggle_plugin("data_science", True)
	admin_api.bulk_toggle_tools(["execute_python_code", "query_and_analyze"], True)
	user = make_user("fac-not-a-manager@example.com", ["Assistant User", "Assistant Admin"], commit=False)
	manager = make_user("fac-a-manager@example.com", ["Assistant User", "System Manager"], commit=False)
	assert "execute_python_code" not in _names(user)
	assert "execute_python_code" in _names(manager)
	frappe.set_user(user)
	with pytest.raises(ToolNotFoundError):
		get_tool_registry().call_tool("execute_python_code", {"code": "print(1)"})


def test_the_scheduler_job_publishes_a_write_that_bypassed_the_controllers():
	"""Workers trust the token (no configuration SQL per request); a direct write is published by
	revalidate_registry, which bumps the token only when the stored state really changed."""
	from frappe_assistant_core.utils import cache
	from frappe_assistant_core.utils.plugin_manager import revalidate_registry

	admin_api.toggle_plugin("visualization", True)
	frappe.db.commit()
	manager = get_plugin_manager()
	assert "visualization" in manager.get_enabled_plugins()
	version = cache.current_version()
	revalidate_registry()
	assert cache.current_version() == version  # nothing changed: no bump, no reload anywhere
	try:
		frappe.db.set_value("FAC Plugin Configuration", "visualization", "enabled", 0)
		frappe.db.commit()
		assert "visualization" in manager.get_enabled_plugins()  # unannounced: the token still holds
		revalidate_registry()
		assert cache.current_version() != version
		assert "visualization" not in manager.get_enabled_plugins()
	finally:
		admin_api.toggle_plugin("visualization", True)
		frappe.db.commit()


def test_external_tools_are_listed_with_their_source_app_and_never_shadow_builtins():
	"""assistant_tools hook: tools listed with source app; a colliding name is refused."""
	catalog = get_plugin_manager().get_tool_catalog()
	assert catalog["test_echo"].source_app == "fac_test_tools"
	assert catalog["test_echo"].plugin_name == "external"
	if "document_get" in catalog:
		assert catalog["document_get"].plugin_name == "core"
		assert catalog["document_get"].source_app == "frappe_assistant_core"
	assert frappe.db.get_value("FAC Tool Configuration", "test_echo", "source_app") == "fac_test_tools"


def test_steady_state_lookup_costs_no_query_and_one_redis_read():
	"""After warm-up, get_all_tools() and the per-user filter run no SQL and one Redis GET."""
	user = make_user("fac-steady@example.com", ["Assistant User"])
	registry = get_tool_registry()
	registry.get_available_tools(user)
	manager = get_plugin_manager()
	with count_queries() as queries, count_redis_commands() as redis_commands:
		manager.get_all_tools()
	assert queries == []
	assert [c.split("|")[-1] for c in redis_commands] == ["fac_registry_version"]
	with count_queries() as queries, count_redis_commands() as redis_commands:
		registry.get_available_tools(user)
	assert queries == []
	assert sum(c.endswith("|fac_registry_version") for c in redis_commands) == 1, redis_commands


def test_a_committed_change_is_published_and_a_rollback_is_forgotten():
	"""This process sees its own uncommitted toggle, and forgets it again on rollback."""
	admin_api.toggle_plugin("visualization", True)
	frappe.db.commit()
	admin_api.toggle_plugin("visualization", False)
	assert "visualization" not in get_plugin_manager().get_enabled_plugins()
	frappe.db.rollback()
	assert "visualization" in get_plugin_manager().get_enabled_plugins()
