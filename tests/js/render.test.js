// Rendering rules of the FAC Admin page, checked on a real DOM (jsdom): what each plugin card and tool
// row shows, switch accessibility, the locked core switch, and that server strings never become markup.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const render = require("../../frappe_assistant_core/public/js/fac_admin/render.js");
const { dialogHtml } = require("../../frappe_assistant_core/public/js/fac_admin/editor.js");
const { plugins, tools, tool, fragment, HOSTILE } = require("./support.js");

const card = (root, name) => root.querySelector(`.fac-plugin-card[data-plugin="${name}"]`);
const row = (root, name) => root.querySelector(`.fac-tool-row[data-tool="${name}"]`);

test("one card per plugin with display name, description, tool count, state and a labelled switch", () => {
	const root = fragment(render.plugins(plugins(), new Map()), "ul");
	assert.equal(root.querySelectorAll(".fac-plugin-card").length, 4);
	const viz = card(root, "visualization");
	assert.equal(viz.querySelector(".fac-plugin-name").textContent, "Visualization");
	assert.equal(viz.querySelector(".fac-plugin-description").textContent, "Dashboard and chart creation, KPIs");
	assert.equal(viz.querySelector(".fac-plugin-tool-count").textContent, "1 tool");
	assert.equal(card(root, "core").querySelector(".fac-plugin-tool-count").textContent, "3 tools");
	assert.equal(viz.querySelector(".fac-pill"), null, "the switch alone says On or Off: no pill repeats it");
	assert.equal(viz.querySelector(".fac-switch-state").textContent, "On");
	const toggle = viz.querySelector("input.fac-plugin-toggle");
	assert.equal(toggle.getAttribute("role"), "switch");
	assert.equal(toggle.getAttribute("aria-label"), "Enable plugin Visualization");
	assert.equal(toggle.checked, true);
	assert.equal(toggle.getAttribute("aria-checked"), "true");
	assert.equal(toggle.disabled, false);
	const ds = card(root, "data_science").querySelector("input.fac-plugin-toggle");
	assert.equal(ds.checked, false);
	assert.equal(ds.getAttribute("aria-checked"), "false");
	assert.equal(card(root, "data_science").querySelector(".fac-switch-state").textContent, "Off");
	assert.ok(card(root, "data_science").classList.contains("is-disabled"));
	assert.equal(card(root, "data_science").querySelector(".fac-plugin-toggled").textContent, "Last changed 2026-11-21 09:15:00 by admin@example.com");
});

test("the always-enabled core switch is locked and described by the reason", () => {
	const root = fragment(render.plugins(plugins(), new Map()), "ul");
	const core = card(root, "core");
	const toggle = core.querySelector("input.fac-plugin-toggle");
	assert.equal(toggle.checked, true);
	assert.equal(toggle.disabled, true);
	assert.equal(toggle.getAttribute("aria-disabled"), "true");
	const reason = root.ownerDocument.getElementById(toggle.getAttribute("aria-describedby"));
	assert.ok(reason, "aria-describedby points at an element");
	assert.match(reason.textContent, /Core is always enabled/);
	assert.match(reason.textContent, /cannot be switched off/);
});

test("a validation error is shown as text and the plugin cannot be switched on", () => {
	const broken = Object.assign(plugins()[1], { can_enable: false, validation_error: "Missing dependencies: pandas <b>x</b>" });
	const root = fragment(render.plugins([broken], new Map()), "ul");
	const ds = card(root, "data_science");
	const error = ds.querySelector(".fac-plugin-error");
	assert.equal(error.textContent, "Cannot be enabled: Missing dependencies: pandas <b>x</b>");
	assert.equal(error.querySelector("b"), null);
	const toggle = ds.querySelector("input.fac-plugin-toggle");
	assert.equal(toggle.disabled, true);
	assert.ok(toggle.getAttribute("aria-describedby").split(" ").includes(error.id));
});

test("a plugin without tools says so and has no switch", () => {
	const root = fragment(render.plugins(plugins(), new Map()), "ul");
	const ws = card(root, "websocket");
	assert.equal(ws.querySelector("input.fac-plugin-toggle"), null);
	assert.equal(ws.querySelector(".fac-plugin-no-tools").textContent, "No tools");
	assert.equal(ws.querySelector(".fac-plugin-tool-count").textContent, "0 tools");
	assert.ok(ws.classList.contains("has-no-tools"));
	assert.match(ws.querySelector(".fac-plugin-error").textContent, /Missing dependencies: socketio/, "its problem is still shown");
	assert.equal(root.querySelectorAll("input.fac-plugin-toggle").length, 3, "the three plugins with tools keep theirs");
});

test("an enabled plugin whose environment broke can still be switched off", () => {
	const broken = Object.assign(plugins()[2], { can_enable: false, validation_error: "Missing dependencies: x" });
	const root = fragment(render.plugins([broken], new Map()), "ul");
	assert.equal(root.querySelector("input.fac-plugin-toggle").disabled, false);
});

test("a switch with a call in flight shows the requested state, disabled and aria-busy", () => {
	const root = fragment(render.plugins(plugins(), new Map([["plugin:data_science", true]])), "ul");
	const toggle = card(root, "data_science").querySelector("input.fac-plugin-toggle");
	assert.equal(toggle.checked, true);
	assert.equal(toggle.disabled, true);
	assert.equal(toggle.getAttribute("aria-busy"), "true");
	assert.equal(card(root, "visualization").querySelector("input").disabled, false);
});

test("server strings are escaped everywhere: no element, handler or script comes from data", () => {
	const hostilePlugin = Object.assign(plugins()[1], {
		name: `evil"><img src=x onerror=alert(1)>`,
		display_name: HOSTILE,
		validation_error: HOSTILE,
		last_toggled_by: HOSTILE,
	});
	const hostileTool = tool(`t"><script>x</script>`, "core", {
		description: HOSTILE,
		plugin_display_name: HOSTILE,
		source_app: HOSTILE,
		category_label: HOSTILE,
		role_access_mode: "Restrict to Listed Roles",
		roles: [{ role: HOSTILE, allow_access: 1 }],
	});
	const html =
		render.plugins([hostilePlugin], new Map()) +
		render.toolTable([hostileTool], 1, new Map(), false) +
		dialogHtml(hostileTool, [HOSTILE]);
	const root = fragment(html);
	assert.equal(root.querySelectorAll("script").length, 0);
	assert.equal(root.querySelectorAll("img").length, 0);
	assert.equal(root.querySelectorAll("[onerror]").length, 0);
	assert.ok(root.textContent.includes("<script>window.__pwned = 1</script>"), "hostile text is shown literally");
	assert.equal(root.querySelector(".fac-plugin-card").getAttribute("data-plugin"), `evil"><img src=x onerror=alert(1)>`);
	assert.equal(root.querySelector(".fac-tool-row").getAttribute("data-tool"), `t"><script>x</script>`);
	const roleBox = root.querySelector('input[name="roles"]');
	assert.equal(roleBox.value, HOSTILE);
});

test("tool rows show plugin, category, access, status and a labelled switch", () => {
	const root = fragment(render.toolTable(tools(), 7, new Map(), false));
	const del = row(root, "document_delete");
	assert.equal(del.querySelector(".fac-tool-name").textContent, "document_delete");
	assert.equal(del.querySelector(".fac-tool-plugin").textContent, "Core");
	assert.equal(del.querySelector(".fac-category").textContent, "Privileged");
	assert.match(del.querySelector(".fac-tool-access").textContent, /Restricted\s*System Manager/);
	assert.equal(del.querySelector(".fac-status").textContent, "Disabled");
	const toggle = del.querySelector("input.fac-tool-toggle");
	assert.equal(toggle.getAttribute("role"), "switch");
	assert.equal(toggle.getAttribute("aria-label"), "Enable tool document_delete");
	assert.equal(toggle.checked, false);
	assert.equal(root.ownerDocument.getElementById(toggle.getAttribute("aria-describedby")).textContent, "The document_delete tool");
	assert.equal(row(root, "document_get").querySelector(".fac-tool-access").textContent, "All users");
	assert.equal(row(root, "employee_lookup").querySelector(".fac-tool-source").textContent, "hr_tools");
	const edit = row(root, "document_get").querySelector("button.fac-tool-edit");
	assert.equal(edit.getAttribute("aria-haspopup"), "dialog");
	const testButton = row(root, "document_get").querySelector("button.fac-tool-test");
	assert.equal(testButton.getAttribute("aria-label"), "Test document_get with a real call");
	assert.equal(testButton.getAttribute("aria-haspopup"), "dialog");
	assert.equal(root.querySelectorAll("thead th[scope=col]").length, 7);
});

test("tools of a disabled plugin are listed as inactive, not hidden, and keep their own switch", () => {
	const root = fragment(render.toolTable(tools(), 7, new Map(), false));
	const py = row(root, "execute_python_code");
	assert.ok(py, "the tool is rendered");
	assert.ok(py.classList.contains("is-plugin_disabled"));
	assert.equal(py.querySelector(".fac-status").textContent, "Inactive: plugin Data Science is disabled");
	assert.equal(py.querySelector("input.fac-tool-toggle").checked, true);
});

test("an overridden category says so and names the auto-detected one", () => {
	const t = tool("document_get", "core", { category: "privileged", category_override: 1, auto_detected_category: "read_only" });
	const root = fragment(render.toolTable([t], 1, new Map(), false));
	const note = root.querySelector(".fac-override");
	assert.equal(note.textContent, "override");
	assert.equal(note.getAttribute("title"), "Auto-detected: Read Only");
});

test("a bulk call in flight disables every shown switch", () => {
	const root = fragment(render.toolTable(tools(), 7, new Map([["bulk", false]]), true));
	const switches = Array.from(root.querySelectorAll("input.fac-tool-toggle"));
	assert.equal(switches.length, 7);
	assert.ok(switches.every((s) => s.disabled && !s.checked));
	assert.equal(root.querySelector("table").getAttribute("aria-busy"), "true");
});

test("empty tables explain why", () => {
	assert.match(fragment(render.toolTable([], 7, new Map(), true)).textContent, /No tools match the current filters/);
	assert.match(fragment(render.toolTable([], 0, new Map(), false)).textContent, /No tools are registered yet/);
	assert.match(fragment(render.plugins([], new Map()), "ul").textContent, /No plugins were discovered/);
});

test("the count line says how many of the tools are shown", () => {
	assert.equal(render.toolCount(7, 7), "Showing all 7 tools");
	assert.equal(render.toolCount(2, 7), "Showing 2 of 7 tools");
	assert.equal(render.toolCount(1, 1), "Showing 1 tool");
});

test("summary shows total, enabled and disabled plugins and active tools", () => {
	const root = fragment(
		render.summary({ total_plugins: 5, enabled_plugins: 3, disabled_plugins: 2, active_tools: 22, total_tools: 26 })
	);
	const value = (key) => root.querySelector(`[data-stat="${key}"] .fac-summary-value`).textContent;
	assert.equal(value("total_plugins"), "5");
	assert.equal(value("enabled_plugins"), "3");
	assert.equal(value("disabled_plugins"), "2");
	assert.equal(value("active_tools"), "22 of 26");
});

test("filter selects list all options with the current choice selected", () => {
	const root = fragment(`<select>${render.pluginFilterOptions(plugins(), tools(), "core")}</select>`);
	const select = root.querySelector("select");
	assert.equal(select.value, "core");
	assert.equal(select.options[0].value, "");
	assert.equal(select.options[0].textContent, "All plugins");
	assert.ok(Array.from(select.options).some((o) => o.value === "hr_tools" && o.textContent === "HR Tools (1)"));
	const cat = fragment(`<select>${render.categoryFilterOptions(tools(), "write")}</select>`).querySelector("select");
	assert.equal(cat.value, "write");
	assert.equal(cat.selectedOptions[0].textContent, "Write (2)");
});

test("the edit dialog is a labelled modal with category, override and role access", () => {
	const t = tools().find((x) => x.name === "document_delete");
	const root = fragment(dialogHtml(t, ["Sales User", "System Manager"]));
	const dialog = root.querySelector("[role=dialog]");
	assert.equal(dialog.getAttribute("aria-modal"), "true");
	assert.equal(root.ownerDocument.getElementById(dialog.getAttribute("aria-labelledby")).textContent, "Edit tool document_delete");
	const category = root.querySelector('select[name="category"]');
	assert.equal(category.value, "privileged");
	assert.equal(category.disabled, true, "no override: the category follows the auto-detected one");
	assert.equal(root.querySelector('input[name="category_override"]').checked, false);
	assert.equal(root.querySelector('input[name="role_access_mode"]:checked').value, "Restrict to Listed Roles");
	const boxes = Array.from(root.querySelectorAll('input[name="roles"]'));
	assert.deepEqual(boxes.map((b) => b.value), ["Sales User", "System Manager"]);
	assert.deepEqual(boxes.filter((b) => b.checked).map((b) => b.value), ["System Manager"]);
	assert.ok(boxes.every((b) => !b.disabled));
	assert.equal(root.querySelector(".fac-role-list").getAttribute("role"), "group");
});

test("with Allow All the role boxes are shown but disabled", () => {
	const t = tools().find((x) => x.name === "document_get");
	const root = fragment(dialogHtml(t, ["Sales User"]));
	assert.equal(root.querySelector('input[name="role_access_mode"]:checked').value, "Allow All");
	assert.ok(Array.from(root.querySelectorAll('input[name="roles"]')).every((b) => b.disabled));
});
