// Drives the real desk in headless Chromium for tests/browser/test_fac_admin_page.py, which checks
// the database afterwards: logs in through /login, then runs the flows the scenario names, in order.
//
// Usage: node tests/browser/drive_fac_admin.js '<scenario JSON>'
//   scenario: {base_url, user, password, flows: [names of FLOWS], ...what those flows read}
// Prints one JSON report as the last line of stdout ({flows: {name: result}, steps, console_errors,
// page_errors, native_dialogs, requests, expected_failures}); exits non-zero when a flow fails.
//
// Adding a flow: write `async function name(ctx)` returning what the test should check, add it to
// FLOWS, name it in the test's scenario and check its result there. ctx = {page, scenario, report,
// expect_failure(url_part, message)}: a flow that makes the server refuse a request on purpose
// declares it, and the test then accepts the console lines the desk prints for that refusal.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const desk = require("./desk");

const ADMIN = "**/api/method/frappe_assistant_core.api.admin_api.";
// The desk's save call (frappe.desk.form.save.savedocs), whatever the framework's module is named.
const SAVEDOCS = ".desk.form.save.savedocs";

/** What the FAC Admin page shows: each plugin card, tool row and summary figure. */
async function snapshot(page) {
	return page.evaluate(() => {
		const plugins = {};
		for (const card of document.querySelectorAll(".fac-plugin-card")) {
			const input = card.querySelector("input.fac-plugin-toggle");
			plugins[card.dataset.plugin] = {
				// A plugin without tools has no switch, and says so.
				checked: input ? input.checked : null,
				disabled: input ? input.disabled : null,
				no_tools: (card.querySelector(".fac-plugin-no-tools") || {}).textContent || null,
				pills: Array.from(card.querySelectorAll(".fac-pill")).map((pill) => pill.textContent),
				tool_count: card.querySelector(".fac-plugin-tool-count").textContent,
				error: (card.querySelector(".fac-plugin-error") || {}).textContent || null,
				lock: (card.querySelector(".fac-plugin-lock") || {}).textContent || null,
			};
		}
		const tools = {};
		for (const row of document.querySelectorAll(".fac-tool-row")) {
			tools[row.dataset.tool] = {
				checked: row.querySelector("input.fac-tool-toggle").checked,
				status: row.querySelector(".fac-status").textContent,
				category: row.querySelector(".fac-category").textContent,
				access: row.querySelector(".fac-tool-access").textContent.trim(),
			};
		}
		const summary = {};
		for (const card of document.querySelectorAll(".fac-summary-card")) {
			summary[card.dataset.stat] = card.querySelector(".fac-summary-value").textContent;
		}
		return { plugins, tools, summary, count: document.querySelector(".fac-tool-count").textContent };
	});
}

/** Hold the next call of `method` until the returned release() is called. */
async function hold_next(page, method) {
	let release;
	const gate = new Promise((resolve) => (release = resolve));
	await page.route(ADMIN + method, async (route) => {
		await gate;
		await route.continue().catch(() => {}); // the page may be gone if a step failed meanwhile
	});
	return async () => {
		release();
		await page.unroute(ADMIN + method);
	};
}

async function open_fac_admin(ctx) {
	await desk.open_route(ctx.page, ctx.scenario.base_url, "/app/fac-admin");
	await ctx.page.waitForSelector(".fac-plugin-card");
	await ctx.page.waitForSelector(".fac-tool-row");
}

const open_modals = (page) => page.locator(".modal.show").count();

// -------------------------------------------------------------------------------------------------
// Flows
// -------------------------------------------------------------------------------------------------

/** The login page, as a user: lands in the desk. */
async function login(ctx) {
	const { page, scenario } = ctx;
	const landed = await desk.login(page, scenario.base_url, scenario.user, scenario.password);
	return { landed, user: await page.evaluate(() => frappe.session.user) };
}

/** FAC Admin page: a plugin switch (busy while in flight, then stored) and a refused toggle. */
async function fac_admin_plugins(ctx) {
	const { page, scenario } = ctx;
	await open_fac_admin(ctx);
	const result = { route: await page.evaluate(() => frappe.get_route_str()), initial: await snapshot(page) };

	const plugin = scenario.plugin;
	const release = await hold_next(page, "toggle_plugin");
	await page.locator(`.fac-plugin-card[data-plugin="${plugin}"] label.fac-switch`).click();
	result.in_flight = await page
		.waitForFunction((name) => {
			const el = document.querySelector(`input.fac-plugin-toggle[data-plugin="${name}"]`);
			return el && el.disabled && el.getAttribute("aria-busy") === "true" ? { checked: el.checked } : null;
		}, plugin)
		.then((handle) => handle.jsonValue());
	await release();
	await page.waitForFunction((name) => {
		const card = document.querySelector(`.fac-plugin-card[data-plugin="${name}"]`);
		const el = card && card.querySelector("input.fac-plugin-toggle");
		return card && card.classList.contains("is-disabled") && el && !el.disabled && !el.checked;
	}, plugin);

	// A toggle the real server refuses: the request is altered in flight to switch off core, so the
	// answer (status and message) is the server's own.
	const fail_plugin = scenario.fail_plugin;
	ctx.expect_failure("admin_api.toggle_plugin", scenario.core_refusal);
	await page.route(ADMIN + "toggle_plugin", async (route) => {
		const body = new URLSearchParams(route.request().postData() || "");
		body.set("plugin_name", "core");
		await route.continue({ postData: body.toString() }).catch(() => {});
	});
	const refused = page.waitForResponse((r) => r.url().endsWith("admin_api.toggle_plugin"));
	await page.locator(`.fac-plugin-card[data-plugin="${fail_plugin}"] label.fac-switch`).click();
	result.refused_status = (await refused).status();
	await page.unroute(ADMIN + "toggle_plugin");
	await page.waitForFunction(() => !document.querySelector(".fac-admin-error").hidden);
	await page.waitForFunction((name) => {
		const el = document.querySelector(`input.fac-plugin-toggle[data-plugin="${name}"]`);
		return el && !el.disabled && el.checked;
	}, fail_plugin);
	result.refused_message = await page.textContent(".fac-admin-error-text");
	result.after_refusal = (await snapshot(page)).plugins[fail_plugin];
	result.modals_after_refusal = await open_modals(page); // the page shows it inline, not in a popup
	await page.click(".fac-admin-error-dismiss");
	return result;
}

/** FAC Admin page: a tool switch, the edit dialog, and a confirmed bulk disable of a filtered set. */
async function fac_admin_tools(ctx) {
	const { page, scenario } = ctx;
	await open_fac_admin(ctx);
	const result = {};
	const tool = scenario.tool;
	await page.locator(`.fac-tool-row[data-tool="${tool}"] label.fac-switch`).click();
	await page.waitForFunction((name) => {
		const row = document.querySelector(`.fac-tool-row[data-tool="${name}"]`);
		const el = row && row.querySelector("input.fac-tool-toggle");
		return row && row.classList.contains("is-disabled") && el && !el.disabled && !el.checked;
	}, tool);

	const edit_tool = scenario.edit_tool;
	await page.click(`button.fac-tool-edit[data-tool="${edit_tool}"]`);
	await page.waitForSelector(`.fac-dialog[data-tool="${edit_tool}"] input[name="roles"][value="${scenario.edit_role}"]`);
	result.dialog_focus = await page.evaluate(() => document.activeElement && document.activeElement.name);
	await page.check('.fac-dialog input[name="category_override"]');
	await page.selectOption('.fac-dialog select[name="category"]', "privileged");
	await page.check('.fac-dialog input[name="role_access_mode"][value="Restrict to Listed Roles"]');
	await page.check(`.fac-dialog input[name="roles"][value="${scenario.edit_role}"]`);
	await page.click(".fac-dialog-save");
	await page.waitForSelector(".fac-dialog", { state: "detached" });
	await page.waitForFunction(
		({ name, role }) => {
			const row = document.querySelector(`.fac-tool-row[data-tool="${name}"]`);
			return row && row.querySelector(".fac-category").textContent === "Privileged" && row.textContent.includes(role);
		},
		{ name: edit_tool, role: scenario.edit_role }
	);

	// Search + plugin filter, then bulk disable of what is shown, confirmed in the desk's dialog.
	await page.fill(".fac-tool-search", scenario.bulk_search);
	await page.selectOption(".fac-tool-plugin-filter", "core");
	result.bulk_shown = await page.$$eval(".fac-tool-row", (rows) => rows.map((r) => r.dataset.tool));
	await page.click(".fac-tool-bulk-disable");
	result.confirm_message = await desk.modal_text(page);
	await page.locator(".modal.show .modal-footer .btn-primary").last().click();
	await page.waitForFunction(() => {
		const rows = Array.from(document.querySelectorAll(".fac-tool-row"));
		return (
			rows.length &&
			rows.every((r) => !r.querySelector("input.fac-tool-toggle").checked && !r.querySelector("input").disabled)
		);
	});
	return result;
}

/** FAC Admin page after a reload: what the server stored; the README screenshot. */
async function fac_admin_reload(ctx) {
	const { page, scenario } = ctx;
	await open_fac_admin(ctx);
	const result = { after_reload: await snapshot(page) };
	result.pwned = await page.evaluate(() => (window.__pwned === undefined ? null : window.__pwned));
	// The desk scrolls inside its own layout, so a taller window (not fullPage) shows the plugins,
	// the connect panel and the first tools.
	const viewport = page.viewportSize();
	await page.setViewportSize({ width: viewport.width, height: 1500 });
	await page.waitForTimeout(300);
	for (const file of scenario.screenshots || []) {
		fs.mkdirSync(path.dirname(file), { recursive: true });
		await page.screenshot({ path: file });
	}
	await page.setViewportSize(viewport);
	return result;
}

/** The FAC Plugin Configuration list, and a row's form: unticking Enabled and saving is a toggle. */
async function plugin_form_toggle(ctx) {
	const { page, scenario } = ctx;
	await desk.open_route(page, scenario.base_url, "/app/fac-plugin-configuration");
	await page.waitForFunction(() => window.cur_list && cur_list.doctype === "FAC Plugin Configuration" && cur_list.data.length);
	await page.waitForSelector(".list-row-checkbox[data-name]");
	const result = {
		list_names: await page.$$eval(".list-row-checkbox[data-name]", (rows) => rows.map((r) => r.dataset.name).sort()),
	};
	const plugin = scenario.form_plugin;
	await desk.open_form(page, scenario.base_url, "FAC Plugin Configuration", plugin);
	await page.locator('input[type="checkbox"][data-fieldname="enabled"]').uncheck();
	const saved = page.waitForResponse((r) => r.url().includes(SAVEDOCS));
	await page.locator(".page-actions .primary-action").click();
	result.save_status = (await saved).status();
	await page.waitForFunction(() => !cur_frm.is_dirty() && cur_frm.doc.enabled === 0);
	result.after_save = await page.evaluate(() => ({
		enabled: cur_frm.doc.enabled,
		last_toggled_by: cur_frm.doc.last_toggled_by,
		indicator: document.querySelector(".page-head .indicator-pill")?.textContent.trim() || null,
	}));
	result.modals = await open_modals(page);
	return result;
}

/** Unticking Enabled on core and saving is refused with the server's message, in the desk's dialog. */
async function plugin_form_refusal(ctx) {
	const { page, scenario } = ctx;
	await desk.open_form(page, scenario.base_url, "FAC Plugin Configuration", "core");
	await page.locator('input[type="checkbox"][data-fieldname="enabled"]').uncheck();
	ctx.expect_failure(SAVEDOCS, scenario.core_refusal);
	const saved = page.waitForResponse((r) => r.url().includes(SAVEDOCS));
	await page.locator(".page-actions .primary-action").click();
	const result = { save_status: (await saved).status(), message: await desk.modal_text(page) };
	for (const file of scenario.refusal_screenshots || []) {
		fs.mkdirSync(path.dirname(file), { recursive: true });
		await page.screenshot({ path: file });
	}
	await page.keyboard.press("Escape");
	result.still_dirty = await page.evaluate(() => cur_frm.is_dirty());
	await page.reload();
	await desk.desk_ready(page);
	await page.waitForFunction(() => window.cur_frm && cur_frm.doc.name === "core");
	result.stored_enabled = await page.evaluate(() => cur_frm.doc.enabled);
	return result;
}

/** A FAC Tool Configuration form opens with the tool's fields. */
async function tool_form(ctx) {
	const { page, scenario } = ctx;
	await desk.open_form(page, scenario.base_url, "FAC Tool Configuration", scenario.form_tool);
	return page.evaluate(() => {
		const fields = {};
		for (const name of ["tool_name", "plugin_name", "tool_category", "role_access_mode"]) {
			const control = cur_frm.fields_dict[name];
			fields[name] = control ? control.$wrapper[0].innerText.replace(/\s+/g, " ").trim() : null;
		}
		return { doc: { tool_name: cur_frm.doc.tool_name, plugin_name: cur_frm.doc.plugin_name }, fields };
	});
}

const FLOWS = {
	login,
	fac_admin_plugins,
	fac_admin_tools,
	fac_admin_reload,
	plugin_form_toggle,
	plugin_form_refusal,
	tool_form,
};

async function main() {
	const scenario = JSON.parse(process.argv[2]);
	const report = {
		flows: {},
		steps: [],
		console_errors: [],
		page_errors: [],
		native_dialogs: [],
		requests: [],
		expected_failures: [],
	};
	let code = 0;
	let browser;
	try {
		browser = await desk.open_browser(report);
		const ctx = {
			page: browser.page,
			scenario,
			report,
			expect_failure: (url, message) => report.expected_failures.push({ url, message }),
		};
		for (const name of scenario.flows) {
			if (!FLOWS[name]) throw new Error(`no flow named ${name}`);
			report.flows[name] = await FLOWS[name](ctx);
			report.steps.push(name);
		}
		report.browser = browser.context.browser() ? browser.context.browser().version() : "persistent";
	} catch (err) {
		report.error = String((err && err.stack) || err);
		code = 1;
	} finally {
		if (browser) await browser.close();
	}
	process.stdout.write("\n" + JSON.stringify(report) + "\n");
	process.exit(code);
}

main();
