"""A connection rule only takes tools away: tools/list hides what it does not admit, tools/call
answers with the rule's own error, and a cached tools/list answer is never shared across rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import NoReturn

import frappe
import pytest

from frappe_assistant_core.core import connection_rules
from frappe_assistant_core.exceptions import ToolNotFoundError
from frappe_assistant_core.mcp import tools
from frappe_assistant_core.utils.plugin_manager import get_tool_registry

REVISION = "2025-11-25"


class _Refused(frappe.PermissionError):
	pass


@dataclass(frozen=True)
class _OnlyPlugin:
	plugin: str

	def admits(self, info) -> bool:
		return info.plugin_name == self.plugin

	def refuse(self, info) -> NoReturn:
		raise _Refused(f"{info.name} is outside {self.plugin}")


@pytest.fixture(autouse=True)
def no_rules():
	connection_rules.reset()
	yield
	connection_rules.reset()


def _listed() -> list[str]:
	frappe.db.commit()  # answers are cached only from committed state
	return [tool["name"] for tool in json.loads(tools.list_tools(tools.ListToolsParams(), REVISION))["tools"]]


def test_a_rule_hides_the_tools_it_does_not_admit_from_tools_list():
	everything = _listed()
	assert "document_get" in everything and "test_echo" in everything
	connection_rules.add(_OnlyPlugin("core"))
	narrowed = _listed()
	assert "document_get" in narrowed
	assert "test_echo" not in narrowed, "a tool of another app stayed listed"
	assert set(narrowed) < set(everything)
	connection_rules.reset()
	assert _listed() == everything, "the narrowed answer was served to a connection without the rule"


def test_a_refused_tool_raises_the_rules_own_error_and_a_hidden_tool_stays_not_found():
	connection_rules.add(_OnlyPlugin("core"))
	registry = get_tool_registry()
	assert registry.get_tool("document_get").name == "document_get"
	with pytest.raises(_Refused, match="test_echo is outside core"):
		registry.get_tool("test_echo")
	with pytest.raises(ToolNotFoundError):
		registry.get_tool("no_such_tool")


def test_adding_the_same_rule_twice_keeps_one():
	connection_rules.add(_OnlyPlugin("core"))
	connection_rules.add(_OnlyPlugin("core"))
	assert connection_rules.current() == (_OnlyPlugin("core"),)
