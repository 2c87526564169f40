// Drives the real desk in headless Chromium for tests/browser/test_fac_admin_fixes.py (issue 22,
// items 3 and 5): what the FAC Admin page shows when the admin API refuses, the category and role
// pickers, the Usage section when no call falls on the chart's days, and the forms of Assistant Core
// Settings and of a FAC Tool Call Log row. Each flow logs in as the user it needs.
//
// Usage: node tests/browser/drive_admin_fixes.js '<scenario JSON>'
//   scenario: {base_url, flows, viewer: [user, password], admin: [user, password],
//              administrator: [user, password], privileged_tool, role_tool, log_name}
// Prints one JSON report as the last line of stdout ({flows, steps, console_errors, page_errors,
// native_dialogs, requests}); exits non-zero when a flow fails.
"use strict";

const desk = require("./desk");

async function login_as(ctx, [user, password]) {
	await ctx.context.clearCookies();
	await desk.login(ctx.page, ctx.scenario.base_url, user, password);
}

async function open_fac_admin(ctx) {
	await desk.open_route(ctx.page, ctx.scenario.base_url, "/app/fac-admin");
	await ctx.page.waitForSelector(".fac-admin-usage");
}

/** A user the page admits but the admin API refuses: what the plugin and tool lists say. */
async function refused_lists(ctx) {
	const { page } = ctx;
	await login_as(ctx, ctx.scenario.viewer);
	await open_fac_admin(ctx);
	await page.waitForSelector(".fac-plugin-list .fac-load-error");
	await page.waitForSelector(".fac-tool-table-wrap .fac-load-error");
	return {
		plugins: await page.textContent(".fac-plugin-list"),
		tools: await page.textContent(".fac-tool-table-wrap"),
		banner: await page.textContent(".fac-admin-error-text"),
	};
}

/** An Assistant Admin's tool dialog: the categories offered for a privileged tool, the roles offered. */
async function pickers(ctx) {
	const { page, scenario } = ctx;
	await login_as(ctx, scenario.admin);
	await open_fac_admin(ctx);
	await page.waitForSelector(".fac-tool-row");
	const options = async (tool) => {
		await page.click(`button.fac-tool-edit[data-tool="${tool}"]`);
		await page.waitForSelector(`.fac-dialog[data-tool="${tool}"] input[name="roles"]`);
		const found = {
			categories: await page.$$eval('.fac-dialog select[name="category"] option', (els) => els.map((o) => o.value)),
			roles: await page.$$eval('.fac-dialog input[name="roles"]', (els) => els.map((i) => i.value)),
		};
		await page.click(".fac-dialog-cancel");
		await page.waitForSelector(".fac-dialog", { state: "detached" });
		return found;
	};
	return { privileged: await options(scenario.privileged_tool), read_only: await options(scenario.role_tool) };
}

/** A tool's configuration form: the categories offered, and the filters of its role picker. */
async function tool_form_pickers(ctx) {
	const { page, scenario } = ctx;
	await desk.open_form(page, scenario.base_url, "FAC Tool Configuration", scenario.privileged_tool);
	// The form's script replaces the DocType's options with the categories it offers, once its
	// labels module is loaded: read the offered values from the select it draws.
	await page.waitForFunction(() => Array.isArray(cur_frm.fields_dict.tool_category.df.options));
	return page.evaluate(() => ({
		categories: cur_frm.fields_dict.tool_category.$input
			.find("option")
			.toArray()
			.map((option) => option.value)
			.filter(Boolean),
		role_filters: cur_frm.fields_dict.role_access.grid.get_field("role").get_query().filters,
	}));
}

/** The Usage section when every call is stamped after today (the site's time zone moved back). */
async function usage_outside(ctx) {
	const { page } = ctx;
	await open_fac_admin(ctx);
	await page.waitForSelector(".fac-usage-outside");
	await page.waitForTimeout(1000); // a chart drawn anyway would fail on its next frame
	return {
		summary: await page.textContent(".fac-usage-summary"),
		note: await page.textContent(".fac-usage-outside"),
		charts: await page.locator(".fac-usage-chart").count(),
		tools: await page.$$eval(".fac-usage-tool", (rows) =>
			rows.map((r) => [r.dataset.tool, r.querySelectorAll("td")[1].textContent.trim()])
		),
	};
}

/** Assistant Core Settings as it opens: saved or "Not Saved". */
async function settings_form(ctx) {
	const { page, scenario } = ctx;
	await desk.open_route(page, scenario.base_url, "/app/assistant-core-settings");
	await page.waitForFunction(() => window.cur_frm && cur_frm.doctype === "Assistant Core Settings");
	await page.waitForTimeout(1000); // the form's refresh has run
	return page.evaluate(() => ({
		dirty: cur_frm.is_dirty(),
		indicator: document.querySelector(".page-head .indicator-pill")?.textContent.trim() || "",
	}));
}

/** A FAC Tool Call Log row's form as Administrator, whom Frappe grants every right. */
async function log_form(ctx) {
	const { page, scenario } = ctx;
	await login_as(ctx, scenario.administrator);
	await desk.open_form(page, scenario.base_url, "FAC Tool Call Log", scenario.log_name);
	await page.waitForTimeout(500);
	return page.evaluate(() => ({
		save_disabled: Boolean(cur_frm.save_disabled),
		primary_action: Array.from(document.querySelectorAll(".page-head .primary-action"))
			.filter((button) => button.offsetParent !== null)
			.map((button) => button.textContent.trim()),
	}));
}

const FLOWS = { refused_lists, pickers, tool_form_pickers, usage_outside, settings_form, log_form };

async function main() {
	const scenario = JSON.parse(process.argv[2]);
	const report = { flows: {}, steps: [], console_errors: [], page_errors: [], native_dialogs: [], requests: [] };
	let code = 0;
	let browser;
	try {
		browser = await desk.open_browser(report);
		const ctx = { page: browser.page, context: browser.context, scenario, report };
		for (const name of scenario.flows) {
			if (!FLOWS[name]) throw new Error(`no flow named ${name}`);
			report.flows[name] = await FLOWS[name](ctx);
			report.steps.push(name);
		}
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
