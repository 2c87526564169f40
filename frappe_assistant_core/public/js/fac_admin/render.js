// FAC Admin page: HTML for each part of the page, as strings built from the admin API's data.
//
// Every value that comes from the server goes through util.esc, so a plugin or tool description
// holding markup is shown as text. Switches are native checkboxes with role="switch", a label and
// aria state. Browser: window.fac_admin.render; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const filters = isNode ? require("./filters.js") : root.fac_admin.filters;
	const api = factory(util, filters);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.render = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util, filters) {
	"use strict";

	const { __, esc, flag, categoryLabel, domId } = util;

	/** The static frame: live regions, the three sections and a host for the edit dialog. */
	function layout() {
		return `
			<div class="fac-admin">
				<div class="fac-admin-error" role="alert" hidden>
					<span class="fac-admin-error-text"></span>
					<button type="button" class="btn btn-xs btn-default fac-admin-error-dismiss">${esc(__("Dismiss"))}</button>
				</div>
				<p class="fac-admin-notice fac-visually-hidden" role="status" aria-live="polite"></p>
				<section class="fac-admin-summary" aria-label="${esc(__("Summary"))}"></section>
				<section class="fac-admin-section fac-admin-plugins" aria-labelledby="fac-plugins-heading">
					<div class="fac-section-head">
						<h2 id="fac-plugins-heading">${esc(__("Plugins"))}</h2>
						<a class="fac-section-link" href="/app/fac-plugin-configuration">${esc(__("Plugin Configuration list"))}</a>
						<button type="button" class="btn btn-xs btn-default fac-admin-refresh">${esc(__("Refresh"))}</button>
					</div>
					<ul class="fac-plugin-list" aria-busy="true"></ul>
				</section>
				<section class="fac-admin-section fac-admin-tools" aria-labelledby="fac-tools-heading">
					<div class="fac-section-head">
						<h2 id="fac-tools-heading">${esc(__("Tools"))}</h2>
						<a class="fac-section-link" href="/app/fac-tool-configuration">${esc(__("Tool Configuration list"))}</a>
					</div>
					${toolbar()}
					<div class="fac-tool-table-wrap"></div>
				</section>
				<div class="fac-dialog-host"></div>
			</div>`;
	}

	function toolbar() {
		return `
			<div class="fac-tool-toolbar" role="search">
				<label class="fac-field">
					<span class="fac-field-label">${esc(__("Search tools"))}</span>
					<input type="search" class="form-control input-xs fac-tool-search" autocomplete="off"
						placeholder="${esc(__("Name, description, plugin or category"))}">
				</label>
				<label class="fac-field">
					<span class="fac-field-label">${esc(__("Plugin"))}</span>
					<select class="form-control input-xs fac-tool-plugin-filter"></select>
				</label>
				<label class="fac-field">
					<span class="fac-field-label">${esc(__("Category"))}</span>
					<select class="form-control input-xs fac-tool-category-filter"></select>
				</label>
				<button type="button" class="btn btn-xs btn-default fac-tool-clear-filters">${esc(__("Clear filters"))}</button>
			</div>
			<div class="fac-tool-bulk">
				<p class="fac-tool-count" aria-live="polite"></p>
				<button type="button" class="btn btn-xs btn-default fac-tool-bulk-enable">${esc(__("Enable shown"))}</button>
				<button type="button" class="btn btn-xs btn-default fac-tool-bulk-disable">${esc(__("Disable shown"))}</button>
			</div>`;
	}

	function _options(items, selected, allLabel) {
		const head = `<option value="">${esc(allLabel)}</option>`;
		return (
			head +
			items
				.map(
					(item) =>
						`<option value="${esc(item.value)}"${item.value === selected ? " selected" : ""}>` +
						`${esc(item.label)} (${esc(item.count)})</option>`
				)
				.join("")
		);
	}

	function pluginFilterOptions(plugins, tools, selected) {
		return _options(filters.pluginOptions(plugins, tools), selected, __("All plugins"));
	}

	function categoryFilterOptions(tools, selected) {
		return _options(filters.categoryOptions(tools), selected, __("All categories"));
	}

	function summary(counts) {
		const card = (key, label, value) =>
			`<div class="fac-summary-card" data-stat="${esc(key)}">` +
			`<span class="fac-summary-value">${esc(value)}</span>` +
			`<span class="fac-summary-label">${esc(label)}</span></div>`;
		return [
			card("total_plugins", __("Plugins"), counts.total_plugins),
			card("enabled_plugins", __("Enabled plugins"), counts.enabled_plugins),
			card("disabled_plugins", __("Disabled plugins"), counts.disabled_plugins),
			card("active_tools", __("Active tools"), __("{0} of {1}", [counts.active_tools, counts.total_tools])),
		].join("");
	}

	/**
	 * A switch: a checkbox with role="switch" whose checked state is the stored state, disabled while
	 * `busy` (a call is in flight) or `locked`, and described by `describedBy` (the reason it is locked).
	 */
	function switchControl({ cls, dataAttr, name, checked, label, busy, locked, describedBy }) {
		const attrs = [
			`type="checkbox"`,
			`role="switch"`,
			`class="fac-switch-input ${cls}"`,
			`${dataAttr}="${esc(name)}"`,
			`aria-label="${esc(label)}"`,
			`aria-checked="${checked ? "true" : "false"}"`,
			checked ? "checked" : "",
			busy || locked ? "disabled" : "",
			busy ? `aria-busy="true"` : "",
			locked ? `aria-disabled="true"` : "",
			describedBy ? `aria-describedby="${esc(describedBy)}"` : "",
		].filter(Boolean);
		return (
			`<label class="fac-switch${busy ? " is-busy" : ""}${locked ? " is-locked" : ""}">` +
			`<input ${attrs.join(" ")}>` +
			`<span class="fac-switch-track" aria-hidden="true"></span>` +
			`<span class="fac-switch-state" aria-hidden="true">${esc(checked ? __("On") : __("Off"))}</span>` +
			`</label>`
		);
	}

	function _toolCount(count) {
		return count === 1 ? __("{0} tool", [count]) : __("{0} tools", [count]);
	}

	/**
	 * One plugin card. `pending` is the state a toggle in flight asked for (undefined when none):
	 * the switch then shows it, disabled and aria-busy, until the server answers.
	 */
	function pluginCard(plugin, pending) {
		const busy = pending !== undefined;
		const enabled = flag(plugin.enabled);
		const locked = flag(plugin.always_enabled);
		const cannotEnable = !enabled && plugin.can_enable !== undefined && !flag(plugin.can_enable);
		const title = plugin.display_name || plugin.name;
		const lockId = domId("fac-plugin-lock", plugin.name);
		const errorId = domId("fac-plugin-error", plugin.name);
		const notes = [];
		let describedBy = "";
		if (locked) {
			notes.push(
				`<p class="fac-plugin-lock" id="${esc(lockId)}">` +
					esc(__("{0} is always enabled: it provides the essential Frappe operations (documents, search, metadata) and cannot be switched off.", [title])) +
					`</p>`
			);
			describedBy = lockId;
		}
		if (plugin.validation_error) {
			notes.push(
				`<p class="fac-plugin-error" id="${esc(errorId)}">` +
					`<span class="fac-plugin-error-label">${esc(__("Cannot be enabled:"))}</span> ` +
					`${esc(plugin.validation_error)}</p>`
			);
			describedBy = describedBy ? describedBy + " " + errorId : errorId;
		}
		// Frappe sends datetimes as "YYYY-MM-DD HH:MM:SS.ffffff"; seconds are precise enough here.
		const when = String(plugin.last_toggled_at || "").replace(/\.\d+$/, "");
		const toggled = when
			? `<span class="fac-plugin-toggled">${esc(
					plugin.last_toggled_by
						? __("Last changed {0} by {1}", [when, plugin.last_toggled_by])
						: __("Last changed {0}", [when])
				)}</span>`
			: "";
		// A plugin without tools has nothing to switch: it says so instead of showing a switch.
		const control = plugin.tool_count
			? switchControl({
					cls: "fac-plugin-toggle",
					dataAttr: "data-plugin",
					name: plugin.name,
					checked: busy ? Boolean(pending) : enabled,
					label: __("Enable plugin {0}", [title]),
					busy,
					locked: locked || cannotEnable,
					describedBy,
				})
			: `<span class="fac-pill fac-pill--grey fac-plugin-no-tools">${esc(__("No tools"))}</span>`;
		return `
			<li class="fac-plugin-card ${enabled ? "is-enabled" : "is-disabled"}${plugin.tool_count ? "" : " has-no-tools"}" data-plugin="${esc(plugin.name)}">
				<div class="fac-plugin-head">
					<h3 class="fac-plugin-name">${esc(title)}</h3>
					${control}
				</div>
				<p class="fac-plugin-description">${esc(plugin.description || "")}</p>
				<p class="fac-plugin-meta">
					<span class="fac-plugin-tool-count">${esc(_toolCount(plugin.tool_count || 0))}</span>
					<span class="fac-plugin-id">${esc(plugin.name)}${plugin.version ? " · v" + esc(plugin.version) : ""}</span>
					${toggled}
				</p>
				${notes.join("")}
			</li>`;
	}

	/**
	 * All plugin cards; `pending` maps "plugin:<name>" to the state a toggle in flight asked for.
	 * `error`: the server's message when the plugins could not be read (nothing is known then).
	 */
	function plugins(list, pending, error) {
		if ((!list || !list.length) && error) {
			return `<li class="fac-empty fac-load-error">${esc(__("The plugins could not be loaded: {0}", [error]))}</li>`;
		}
		if (!list || !list.length) {
			return `<li class="fac-empty">${esc(__("No plugins were discovered."))}</li>`;
		}
		const wanted = pending || new Map();
		return list.map((plugin) => pluginCard(plugin, wanted.get("plugin:" + plugin.name))).join("");
	}

	function _access(tool) {
		if (tool.role_access_mode !== "Restrict to Listed Roles") {
			return `<span class="fac-access fac-access--all">${esc(__("All users"))}</span>`;
		}
		const roles = filters.allowedRoles(tool);
		return (
			`<span class="fac-access fac-access--restricted">${esc(__("Restricted"))}</span>` +
			`<span class="fac-access-roles">${esc(roles.length ? roles.join(", ") : __("no roles"))}</span>`
		);
	}

	/** One tool row; `pending` as for pluginCard. */
	function toolRow(tool, pending) {
		const busy = pending !== undefined;
		const status = filters.toolStatus(tool);
		const external = tool.source_app && tool.source_app !== "frappe_assistant_core";
		const descId = domId("fac-tool-desc", tool.name);
		return `
			<tr class="fac-tool-row is-${status}" data-tool="${esc(tool.name)}">
				<th scope="row" class="fac-tool-main">
					<span class="fac-tool-name">${esc(tool.name)}</span>
					<span class="fac-tool-description" id="${esc(descId)}">${esc(tool.description || "")}</span>
				</th>
				<td class="fac-tool-plugin">${esc(tool.plugin_display_name || tool.plugin_name)}${
					external ? `<span class="fac-tool-source">${esc(tool.source_app)}</span>` : ""
				}</td>
				<td class="fac-tool-category">
					<span class="fac-category fac-category--${esc(tool.category || "none")}">${esc(tool.category_label || categoryLabel(tool.category))}</span>
					${flag(tool.category_override) ? `<span class="fac-override" title="${esc(__("Auto-detected: {0}", [categoryLabel(tool.auto_detected_category)]))}">${esc(__("override"))}</span>` : ""}
				</td>
				<td class="fac-tool-access">${_access(tool)}</td>
				<td class="fac-tool-status"><span class="fac-status fac-status--${status}">${esc(filters.statusLabel(tool))}</span></td>
				<td class="fac-tool-switch">${switchControl({
					cls: "fac-tool-toggle",
					dataAttr: "data-tool",
					name: tool.name,
					checked: busy ? Boolean(pending) : flag(tool.enabled),
					label: __("Enable tool {0}", [tool.name]),
					busy,
					locked: false,
					describedBy: descId,
				})}</td>
				<td class="fac-tool-actions">
					<button type="button" class="btn btn-xs btn-default fac-tool-edit" data-tool="${esc(tool.name)}"
						aria-haspopup="dialog" aria-label="${esc(__("Edit category and role access of {0}", [tool.name]))}">${esc(__("Edit"))}</button>
					<button type="button" class="btn btn-xs btn-default fac-tool-test" data-tool="${esc(tool.name)}"
						aria-haspopup="dialog" aria-label="${esc(__("Test {0} with a real call", [tool.name]))}">${esc(__("Test"))}</button>
				</td>
			</tr>`;
	}

	/**
	 * The tools table. `pending` maps "tool:<name>" (or "bulk", for every shown tool) to the state a
	 * call in flight asked for; `error`, the server's message when the tools could not be read.
	 */
	function toolTable(shown, total, pending, filtered, error) {
		const wanted = pending || new Map();
		const bulk = wanted.has("bulk");
		if (!total && error) {
			return `<p class="fac-empty fac-load-error">${esc(__("The tools could not be loaded: {0}", [error]))}</p>`;
		}
		if (!shown.length) {
			const text = total
				? __("No tools match the current filters.")
				: __("No tools are registered yet. Run bench migrate to sync tool configurations.");
			return `<p class="fac-empty">${esc(text)}</p>`;
		}
		const head = [__("Tool"), __("Plugin"), __("Category"), __("Access"), __("Status"), __("Enabled"), __("Actions")];
		return `
			<table class="table fac-tool-table"${bulk ? ` aria-busy="true"` : ""}>
				<caption class="fac-visually-hidden">${esc(filtered ? __("Tools matching the filters") : __("All tools"))}</caption>
				<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead>
				<tbody>${shown
					.map((tool) => toolRow(tool, bulk ? wanted.get("bulk") : wanted.get("tool:" + tool.name)))
					.join("")}</tbody>
			</table>`;
	}

	function toolCount(shownCount, total) {
		if (shownCount === total) {
			return total === 1 ? __("Showing {0} tool", [total]) : __("Showing all {0} tools", [total]);
		}
		return __("Showing {0} of {1} tools", [shownCount, total]);
	}

	return {
		layout,
		summary,
		plugins,
		pluginCard,
		pluginFilterOptions,
		categoryFilterOptions,
		toolRow,
		toolTable,
		toolCount,
		switchControl,
	};
});
