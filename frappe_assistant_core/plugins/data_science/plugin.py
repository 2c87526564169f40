"""Data Science: sandboxed Python, data analysis, read-only SQL and file extraction.

The plugin can be enabled only where its packages are installed and the OS sandbox starts
(bubblewrap, user namespaces or root, seccomp): execute_python_code never runs code, and
extract_file_content never parses a file, without it.
"""

from __future__ import annotations

import importlib.util

from frappe import _

from frappe_assistant_core.plugins.base_plugin import BasePlugin

#: Importable module → the pip package that provides it (pyproject's `data_science` extra).
PACKAGES = {
	"pandas": "pandas",
	"numpy": "numpy",
	"openpyxl": "openpyxl",
	"pypdf": "pypdf",
	"docx": "python-docx",
	"pyseccomp": "pyseccomp",
	"sqlglot": "sqlglot",
}


class DataSciencePlugin(BasePlugin):
	name = "data_science"
	display_name = "Data Science"
	description = "Advanced analytics, sandboxed Python execution, read-only SQL and file processing"
	dependencies = tuple(PACKAGES)
	tools = ("execute_python_code", "analyze_frappe_data", "query_and_analyze", "extract_file_content")

	def validate_environment(self) -> tuple[bool, str | None]:
		"""(can_enable, reason): every missing package as pip knows it, or why the sandbox cannot start."""
		missing = [
			PACKAGES[module] for module in self.dependencies if importlib.util.find_spec(module) is None
		]
		if missing:
			return False, _("Missing Python packages: {0}. Install them with: bench pip install {1}").format(
				", ".join(missing), " ".join(missing)
			)
		from frappe_assistant_core.plugins.data_science import _sandbox

		if reason := _sandbox.problem():
			return False, _(
				"The sandbox of execute_python_code and extract_file_content cannot start: {0}"
			).format(reason)
		return True, None
