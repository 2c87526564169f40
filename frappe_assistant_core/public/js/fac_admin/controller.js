// FAC Admin page: the controller that loads the admin API's data, renders it and handles the user.
//
// It talks to the server only through `api.call(method, args, {type})`, a Promise of the method's
// return value that rejects with an Error carrying the server's message, and to desk only through
// `ui.confirm(message)` (Promise<boolean>) and `ui.notify(message, indicator)`. The desk glue
// (page/fac_admin/fac_admin.js) builds both from frappe.call / frappe.confirm / frappe.show_alert;
// the node tests pass fakes. Browser: window.fac_admin.Controller; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const filters = isNode ? require("./filters.js") : root.fac_admin.filters;
	const render = isNode ? require("./render.js") : root.fac_admin.render;
	const editor = isNode ? require("./editor.js") : root.fac_admin.editor;
	const api = factory(util, filters, render, editor);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.Controller = api.Controller;
		root.fac_admin.METHOD_PREFIX = api.METHOD_PREFIX;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util, filters, render, editor) {
	"use strict";

	const { __, flag } = util;
	const METHOD_PREFIX = "frappe_assistant_core.api.admin_api.";

	class Controller {
		/**
		 * @param {HTMLElement} root element the page owns (its content is replaced)
		 * @param {{api: {call: Function}, ui?: {confirm?: Function, notify?: Function}}} deps
		 */
		constructor(root, { api, ui }) {
			this.root = root;
			this.api = api;
			this.ui = ui || {};
			this.state = {
				plugins: [],
				pluginStats: null,
				tools: [],
				toolStats: null,
				roles: null,
				filters: Object.assign({}, filters.EMPTY_FILTERS),
				loaded: false,
				// The server's message for each list ("plugins", "tools") whose last read failed.
				loadErrors: {},
			};
			// "plugin:<name>" / "tool:<name>" / "bulk" -> the state a call in flight asked for.
			this.pending = new Map();
			this._refreshSeq = 0;
			this.editor = new editor.ToolEditor(this);
			this.root.innerHTML = render.layout();
			this._bind();
		}

		$(selector) {
			return this.root.querySelector(selector);
		}

		_call(method, args, type) {
			return Promise.resolve().then(() => this.api.call(METHOD_PREFIX + method, args || {}, { type: type || "POST" }));
		}

		/** First load (same as refresh; kept as the name the desk glue calls). */
		load() {
			return this.refresh();
		}

		/**
		 * Re-read plugins, tools and both stats from the server and re-render. Each read that fails
		 * shows its message and keeps the previous data; a refresh overtaken by a newer one is dropped.
		 */
		async refresh() {
			const seq = ++this._refreshSeq;
			const reads = [
				["plugins", "get_all_plugins"],
				["pluginStats", "get_plugin_stats"],
				["tools", "get_tool_configurations"],
				["toolStats", "get_tool_stats"],
			];
			const results = await Promise.allSettled(reads.map(([, method]) => this._call(method, {}, "GET")));
			if (seq !== this._refreshSeq) {
				return false;
			}
			const errors = [];
			this.state.loadErrors = {};
			results.forEach((result, index) => {
				const key = reads[index][0];
				if (result.status === "rejected") {
					const message = (result.reason && result.reason.message) || __("Could not load the page data.");
					errors.push(message);
					this.state.loadErrors[key] = message;
					return;
				}
				const value = result.value;
				if (key === "tools") {
					this.state.tools = filters.sortTools((value && value.tools) || []);
				} else if (key === "plugins") {
					this.state.plugins = value || [];
				} else {
					this.state[key] = value || null;
				}
			});
			this.state.loaded = true;
			this.renderAll();
			if (errors.length) {
				this.showError(Array.from(new Set(errors.filter(Boolean))).join(" ") || __("Could not load the page data."));
				return false;
			}
			return true;
		}

		// ---------------------------------------------------------------------------------------
		// Rendering
		// ---------------------------------------------------------------------------------------

		renderAll() {
			this._keepFocus(() => {
				this.renderSummary();
				this.renderPlugins();
				this.renderFilterOptions();
				this.renderTools();
			});
		}

		renderSummary() {
			const { pluginStats, toolStats, plugins, tools } = this.state;
			this.$(".fac-admin-summary").innerHTML = render.summary(filters.summarize(pluginStats, toolStats, plugins, tools));
		}

		renderPlugins() {
			const list = this.$(".fac-plugin-list");
			list.innerHTML = this.state.loaded
				? render.plugins(this.state.plugins, this.pending, this.state.loadErrors.plugins)
				: `<li class="fac-empty">${util.esc(__("Loading…"))}</li>`;
			list.setAttribute("aria-busy", this.state.loaded ? "false" : "true");
		}

		renderFilterOptions() {
			const { plugins, tools, filters: wanted } = this.state;
			this.$(".fac-tool-plugin-filter").innerHTML = render.pluginFilterOptions(plugins, tools, wanted.plugin);
			this.$(".fac-tool-category-filter").innerHTML = render.categoryFilterOptions(tools, wanted.category);
			this.$(".fac-tool-search").value = wanted.search;
		}

		shownTools() {
			return filters.filterTools(this.state.tools, this.state.filters);
		}

		renderTools() {
			const shown = this.shownTools();
			const total = this.state.tools.length;
			const filtered = filters.isFiltered(this.state.filters);
			this.$(".fac-tool-table-wrap").innerHTML = render.toolTable(shown, total, this.pending, filtered, this.state.loadErrors.tools);
			this.$(".fac-tool-count").textContent = render.toolCount(shown.length, total);
			const bulkBusy = this.pending.has("bulk");
			for (const selector of [".fac-tool-bulk-enable", ".fac-tool-bulk-disable"]) {
				const button = this.$(selector);
				button.disabled = bulkBusy || !shown.length;
				button.setAttribute("aria-busy", bulkBusy ? "true" : "false");
			}
			this.$(".fac-tool-clear-filters").disabled = !filtered;
		}

		/** Which re-rendered control has focus, as {cls, key}, or null. */
		_focusKey() {
			const active = this.root.ownerDocument.activeElement;
			if (!active || !this.root.contains(active)) {
				return null;
			}
			const cls = ["fac-plugin-toggle", "fac-tool-toggle", "fac-tool-edit"].find((c) => active.classList.contains(c));
			if (!cls) {
				return null;
			}
			return { cls, key: active.getAttribute("data-plugin") || active.getAttribute("data-tool") };
		}

		/** Focus the control `focusKey` names, unless focus has moved to something else meanwhile. */
		_restoreFocus(focusKey) {
			const doc = this.root.ownerDocument;
			// Re-rendering moved focus to <body>; anything else means the user has moved on.
			if (!focusKey || (doc.activeElement && doc.activeElement !== doc.body)) {
				return;
			}
			const found = Array.from(this.root.querySelectorAll("." + focusKey.cls)).find(
				(el) => (el.getAttribute("data-plugin") || el.getAttribute("data-tool")) === focusKey.key
			);
			if (found && !found.disabled) {
				found.focus();
			}
		}

		/** Re-rendering replaces elements: give focus back to the control that had it. */
		_keepFocus(fn) {
			const focusKey = this._focusKey();
			fn();
			this._restoreFocus(focusKey);
		}

		// ---------------------------------------------------------------------------------------
		// Messages
		// ---------------------------------------------------------------------------------------

		showError(message) {
			const banner = this.$(".fac-admin-error");
			this.$(".fac-admin-error-text").textContent = message;
			banner.hidden = false;
			if (this.ui.notify) {
				this.ui.notify(message, "red");
			}
		}

		clearError() {
			this.$(".fac-admin-error").hidden = true;
			this.$(".fac-admin-error-text").textContent = "";
		}

		notify(message, indicator) {
			this.$(".fac-admin-notice").textContent = message;
			if (this.ui.notify) {
				this.ui.notify(message, indicator || "green");
			}
		}

		_confirm(message) {
			if (this.ui.confirm) {
				return Promise.resolve(this.ui.confirm(message));
			}
			const win = this.root.ownerDocument.defaultView;
			return Promise.resolve(Boolean(win && win.confirm && win.confirm(message)));
		}

		// ---------------------------------------------------------------------------------------
		// Mutations: the switch shows the requested state, disabled, while the call is in flight;
		// success re-reads everything, failure shows the server's message and the stored state.
		// ---------------------------------------------------------------------------------------

		async _mutate(key, wanted, rerender, call) {
			if (this.pending.has(key)) {
				rerender();
				return false;
			}
			// The switch is disabled in flight, which drops its focus: remember it for afterwards.
			const focusKey = this._focusKey();
			this.pending.set(key, wanted);
			this.clearError();
			this._keepFocus(rerender);
			let ok = false;
			try {
				const result = await call();
				ok = true;
				if (result && result.message) {
					this.notify(result.message);
				}
				await this.refresh();
			} catch (err) {
				this.showError(util.plainText((err && err.message) || err) || __("The change was not saved."));
			} finally {
				this.pending.delete(key);
				this.renderAll();
				this._restoreFocus(focusKey);
			}
			if (!ok) {
				// Show what the server actually stored (the failed call may have raced another change).
				await this.refresh();
			}
			return ok;
		}

		togglePlugin(name, enable) {
			const plugin = this.state.plugins.find((p) => p.name === name);
			if (!plugin || flag(plugin.always_enabled)) {
				this.renderPlugins();
				return Promise.resolve(false);
			}
			return this._mutate(
				"plugin:" + name,
				Boolean(enable),
				() => this.renderPlugins(),
				() => this._call("toggle_plugin", { plugin_name: name, enable: enable ? 1 : 0 })
			);
		}

		toggleTool(name, enable) {
			if (!this.state.tools.some((t) => t.name === name) || this.pending.has("bulk")) {
				this.renderTools();
				return Promise.resolve(false);
			}
			return this._mutate(
				"tool:" + name,
				Boolean(enable),
				() => this.renderTools(),
				() => this._call("toggle_tool", { tool_name: name, enable: enable ? 1 : 0 })
			);
		}

		/** Enable or disable every tool the filters show, after a confirmation that says how many. */
		async bulkToggle(enable) {
			const plan = filters.bulkPlan(this.shownTools(), enable);
			if (!plan.count || this.pending.has("bulk")) {
				return false;
			}
			let question;
			if (enable) {
				question =
					plan.count === 1
						? __("Enable the 1 tool shown? It will appear in MCP tools/list for permitted users.")
						: __("Enable the {0} tools shown ({1} currently disabled)? They will appear in MCP tools/list for permitted users.", [plan.count, plan.changing]);
			} else {
				question =
					plan.count === 1
						? __("Disable the 1 tool shown? It will disappear from MCP tools/list.")
						: __("Disable the {0} tools shown ({1} currently enabled)? They will disappear from MCP tools/list.", [plan.count, plan.changing]);
			}
			if (!(await this._confirm(question))) {
				return false;
			}
			return this._mutate(
				"bulk",
				Boolean(enable),
				() => this.renderTools(),
				() => this._call("bulk_toggle_tools", { tool_names: JSON.stringify(plan.names), enable: enable ? 1 : 0 })
			);
		}

		setFilter(name, value) {
			this.state.filters = Object.assign({}, this.state.filters, { [name]: value || "" });
			this.renderTools();
		}

		clearFilters() {
			this.state.filters = Object.assign({}, filters.EMPTY_FILTERS);
			this.renderFilterOptions();
			this.renderTools();
			this.$(".fac-tool-search").focus();
		}

		// ---------------------------------------------------------------------------------------
		// Events (delegated: the root's content is re-rendered)
		// ---------------------------------------------------------------------------------------

		_bind() {
			this.root.addEventListener("change", (event) => {
				const target = event.target;
				if (target.closest(".fac-dialog")) {
					this.editor.onChange(target);
				} else if (target.classList.contains("fac-plugin-toggle")) {
					this.togglePlugin(target.getAttribute("data-plugin"), target.checked);
				} else if (target.classList.contains("fac-tool-toggle")) {
					this.toggleTool(target.getAttribute("data-tool"), target.checked);
				} else if (target.classList.contains("fac-tool-plugin-filter")) {
					this.setFilter("plugin", target.value);
				} else if (target.classList.contains("fac-tool-category-filter")) {
					this.setFilter("category", target.value);
				}
			});
			this.root.addEventListener("input", (event) => {
				if (event.target.classList.contains("fac-tool-search")) {
					this.setFilter("search", event.target.value);
				}
			});
			this.root.addEventListener("click", (event) => {
				const button = event.target.closest("button");
				if (!button || !this.root.contains(button)) {
					if (event.target.classList.contains("fac-dialog-backdrop")) {
						this.editor.close();
					}
					return;
				}
				const cls = button.classList;
				if (cls.contains("fac-admin-refresh")) {
					this.refresh();
				} else if (cls.contains("fac-admin-error-dismiss")) {
					this.clearError();
				} else if (cls.contains("fac-tool-clear-filters")) {
					this.clearFilters();
				} else if (cls.contains("fac-tool-bulk-enable")) {
					this.bulkToggle(true);
				} else if (cls.contains("fac-tool-bulk-disable")) {
					this.bulkToggle(false);
				} else if (cls.contains("fac-tool-edit")) {
					this.editor.open(button.getAttribute("data-tool"));
				} else if (cls.contains("fac-dialog-cancel")) {
					this.editor.close();
				}
			});
			this.root.addEventListener("submit", (event) => {
				if (event.target.classList.contains("fac-dialog-form")) {
					event.preventDefault();
					this.editor.save();
				}
			});
			this.root.addEventListener("keydown", (event) => {
				if (!event.target.closest || !event.target.closest(".fac-dialog")) {
					return;
				}
				if (event.key === "Escape") {
					event.preventDefault();
					this.editor.close();
				} else if (event.key === "Tab") {
					this.editor.trapFocus(event);
				}
			});
		}
	}

	return { Controller, METHOD_PREFIX };
});
