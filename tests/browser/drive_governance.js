// Drives the real desk in headless Chromium for tests/browser/test_governance_desk.py, which parked
// two tool calls and checks the database afterwards: an approver approves one request and rejects
// the other (with a reason) in the FAC Approval Request list and forms; then an Assistant Admin sets
// the Governance section of the FAC Admin page (read-only switch, a rate limit, a tool's approval).
//
// Usage: node tests/browser/drive_governance.js '{"base_url", "approver", "admin", "password",
//   "approve", "reject", "reason", "tool", "screenshots": {"form", "section"}}'
// Prints one JSON report as the last line of stdout; exits non-zero when a step fails.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const desk = require("./desk");

const REQUESTS = "FAC Approval Request";

async function shot(locator, file) {
	if (!file) return;
	fs.mkdirSync(path.dirname(file), { recursive: true });
	await locator.screenshot({ path: file });
}

async function status_shown(page) {
	await page.waitForFunction(() => window.cur_frm && !cur_frm.is_dirty());
	return page.evaluate(() => cur_frm.doc.status);
}

async function decide(page, scenario, report) {
	await desk.login(page, scenario.base_url, scenario.approver, scenario.password);
	await desk.open_route(page, scenario.base_url, "/app/fac-approval-request?status=Pending");
	await page.waitForSelector(".list-row-container [data-name]");
	report.pending_listed = await page.$$eval(".list-row-container", (rows) =>
		rows
			.filter((r) => r.querySelector("[data-name]"))
			.map((r) => ({ name: r.querySelector("[data-name]").dataset.name, text: r.innerText.replace(/\s+/g, " ") }))
	);

	await desk.open_form(page, scenario.base_url, REQUESTS, scenario.approve);
	report.changes_shown = await page.evaluate(() => cur_frm.fields_dict.changes.$wrapper[0].innerText);
	await shot(page.locator(".page-container:visible, .layout-main").first(), scenario.screenshots && scenario.screenshots.form);
	await page.click(".fac-approve");
	report.approve_question = await desk.modal_text(page);
	await page.locator(".modal.show .btn-primary").last().click();
	await page.waitForFunction(() => cur_frm.doc.status === "Approved");
	report.approved_status = await status_shown(page);
	report.buttons_after_approval = await page.locator(".fac-approve, .fac-reject").count();

	await desk.open_form(page, scenario.base_url, REQUESTS, scenario.reject);
	await page.click(".fac-reject");
	const dialog = page.locator(".modal.show").last();
	await dialog.waitFor({ state: "visible" });
	await dialog.locator("textarea").fill(scenario.reason);
	await dialog.locator(".btn-primary").click();
	await page.waitForFunction(() => cur_frm.doc.status === "Rejected");
	report.rejected_status = await status_shown(page);
	report.rejected_note = await page.evaluate(() => cur_frm.doc.decision_note);
}

async function governance_section(page, scenario, report) {
	await page.context().clearCookies();
	await desk.login(page, scenario.base_url, scenario.admin, scenario.password);
	await desk.open_route(page, scenario.base_url, "/app/fac-admin");
	const section = page.locator(".fac-admin-governance");
	await section.locator(".fac-gov-form").waitFor();
	report.pending_link = await section.locator(".fac-gov-pending").innerText();
	report.urls = await section.locator(".fac-gov-url").evaluateAll((inputs) => inputs.map((i) => i.value));

	await section.locator(".fac-gov-switch").click();
	await page.waitForFunction(() => {
		const input = document.querySelector(".fac-gov-read-only");
		return input && input.checked && !input.disabled;
	});
	report.read_only_after_switch = await section.locator(".fac-gov-read-only").isChecked();

	await section.locator('input[name="rate_limit_per_tool"]').fill("42");
	await section.locator('input[name="approval_for_privileged"]').check();
	await section.locator(".fac-gov-save").click();
	await page.waitForFunction(() => {
		const input = document.querySelector('.fac-gov-form input[name="rate_limit_per_tool"]');
		return input && input.value === "42" && !document.querySelector(".fac-gov-save[disabled]");
	});
	await page.waitForTimeout(500);
	await shot(section, scenario.screenshots && scenario.screenshots.section);

	await page.click(`.fac-tool-edit[data-tool="${scenario.tool}"]`);
	const fieldset = page.locator(".fac-dialog .fac-dialog-governance");
	await fieldset.waitFor();
	await fieldset.locator('input[name="requires_approval"]').check();
	await fieldset.locator('input[name="rate_limit"]').fill("9");
	await page.click(".fac-dialog-save");
	await page.locator(".fac-dialog").waitFor({ state: "detached" });
	await page.waitForTimeout(1000); // the tool's governance is saved alongside the dialog's own save
}

const scenario = JSON.parse(process.argv[2]);
desk.drive(async (page, report) => {
	await decide(page, scenario, report);
	report.steps.push("decide");
	await governance_section(page, scenario, report);
	report.steps.push("governance_section");
});
