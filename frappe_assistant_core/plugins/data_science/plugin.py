"""Data Science: sandboxed Python, data analysis, read-only SQL and file extraction."""

from frappe_assistant_core.plugins.base_plugin import BasePlugin


class DataSciencePlugin(BasePlugin):
	name = "data_science"
	display_name = "Data Science"
	description = "Advanced analytics, sandboxed Python execution, read-only SQL and file processing"
	dependencies = ("pandas", "numpy")
	tools = ("execute_python_code", "analyze_frappe_data", "query_and_analyze", "extract_file_content")
