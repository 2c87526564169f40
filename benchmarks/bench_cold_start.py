"""Benchmark 4, cold start: build the registry in a fresh worker; disabled plugins stay unimported.

Each run is a new process of the site (as a gunicorn worker after a restart): connect, then the work
of the first tools/list (discover plugins, read the tool catalog from source, load the enabled tools,
filter for the user, shape the MCP answer). Three configurations: the shipped plugins as installed,
only `core` enabled, and the shipped plugins plus 1,000 tools of a generated app. The proof that
tool modules of disabled plugins are not imported is read from that process's sys.modules and from
an import spy that records every import attempted under frappe_assistant_core.plugins.
"""

from __future__ import annotations

from benchmarks import harness
from benchmarks.generate import write_tool_app

RUNS = 3
EXTRA_APP = "fac_bench_cold_tools"
EXTRA_TOOLS = 1000


def _measure(site: harness.BenchSite, label: str, extra_apps=()) -> dict:
	runs = [site.probe("cold_start", extra_apps=extra_apps) for _ in range(RUNS)]
	runs.sort(key=lambda r: r["registry_total_s"])
	middle = runs[len(runs) // 2]
	return {
		"label": label,
		"runs": RUNS,
		"registry_s_median": middle["registry_total_s"],
		"registry_s_all": [r["registry_total_s"] for r in runs],
		"memory_added_mb": (middle["rss_after_kb"] - middle["rss_before_kb"]) / 1024,
		"peak_rss_mb": middle["peak_kb"] / 1024,
		"detail": middle,
	}


def _set_plugins(enabled: dict[str, bool]) -> None:
	import frappe

	from frappe_assistant_core.api.admin_api import toggle_plugin

	for name, enable in enabled.items():
		toggle_plugin(name, enable)
	frappe.db.commit()


def _proof(row: dict) -> list[str]:
	"""Lines stating, per plugin, what the fresh process imported of its tools."""
	lines = []
	for name, plugin in row["detail"]["plugins"].items():
		imported, attempted = plugin["modules_imported"], plugin["imports_attempted"]
		state = "enabled " if plugin["enabled"] else "DISABLED"
		lines.append(
			f"  {state} {name:<17} tools {plugin['tools']:>2}  modules imported {len(imported):>2}"
			f"  import attempts {len(attempted):>2}"
		)
	return lines


def run() -> dict:
	with harness.bench_site("cold") as site:
		site.connect()
		import frappe

		from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

		shipped = {p["name"]: p for p in get_plugin_manager().get_discovered_plugins()}
		defaults = {name: p["loaded"] for name, p in shipped.items()}
		rows = [_measure(site, "shipped plugins, as installed")]
		optional = {name: False for name, p in shipped.items() if not p["always_enabled"]}
		_set_plugins(optional)
		rows.append(_measure(site, "only core enabled"))
		_set_plugins({name: on for name, on in defaults.items() if not shipped[name]["always_enabled"]})
		write_tool_app(site.apps_dir, EXTRA_APP, [f"cold_tool_{i:04d}" for i in range(EXTRA_TOOLS)])
		site.migrate(extra_apps=[EXTRA_APP])
		rows.append(_measure(site, f"as installed + {EXTRA_TOOLS:,} app tools", extra_apps=[EXTRA_APP]))
		frappe.db.rollback()

	disabled_imports = {
		name: plugin["modules_imported"] + plugin["imports_attempted"]
		for name, plugin in rows[1]["detail"]["plugins"].items()
		if not plugin["enabled"]
	}
	result = {
		"machine": harness.machine(),
		"rows": rows,
		"disabled_plugin_imports": disabled_imports,
		"target_met": {"disabled_plugins_not_imported": not any(disabled_imports.values())},
	}
	print()
	print(
		harness.table(
			"Cold start: registry built by a fresh worker (median of 3 fresh processes)",
			[
				"configuration",
				"catalog",
				"loaded",
				"listed",
				"registry ms",
				"runs ms",
				"+RSS MB",
				"peak RSS MB",
			],
			[
				[
					r["label"],
					r["detail"]["catalog_tools"],
					r["detail"]["loaded_tools"],
					r["detail"]["listed_tools"],
					r["registry_s_median"] * 1000,
					" / ".join(f"{s * 1000:.0f}" for s in r["registry_s_all"]),
					r["memory_added_mb"],
					r["peak_rss_mb"],
				]
				for r in rows
			],
		)
	)
	stages = rows[-1]["detail"]
	print(
		f"stages of the last row: discovery+catalog {stages['discovery_and_catalog_s'] * 1000:.0f} ms, "
		f"load tools {stages['load_tools_s'] * 1000:.0f} ms, first list {stages['first_list_s'] * 1000:.0f} ms, "
		f"serialize {stages['serialize_s'] * 1000:.0f} ms"
	)
	print("Proof (only core enabled): tool modules under frappe_assistant_core.plugins.<plugin>.tools")
	print("\n".join(_proof(rows[1])))
	verdict = "met" if result["target_met"]["disabled_plugins_not_imported"] else "NOT met"
	print(f"target (no tool module of a disabled plugin imported): {verdict}")
	path = harness.write_results("cold_start", result)
	print(f"results: {path}")
	return result


if __name__ == "__main__":
	run()
