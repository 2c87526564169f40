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
	from frappe_assistant_core.utils.plugin_manager import get_plugin_manager, get_tool_registry
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

	def enabled_after(marker: str, timeout: float = 30.0):
		"""As a web request does: read the database first (authentication), then wait for `marker`
		to exist, then ask the plugin manager for the enabled set, in the same transaction."""
		import time
		from pathlib import Path

		frappe.db.get_value("User", "Administrator", "name")
		deadline = time.monotonic() + timeout
		while not Path(marker).exists() and time.monotonic() < deadline:
			time.sleep(0.02)
		return enabled()

	def cache_state():
		"""The port this process's Frappe cache talks to, and whether that Redis answers now."""
		import redis

		port = frappe.cache.connection_pool.connection_kwargs.get("port")
		try:
			return {"port": port, "up": bool(frappe.cache.ping())}
		except redis.exceptions.ConnectionError:
			return {"port": port, "up": False}

	def client_cache_noticed_outage() -> bool:
		"""Whether Frappe's client-side cache (v16) has switched itself off after losing Redis; True
		where there is none (v15). Until it has, a save can race its switch inside Frappe itself."""
		client_cache = getattr(frappe, "client_cache", None)
		return client_cache is None or not getattr(client_cache, "healthy", False)

	def meta_field(doctype: str, fieldname: str):
		"""The field as this process's cached meta has it (None: no such field)."""
		field = frappe.get_meta(doctype).get_field(fieldname)
		return None if field is None else {"fieldname": field.fieldname, "reqd": field.reqd}

	def cached_value(doctype: str, name: str, fieldname: str):
		return frappe.get_cached_doc(doctype, name).get(fieldname)

	def insert(doc: dict):
		"""Insert a document as Administrator and commit, as a web request would."""
		frappe.set_user("Administrator")
		name = frappe.get_doc(doc).insert().name
		frappe.db.commit()
		return name

	operations = (
		cache_state,
		client_cache_noticed_outage,
		meta_field,
		cached_value,
		insert,
		tools,
		all_tools,
		enabled,
		toggle,
		toggle_tool,
		queries_for_all_tools,
		stored,
		timed_toggle,
		history,
		enabled_after,
	)
	return {f.__name__: f for f in operations}


def _fault_ops():
	"""Ops for tests/test_faults.py: stop a worker at a chosen point so the test can SIGKILL it.

	A stalled op writes `marker` (a file path) once it has reached its point, then sleeps; it
	never replies unless the sleep ends, which a test that kills the worker never lets happen.
	"""
	import contextlib
	import time
	from pathlib import Path

	import frappe

	from frappe_assistant_core.api import admin_api
	from frappe_assistant_core.utils import plugin_manager

	def stall(marker: str, note: str = "") -> None:
		Path(marker).write_text(note or "stalled")
		time.sleep(300)

	def toggle_and_stall(plugin: str, enable: bool, marker: str, stage: str):
		"""Toggle `plugin`, then stall before the COMMIT ("before_commit") or after the COMMIT but
		before any after-commit work such as the cache version bump ("after_commit")."""
		if stage == "after_commit":
			frappe.db.after_commit.add(lambda: stall(marker, "committed"))
		admin_api.toggle_plugin(plugin, enable)
		if stage == "before_commit":
			stall(marker, "row updated, not committed")
		frappe.db.commit()
		return "not stalled"

	def sync_and_stall(marker: str, after: str, commit_partial: bool = False):
		"""Run the after_migrate sync and stall right after its first INSERT/UPDATE/DELETE whose SQL
		contains `after`, optionally committing what it has written so far (as an app hook that
		commits would). The marker holds the writes done, one per line."""
		from frappe_assistant_core.utils.migration_hooks import after_migrate

		db_class = type(frappe.local.db)
		original = db_class.sql
		writes = []

		def counting_sql(self, query, *args, **kwargs):
			result = original(self, query, *args, **kwargs)
			text = " ".join(str(query).split())
			if text[:6].lower() in ("insert", "update", "delete"):
				writes.append(text[:100])
				if after.lower() in text.lower():
					db_class.sql = original
					if commit_partial:
						frappe.db.commit()
					stall(marker, "\n".join(writes))
			return result

		db_class.sql = counting_sql
		try:
			# The sync prints its summary; stdout is this worker's reply channel.
			with contextlib.redirect_stdout(sys.stderr):
				after_migrate()
		finally:
			db_class.sql = original
		return {"writes": writes}

	def revalidate():
		"""Run the scheduler job that publishes changes nobody announced (revalidate_registry)."""
		plugin_manager.revalidate_registry()
		frappe.db.commit()
		return True

	operations = (toggle_and_stall, sync_and_stall, revalidate)
	return {f.__name__: f for f in operations}


def main() -> None:
	bootstrap.connect()
	import frappe

	ops = {**_ops(), **_fault_ops()}
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
