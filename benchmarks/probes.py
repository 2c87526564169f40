"""Measurements that need a fresh process of a benchmark site: `python -m benchmarks.probes OP JSON`.

cold_start: build the registry as a new worker's first tools/list does, timing each stage, with
  memory and every import attempted under frappe_assistant_core.plugins recorded.
sync: one `after_migrate` configuration sync, timed, with its SQL statements classified and its peak
  memory; optionally with a generated plugin package discovered next to the shipped plugins.
governance_checks: the governance checks of one request, timed alone in a loop (what they add to a
  tools/list and to a tools/call, Redis round trip of the rate limiter included).
The result is printed as one JSON line prefixed with harness.PROBE_MARK.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.harness import PROBE_MARK
from tests.host import bootstrap

PLUGINS_PACKAGE = "frappe_assistant_core.plugins"


def memory_kb() -> dict[str, int]:
	"""Current (VmRSS) and peak (VmHWM) resident memory of this process, in KiB."""
	values = {}
	for line in Path("/proc/self/status").read_text().splitlines():
		key, _, rest = line.partition(":")
		if key in ("VmRSS", "VmHWM"):
			values[key] = int(rest.split()[0])
	return {"rss_kb": values["VmRSS"], "peak_kb": values["VmHWM"]}


def reset_peak_memory() -> None:
	"""Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
	Path("/proc/self/clear_refs").write_text("5")


def _connect() -> None:
	"""Connect as Administrator; this process's app list may differ from the cached hooks' one."""
	bootstrap.connect()
	from benchmarks.harness import clear_hooks_cache

	clear_hooks_cache()


class ImportSpy:
	"""A meta path finder that records every import attempted under a prefix (and finds nothing)."""

	def __init__(self, prefix: str):
		self.prefix = prefix
		self.attempted: list[str] = []

	def find_spec(self, fullname, path=None, target=None):
		if fullname.startswith(self.prefix):
			self.attempted.append(fullname)
		return None


def _cold_start(user: str = "Administrator") -> dict:
	spy = ImportSpy(PLUGINS_PACKAGE + ".")
	sys.meta_path.insert(0, spy)
	started = time.perf_counter()
	_connect()
	import frappe

	from frappe_assistant_core.utils.plugin_manager import get_plugin_manager, get_tool_registry

	connected = time.perf_counter()
	before = memory_kb()
	reset_peak_memory()
	manager = get_plugin_manager()
	t0 = time.perf_counter()
	catalog = manager.get_tool_catalog()
	t1 = time.perf_counter()
	tools = manager.get_all_tools()
	t2 = time.perf_counter()
	listed = [info.to_mcp() for info in get_tool_registry().get_available_tools(user)]
	t3 = time.perf_counter()
	payload = json.dumps({"tools": listed})
	t4 = time.perf_counter()
	after = memory_kb()
	plugins = manager.get_discovered_plugins()
	enabled = manager.get_enabled_plugins()
	per_plugin = {}
	for plugin in plugins:
		prefix = f"{PLUGINS_PACKAGE}.{plugin['name']}.tools."
		per_plugin[plugin["name"]] = {
			"enabled": plugin["name"] in enabled,
			"tools": len(plugin["tools"]),
			"modules_imported": sorted(m for m in sys.modules if m.startswith(prefix)),
			"imports_attempted": sorted({m for m in spy.attempted if m.startswith(prefix)}),
		}
	external = [e for e in catalog.values() if e.plugin_name == "external"]
	frappe.db.rollback()
	return {
		"connect_s": connected - started,
		"discovery_and_catalog_s": t1 - t0,
		"load_tools_s": t2 - t1,
		"first_list_s": t3 - t2,
		"serialize_s": t4 - t3,
		"registry_total_s": t4 - t0,
		"rss_before_kb": before["rss_kb"],
		"rss_after_kb": after["rss_kb"],
		"peak_kb": after["peak_kb"],
		"catalog_tools": len(catalog),
		"external_tools": len(external),
		"loaded_tools": len(tools),
		"listed_tools": len(listed),
		"response_bytes": len(payload),
		"plugins": per_plugin,
	}


class MergedDiscovery:
	"""The shipped plugins plus those of another package (names must not collide)."""

	def __init__(self, *discoveries):
		self.discoveries = discoveries

	def discover_plugins(self) -> dict:
		found: dict = {}
		for discovery in self.discoveries:
			found.update(discovery.discover_plugins())
		return found


def _sync(plugin_package: str | None = None) -> dict:
	_connect()
	import frappe

	from frappe_assistant_core.utils import plugin_manager
	from frappe_assistant_core.utils.config_sync import sync_all
	from frappe_assistant_core.utils.plugin_discovery import PluginDiscovery
	from tests.support.counting import count_queries

	if plugin_package:
		key = plugin_manager._site_key()
		discovery = MergedDiscovery(PluginDiscovery(), PluginDiscovery(package=plugin_package))
		plugin_manager._managers[key] = plugin_manager.PluginManager(key, discovery=discovery)
	stages = _time_stages(
		{"build_catalog": plugin_manager, "load_tool": plugin_manager, "_load": plugin_manager.PluginManager},
	)
	before = memory_kb()
	reset_peak_memory()
	started = time.perf_counter()
	with count_queries() as queries:
		report = sync_all()
		frappe.db.commit()
	elapsed = time.perf_counter() - started
	after = memory_kb()
	kinds: dict[str, int] = {}
	for query in queries:
		verb = query.lstrip().split(None, 1)[0].lower() if query.strip() else "?"
		kinds[verb] = kinds.get(verb, 0) + 1
	counts = {
		"plugins": frappe.db.count("FAC Plugin Configuration"),
		"tools": frappe.db.count("FAC Tool Configuration"),
	}
	return {
		"seconds": elapsed,
		"writes": report.writes,
		"plugins_created": len(report.plugins_created),
		"plugins_deleted": len(report.plugins_deleted),
		"tools_created": len(report.tools_created),
		"tools_updated": len(report.tools_updated),
		"tools_deleted": len(report.tools_deleted),
		"queries": len(queries),
		"query_kinds": kinds,
		"stages": stages,
		"rss_before_kb": before["rss_kb"],
		"peak_kb": after["peak_kb"],
		"rows": counts,
	}


def _time_stages(targets: dict) -> dict:
	"""Wrap each named function (on the given owner) to accumulate its calls and seconds."""
	stages: dict[str, dict] = {}
	for name, owner in targets.items():
		original = getattr(owner, name)
		stage = stages.setdefault(name, {"calls": 0, "seconds": 0.0})

		def timed(*args, _original=original, _stage=stage, **kwargs):
			started = time.perf_counter()
			try:
				return _original(*args, **kwargs)
			finally:
				_stage["calls"] += 1
				_stage["seconds"] += time.perf_counter() - started

		setattr(owner, name, timed)
	return stages


def _governance_checks(user: str, iterations: int = 2000) -> dict:
	"""Microseconds the governance checks take per request, median of batches of 100."""
	_connect()
	import frappe
	from werkzeug.test import EnvironBuilder
	from werkzeug.wrappers import Request

	from frappe_assistant_core.core import connection_rules
	from frappe_assistant_core.governance import approvals, connection, rate_limit
	from frappe_assistant_core.mcp.tools import CallToolParams
	from frappe_assistant_core.utils.plugin_manager import get_plugin_manager, get_tool_registry
	from frappe_assistant_core.wire.revisions import REVISIONS

	frappe.set_user(user)
	path = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
	frappe.local.request = Request(EnvironBuilder(path=path, method="POST").get_environ())
	get_plugin_manager().snapshot()  # validated once per request, as auth does before these checks
	info = get_tool_registry().get_tool("document_get")
	params = CallToolParams(name="document_get", arguments={"doctype": "ToDo", "name": "x"})
	rev = REVISIONS["2025-11-25"]

	def listing():
		connection_rules.reset()
		connection.narrow(frappe.local.request)

	def calling():
		listing()
		rate_limit.check("document_get")
		approvals.govern(info, params, rev, lambda: None)

	result = {}
	for label, check in (("tools_list", listing), ("tools_call", calling)):
		batches = []
		for _ in range(iterations // 100):
			started = time.perf_counter()
			for _ in range(100):
				check()
			batches.append((time.perf_counter() - started) / 100 * 1e6)
		result[f"{label}_us"] = sorted(batches)[len(batches) // 2]
	return result


OPS = {"cold_start": _cold_start, "sync": _sync, "governance_checks": _governance_checks}


def main() -> None:
	op, args = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
	result = OPS[op](**args)
	print(PROBE_MARK + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
	main()
