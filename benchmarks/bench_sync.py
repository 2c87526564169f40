"""Benchmark 3, migrate sync at scale: 5,000 tools from 100 sources (50 plugins + 50 apps).

A generated plugin package (50 plugins x 50 tools, discovered next to the shipped plugins) and 50
generated apps (50 tools each through `assistant_tools`) are synced by the app's after_migrate sync,
each run in a fresh process as `bench migrate` would: the first sync creates every row, the second
must write nothing. Reported per run: time, rows written, SQL statements by kind (batched: a
handful per thousand rows, never one per row) and peak resident memory.
"""

from __future__ import annotations

from benchmarks import harness
from benchmarks.generate import write_plugin_package, write_tool_app

PLUGINS = 50
APPS = 50
TOOLS_EACH = 50
PACKAGE = "fac_bench_sync_plugins"


def _generate(site: harness.BenchSite) -> list[str]:
	plugins = {
		f"bench_plugin_{p:02d}": [f"p{p:02d}_tool_{t:02d}" for t in range(TOOLS_EACH)] for p in range(PLUGINS)
	}
	write_plugin_package(site.apps_dir, PACKAGE, plugins)
	apps = []
	for a in range(APPS):
		app = f"fac_bench_sync_app_{a:02d}"
		write_tool_app(site.apps_dir, app, [f"a{a:02d}_tool_{t:02d}" for t in range(TOOLS_EACH)])
		apps.append(app)
	return apps


def run() -> dict:
	with harness.bench_site("sync") as site:
		apps = _generate(site)
		first = site.probe("sync", extra_apps=apps, plugin_package=PACKAGE)
		second = site.probe("sync", extra_apps=apps, plugin_package=PACKAGE)
	generated = PLUGINS * TOOLS_EACH + APPS * TOOLS_EACH
	rows = []
	for label, r in (("first sync", first), ("second sync", second)):
		kinds = r["query_kinds"]
		rows.append(
			[
				label,
				r["seconds"],
				r["writes"],
				r["tools_created"],
				r["queries"],
				kinds.get("select", 0),
				kinds.get("insert", 0),
				kinds.get("update", 0),
				kinds.get("delete", 0),
				r["peak_kb"] / 1024,
				(r["peak_kb"] - r["rss_before_kb"]) / 1024,
			]
		)
	targets = {
		"second_sync_writes_nothing": second["writes"] == 0
		and not any(second["query_kinds"].get(k) for k in ("insert", "update", "delete")),
		"batched_first_sync": first["queries"] < first["writes"] / 5,
	}
	result = {
		"machine": harness.machine(),
		"generated_tools": generated,
		"sources": {"plugins": PLUGINS, "apps": APPS, "tools_each": TOOLS_EACH},
		"first": first,
		"second": second,
		"target_met": targets,
	}
	print()
	print(
		harness.table(
			f"Migrate sync: {generated:,} generated tools from {PLUGINS} plugins + {APPS} apps "
			f"(plus the shipped ones), each sync in a fresh process",
			[
				"run",
				"seconds",
				"writes",
				"tools new",
				"SQL",
				"select",
				"insert",
				"update",
				"delete",
				"peak RSS MB",
				"+RSS MB",
			],
			rows,
		)
	)
	print(
		f"rows after the first sync: {first['rows']['plugins']} plugins, {first['rows']['tools']:,} tools; "
		f"statements per row written: {first['queries'] / max(first['writes'], 1):.3f}"
	)
	for label, r in (("first", first), ("second", second)):
		st = r["stages"]
		print(
			f"{label} sync: reading the catalog from source {st['build_catalog']['seconds']:.2f} s; "
			f"loading the registry snapshot {st['_load']['seconds']:.2f} s, of which importing and "
			f"instantiating {st['load_tool']['calls']:,} tools {st['load_tool']['seconds']:.2f} s"
		)
	for name, met in targets.items():
		print(f"target {name}: {'met' if met else 'NOT met'}")
	path = harness.write_results("sync", result)
	print(f"results: {path}")
	return result


if __name__ == "__main__":
	run()
