// The Governance section (public/js/fac_admin/governance.js) in jsdom, next to the real Controller,
// with the in-memory admin API (support.js answers the governance endpoints too).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { Controller } = require("../../frappe_assistant_core/public/js/fac_admin/controller.js");
const { GovernanceSection } = require("../../frappe_assistant_core/public/js/fac_admin/governance.js");
const { FakeAdminApi, HOSTILE, dom, flush, flip } = require("./support.js");

async function page() {
	const { window, root } = dom();
	const api = new FakeAdminApi();
	const notes = [];
	const ui = { notify: (message, indicator) => notes.push([message, indicator]), confirm: async () => true };
	const controller = new Controller(root, { api, ui });
	const governance = new GovernanceSection(root, { api, ui });
	await Promise.all([controller.load(), governance.load()]);
	return { window, root, api, controller, governance, notes, section: root.querySelector(".fac-admin-governance") };
}

test("shows every control with the stored values, pending approvals and the connection URLs as text", async () => {
	const p = await page();
	const s = p.section;
	const sections = Array.from(p.root.querySelectorAll(".fac-admin-plugins, .fac-admin-governance"));
	assert.deepEqual(
		sections.map((el) => el.classList.contains("fac-admin-plugins")),
		[true, false],
		"placed below the plugin switches, which come first"
	);
	assert.equal(s.querySelector(".fac-gov-read-only").checked, false);
	assert.match(s.querySelector(".fac-gov-pending").textContent, /waiting: 2/);
	assert.equal(s.querySelector(".fac-gov-pending").getAttribute("href"), "/app/fac-approval-request?status=Pending");
	const form = s.querySelector(".fac-gov-form");
	assert.equal(form.elements.approval_for_read_write.checked, true);
	assert.equal(form.elements.approval_for_write.checked, false);
	assert.equal(form.elements.approval_mode.value, "Client or Approver");
	assert.equal(form.elements.rate_limit_per_user.value, "120");
	const roles = Array.from(s.querySelectorAll('input[name="read_only_roles"]:checked')).map((box) => box.value);
	assert.deepEqual(roles, ["Sales User"]);
	const urls = Array.from(s.querySelectorAll(".fac-gov-url")).map((input) => input.value);
	assert.equal(urls[1].endsWith(HOSTILE), true, "a URL is a value, not markup");
	assert.equal(p.window.__pwned, undefined);
});

test("the read-only switch saves at once and shows the stored state", async () => {
	const p = await page();
	flip(p.window, p.section.querySelector(".fac-gov-read-only"));
	await flush();
	assert.deepEqual(p.api.mutations().map(([method, args]) => [method, args]), [["set_read_only_mode", { enable: 1 }]]);
	assert.equal(p.api.governance.read_only_mode, true);
	assert.equal(p.section.querySelector(".fac-gov-read-only").checked, true);
	assert.match(p.section.querySelector(".fac-switch-state").textContent, /On/);
});

test("a refused read-only switch shows the server's message and the stored state", async () => {
	const p = await page();
	p.api.failNext("set_read_only_mode", "Not permitted");
	flip(p.window, p.section.querySelector(".fac-gov-read-only"));
	await flush();
	assert.equal(p.section.querySelector(".fac-gov-read-only").checked, false);
	assert.equal(p.section.querySelector(".fac-gov-error").hidden, false);
	assert.match(p.section.querySelector(".fac-gov-error").textContent, /Not permitted/);
});

test("Save sends every site-wide control together; a refusal keeps what was typed", async () => {
	const p = await page();
	const form = p.section.querySelector(".fac-gov-form");
	form.elements.approval_for_write.checked = true;
	form.elements.approval_mode.value = "Approver Only";
	form.elements.rate_limit_per_tool.value = "15";
	p.section.querySelector('input[name="read_only_roles"][value="Sales User"]').checked = false;
	form.dispatchEvent(new p.window.Event("submit", { bubbles: true, cancelable: true }));
	await flush();
	const [[method, args]] = p.api.mutations();
	assert.equal(method, "update_governance");
	assert.deepEqual(JSON.parse(args.settings), {
		approval_mode: "Approver Only",
		approval_for_write: 1,
		approval_for_read_write: 1,
		approval_for_privileged: 0,
		rate_limit_per_user: "120",
		rate_limit_per_tool: "15",
		approval_expiry_hours: "24",
		read_only_roles: [],
	});
	assert.equal(p.api.governance.rate_limit_per_tool, 15);
	const again = p.section.querySelector(".fac-gov-form");
	again.elements.rate_limit_per_user.value = "0";
	again.dispatchEvent(new p.window.Event("submit", { bubbles: true, cancelable: true }));
	await flush();
	assert.match(p.section.querySelector(".fac-gov-error").textContent, /whole number from 1/);
	assert.equal(p.section.querySelector(".fac-gov-form").elements.rate_limit_per_user.value, "0", "what was typed stays");
	assert.equal(p.api.governance.rate_limit_per_user, 120);
});

test("a tool's dialog gets its approval and rate limit, saved with the dialog only when changed", async () => {
	const p = await page();
	await p.controller.editor.open("document_create");
	await flush();
	const fieldset = p.root.querySelector(".fac-dialog .fac-dialog-governance");
	assert.ok(fieldset, "the dialog shows the tool's governance");
	assert.equal(fieldset.querySelector('[name="requires_approval"]').checked, false);
	fieldset.querySelector('[name="requires_approval"]').checked = true;
	fieldset.querySelector('[name="rate_limit"]').value = "5";
	const form = p.root.querySelector(".fac-dialog-form");
	form.dispatchEvent(new p.window.Event("submit", { bubbles: true, cancelable: true }));
	await flush();
	const saved = p.api.mutations().filter(([method]) => method === "update_tool_governance");
	assert.deepEqual(saved.map(([, args]) => args), [{ tool_name: "document_create", requires_approval: 1, rate_limit: "5" }]);
	assert.deepEqual(p.api.toolGovernance.document_create, { tool_name: "document_create", requires_approval: true, rate_limit: 5 });
});
