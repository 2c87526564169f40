// Behaviour of the FAC Admin page controller on a jsdom page with a fake admin API: loading, plugin and
// tool switches (in flight, success, failure), filtering, bulk changes and the edit dialog.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { Controller } = require("../../frappe_assistant_core/public/js/fac_admin/controller.js");
const { FakeAdminApi, dom, flush, fire, flip } = require("./support.js");

async function page(options) {
	const env = dom();
	const api = new FakeAdminApi();
	const confirms = [];
	const notes = [];
	const ui = {
		confirm: (message) => {
			confirms.push(message);
			return Promise.resolve((options && options.confirm) !== false);
		},
		notify: (message, indicator) => notes.push([message, indicator]),
	};
	const controller = new Controller(env.root, { api, ui });
	await controller.load();
	const $ = (selector) => env.root.querySelector(selector);
	const $$ = (selector) => Array.from(env.root.querySelectorAll(selector));
	return Object.assign(env, { api, controller, confirms, notes, $, $$ });
}

const pluginSwitch = (p, name) => p.$(`input.fac-plugin-toggle[data-plugin="${name}"]`);
const toolSwitch = (p, name) => p.$(`input.fac-tool-toggle[data-tool="${name}"]`);
const shownTools = (p) => p.$$(".fac-tool-row").map((r) => r.getAttribute("data-tool"));

test("load reads the four GET endpoints and renders summary, plugins and tools", async () => {
	const p = await page();
	assert.deepEqual(
		p.api.calls.map(([m, , type]) => `${type} ${m}`).sort(),
		["GET get_all_plugins", "GET get_plugin_stats", "GET get_tool_configurations", "GET get_tool_stats"]
	);
	const stat = (key) => p.$(`[data-stat="${key}"] .fac-summary-value`).textContent;
	assert.equal(stat("total_plugins"), "4");
	assert.equal(stat("enabled_plugins"), "2");
	assert.equal(stat("disabled_plugins"), "2");
	assert.equal(stat("active_tools"), "4 of 7");
	assert.equal(p.$$(".fac-plugin-card").length, 4);
	assert.equal(p.$$(".fac-tool-row").length, 7);
	assert.equal(p.$(".fac-plugin-list").getAttribute("aria-busy"), "false");
	assert.equal(p.$(".fac-admin-error").hidden, true);
	assert.equal(p.window.__pwned, undefined, "no hostile script ran");
});

test("a plugin switch is disabled while its call is in flight, then shows the stored state", async () => {
	const p = await page();
	p.api.hold = true;
	flip(p.window, pluginSwitch(p, "data_science"));
	await flush();
	const busy = pluginSwitch(p, "data_science");
	assert.equal(busy.disabled, true);
	assert.equal(busy.checked, true, "shows the requested state while in flight");
	assert.equal(busy.getAttribute("aria-busy"), "true");
	// A second click on the busy plugin sends nothing more.
	fire(p.window, busy, "change");
	await flush();
	assert.deepEqual(p.api.mutations(), [["toggle_plugin", { plugin_name: "data_science", enable: 1 }, "POST"]]);
	p.api.hold = false;
	await p.api.release();
	await flush();
	const done = pluginSwitch(p, "data_science");
	assert.equal(done.disabled, false);
	assert.equal(done.checked, true);
	assert.equal(done.hasAttribute("aria-busy"), false);
	assert.equal(p.api.plugins.find((x) => x.name === "data_science").enabled, true);
	assert.equal(p.$('[data-stat="enabled_plugins"] .fac-summary-value').textContent, "3");
	// Its tools are no longer inactive.
	assert.equal(p.$('.fac-tool-row[data-tool="execute_python_code"] .fac-status').textContent, "Active");
	assert.equal(p.$(".fac-admin-notice").textContent, "Plugin 'data_science' enabled.");
});

test("a failed plugin toggle shows the server's message and the switch returns to the stored state", async () => {
	const p = await page();
	p.api.failNext("toggle_plugin", "Plugin visualization cannot be disabled right now");
	flip(p.window, pluginSwitch(p, "visualization"));
	await flush();
	const toggle = pluginSwitch(p, "visualization");
	assert.equal(toggle.checked, true, "back to the stored (enabled) state");
	assert.equal(toggle.disabled, false, "usable again");
	const banner = p.$(".fac-admin-error");
	assert.equal(banner.hidden, false);
	assert.equal(banner.getAttribute("role"), "alert");
	assert.equal(p.$(".fac-admin-error-text").textContent, "Plugin visualization cannot be disabled right now");
	assert.deepEqual(p.notes.at(-1), ["Plugin visualization cannot be disabled right now", "red"]);
	// The stored state was re-read after the failure.
	assert.equal(p.api.calls.filter(([m]) => m === "get_all_plugins").length, 2);
	fire(p.window, p.$(".fac-admin-error-dismiss"), "click");
	assert.equal(banner.hidden, true);
});

test("the locked core switch sends nothing", async () => {
	const p = await page();
	const core = pluginSwitch(p, "core");
	assert.equal(core.disabled, true);
	flip(p.window, core);
	await flush();
	assert.deepEqual(p.api.mutations(), []);
	assert.equal(pluginSwitch(p, "core").checked, true);
});

test("a tool switch is disabled in flight, toggles the tool, and keeps keyboard focus", async () => {
	const p = await page();
	p.api.hold = true;
	const toggle = toolSwitch(p, "document_get");
	toggle.focus();
	flip(p.window, toggle);
	await flush();
	assert.equal(toolSwitch(p, "document_get").disabled, true);
	assert.equal(toolSwitch(p, "document_get").checked, false);
	p.api.hold = false;
	await p.api.release();
	await flush();
	assert.deepEqual(p.api.mutations(), [["toggle_tool", { tool_name: "document_get", enable: 0 }, "POST"]]);
	const after = toolSwitch(p, "document_get");
	assert.equal(after.checked, false);
	assert.equal(after.disabled, false);
	assert.equal(p.document.activeElement, after, "focus returns to the re-rendered switch");
	assert.equal(p.$('.fac-tool-row[data-tool="document_get"] .fac-status').textContent, "Disabled");
	assert.equal(p.$('[data-stat="active_tools"] .fac-summary-value').textContent, "3 of 7");
});

test("a failed tool toggle restores the stored state and shows the message", async () => {
	const p = await page();
	p.api.failNext("toggle_tool", "Tool document_delete not found");
	flip(p.window, toolSwitch(p, "document_delete"));
	await flush();
	assert.equal(toolSwitch(p, "document_delete").checked, false);
	assert.equal(toolSwitch(p, "document_delete").disabled, false);
	assert.equal(p.$(".fac-admin-error-text").textContent, "Tool document_delete not found");
	assert.equal(p.api.tools.find((t) => t.name === "document_delete").enabled, false);
});

test("a tool of a disabled plugin can be switched and stays inactive", async () => {
	const p = await page();
	flip(p.window, toolSwitch(p, "execute_python_code"));
	await flush();
	assert.deepEqual(p.api.mutations(), [["toggle_tool", { tool_name: "execute_python_code", enable: 0 }, "POST"]]);
	assert.match(p.$('.fac-tool-row[data-tool="execute_python_code"] .fac-status').textContent, /Inactive/);
});

test("search and filters narrow the table and the count line", async () => {
	const p = await page();
	const search = p.$(".fac-tool-search");
	search.value = "document";
	fire(p.window, search, "input");
	assert.deepEqual(shownTools(p), ["document_create", "document_delete", "document_get"]);
	assert.equal(p.$(".fac-tool-count").textContent, "Showing 3 of 7 tools");
	const category = p.$(".fac-tool-category-filter");
	category.value = "write";
	fire(p.window, category, "change");
	assert.deepEqual(shownTools(p), ["document_create"]);
	search.value = "";
	fire(p.window, search, "input");
	const plugin = p.$(".fac-tool-plugin-filter");
	plugin.value = "visualization";
	fire(p.window, plugin, "change");
	assert.deepEqual(shownTools(p), ["create_chart"]);
	assert.equal(p.$(".fac-tool-clear-filters").disabled, false);
	fire(p.window, p.$(".fac-tool-clear-filters"), "click");
	assert.equal(shownTools(p).length, 7);
	assert.equal(p.$(".fac-tool-plugin-filter").value, "");
	assert.equal(p.$(".fac-tool-category-filter").value, "");
	assert.equal(p.$(".fac-tool-count").textContent, "Showing all 7 tools");
	assert.equal(p.$(".fac-tool-clear-filters").disabled, true);
});

test("filters survive a refresh", async () => {
	const p = await page();
	const plugin = p.$(".fac-tool-plugin-filter");
	plugin.value = "core";
	fire(p.window, plugin, "change");
	await p.controller.refresh();
	assert.equal(p.$(".fac-tool-plugin-filter").value, "core");
	assert.equal(shownTools(p).length, 3);
});

test("bulk disable asks how many, then sends exactly the filtered set", async () => {
	const p = await page();
	const plugin = p.$(".fac-tool-plugin-filter");
	plugin.value = "core";
	fire(p.window, plugin, "change");
	fire(p.window, p.$(".fac-tool-bulk-disable"), "click");
	await flush();
	assert.equal(p.confirms.length, 1);
	assert.match(p.confirms[0], /Disable the 3 tools shown \(2 currently enabled\)/);
	const [method, args, type] = p.api.mutations()[0];
	assert.equal(method, "bulk_toggle_tools");
	assert.equal(type, "POST");
	assert.equal(args.enable, 0);
	assert.deepEqual(JSON.parse(args.tool_names).sort(), ["document_create", "document_delete", "document_get"]);
	assert.ok(p.$$("input.fac-tool-toggle").every((s) => !s.checked));
	assert.equal(p.api.tools.find((t) => t.name === "create_chart").enabled, true, "tools outside the filter are untouched");
	assert.equal(p.$(".fac-admin-notice").textContent, "3 tools disabled.");
});

test("a declined bulk confirmation sends nothing", async () => {
	const p = await page({ confirm: false });
	fire(p.window, p.$(".fac-tool-bulk-enable"), "click");
	await flush();
	assert.match(p.confirms[0], /Enable the 7 tools shown \(1 currently disabled\)/);
	assert.deepEqual(p.api.mutations(), []);
});

test("bulk buttons are disabled when no tool is shown", async () => {
	const p = await page();
	const search = p.$(".fac-tool-search");
	search.value = "no such tool";
	fire(p.window, search, "input");
	assert.equal(p.$(".fac-tool-bulk-enable").disabled, true);
	assert.equal(p.$(".fac-tool-bulk-disable").disabled, true);
});

async function openEditor(p, name) {
	const edit = p.$(`button.fac-tool-edit[data-tool="${name}"]`);
	edit.focus();
	fire(p.window, edit, "click");
	await flush();
	return p.$(".fac-dialog");
}

test("the edit dialog loads roles once and saves a category override", async () => {
	const p = await openEditorPage("document_get");
	const dialog = p.dialog;
	assert.equal(p.document.activeElement.name, "category_override", "focus moves into the dialog");
	assert.deepEqual(
		Array.from(dialog.querySelectorAll('input[name="roles"]')).map((b) => b.value),
		["Accounts User", "Assistant Admin", "Assistant User", "Sales User", "System Manager"]
	);
	const override = dialog.querySelector('input[name="category_override"]');
	override.checked = true;
	fire(p.window, override, "change");
	const select = dialog.querySelector('select[name="category"]');
	assert.equal(select.disabled, false);
	select.value = "privileged";
	fire(p.window, dialog.querySelector("form"), "submit");
	await flush();
	assert.deepEqual(p.api.mutations(), [
		["update_tool_category", { tool_name: "document_get", category: "privileged", override: 1 }, "POST"],
	]);
	assert.equal(p.$(".fac-dialog"), null, "dialog closed");
	assert.equal(p.$('.fac-tool-row[data-tool="document_get"] .fac-category').textContent, "Privileged");
	assert.equal(p.document.activeElement.getAttribute("data-tool"), "document_get", "focus back on Edit");
	await openEditor(p, "document_create");
	assert.equal(p.api.calls.filter(([m]) => m === "get_available_roles").length, 1, "roles are cached");
});

async function openEditorPage(name) {
	const p = await page();
	p.dialog = await openEditor(p, name);
	return p;
}

test("unticking the override resets the category to the auto-detected one", async () => {
	const p = await page();
	p.api.tools.find((t) => t.name === "create_chart").category = "privileged";
	p.api.tools.find((t) => t.name === "create_chart").category_override = true;
	await p.controller.refresh();
	const dialog = await openEditor(p, "create_chart");
	const override = dialog.querySelector('input[name="category_override"]');
	assert.equal(override.checked, true);
	override.checked = false;
	fire(p.window, override, "change");
	assert.equal(dialog.querySelector('select[name="category"]').value, "write");
	assert.equal(dialog.querySelector('select[name="category"]').disabled, true);
	fire(p.window, dialog.querySelector("form"), "submit");
	await flush();
	assert.deepEqual(p.api.mutations(), [["update_tool_category", { tool_name: "create_chart", category: "write", override: 0 }, "POST"]]);
	assert.equal(p.api.tools.find((t) => t.name === "create_chart").category, "write");
});

test("restricting role access sends the mode and the ticked roles", async () => {
	const p = await openEditorPage("document_get");
	const dialog = p.dialog;
	const restrict = dialog.querySelector('input[name="role_access_mode"][value="Restrict to Listed Roles"]');
	restrict.checked = true;
	fire(p.window, restrict, "change");
	const boxes = Array.from(dialog.querySelectorAll('input[name="roles"]'));
	assert.ok(boxes.every((b) => !b.disabled), "role boxes enabled in restrict mode");
	boxes.find((b) => b.value === "Sales User").checked = true;
	fire(p.window, dialog.querySelector("form"), "submit");
	await flush();
	assert.deepEqual(p.api.mutations(), [
		[
			"update_tool_role_access",
			{ tool_name: "document_get", role_access_mode: "Restrict to Listed Roles", roles: '["Sales User"]' },
			"POST",
		],
	]);
	assert.match(p.$('.fac-tool-row[data-tool="document_get"] .fac-tool-access').textContent, /Restricted\s*Sales User/);
});

test("restricting to no role is refused in the dialog and nothing is sent", async () => {
	const p = await openEditorPage("document_get");
	const restrict = p.dialog.querySelector('input[name="role_access_mode"][value="Restrict to Listed Roles"]');
	restrict.checked = true;
	fire(p.window, restrict, "change");
	fire(p.window, p.dialog.querySelector("form"), "submit");
	await flush();
	assert.deepEqual(p.api.mutations(), []);
	const error = p.$(".fac-dialog-error");
	assert.equal(error.hidden, false);
	assert.match(error.textContent, /Tick at least one role/);
});

test("a failed save keeps the dialog open with the server's message", async () => {
	const p = await openEditorPage("document_delete");
	p.api.failNext("update_tool_role_access", "Role Ghost does not exist");
	const box = Array.from(p.dialog.querySelectorAll('input[name="roles"]')).find((b) => b.value === "Accounts User");
	box.checked = true;
	fire(p.window, p.dialog.querySelector("form"), "submit");
	await flush();
	assert.ok(p.$(".fac-dialog"), "still open");
	assert.equal(p.$(".fac-dialog-error").textContent, "Role Ghost does not exist");
	assert.equal(p.$(".fac-dialog-save").disabled, false);
});

test("saving without changes sends nothing; Escape and Cancel close the dialog", async () => {
	const p = await openEditorPage("document_delete");
	fire(p.window, p.dialog.querySelector("form"), "submit");
	await flush();
	assert.deepEqual(p.api.mutations(), []);
	assert.equal(p.$(".fac-dialog"), null);
	let dialog = await openEditor(p, "document_get");
	dialog.querySelector("select").dispatchEvent(new p.window.KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
	assert.equal(p.$(".fac-dialog"), null);
	assert.equal(p.document.activeElement.getAttribute("data-tool"), "document_get");
	dialog = await openEditor(p, "document_get");
	fire(p.window, dialog.querySelector(".fac-dialog-cancel"), "click");
	assert.equal(p.$(".fac-dialog"), null);
});

test("a failed load shows the message and keeps the page usable", async () => {
	const env = dom();
	const api = new FakeAdminApi();
	api.failNext("get_tool_configurations", "Not permitted");
	const controller = new Controller(env.root, { api, ui: {} });
	const ok = await controller.load();
	assert.equal(ok, false);
	assert.equal(env.root.querySelector(".fac-admin-error-text").textContent, "Not permitted");
	assert.equal(env.root.querySelectorAll(".fac-plugin-card").length, 4, "what did load is shown");
	// A refused read says so; "no tools are registered yet" would send the admin to run bench migrate.
	assert.equal(env.root.querySelector(".fac-tool-table-wrap").textContent.trim(), "The tools could not be loaded: Not permitted");
});

test("plugins the admin API refused to list are not reported as none discovered", async () => {
	const env = dom();
	const api = new FakeAdminApi();
	api.failNext("get_all_plugins", "Only System Managers and Assistant Admins can manage Frappe Assistant Core");
	const controller = new Controller(env.root, { api, ui: {} });
	assert.equal(await controller.load(), false);
	const list = env.root.querySelector(".fac-plugin-list").textContent;
	assert.doesNotMatch(list, /No plugins were discovered/);
	assert.match(list, /The plugins could not be loaded: Only System Managers/);
	await controller.refresh(); // the next read succeeds: the cards come back
	assert.equal(env.root.querySelectorAll(".fac-plugin-card").length, 4);
});

test("the category picker offers the detected category and those above it, never lower ones", async () => {
	const categories = async (name) => {
		const p = await openEditorPage(name);
		return Array.from(p.dialog.querySelectorAll('select[name="category"] option')).map((o) => o.value);
	};
	assert.deepEqual(await categories("document_delete"), ["privileged"]);
	assert.deepEqual(await categories("document_create"), ["write", "read_write", "privileged"]);
	assert.deepEqual(await categories("document_get"), ["read_only", "write", "read_write", "privileged"]);
});

test("switching a restricted tool back to Allow All sends an empty role list", async () => {
	const p = await openEditorPage("document_delete");
	const allowAll = p.dialog.querySelector('input[name="role_access_mode"][value="Allow All"]');
	allowAll.checked = true;
	fire(p.window, allowAll, "change");
	assert.ok(Array.from(p.dialog.querySelectorAll('input[name="roles"]')).every((b) => b.disabled));
	fire(p.window, p.dialog.querySelector("form"), "submit");
	await flush();
	assert.deepEqual(p.api.mutations(), [
		["update_tool_role_access", { tool_name: "document_delete", role_access_mode: "Allow All", roles: "[]" }, "POST"],
	]);
	assert.equal(p.$('.fac-tool-row[data-tool="document_delete"] .fac-tool-access').textContent, "All users");
});
