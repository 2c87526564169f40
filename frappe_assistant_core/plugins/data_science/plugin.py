"""Data Science: sandboxed Python, data analysis, read-only SQL and file extraction."""

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
}


class DataSciencePlugin(BasePlugin):
	name = "data_science"
	display_name = "Data Science"
	description = "Advanced analytics, sandboxed Python execution, read-only SQL and file processing"
	dependencies = tuple(PACKAGES)
	tools = ("execute_python_code", "analyze_frappe_data", "query_and_analyze", "extract_file_content")

	def validate_environment(self) -> tuple[bool, str | None]:
		"""(can_enable, reason): the reason names every missing package as pip knows it."""
		missing = [
			PACKAGES[module] for module in self.dependencies if importlib.util.find_spec(module) is None
		]
		if missing:
			return False, _("Missing Python packages: {0}. Install them with: bench pip install {1}").format(
				", ".join(missing), " ".join(missing)
			)
		return True, None
