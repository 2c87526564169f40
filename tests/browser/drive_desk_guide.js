// Drives what guides an administrator in the real desk, in Debian's headless Chromium
// (playwright-core), for tests/browser/test_desk_guide.py, which checks the database afterwards:
// the Assistant Core workspace (reached from the desk's home as a user would, every shortcut
// followed), the FAC Admin page's "Connect a client" panel (its URL and Copy, read back from the
// clipboard), the Test action (a read tool run with arguments, a refused call, a hidden tool) and a
// tool's category as the page, the Tool Configuration form and its list show it.
//
// Usage: node tests/browser/drive_desk_guide.js '<scenario JSON>'
//   scenario: {base_url, user, password, todo: {name, description}, shortcuts: [labels], label_tool,
//              screenshots: {workspace, connect, tester}: [paths]}
// Prints one JSON report as the last line of stdout; exits non-zero when a step fails.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const desk = require("./desk");

async function shoot(target, files) {
	for (const file of files || []) {
		fs.mkdirSync(path.dirname(file), { recursive: true });
		await target.screenshot({ path: file });
	}
}

const route = (page) => page.evaluate(() => frappe.get_route());

/** From the desk's home to the workspace as a user finds it: v16's desktop icon, v15's sidebar. */
async function workspace(ctx) {
	const { page, scenario } = ctx;
	await desk.open_route(page, scenario.base_url, "/app");
	const icon = page.locator(".desktop-icon", { hasText: "Assistant Core" });
	const sidebar = page.locator('.sidebar-item-container[item-name="Assistant Core"] a.item-anchor');
	await Promise.race([icon.first().waitFor(), sidebar.first().waitFor()]);
	const result = { entry: (await icon.count()) ? "desktop icon" : "sidebar" };
	await (result.entry === "desktop icon" ? icon.first() : sidebar.first()).click();
	await page.waitForSelector(".shortcut-widget-box .widget-title");
	await page.waitForSelector(".link-item");
	result.route = await route(page);
	result.url = page.url();
	result.shortcuts = await page.$$eval(".shortcut-widget-box .widget-title", (els) => els.map((e) => e.textContent.trim()));
	result.links = await page.$$eval(".link-item", (els) => els.map((e) => [e.textContent.trim(), e.getAttribute("href")]));
	await page.waitForTimeout(500); // the shortcut counts fill in
	await shoot(page, scenario.screenshots.workspace);
	// Each shortcut from a fresh load of the workspace: going Back in history after a list view
	// trips a bug of some v16 desks (their router reads frappe.route_options.sidebar after a list
	// has set route_options to null), which is the framework's, not the workspace's.
	const workspace_url = page.url();
	result.followed = {};
	for (const label of scenario.shortcuts) {
		await page.goto(workspace_url);
		await desk.desk_ready(page);
		await page.waitForSelector(".shortcut-widget-box .widget-title");
		const before = JSON.stringify(await route(page));
		await page.locator(".shortcut-widget-box", { hasText: label }).first().click();
		await page.waitForFunction((was) => JSON.stringify(frappe.get_route()) !== was, before);
		await desk.desk_ready(page);
		result.followed[label] = await route(page);
	}
	return result;
}

async function open_fac_admin(ctx) {
	await desk.open_route(ctx.page, ctx.scenario.base_url, "/app/fac-admin");
	await ctx.page.waitForSelector(".fac-admin-connect .fac-connect-url-input");
	await ctx.page.waitForSelector(".fac-tool-row");
}

async function copied(page, button) {
	await page.evaluate(() => navigator.clipboard.writeText(""));
	await page.click(button);
	await page.waitForFunction(() => document.querySelector(".fac-connect-status").textContent.startsWith("Copied"));
	return page.evaluate(() => navigator.clipboard.readText());
}

/** The connect panel: the URL it shows, and what Copy puts on the clipboard. */
async function connect(ctx) {
	const { page, scenario, browser } = ctx;
	await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: scenario.base_url });
	await open_fac_admin(ctx);
	const result = {
		order: await page.$$eval(".fac-admin > section", (els) => els.map((e) => e.className.replace("fac-admin-section ", ""))),
		url: await page.inputValue(".fac-connect-url-input"),
		user_link: await page.getAttribute(".fac-connect-user-link", "href"),
		oauth: await page.textContent(".fac-connect-oauth"),
	};
	result.copied_url = await copied(page, '.fac-connect-copy[data-copy="url"]');
	await page.click('.fac-connect-tab[data-client="claude-code"]');
	result.snippet = await page.textContent(".fac-connect-snippet");
	result.copied_snippet = await copied(page, '.fac-connect-copy[data-copy="snippet"]');
	await page.click('.fac-connect-tab[data-client="vscode"]');
	await page.locator(".fac-connect-tab.is-selected").focus();
	await page.keyboard.press("ArrowRight");
	result.after_arrow = await page.getAttribute(".fac-connect-tab.is-selected", "data-client");
	await page.click('.fac-connect-tab[data-client="cursor"]');
	await shoot(await page.$(".fac-admin-connect"), scenario.screenshots.connect);
	return result;
}

/** Open a tool's Test dialog and wait until its form is drawn. */
async function open_tester(page, tool) {
	await page.click(`button.fac-tool-test[data-tool="${tool}"]`);
	const dialog = page.locator(".modal.show", { hasText: `Test tool ${tool}` });
	await dialog.locator('[data-fieldname="fac_test_result"]').waitFor({ state: "attached" });
	await dialog.locator(".fac-test-help").waitFor();
	return dialog;
}

async function run(dialog) {
	await dialog.locator(".btn-primary").click();
	const outcome = dialog.locator(".fac-test-outcome");
	await outcome.waitFor();
	return {
		state: (await outcome.getAttribute("class")).replace(/.*fac-test-outcome--/, ""),
		title: (await dialog.locator(".fac-test-outcome-title").textContent()).trim(),
		text: (await dialog.locator(".fac-test-outcome").textContent()).replace(/\s+/g, " ").trim(),
	};
}

async function close(page, dialog) {
	await page.keyboard.press("Escape");
	await dialog.waitFor({ state: "hidden" });
}

/** Test: a read tool with arguments, then a call the tool refuses, then a tool the user cannot see. */
async function tester(ctx) {
	const { page, scenario } = ctx;
	await open_fac_admin(ctx);
	const result = {};
	let dialog = await open_tester(page, "document_get");
	result.read_fields = await dialog.locator('[data-fieldname^="fac_arg_"] .control-label').allTextContents();
	result.read_intro = (await dialog.locator('[data-fieldname="fac_test_intro"]').textContent()).replace(/\s+/g, " ").trim();
	await dialog.locator('[data-fieldname="fac_arg_0"] input').fill("ToDo");
	await dialog.locator('[data-fieldname="fac_arg_1"] input').fill(scenario.todo.name);
	result.read = await run(dialog);
	await shoot(await dialog.locator(".modal-dialog").elementHandle(), scenario.screenshots.tester);
	await close(page, dialog);

	dialog = await open_tester(page, "document_list");
	await dialog.locator('[data-fieldname="fac_arg_0"] input').fill("Error Log");
	result.refused = await run(dialog);
	await close(page, dialog);

	dialog = await open_tester(page, "execute_python_code");
	result.hidden_intro = (await dialog.locator('[data-fieldname="fac_test_intro"]').textContent()).replace(/\s+/g, " ").trim();
	await dialog.locator('[data-fieldname="fac_test_arguments"] textarea').fill('{"code": "print(1)"}');
	await dialog.locator('[data-fieldname="fac_test_confirm"] .input-area input[type="checkbox"]').check();
	result.hidden = await run(dialog);
	await close(page, dialog);
	return result;
}

/** A tool's category as the FAC Admin page, the Tool Configuration form and its list show it. */
async function labels(ctx) {
	const { page, scenario } = ctx;
	const tool = scenario.label_tool;
	await open_fac_admin(ctx);
	const result = { page: (await page.textContent(`.fac-tool-row[data-tool="${tool}"] .fac-category`)).trim() };
	await desk.open_form(page, scenario.base_url, "FAC Tool Configuration", tool);
	await page.waitForFunction(() => cur_frm.fields_dict.tool_category.$input.find("option").length > 1);
	await page.waitForFunction(() => {
		const shown = cur_frm.fields_dict.tool_category.$input.find("option:selected").text();
		return shown && shown !== cur_frm.doc.tool_category;
	});
	result.form = await page.evaluate(() => ({
		value: cur_frm.doc.tool_category,
		selected: cur_frm.fields_dict.tool_category.$input.find("option:selected").text(),
		options: cur_frm.fields_dict.tool_category.$input.find("option").toArray().map((o) => [o.value, o.textContent]),
		detected: cur_frm.fields_dict.auto_detected_category.$wrapper.find(".control-value, .like-disabled-input").first().text().trim(),
		dirty: cur_frm.is_dirty(),
	}));
	// Frappe v15's list shows at most four columns up to 1366 px and six up to 1919 px, counting the
	// name, tag and status columns: the category (the fourth field) shows on a wide screen.
	const viewport = page.viewportSize();
	await page.setViewportSize({ width: 1920, height: viewport.height });
	// Filtered to the tool: the list's first page (by last modified) need not hold it.
	await desk.open_route(page, scenario.base_url, `/app/fac-tool-configuration?name=${encodeURIComponent(tool)}`);
	await page.waitForFunction((name) => {
		const row = document.querySelector(`.list-row-checkbox[data-name="${name}"]`);
		return row && /Read Only|Write|Privileged/.test(row.closest(".list-row").textContent);
	}, tool);
	result.list = await page.$eval(`.list-row-checkbox[data-name="${tool}"]`, (box) =>
		Array.from(box.closest(".list-row").querySelectorAll(".list-row-col")).map((c) => c.textContent.trim())
	);
	await page.setViewportSize(viewport);
	return result;
}

const FLOWS = { workspace, connect, tester, labels };

async function main() {
	const scenario = JSON.parse(process.argv[2]);
	const report = { flows: {}, steps: [], console_errors: [], page_errors: [], native_dialogs: [], requests: [] };
	let code = 0;
	let browser;
	try {
		browser = await desk.open_browser(report);
		const ctx = { page: browser.page, browser, scenario, report };
		await desk.login(browser.page, scenario.base_url, scenario.user, scenario.password);
		for (const name of Object.keys(FLOWS)) {
			report.flows[name] = await FLOWS[name](ctx);
			report.steps.push(name);
		}
	} catch (err) {
		report.error = String((err && err.stack) || err);
		code = 1;
		// What the page showed when the step failed, beside the test's other screenshots.
		if (browser && scenario.failure_screenshot) {
			fs.mkdirSync(path.dirname(scenario.failure_screenshot), { recursive: true });
			await browser.page.screenshot({ path: scenario.failure_screenshot }).catch(() => {});
		}
	} finally {
		if (browser) await browser.close();
	}
	process.stdout.write("\n" + JSON.stringify(report) + "\n");
	process.exit(code);
}

main();
