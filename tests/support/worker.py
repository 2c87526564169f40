"""A separate OS process connected to the test site, driven over stdin/stdout (one JSON per line).

Used as a stand-in for a Gunicorn worker: it keeps its own plugin manager between requests, so
cross-process consistency is tested for real. Each request runs in its own transaction, like a
web request: the worker commits after mutations and rolls back after reads.
"""

from __future__ import annotations

import json
import sys
import traceback

from tests.host import bootstrap


def _ops():
	import frappe

	from frappe_assistant_core.api import admin_api
	from frappe_assistant_core.core.tool_registry import get_tool_registry
	from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
	from tests.support.counting import count_queries

	def tools(user: str = "Administrator"):
		return sorted(t.name for t in get_tool_registry().get_available_tools(user))

	def all_tools():
		return sorted(get_plugin_manager().get_all_tools())

	def enabled():
		return sorted(get_plugin_manager().get_enabled_plugins())

	def toggle(plugin: str, enable: bool):
		result = admin_api.toggle_plugin(plugin, enable)
		frappe.db.commit()
		return result

	def toggle_tool(tool: str, enable: bool):
		result = admin_api.toggle_tool(tool, enable)
		frappe.db.commit()
		return result

	def queries_for_all_tools():
		with count_queries() as queries:
			get_plugin_manager().get_all_tools()
		return len(queries)

	def stored(plugin: str):
		return frappe.db.get_value("FAC Plugin Configuration", plugin, "enabled")

	committed: list[dict] = []

	def timed_toggle(plugin: str, enable: bool):
		"""Toggle and note the database clock while the row lock is still held (= commit order)."""
		admin_api.toggle_plugin(plugin, enable)
		at = frappe.db.sql("select now(6)")[0][0]
		frappe.db.commit()
		committed.append({"plugin": plugin, "enable": enable, "at": str(at)})
		return True

	def history():
		return committed

	operations = (
		tools,
		all_tools,
		enabled,
		toggle,
		toggle_tool,
		queries_for_all_tools,
		stored,
		timed_toggle,
		history,
	)
	return {f.__name__: f for f in operations}


def main() -> None:
	bootstrap.connect()
	import frappe

	ops = _ops()
	print(json.dumps({"ready": True}), flush=True)
	for line in sys.stdin:
		request = json.loads(line)
		try:
			result = {"ok": ops[request["op"]](**request.get("args", {}))}
		except Exception as exc:
			frappe.db.rollback()
			result = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-2000:]}
		else:
			frappe.db.rollback()
		print(json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
	main()
