// Pure data rules of the FAC Admin page: tool filtering, filter options, summary counts, bulk plans,
// tool status, escaping and server error messages.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const util = require("../../frappe_assistant_core/public/js/fac_admin/util.js");
const filters = require("../../frappe_assistant_core/public/js/fac_admin/filters.js");
const { tools, plugins, tool } = require("./support.js");

const names = (list) => list.map((t) => t.name).sort();

test("empty filters show every tool, tools of disabled plugins included", () => {
	const all = tools();
	assert.deepEqual(names(filters.filterTools(all, {})), names(all));
	assert.ok(filters.filterTools(all, {}).some((t) => filters.toolStatus(t) === "plugin_disabled"));
});

test("search matches name, description, plugin and category label, case-insensitively", () => {
	const all = tools();
	assert.deepEqual(names(filters.filterTools(all, { search: "DOCUMENT_" })), ["document_create", "document_delete", "document_get"]);
	assert.deepEqual(names(filters.filterTools(all, { search: "employees" })), ["employee_lookup"]);
	assert.deepEqual(names(filters.filterTools(all, { search: "visualization" })), ["create_chart"]);
	assert.deepEqual(names(filters.filterTools(all, { search: "privileged" })), ["document_delete", "execute_python_code"]);
	assert.deepEqual(names(filters.filterTools(all, { search: "hr_tools" })), ["employee_lookup"]);
});

test("every search word must match (words are ANDed)", () => {
	const all = tools();
	assert.deepEqual(names(filters.filterTools(all, { search: "  document   privileged " })), ["document_delete"]);
	assert.deepEqual(filters.filterTools(all, { search: "document chart" }), []);
});

test("plugin and category filters combine with search", () => {
	const all = tools();
	assert.deepEqual(names(filters.filterTools(all, { plugin: "core" })), ["document_create", "document_delete", "document_get"]);
	assert.deepEqual(names(filters.filterTools(all, { category: "write" })), ["create_chart", "document_create"]);
	assert.deepEqual(names(filters.filterTools(all, { plugin: "core", category: "write" })), ["document_create"]);
	assert.deepEqual(filters.filterTools(all, { plugin: "core", category: "write", search: "delete" }), []);
	assert.deepEqual(names(filters.filterTools(all, { plugin: "data_science" })), ["analyze_frappe_data", "execute_python_code"]);
});

test("isFiltered is false only when no filter is set (whitespace search counts as none)", () => {
	assert.equal(filters.isFiltered({ search: "  ", plugin: "", category: "" }), false);
	assert.equal(filters.isFiltered({ search: "x" }), true);
	assert.equal(filters.isFiltered({ plugin: "core" }), true);
	assert.equal(filters.isFiltered({ category: "write" }), true);
});

test("plugin options list every plugin (tool-less ones too) and external apps, with tool counts", () => {
	const options = filters.pluginOptions(plugins(), tools());
	const byValue = Object.fromEntries(options.map((o) => [o.value, o]));
	assert.deepEqual(Object.keys(byValue).sort(), ["core", "data_science", "hr_tools", "visualization", "websocket"]);
	assert.equal(byValue.core.count, 3);
	assert.equal(byValue.websocket.count, 0);
	assert.equal(byValue.hr_tools.label, "HR Tools");
	assert.deepEqual(options.map((o) => o.label), [...options.map((o) => o.label)].sort((a, b) => a.localeCompare(b)));
});

test("category options come in risk order with counts", () => {
	const options = filters.categoryOptions(tools());
	assert.deepEqual(options.map((o) => o.value), ["read_only", "write", "read_write", "privileged"]);
	assert.deepEqual(options.map((o) => o.label), ["Read Only", "Write", "Read & Write", "Privileged"]);
	assert.deepEqual(options.map((o) => o.count), [3, 2, 0, 2]);
});

test("summary takes counts from the stats calls when present", () => {
	const counts = filters.summarize(
		{ total_plugins: 5, enabled_plugins: 3, disabled_plugins: 2 },
		{ total_tools: 26, active_tools: 22 },
		plugins(),
		tools()
	);
	assert.deepEqual(counts, { total_plugins: 5, enabled_plugins: 3, disabled_plugins: 2, active_tools: 22, total_tools: 26 });
});

test("summary is computed from the lists when a stats call is missing", () => {
	const counts = filters.summarize(null, null, plugins(), tools());
	// core + visualization enabled; active = enabled tools of enabled plugins (document_delete is off,
	// data_science is off).
	assert.deepEqual(counts, { total_plugins: 4, enabled_plugins: 2, disabled_plugins: 2, active_tools: 4, total_tools: 7 });
});

test("a tool of a disabled plugin is inactive whatever its own switch says", () => {
	assert.equal(filters.toolStatus(tool("x", "core", { plugin_enabled: false, enabled: true })), "plugin_disabled");
	assert.equal(filters.toolStatus(tool("x", "core", { plugin_enabled: true, enabled: false })), "disabled");
	assert.equal(filters.toolStatus(tool("x", "core", { plugin_enabled: 1, enabled: 1 })), "active");
	assert.match(filters.statusLabel(tool("x", "data_science")), /Inactive: plugin Data Science is disabled/);
});

test("bulk plan sends every shown tool and counts those whose switch moves", () => {
	const shown = filters.filterTools(tools(), { plugin: "core" });
	assert.deepEqual(filters.bulkPlan(shown, false), {
		names: shown.map((t) => t.name),
		count: 3,
		changing: 2,
	});
	assert.equal(filters.bulkPlan(shown, true).changing, 1);
});

test("sortTools orders by plugin display name, then tool name", () => {
	const sorted = filters.sortTools(tools()).map((t) => t.name);
	assert.deepEqual(sorted, [
		"document_create",
		"document_delete",
		"document_get",
		"analyze_frappe_data",
		"execute_python_code",
		"employee_lookup",
		"create_chart",
	]);
});

test("allowedRoles keeps only rows that allow access", () => {
	const t = tool("x", "core", {
		roles: [
			{ role: "Sales User", allow_access: 1 },
			{ role: "Accounts User", allow_access: 0 },
			{ role: "Stock User", allow_access: true },
		],
	});
	assert.deepEqual(filters.allowedRoles(t), ["Sales User", "Stock User"]);
});

test("esc escapes every HTML-significant character", () => {
	assert.equal(util.esc(`<a href="x" onclick='y'>&\`</a>`), "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;");
	assert.equal(util.esc(null), "");
	assert.equal(util.esc(0), "0");
});

test("serverMessage reads frappe.throw's _server_messages as plain text", () => {
	const body = {
		exc_type: "ValidationError",
		_server_messages: JSON.stringify([
			JSON.stringify({ message: "Plugin <strong>core</strong> cannot be disabled", title: "Not allowed", indicator: "red" }),
		]),
	};
	assert.equal(util.serverMessage(body), "Plugin core cannot be disabled");
});

test("serverMessage falls back to exception, _error_message, then a generic text", () => {
	assert.equal(
		util.serverMessage({ exception: "frappe.exceptions.PermissionError: Not permitted: admins only" }),
		"Not permitted: admins only"
	);
	assert.equal(util.serverMessage({ _error_message: "Session expired" }), "Session expired");
	assert.equal(util.serverMessage(null), "The server could not complete the request.");
	assert.equal(util.serverMessage({}, "fallback"), "fallback");
});

test("translation falls back to filling {0} placeholders outside desk", () => {
	assert.equal(util.__("Showing {0} of {1} tools", [2, 7]), "Showing 2 of 7 tools");
	assert.equal(util.__("{0} and {1}", ["a"]), "a and {1}");
});
