// Drives the FAC Admin page's Usage section in Debian's headless Chromium (playwright-core) for
// tests/browser/test_fac_admin_page.py::test_usage_section_in_the_real_desk, which wrote known log rows; logs in through /login.
//
// Usage: node tests/browser/drive_usage.js '{"base_url", "user", "password", "tool", "screenshot"}'
// Prints one JSON report as the last line of stdout; exits non-zero when a step fails.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const desk = require("./desk");

function toolOrder(page) {
	return page.$$eval(".fac-usage-tool", (rows) => rows.map((r) => r.dataset.tool));
}

async function run(scenario, report) {
	const browser = await desk.open_browser(report);
	try {
		const page = browser.page;
		await desk.login(page, scenario.base_url, scenario.user, scenario.password);
		await desk.open_route(page, scenario.base_url, "/app/fac-admin");
		await page.waitForSelector(".fac-admin-usage .fac-usage-tool");
		await page.waitForSelector(".fac-usage-chart svg");
		report.summary = await page.textContent(".fac-usage-summary");
		report.chart_bars = await page.$$eval(".fac-usage-chart svg rect", (rects) => rects.length);
		report.tools = await toolOrder(page);
		report.users = await page.$$eval(".fac-usage-user a", (links) => links.map((a) => [a.textContent, a.getAttribute("href")]));
		report.tool_link = await page.getAttribute(".fac-usage-tool a", "href");
		await page.click('.fac-usage-sort[data-key="error_rate"]');
		report.by_error_rate = await toolOrder(page);
		const usage = await page.$(".fac-admin-usage");
		await page.waitForTimeout(1500); // the chart's bars grow in
		await page.click(".fac-usage-refresh"); // and a refresh redraws the same numbers
		await page.waitForSelector(".fac-usage-chart svg");
		await page.waitForTimeout(1500);
		fs.mkdirSync(path.dirname(scenario.screenshot), { recursive: true });
		await usage.screenshot({ path: scenario.screenshot });
		await page.click(`.fac-tool-edit[data-tool="${scenario.tool}"]`);
		await page.waitForSelector(".fac-dialog .fac-recent-call");
		report.recent = await page.$$eval(".fac-dialog .fac-recent-call", (rows) => rows.map((r) => r.textContent.replace(/\s+/g, " ").trim()));
	} finally {
		await browser.close();
	}
}

async function main() {
	const scenario = JSON.parse(process.argv[2]);
	const report = { page_errors: [], console_errors: [], native_dialogs: [], requests: [] };
	let code = 0;
	try {
		await run(scenario, report);
	} catch (err) {
		report.error = String((err && err.stack) || err);
		code = 1;
	}
	process.stdout.write("\n" + JSON.stringify(report) + "\n");
	process.exit(code);
}

main();
