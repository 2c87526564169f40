// The Usage section (public/js/fac_admin/usage.js) in jsdom, next to the real Controller, with the
// in-memory admin API and a recording stand-in for desk's frappe.Chart.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { Controller } = require("../../frappe_assistant_core/public/js/fac_admin/controller.js");
const { UsageSection, sortTools, logLink, STATUS_COLORS } = require("../../frappe_assistant_core/public/js/fac_admin/usage.js");
const { FakeAdminApi, usageStats, dom, flush } = require("./support.js");

const TOOLS = [
	{ tool: "document_get", plugin: "core", calls: 40, errors: 2, error_rate: 0.05, p50_ms: 12.5, p95_ms: 40 },
	{ tool: "execute_python_code", plugin: "data_science", calls: 5, errors: 4, error_rate: 0.8, p50_ms: 900, p95_ms: 3000 },
	{ tool: "<b>odd</b>", plugin: "", calls: 1, errors: 0, error_rate: 0, p50_ms: null, p95_ms: null },
];
const USERS = [{ user: "a@example.com", full_name: "Ann", calls: 45, errors: 6 }];

function page(stats) {
	const { window, root } = dom();
	const api = new FakeAdminApi();
	api.usage = stats;
	const charts = [];
	class Chart {
		constructor(parent, options) {
			// What desk's frappe.Chart does with a stacked bar chart of no series.
			if (!options.data.datasets.length) {
				throw new TypeError("Cannot read properties of undefined (reading 'cumulativeYPos')");
			}
			charts.push({ parent, options });
		}
	}
	const controller = new Controller(root, { api });
	const usage = new UsageSection(root, { api, Chart });
	return { window, root, api, controller, usage, charts };
}

test("sortTools orders numbers and names both ways, ties by tool name", () => {
	assert.deepEqual(sortTools(TOOLS, "calls", "desc").map((t) => t.calls), [40, 5, 1]);
	assert.deepEqual(sortTools(TOOLS, "error_rate", "asc").map((t) => t.tool), ["<b>odd</b>", "document_get", "execute_python_code"]);
	assert.deepEqual(sortTools(TOOLS, "p95_ms", "desc").map((t) => t.p95_ms), [3000, 40, null]);
	assert.equal(logLink({ tool: "a b" }), "/app/fac-tool-call-log?tool=a%20b");
});

test("with calls: chart stacked by status, sortable tools table, busiest users, links to the log", async () => {
	const p = page(usageStats({ tools: TOOLS, users: USERS }));
	await Promise.all([p.controller.load(), p.usage.load()]);
	const section = p.root.querySelector(".fac-admin-usage");
	const order = Array.from(p.root.querySelector(".fac-admin").children).map((el) => el.className);
	const at = (cls) => order.findIndex((name) => name.includes(cls));
	assert.ok(at("fac-admin-usage") > at("fac-admin-plugins") && at("fac-admin-usage") > at("fac-admin-tools"), "below the switches");
	assert.match(section.querySelector(".fac-usage-summary").textContent, /46 calls in the last 30 days, 6 not successful/);
	assert.equal(p.charts.length, 1);
	assert.equal(p.charts[0].options.type, "bar");
	assert.equal(p.charts[0].options.barOptions.stacked, 1);
	assert.equal(p.charts[0].options.data.labels.length, 30);
	const names = () => Array.from(section.querySelectorAll(".fac-usage-tool")).map((r) => r.getAttribute("data-tool"));
	assert.deepEqual(names(), ["document_get", "execute_python_code", "<b>odd</b>"]);
	section.querySelector('.fac-usage-sort[data-key="error_rate"]').click();
	assert.deepEqual(names(), ["execute_python_code", "document_get", "<b>odd</b>"]);
	assert.equal(section.querySelector('.fac-usage-sort[data-key="error_rate"]').closest("th").getAttribute("aria-sort"), "descending");
	section.querySelector('.fac-usage-sort[data-key="error_rate"]').click();
	assert.deepEqual(names(), ["<b>odd</b>", "document_get", "execute_python_code"]);
	assert.equal(section.querySelector("tbody").textContent.includes("<b>odd</b>"), true, "names are text, not markup");
	assert.equal(section.querySelector(".fac-usage-tool a").getAttribute("href").startsWith("/app/fac-tool-call-log?tool="), true);
	assert.equal(section.querySelector(".fac-usage-user a").getAttribute("href"), "/app/fac-tool-call-log?user=a%40example.com");
	assert.deepEqual(
		p.api.calls.filter(([m]) => m.includes("usage")),
		[["get_usage_stats", { days: 30 }, "GET"]]
	);
});

test("calls stamped after today (time zone changed): no chart of no series, a note says why", async () => {
	const p = page(usageStats({ tools: TOOLS, users: USERS, outside: 46 }));
	assert.equal(await p.usage.load(), true);
	const section = p.root.querySelector(".fac-admin-usage");
	assert.equal(p.charts.length, 0);
	assert.equal(section.querySelector(".fac-usage-chart"), null);
	assert.match(section.querySelector(".fac-usage-outside").textContent, /46 of these calls are stamped later than today/);
	assert.equal(section.querySelectorAll(".fac-usage-tool").length, 3, "the tools table is still there");
});

test("some calls on the chart's days, some after: the chart draws those, the note counts the rest", async () => {
	const p = page(usageStats({ tools: TOOLS, users: USERS, outside: 6 }));
	await p.usage.load();
	assert.equal(p.charts.length, 1);
	const drawn = p.charts[0].options.data.datasets.reduce((n, d) => n + d.values.reduce((a, b) => a + b, 0), 0);
	assert.equal(drawn, 40);
	assert.match(p.root.querySelector(".fac-usage-outside").textContent, /^6 of these calls/);
});

test("a tool the site does not have shows as an unknown tool, not a dash", async () => {
	const p = page(usageStats({ tools: TOOLS, users: USERS }));
	await p.usage.load();
	const odd = Array.from(p.root.querySelectorAll(".fac-usage-tool")).find((r) => r.getAttribute("data-tool") === "<b>odd</b>");
	assert.equal(odd.querySelectorAll("td")[1].textContent, "unknown tool");
});

test("the chart's legend is a list that wraps, one item per status drawn, not the chart's own", async () => {
	const stats = usageStats({ tools: TOOLS, users: USERS });
	stats.daily.series.Success[3] = 4;
	stats.daily.series["Permission Denied"][5] = 1;
	stats.daily.series.Timeout[5] = 2;
	const p = page(stats);
	await p.usage.load();
	assert.equal(p.charts[0].options.showLegend, 0, "frappe.Chart's fixed-width legend overlaps long names");
	const legend = p.root.querySelector(".fac-usage-chart + .fac-usage-legend");
	const drawn = stats.statuses.filter((s) => stats.daily.series[s].some(Boolean));
	assert.ok(["Success", "Permission Denied", "Timeout"].every((s) => drawn.includes(s)));
	assert.deepEqual(
		Array.from(legend.querySelectorAll("li")).map((li) => [li.textContent, li.getAttribute("style")]),
		drawn.map((s) => [s, `--fac-call-status:${STATUS_COLORS[s]}`])
	);
	assert.equal(legend.querySelector("li").getAttribute("style"), "--fac-call-status:#29cd42");
	assert.deepEqual(
		p.charts[0].options.data.datasets.map((d) => d.name),
		drawn
	);
});

test("no calls yet: an empty state, no chart", async () => {
	const p = page(usageStats({ pending: 3 }));
	await p.usage.load();
	const section = p.root.querySelector(".fac-admin-usage");
	assert.ok(section.querySelector(".fac-usage-empty"));
	assert.match(section.textContent, /No tool calls in the last 30 days yet/);
	assert.match(section.textContent, /3 more calls are queued/);
	assert.equal(p.charts.length, 0);
});

test("the tool dialog shows the tool's recent calls", async () => {
	const p = page(usageStats());
	p.api.recentCalls = {
		document_get: [
			{ name: "abc", timestamp: "2026-01-02 10:00:00.123", user: "a@example.com", status: "Error", duration_ms: 3.25, target_doctype: "ToDo", target_name: "T1" },
		],
	};
	await Promise.all([p.controller.load(), p.usage.load()]);
	await p.controller.editor.open("document_get");
	await flush();
	const box = p.root.querySelector(".fac-dialog .fac-dialog-usage");
	const rows = box.querySelectorAll(".fac-recent-call");
	assert.equal(rows.length, 1);
	assert.match(rows[0].textContent, /2026-01-02 10:00:00.*a@example.com.*Error.*3\.3.*ToDo T1/s);
	assert.equal(rows[0].querySelector("a").getAttribute("href"), "/app/fac-tool-call-log/abc");
	assert.match(box.textContent, /All calls of document_get/);
});

test("a refused read shows the server's message in the section", async () => {
	const p = page(usageStats());
	p.api.failNext("get_usage_stats", "Only System Managers and Assistant Admins can manage Frappe Assistant Core");
	assert.equal(await p.usage.load(), false);
	assert.match(p.root.querySelector(".fac-usage-error").textContent, /Only System Managers/);
});
