// FAC Admin page: pure data logic (tool filtering, filter options, summary counts, tool status).
//
// No DOM, no server calls: every function takes the admin API's data and returns new values, so the
// node tests check them with fixture data. Browser: window.fac_admin.filters; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const api = factory(util);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.filters = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util) {
	"use strict";

	const { __, flag, categoryLabel, CATEGORIES } = util;

	const EMPTY_FILTERS = Object.freeze({ search: "", plugin: "", category: "" });

	/**
	 * Where a tool stands: "active" (in tools/list for permitted users), "disabled" (its own switch is
	 * off) or "plugin_disabled" (its plugin is off, so the tool is inactive whatever its switch says).
	 */
	function toolStatus(tool) {
		if (!flag(tool.plugin_enabled)) {
			return "plugin_disabled";
		}
		return flag(tool.enabled) ? "active" : "disabled";
	}

	function statusLabel(tool) {
		const status = toolStatus(tool);
		if (status === "plugin_disabled") {
			return __("Inactive: plugin {0} is disabled", [tool.plugin_display_name || tool.plugin_name]);
		}
		return status === "active" ? __("Active") : __("Disabled");
	}

	function _haystack(tool) {
		return [
			tool.name,
			tool.description,
			tool.plugin_name,
			tool.plugin_display_name,
			tool.source_app,
			tool.category,
			categoryLabel(tool.category),
		]
			.filter(Boolean)
			.join(" ")
			.toLowerCase();
	}

	/**
	 * The tools matching every filter: `search` (each whitespace-separated word must appear in the
	 * name, description, plugin, source app or category), `plugin` (plugin_name) and `category`.
	 * Empty filters match everything; tools of disabled plugins are kept (shown as inactive).
	 */
	function filterTools(tools, filters) {
		const wanted = Object.assign({}, EMPTY_FILTERS, filters || {});
		const words = String(wanted.search || "")
			.toLowerCase()
			.split(/\s+/)
			.filter(Boolean);
		return (tools || []).filter((tool) => {
			if (wanted.plugin && tool.plugin_name !== wanted.plugin) {
				return false;
			}
			if (wanted.category && tool.category !== wanted.category) {
				return false;
			}
			if (words.length) {
				const haystack = _haystack(tool);
				return words.every((word) => haystack.includes(word));
			}
			return true;
		});
	}

	function isFiltered(filters) {
		const wanted = Object.assign({}, EMPTY_FILTERS, filters || {});
		return Boolean(String(wanted.search).trim() || wanted.plugin || wanted.category);
	}

	/** Tools ordered by plugin display name, then tool name (stable across reloads). */
	function sortTools(tools) {
		const key = (tool) => String(tool.plugin_display_name || tool.plugin_name || "").toLowerCase();
		return (tools || []).slice().sort((a, b) => {
			const byPlugin = key(a).localeCompare(key(b));
			return byPlugin || String(a.name).localeCompare(String(b.name));
		});
	}

	/** [{value, label, count}] for the plugin filter: every plugin with tools, plus tool-less plugins. */
	function pluginOptions(plugins, tools) {
		const options = new Map();
		for (const plugin of plugins || []) {
			options.set(plugin.name, { value: plugin.name, label: plugin.display_name || plugin.name, count: 0 });
		}
		for (const tool of tools || []) {
			if (!options.has(tool.plugin_name)) {
				options.set(tool.plugin_name, {
					value: tool.plugin_name,
					label: tool.plugin_display_name || tool.plugin_name,
					count: 0,
				});
			}
			options.get(tool.plugin_name).count += 1;
		}
		return Array.from(options.values()).sort((a, b) => a.label.localeCompare(b.label));
	}

	/** [{value, label, count}] for the category filter, in risk order. */
	function categoryOptions(tools) {
		return CATEGORIES.map((category) => ({
			value: category,
			label: categoryLabel(category),
			count: (tools || []).filter((tool) => tool.category === category).length,
		}));
	}

	/**
	 * The summary line: plugin counts from get_plugin_stats and tool counts from get_tool_stats, each
	 * computed from the lists when the stats call is missing (so a partial load still shows numbers).
	 */
	function summarize(pluginStats, toolStats, plugins, tools) {
		const pluginList = plugins || [];
		const toolList = tools || [];
		const enabledPlugins = pluginList.filter((p) => flag(p.enabled)).length;
		const ps = pluginStats || {};
		const ts = toolStats || {};
		const pick = (value, computed) => (typeof value === "number" ? value : computed);
		return {
			total_plugins: pick(ps.total_plugins, pluginList.length),
			enabled_plugins: pick(ps.enabled_plugins, enabledPlugins),
			disabled_plugins: pick(ps.disabled_plugins, pluginList.length - enabledPlugins),
			active_tools: pick(ts.active_tools, toolList.filter((t) => toolStatus(t) === "active").length),
			total_tools: pick(ts.total_tools, toolList.length),
		};
	}

	/**
	 * What "Enable/Disable all shown" would do: every shown tool's name goes to bulk_toggle_tools,
	 * `changing` counts those whose switch actually moves.
	 */
	function bulkPlan(tools, enable) {
		const names = (tools || []).map((tool) => tool.name);
		const changing = (tools || []).filter((tool) => flag(tool.enabled) !== Boolean(enable)).length;
		return { names, count: names.length, changing };
	}

	/** Role names a tool is restricted to (only rows that allow access). */
	function allowedRoles(tool) {
		return (tool.roles || []).filter((row) => row.allow_access === undefined || flag(row.allow_access)).map((row) => row.role);
	}

	return {
		EMPTY_FILTERS,
		toolStatus,
		statusLabel,
		filterTools,
		isFiltered,
		sortTools,
		pluginOptions,
		categoryOptions,
		summarize,
		bulkPlan,
		allowedRoles,
	};
});
