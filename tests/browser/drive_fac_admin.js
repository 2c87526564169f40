// Drives the FAC Admin page in Debian's headless Chromium (playwright-core, never a downloaded browser)
// for tests/browser/test_fac_admin_page.py, which checks the database afterwards.
//
// Usage: node tests/browser/drive_fac_admin.js '<scenario JSON>'
//   scenario: {url, plugin, tool, edit_tool, edit_role, bulk_search, fail_plugin, screenshots: [paths]}
// Prints one JSON report as the last line of stdout; exits non-zero when a step fails.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.FAC_CHROMIUM || "/usr/bin/chromium";
// Flags for this sandboxed machine: no GPU, no background traffic to Google's hosts.
const FLAGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
];
const ADMIN = "**/api/method/frappe_assistant_core.api.admin_api.";

async function snapshot(page) {
	return page.evaluate(() => {
		const plugins = {};
		for (const card of document.querySelectorAll(".fac-plugin-card")) {
			const input = card.querySelector("input.fac-plugin-toggle");
			plugins[card.dataset.plugin] = {
				checked: input.checked,
				disabled: input.disabled,
				pill: card.querySelector(".fac-pill").textContent,
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
async function holdNext(page, method) {
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

async function run(scenario, report) {
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fac-chromium-"));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: FLAGS,
		viewport: { width: 1360, height: 900 },
	});
	try {
		const page = context.pages()[0] || (await context.newPage());
		page.setDefaultTimeout(30000);
		page.on("console", (msg) => msg.type() === "error" && report.console_errors.push(msg.text()));
		page.on("pageerror", (err) => report.page_errors.push(String(err)));
		page.on("dialog", async (dialog) => {
			report.dialogs.push({ type: dialog.type(), message: dialog.message() });
			await (dialog.type() === "confirm" ? dialog.accept() : dialog.dismiss());
		});
		const step = (name) => report.steps.push(name);

		await page.goto(scenario.url);
		await page.waitForSelector("body[data-shell-ready='1']");
		await page.waitForSelector(".fac-plugin-card");
		await page.waitForSelector(".fac-tool-row");
		report.browser = context.browser() ? context.browser().version() : "persistent";
		report.page_roles = await page.evaluate(() => window.__fac_page_roles);
		report.initial = await snapshot(page);
		step("loaded");

		// 1. A plugin switch: disabled (aria-busy) while its call is in flight, then stored.
		const plugin = scenario.plugin;
		const releasePlugin = await holdNext(page, "toggle_plugin");
		await page.locator(`.fac-plugin-card[data-plugin="${plugin}"] label.fac-switch`).click();
		report.plugin_in_flight = await page.waitForFunction((name) => {
			const el = document.querySelector(`input.fac-plugin-toggle[data-plugin="${name}"]`);
			return el && el.disabled && el.getAttribute("aria-busy") === "true" ? { checked: el.checked } : null;
		}, plugin).then((handle) => handle.jsonValue());
		await releasePlugin();
		await page.waitForFunction((name) => {
			const card = document.querySelector(`.fac-plugin-card[data-plugin="${name}"]`);
			const el = card && card.querySelector("input.fac-plugin-toggle");
			return card && card.classList.contains("is-disabled") && el && !el.disabled && !el.checked;
		}, plugin);
		step("plugin toggled");

		// 2. A tool switch.
		const tool = scenario.tool;
		await page.locator(`.fac-tool-row[data-tool="${tool}"] label.fac-switch`).click();
		await page.waitForFunction((name) => {
			const row = document.querySelector(`.fac-tool-row[data-tool="${name}"]`);
			const el = row && row.querySelector("input.fac-tool-toggle");
			return row && row.classList.contains("is-disabled") && el && !el.disabled && !el.checked;
		}, tool);
		step("tool toggled");

		// 3. A toggle the real server refuses: the request is altered in flight to name a plugin that does
		// not exist, so the answer (status and message) is the server's own.
		const failPlugin = scenario.fail_plugin;
		await page.route(ADMIN + "toggle_plugin", async (route) => {
			const body = new URLSearchParams(route.request().postData() || "");
			body.set("plugin_name", "no_such_plugin");
			await route.continue({ postData: body.toString() }).catch(() => {});
		});
		const refused = page.waitForResponse((r) => r.url().endsWith("admin_api.toggle_plugin"));
		await page.locator(`.fac-plugin-card[data-plugin="${failPlugin}"] label.fac-switch`).click();
		report.refused_status = (await refused).status();
		await page.unroute(ADMIN + "toggle_plugin");
		await page.waitForFunction(() => !document.querySelector(".fac-admin-error").hidden);
		await page.waitForFunction((name) => {
			const el = document.querySelector(`input.fac-plugin-toggle[data-plugin="${name}"]`);
			return el && !el.disabled && el.checked;
		}, failPlugin);
		report.refused_message = await page.textContent(".fac-admin-error-text");
		report.after_refusal = (await snapshot(page)).plugins[failPlugin];
		await page.click(".fac-admin-error-dismiss");
		step("refused toggle restored");

		// 4. The edit dialog: category override and role restriction.
		const editTool = scenario.edit_tool;
		await page.click(`button.fac-tool-edit[data-tool="${editTool}"]`);
		await page.waitForSelector(`.fac-dialog[data-tool="${editTool}"] input[name="roles"][value="${scenario.edit_role}"]`);
		report.dialog_focus = await page.evaluate(() => document.activeElement && document.activeElement.name);
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
			{ name: editTool, role: scenario.edit_role }
		);
		step("tool edited");

		// 5. Search + plugin filter, then bulk disable of what is shown (confirmed).
		await page.fill(".fac-tool-search", scenario.bulk_search);
		await page.selectOption(".fac-tool-plugin-filter", "core");
		report.bulk_shown = await page.$$eval(".fac-tool-row", (rows) => rows.map((r) => r.dataset.tool));
		report.bulk_count_line = await page.textContent(".fac-tool-count");
		await page.click(".fac-tool-bulk-disable");
		await page.waitForFunction(() => {
			const rows = Array.from(document.querySelectorAll(".fac-tool-row"));
			return rows.length && rows.every((r) => !r.querySelector("input.fac-tool-toggle").checked && !r.querySelector("input").disabled);
		});
		step("bulk disabled");

		// 6. Everything survives a reload (read back from the server).
		await page.reload();
		await page.waitForSelector("body[data-shell-ready='1']");
		await page.waitForSelector(".fac-tool-row");
		report.after_reload = await snapshot(page);
		report.pwned = await page.evaluate(() => window.__pwned === undefined ? null : window.__pwned);
		report.requests = await page.evaluate(() => window.__fac_requests);
		step("reloaded");

		for (const file of scenario.screenshots || []) {
			fs.mkdirSync(path.dirname(file), { recursive: true });
			await page.screenshot({ path: file, fullPage: true });
		}
		step("screenshot");
	} finally {
		await context.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
}

async function main() {
	const scenario = JSON.parse(process.argv[2]);
	const report = { steps: [], dialogs: [], console_errors: [], page_errors: [] };
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
