"""validate_environment() of the optional plugins names exactly what is missing.

A library is made to look uninstalled by wrapping importlib.util.find_spec, which is how the
plugins look for their dependencies (without importing them).
"""

from __future__ import annotations

import importlib.util

import pytest

from frappe_assistant_core.exceptions import ToolDependencyError
from frappe_assistant_core.plugins.batch_processing.plugin import BatchProcessingPlugin
from frappe_assistant_core.plugins.data_science.plugin import DataSciencePlugin
from frappe_assistant_core.plugins.websocket.plugin import WebSocketPlugin
from tests.tools._fixtures import load_tool

PLUGINS = (DataSciencePlugin, WebSocketPlugin, BatchProcessingPlugin)


@pytest.fixture
def uninstall(monkeypatch):
	"""Make the given top-level modules look uninstalled."""
	real_find_spec = importlib.util.find_spec

	def apply(*modules: str) -> None:
		monkeypatch.setattr(
			importlib.util,
			"find_spec",
			lambda name, *args: None if name.split(".")[0] in modules else real_find_spec(name, *args),
		)

	return apply


@pytest.mark.parametrize("plugin", PLUGINS)
def test_plugin_environment_is_valid_when_its_dependencies_are_installed(plugin):
	"""On the test host every dependency is installed, so every optional plugin can be enabled."""
	assert plugin().validate_environment() == (True, None)


def test_data_science_names_each_missing_package_as_pip_knows_it(uninstall):
	"""python-docx is imported as `docx`; the message names the package to install, every one of them."""
	uninstall("docx", "pandas")
	ok, reason = DataSciencePlugin().validate_environment()
	assert not ok
	assert reason == (
		"Missing Python packages: pandas, python-docx. Install them with: bench pip install pandas python-docx"
	)


@pytest.mark.parametrize(("plugin", "module"), [(WebSocketPlugin, "redis"), (BatchProcessingPlugin, "rq")])
def test_plugin_without_its_dependency_cannot_be_enabled(uninstall, plugin, module):
	"""websocket needs redis, batch_processing needs rq: without it, (False, reason naming it)."""
	uninstall(module)
	ok, reason = plugin().validate_environment()
	assert not ok
	assert module in reason


@pytest.mark.parametrize(
	("tool_name", "module"),
	[("analyze_frappe_data", "pandas"), ("query_and_analyze", "numpy"), ("extract_file_content", "docx")],
)
def test_a_tool_whose_library_is_missing_refuses_to_run(uninstall, tool_name, module):
	"""BaseTool.run checks the tool's declared dependencies first: ToolDependencyError naming the library."""
	tool = load_tool("data_science", tool_name)
	uninstall(module)
	with pytest.raises(ToolDependencyError, match=module):
		tool.run({})
