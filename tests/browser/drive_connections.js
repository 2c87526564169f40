// Drives the FAC Admin page's Connected clients and Connection doctor sections, then the My
// Connections page of a user without admin roles, in Debian's headless Chromium (playwright-core),
// for tests/browser/test_connections_desk.py (which made the OAuth clients and tokens).
//
// Usage: node tests/browser/drive_connections.js '{"base_url", "admin", "user", "password",
//   "admin_revokes": [client, user], "user_revokes": client, "screenshot"}'
// Prints one JSON report as the last line of stdout; exits non-zero when a step fails.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const desk = require("./desk");

const rows = (page) =>
	page.$$eval(".fac-conn-row", (trs) => trs.map((tr) => [tr.dataset.client, tr.dataset.user, tr.textContent.replace(/\s+/g, " ").trim()]));

async function revoke(page, client, user, report, key) {
	const before = (await rows(page)).length;
	await page.click(`.fac-conn-row[data-client="${client}"][data-user="${user}"] .fac-conn-revoke`);
	report[`${key}_question`] = await desk.modal_text(page);
	await page.locator(".modal.show .modal-footer .btn-primary").last().click();
	await page.waitForFunction((n) => document.querySelectorAll(".fac-conn-row").length === n - 1 || document.querySelector(".fac-conn-empty"), before);
	report[`${key}_rows_after`] = await rows(page);
}

desk.drive(async (page, report) => {
	const s = JSON.parse(process.argv[2]);
	await desk.login(page, s.base_url, s.admin, s.password);
	await desk.open_route(page, s.base_url, "/app/fac-admin");
	await page.waitForSelector(".fac-admin-connections .fac-conn-row");
	report.order = await page.$$eval(".fac-admin > section", (els) => els.map((el) => el.className.replace("fac-admin-section ", "")));
	report.admin_rows = await rows(page);
	await revoke(page, s.admin_revokes[0], s.admin_revokes[1], report, "admin");
	report.steps.push("admin_revoke");

	await page.click(".fac-doctor-run");
	await page.waitForSelector(".fac-doctor-check");
	report.checks = await page.$$eval(".fac-doctor-check", (lis) => lis.map((li) => [li.dataset.check, li.dataset.status]));
	report.families = await page.$$eval(".fac-doctor-family", (lis) => lis.map((li) => [li.dataset.family, li.dataset.status, li.textContent.replace(/\s+/g, " ").trim()]));
	report.site_url_check = await page.textContent('.fac-doctor-check[data-check="site-url"]');
	// The doctor's answer, once the "revoked" alert has gone.
	await page.waitForSelector(".desk-alert", { state: "detached", timeout: 20000 }).catch(() => null);
	fs.mkdirSync(path.dirname(s.screenshot), { recursive: true });
	await (await page.$(".fac-admin-doctor")).screenshot({ path: s.screenshot });
	report.steps.push("doctor");

	await page.click(".fac-connect-doctor");
	report.doctor_link_focus = await page.evaluate(() => document.activeElement && document.activeElement.className);
	report.my_connections_link = await page.getAttribute(".fac-connect-my-connections", "href");
	report.steps.push("connect_panel");

	// A profile of the user's own: the desk keeps the admin's pages in this one's local storage.
	const own = await desk.open_browser(report);
	try {
		await ownConnections(own.page, s, report);
	} finally {
		await own.close();
	}
});

async function ownConnections(page, s, report) {
	await desk.login(page, s.base_url, s.user, s.password);
	await desk.open_route(page, s.base_url, "/app/fac-connections");
	await page.waitForSelector(".fac-my-connections .fac-conn-row");
	report.user_heading = await page.textContent("#fac-conn-heading");
	report.user_rows = await rows(page);
	await revoke(page, s.user_revokes, s.user, report, "user");
	report.user_empty = await page.textContent(".fac-conn-empty").catch(() => null);
	report.steps.push("own_connections");
}
