// FAC Admin page: the Usage section (tool calls from the FAC Tool Call Log) and the recent calls
// shown in a tool's dialog.
//
// Self-contained: the desk glue creates it next to the Controller with the same `api` adapter and
// desk's chart library (frappe.Chart). It reads get_usage_stats once on load (and on its Refresh
// button), draws calls per day stacked by status, a sortable table of tools and the busiest users,
// and fills the ".fac-dialog-usage" box of the tool dialog when the editor announces it
// ("fac-tool-dialog-open"). Browser: window.fac_admin.UsageSection; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const api = factory(util);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.UsageSection = api.UsageSection;
		root.fac_admin.usage = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util) {
	"use strict";

	const { __, esc } = util;
	const METHOD_PREFIX = "frappe_assistant_core.api.admin_api.";
	const LOG_LIST = "/app/fac-tool-call-log";
	const DAYS = 30;
	// Desk's list view reads a JSON array in a route option as [operator, value].
	const NOT_SUCCESS = JSON.stringify(["!=", "Success"]);
	const STATUS_COLORS = {
		Success: "#29cd42",
		Error: "#e24c4c",
		"Invalid Arguments": "#f8814f",
		"Permission Denied": "#9c45e3",
		Timeout: "#ecad4b",
		Unavailable: "#98a1a9",
		"Approval Required": "#5e64ff",
		Declined: "#d6336c",
	};
	// Sortable columns of the tools table: key -> [label, numeric?]
	const COLUMNS = [
		["tool", "Tool", false],
		["plugin", "Plugin", false],
		["calls", "Calls", true],
		["error_rate", "Error rate", true],
		["p50_ms", "p50 ms", true],
		["p95_ms", "p95 ms", true],
	];

	function logLink(filters) {
		const query = Object.entries(filters)
			.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
			.join("&");
		return query ? `${LOG_LIST}?${query}` : LOG_LIST;
	}

	function percent(rate) {
		return `${(Number(rate || 0) * 100).toFixed(1)}%`;
	}

	function ms(value) {
		return value === null || value === undefined ? "–" : Number(value).toFixed(1);
	}

	/** Tools sorted by `key` ("calls", "tool", ...) in `dir` ("asc" / "desc"); ties by name. */
	function sortTools(tools, key, dir) {
		const numeric = (COLUMNS.find(([k]) => k === key) || [])[2];
		const sign = dir === "asc" ? 1 : -1;
		return tools.slice().sort((a, b) => {
			const x = a[key];
			const y = b[key];
			let order;
			if (numeric) {
				order = (x === null || x === undefined ? -1 : x) - (y === null || y === undefined ? -1 : y);
			} else {
				order = String(x || "").localeCompare(String(y || ""));
			}
			return sign * order || String(a.tool).localeCompare(String(b.tool));
		});
	}

	/** The chart's legend as a list that wraps: one coloured mark and status name per dataset. */
	function legend(statuses) {
		const item = (s) => `<li class="fac-call-status" style="--fac-call-status:${STATUS_COLORS[s]}">${esc(__(s))}</li>`;
		return `<ul class="fac-usage-legend" aria-hidden="true">${statuses.map(item).join("")}</ul>`;
	}

	function summary(stats) {
		return esc(
			__("{0} calls in the last {1} days, {2} not successful ({3}); users: {4}, tools: {5}.", [
				stats.total_calls,
				stats.days,
				stats.error_calls,
				percent(stats.error_rate),
				stats.user_count,
				stats.tool_count,
			])
		);
	}

	/** Calls a rate limit refused: never logged (they cost no write), counted in Redis. */
	function rateLimitedNote(stats) {
		const refused = stats.rate_limited;
		if (!refused || !refused.total) {
			return "";
		}
		const tools = refused.tools
			.slice(0, 3)
			.map((t) => `${t.tool} (${t.refused})`)
			.join(", ");
		return `<p class="fac-help fac-usage-rate-limited">${esc(__("{0} calls were refused by rate limits (not logged): {1}.", [refused.total, tools]))}</p>`;
	}

	function pendingNote(stats) {
		if (!stats.pending) {
			return "";
		}
		return `<p class="fac-help fac-usage-pending">${esc(__("{0} more calls are queued and will show within a few minutes.", [stats.pending]))}</p>`;
	}

	/** Calls that fall on one of the chart's days (a call stamped after today falls on none). */
	function chartedCalls(stats) {
		const series = (stats.daily && stats.daily.series) || {};
		return Object.values(series).reduce((sum, counts) => sum + (counts || []).reduce((a, b) => a + Number(b || 0), 0), 0);
	}

	function outsideNote(stats, charted) {
		const outside = stats.total_calls - charted;
		if (outside <= 0) {
			return "";
		}
		return `<p class="fac-help fac-usage-outside">${esc(
			__("{0} of these calls are stamped later than today in the site's time zone (was it changed?), so the chart of calls per day leaves them out.", [outside])
		)}</p>`;
	}

	function toolsTable(tools, sort) {
		const head = COLUMNS.map(([key, label]) => {
			const active = sort.key === key;
			const ariaSort = active ? (sort.dir === "asc" ? "ascending" : "descending") : "none";
			const arrow = active ? (sort.dir === "asc" ? " ▲" : " ▼") : "";
			return `<th scope="col" aria-sort="${ariaSort}"><button type="button" class="fac-usage-sort" data-key="${key}">${esc(__(label))}${arrow}</button></th>`;
		}).join("");
		const rows = sortTools(tools, sort.key, sort.dir)
			.map(
				(t) => `
				<tr class="fac-usage-tool" data-tool="${esc(t.tool)}">
					<td><a href="${esc(logLink({ tool: t.tool }))}">${esc(t.tool)}</a></td>
					<td>${t.plugin ? esc(t.plugin) : `<span class="fac-usage-unknown">${esc(__("unknown tool"))}</span>`}</td>
					<td class="fac-num">${esc(t.calls)}</td>
					<td class="fac-num">${t.errors ? `<a href="${esc(logLink({ tool: t.tool, status: NOT_SUCCESS }))}">${esc(percent(t.error_rate))}</a>` : esc(percent(t.error_rate))}</td>
					<td class="fac-num">${esc(ms(t.p50_ms))}</td>
					<td class="fac-num">${esc(ms(t.p95_ms))}</td>
				</tr>`
			)
			.join("");
		return `<table class="fac-usage-tools"><caption class="fac-visually-hidden">${esc(__("Calls per tool"))}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
	}

	function usersList(users) {
		const items = users
			.map(
				(u) => `
				<li class="fac-usage-user"><a href="${esc(logLink({ user: u.user }))}">${esc(u.full_name || u.user)}</a>
					<span class="fac-usage-count">${esc(__("{0} calls, {1} not successful", [u.calls, u.errors]))}</span></li>`
			)
			.join("");
		return `<ol class="fac-usage-users">${items}</ol>`;
	}

	function section(stats, sort, error) {
		const head = `
			<div class="fac-section-head">
				<h2 id="fac-usage-heading">${esc(__("Usage"))}</h2>
				<a class="fac-section-link" href="${LOG_LIST}">${esc(__("Tool Call Log"))}</a>
				<button type="button" class="btn btn-xs btn-default fac-usage-refresh">${esc(__("Refresh"))}</button>
			</div>`;
		if (error) {
			return `${head}<p class="fac-usage-error" role="alert">${esc(error)}</p>`;
		}
		if (!stats) {
			return `${head}<p class="fac-empty">${esc(__("Loading…"))}</p>`;
		}
		if (!stats.total_calls) {
			return `${head}<div class="fac-usage-empty fac-empty">
				<p>${esc(__("No tool calls in the last {0} days yet.", [stats.days]))}</p>
				<p class="fac-help">${esc(__("Every MCP tools/call is recorded here (who, which tool, outcome, duration) a few minutes after it is made."))}</p>
				${pendingNote(stats)}${rateLimitedNote(stats)}</div>`;
		}
		const charted = chartedCalls(stats);
		const chart = charted
			? `<div class="fac-usage-chart" role="img" aria-label="${esc(__("Calls per day for the last {0} days, by status", [stats.days]))}"></div>`
			: "";
		return `${head}
			<p class="fac-usage-summary">${summary(stats)}</p>
			${pendingNote(stats)}${rateLimitedNote(stats)}
			${chart}${outsideNote(stats, charted)}
			<div class="fac-usage-grid">
				<div><h3>${esc(__("Tools"))}</h3>${toolsTable(stats.tools, sort)}</div>
				<div><h3>${esc(__("Busiest users"))}</h3>${usersList(stats.users)}</div>
			</div>`;
	}

	function recentCalls(tool, calls, error) {
		const all = `<a class="fac-section-link" href="${esc(logLink({ tool }))}">${esc(__("All calls of {0}", [tool]))}</a>`;
		if (error) {
			return `<h3>${esc(__("Recent calls"))}</h3><p class="fac-usage-error">${esc(error)}</p>`;
		}
		if (!calls.length) {
			return `<h3>${esc(__("Recent calls"))}</h3><p class="fac-empty">${esc(__("No calls recorded yet."))}</p>`;
		}
		const rows = calls
			.map(
				(c) => `
				<tr class="fac-recent-call">
					<td><a href="${esc(`${LOG_LIST}/${encodeURIComponent(c.name)}`)}">${esc(String(c.timestamp).slice(0, 19))}</a></td>
					<td>${esc(c.user)}</td>
					<td><span class="fac-call-status" style="--fac-call-status:${STATUS_COLORS[c.status] || "#98a1a9"}">${esc(__(c.status))}</span></td>
					<td class="fac-num">${esc(ms(c.duration_ms))}</td>
					<td>${esc([c.target_doctype, c.target_name].filter(Boolean).join(" "))}</td>
				</tr>`
			)
			.join("");
		return `<h3>${esc(__("Recent calls"))}</h3>
			<table class="fac-usage-recent"><thead><tr>
				<th scope="col">${esc(__("When"))}</th><th scope="col">${esc(__("User"))}</th><th scope="col">${esc(__("Status"))}</th>
				<th scope="col">${esc(__("ms"))}</th><th scope="col">${esc(__("Document"))}</th>
			</tr></thead><tbody>${rows}</tbody></table>${all}`;
	}

	class UsageSection {
		/**
		 * @param {HTMLElement} root the page body the Controller renders into
		 * @param {{api: {call: Function}, Chart?: Function}} deps Chart: desk's frappe.Chart
		 */
		constructor(root, { api, Chart }) {
			this.root = root;
			this.api = api;
			this.Chart = Chart || null;
			this.stats = null;
			this.error = null;
			this.sort = { key: "calls", dir: "desc" };
			// Below the plugins and tools (the switches come first).
			this.el = util.sectionBelowTools(root, "fac-admin-usage", "fac-usage-heading");
			this.el.addEventListener("click", (event) => this._onClick(event));
			root.addEventListener("fac-tool-dialog-open", (event) => this.fillRecentCalls(event.detail.box, event.detail.tool));
			this.render();
		}

		_call(method, args) {
			return Promise.resolve().then(() => this.api.call(METHOD_PREFIX + method, args, { type: "GET" }));
		}

		async load() {
			try {
				this.stats = await this._call("get_usage_stats", { days: DAYS });
				this.error = null;
			} catch (err) {
				this.error = (err && err.message) || __("Could not load the usage numbers.");
			}
			this.render();
			return !this.error;
		}

		render() {
			this.el.innerHTML = section(this.stats, this.sort, this.error);
			this._drawChart();
		}

		setSort(key) {
			let dir;
			if (key === this.sort.key) {
				dir = this.sort.dir === "desc" ? "asc" : "desc";
			} else {
				dir = COLUMNS.find(([k]) => k === key)[2] ? "desc" : "asc"; // numbers: largest first
			}
			this.sort = { key, dir };
			this.render();
			const button = this.el.querySelector(`.fac-usage-sort[data-key="${key}"]`);
			if (button) {
				button.focus();
			}
		}

		_drawChart() {
			const box = this.el.querySelector(".fac-usage-chart");
			if (!box || !this.Chart) {
				return;
			}
			const { dates, series } = this.stats.daily;
			// Only statuses with calls in the window: frappe.Chart cannot draw a stacked bar chart of
			// no series (the section leaves the chart out then, see chartedCalls).
			const statuses = this.stats.statuses.filter((s) => (series[s] || []).some(Boolean));
			if (!statuses.length) {
				return;
			}
			this.chart = new this.Chart(box, {
				type: "bar",
				height: 220,
				data: { labels: dates.map((d) => d.slice(5)), datasets: statuses.map((s) => ({ name: __(s), values: series[s] })) },
				barOptions: { stacked: 1, spaceRatio: 0.3 },
				axisOptions: { xIsSeries: 1 },
				colors: statuses.map((s) => STATUS_COLORS[s]),
				// The chart's own legend gives each name a fixed width, so long ones overlap: ours wraps.
				showLegend: 0,
			});
			box.insertAdjacentHTML("afterend", legend(statuses));
		}

		async fillRecentCalls(box, tool) {
			if (!box) {
				return;
			}
			box.innerHTML = `<p class="fac-empty">${esc(__("Loading recent calls…"))}</p>`;
			try {
				const calls = await this._call("get_recent_tool_calls", { tool_name: tool, limit: 10 });
				box.innerHTML = recentCalls(tool, calls || []);
			} catch (err) {
				box.innerHTML = recentCalls(tool, [], (err && err.message) || __("Could not load the recent calls."));
			}
		}

		_onClick(event) {
			const button = event.target.closest("button");
			if (!button) {
				return;
			}
			if (button.classList.contains("fac-usage-refresh")) {
				this.load();
			} else if (button.classList.contains("fac-usage-sort")) {
				this.setSort(button.getAttribute("data-key"));
			}
		}
	}

	return { UsageSection, sortTools, logLink, chartedCalls, legend, STATUS_COLORS };
});
