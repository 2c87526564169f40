// Helpers for driving the real desk in Debian's headless Chromium (playwright-core, never a
// downloaded browser): launch, log in through /login, open a desk route and wait until it is drawn,
// and record what the page said on its console. Used by drive_fac_admin.js.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.FAC_CHROMIUM || "/usr/bin/chromium";
// Flags for this sandboxed machine: no GPU, no background traffic to Google's hosts.
const FLAGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
];

/** A fresh browser profile and page; `report` collects console errors, page errors and requests. */
async function open_browser(report) {
	const user_data_dir = fs.mkdtempSync(path.join(os.tmpdir(), "fac-chromium-"));
	const context = await chromium.launchPersistentContext(user_data_dir, {
		executablePath: CHROMIUM,
		headless: true,
		args: FLAGS,
		viewport: { width: 1360, height: 900 },
	});
	const page = context.pages()[0] || (await context.newPage());
	page.setDefaultTimeout(30000);
	page.on("console", (msg) => {
		if (msg.type() === "error") report.console_errors.push({ text: msg.text(), url: msg.location().url });
	});
	page.on("pageerror", (err) => report.page_errors.push(String((err && err.stack) || err)));
	page.on("dialog", async (dialog) => {
		// Leaving a form with unsaved changes asks the browser's "leave the page?"; yes. Anything else
		// the desk asks with its own modal dialogs, so a native one is a bug worth reporting.
		if (dialog.type() === "beforeunload") return dialog.accept();
		report.native_dialogs.push({ type: dialog.type(), message: dialog.message() });
		await dialog.dismiss();
	});
	page.on("request", (request) => {
		const match = request.url().match(/\/api\/method\/([^?]+)/);
		if (match) report.requests.push({ method: match[1], type: request.method() });
	});
	const close = async () => {
		await context.close();
		fs.rmSync(user_data_dir, { recursive: true, force: true });
	};
	return { context, page, close };
}

/** Wait until the desk has booted and drawn the page of the current route. */
async function desk_ready(page) {
	await page.waitForFunction(
		() =>
			window.frappe &&
			frappe.boot &&
			frappe.container &&
			frappe.container.page &&
			!document.querySelector("#freeze.in") &&
			document.readyState === "complete"
	);
}

const FIRST_PAGE_MS = 120000;

/** Log in through the login page as a user would; returns the URL the desk landed on. */
async function login(page, base_url, user, password) {
	// The first page a fresh worker renders compiles its templates and may take long on a loaded
	// machine: wait for the form up to FIRST_PAGE_MS, then say what was there instead.
	await page.goto(`${base_url}/login`, { timeout: FIRST_PAGE_MS });
	try {
		await page.waitForSelector("#login_email", { timeout: FIRST_PAGE_MS });
	} catch (error) {
		throw new Error(`no login form at ${page.url()} ("${await page.title()}"): ${error.message}`);
	}
	await page.fill("#login_email", user);
	await page.fill("#login_password", password);
	await Promise.all([page.waitForURL(/\/(app|desk)(\/|$)/), page.click(".btn-login")]);
	await desk_ready(page);
	return page.url();
}

/** Open a desk route by its URL (/app/...) and wait until it is drawn. */
async function open_route(page, base_url, route) {
	await page.goto(`${base_url}${route}`);
	await desk_ready(page);
}

/** Open a document's form and wait until it shows that document, saved. */
async function open_form(page, base_url, doctype, name) {
	const slug = doctype.toLowerCase().replace(/ /g, "-");
	await open_route(page, base_url, `/app/${slug}/${encodeURIComponent(name)}`);
	await page.waitForFunction(
		({ doctype, name }) =>
			window.cur_frm && cur_frm.doctype === doctype && cur_frm.doc.name === name && !cur_frm.is_dirty(),
		{ doctype, name }
	);
}

/** The text of the desk's modal dialog now shown (waits for one). */
async function modal_text(page) {
	const modal = page.locator(".modal.show").last();
	await modal.waitFor({ state: "visible" });
	return (await modal.innerText()).trim();
}

/**
 * Run a driver: open the browser, `await steps(page, report, browser)`, close it, and print the
 * report (`extra` fields, then what the browser saw) as the last line of stdout; the process exits
 * 1 when a step threw (its stack is report.error).
 */
async function drive(steps, extra) {
	const report = Object.assign({ steps: [], console_errors: [], page_errors: [], native_dialogs: [], requests: [] }, extra);
	let code = 0;
	let browser;
	try {
		browser = await open_browser(report);
		await steps(browser.page, report, browser);
	} catch (err) {
		report.error = String((err && err.stack) || err);
		code = 1;
	} finally {
		if (browser) await browser.close();
	}
	process.stdout.write("\n" + JSON.stringify(report) + "\n");
	process.exit(code);
}

module.exports = { open_browser, login, open_route, open_form, modal_text, desk_ready, drive };
