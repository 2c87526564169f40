// The desk glue (page/fac_admin/fac_admin.js) run in jsdom against a stand-in for desk's frappe object
// that behaves as desk does: frappe.require loads the asset, frappe.call answers through `callback`
// and `always` (a failed call reaches only `always`, as after desk's 403 handler).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { JSDOM } = require("jsdom");

const { FakeAdminApi, flush } = require("./support.js");

const APP = path.join(__dirname, "..", "..", "frappe_assistant_core");
const GLUE = fs.readFileSync(path.join(APP, "assistant_core", "page", "fac_admin", "fac_admin.js"), "utf8");

function desk() {
	const jsdom = new JSDOM(`<!doctype html><body><div id="page-fac-admin"></div></body>`, {
		url: "http://127.0.0.1/app/fac-admin",
		runScripts: "outside-only",
	});
	const { window } = jsdom;
	const api = new FakeAdminApi();
	const log = { required: [], calls: [], confirms: [], alerts: [], copies: [], fetches: [] };
	const failures = new Map();
	const wrapper = window.document.getElementById("page-fac-admin");
	window.__ = (text, replace) => String(text).replace(/\{(\d+)\}/g, (m, i) => (replace && i < replace.length ? replace[i] : m));
	const dialogs = [];
	window.fetch = async (url, init) => {
		log.fetches.push({ url, init });
		return { status: 200, text: async () => JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools: [] } }) };
	};
	window.frappe = {
		csrf_token: "csrf-abc",
		session: { user: "admin@example.com" },
		user: { has_role: (role) => role === "System Manager" },
		pages: { "fac-admin": wrapper },
		ui: {
			Dialog: class {
				constructor(opts) {
					this.opts = opts;
					this.fields_dict = {};
					dialogs.push(this);
				}
				show() {
					this.shown = true;
				}
			},
			make_app_page({ parent, title }) {
				const main = window.document.createElement("div");
				main.className = "layout-main-section";
				parent.innerHTML = `<h1 class="title">${title}</h1>`;
				parent.appendChild(main);
				return { main: [main] };
			},
		},
		require(asset) {
			log.required.push(asset);
			if (asset.endsWith(".js")) {
				const file = path.join(APP, "public", asset.replace("/assets/frappe_assistant_core/", ""));
				window.eval(fs.readFileSync(file, "utf8"));
			}
			return Promise.resolve();
		},
		call(opts) {
			log.calls.push(opts);
			const method = opts.method.replace(/^frappe_assistant_core\.api\.admin_(api|governance)\./, "");
			setTimeout(() => {
				if (failures.has(method)) {
					const body = { exc_type: "ValidationError", _server_messages: JSON.stringify([JSON.stringify({ message: failures.get(method) })]) };
					failures.delete(method);
					opts.always(body);
					return;
				}
				api.call(opts.method, opts.args, { type: opts.type }).then((message) => {
					opts.callback({ message });
					opts.always({ message });
				});
			}, 0);
		},
		confirm(message, yes) {
			log.confirms.push(message);
			yes();
		},
		show_alert(opts) {
			log.alerts.push(opts);
		},
		utils: {
			escape_html: (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
			copy_to_clipboard: (text) => log.copies.push(text),
		},
	};
	window.eval(GLUE);
	return { window, wrapper, api, log, failures, dialogs };
}

test("on_page_load loads the CSS and modules in dependency order, then renders the page", async () => {
	const d = desk();
	d.window.frappe.pages["fac-admin"].on_page_load(d.wrapper);
	await flush();
	assert.deepEqual(d.log.required, [
		"/assets/frappe_assistant_core/css/fac_admin.css",
		"/assets/frappe_assistant_core/js/fac_admin/util.js",
		"/assets/frappe_assistant_core/js/fac_admin/desk_adapters.js",
		"/assets/frappe_assistant_core/js/fac_admin/filters.js",
		"/assets/frappe_assistant_core/js/fac_admin/render.js",
		"/assets/frappe_assistant_core/js/fac_admin/editor.js",
		"/assets/frappe_assistant_core/js/fac_admin/controller.js",
		"/assets/frappe_assistant_core/js/fac_admin/usage.js",
		"/assets/frappe_assistant_core/js/fac_admin/governance.js",
		"/assets/frappe_assistant_core/css/fac_admin_connections.css",
		"/assets/frappe_assistant_core/js/fac_admin/connections.js",
		"/assets/frappe_assistant_core/js/fac_admin/doctor.js",
		"/assets/frappe_assistant_core/css/fac_admin_connect.css",
		"/assets/frappe_assistant_core/js/fac_admin/connect_guide.js",
		"/assets/frappe_assistant_core/js/fac_admin/connect.js",
		"/assets/frappe_assistant_core/js/fac_admin/schema_form.js",
		"/assets/frappe_assistant_core/js/fac_admin/mcp_client.js",
		"/assets/frappe_assistant_core/js/fac_admin/tool_trial.js",
	]);
	assert.equal(d.wrapper.querySelector("h1.title").textContent, "FAC Admin");
	assert.equal(d.wrapper.querySelectorAll(".layout-main-section .fac-plugin-card").length, 4);
	assert.equal(d.wrapper.querySelectorAll(".fac-tool-row").length, 7);
	for (const call of d.log.calls) {
		assert.equal(call.type, "GET", `${call.method} is read with GET`);
		assert.equal(call.silent, true, "desk's own message popup is suppressed: the page shows it");
	}
});

test("a failed frappe.call rejects with the server's message and the switch is restored", async () => {
	const d = desk();
	d.window.frappe.pages["fac-admin"].on_page_load(d.wrapper);
	await flush();
	d.failures.set("toggle_plugin", "Plugin <b>visualization</b> is busy");
	const toggle = d.wrapper.querySelector('input.fac-plugin-toggle[data-plugin="visualization"]');
	toggle.checked = false;
	toggle.dispatchEvent(new d.window.Event("change", { bubbles: true }));
	await flush();
	const post = d.log.calls.find((c) => c.method.endsWith("toggle_plugin"));
	assert.equal(post.type, "POST");
	assert.deepEqual(JSON.parse(JSON.stringify(post.args)), { plugin_name: "visualization", enable: 0 });
	assert.equal(d.wrapper.querySelector(".fac-admin-error-text").textContent, "Plugin visualization is busy");
	const after = d.wrapper.querySelector('input.fac-plugin-toggle[data-plugin="visualization"]');
	assert.equal(after.checked, true);
	assert.equal(after.disabled, false);
	assert.deepEqual({ ...d.log.alerts.at(-1) }, { message: "Plugin visualization is busy", indicator: "red" });
});

test("confirmations and alerts go through frappe.confirm / frappe.show_alert, escaped", async () => {
	const d = desk();
	d.window.frappe.pages["fac-admin"].on_page_load(d.wrapper);
	await flush();
	d.wrapper.querySelector(".fac-tool-bulk-disable").click();
	await flush();
	assert.equal(d.log.confirms.length, 1);
	assert.match(d.log.confirms[0], /Disable the 7 tools shown/);
	const bulk = d.log.calls.find((c) => c.method.endsWith("bulk_toggle_tools"));
	assert.equal(bulk.type, "POST");
	assert.equal(JSON.parse(bulk.args.tool_names).length, 7);
	assert.ok(d.log.alerts.some((a) => a.indicator === "green" && /7 tools disabled/.test(a.message)));
});

test("on_page_show re-reads the stored state once the page is loaded", async () => {
	const d = desk();
	const page = d.window.frappe.pages["fac-admin"];
	page.on_page_show(d.wrapper);
	assert.equal(d.log.calls.length, 0, "nothing to refresh before the first load");
	page.on_page_load(d.wrapper);
	await flush();
	const before = d.log.calls.length;
	d.api.plugins.find((p) => p.name === "data_science").enabled = true;
	page.on_page_show(d.wrapper);
	await flush();
	assert.equal(d.log.calls.length, before + 4);
	assert.equal(d.wrapper.querySelector('input.fac-plugin-toggle[data-plugin="data_science"]').checked, true);
});

test("the connect panel gets this page's origin and user, and copies through desk's clipboard helper", async () => {
	const d = desk();
	d.window.frappe.pages["fac-admin"].on_page_load(d.wrapper);
	await flush();
	assert.equal(
		d.wrapper.querySelector(".fac-connect-url-input").value,
		"http://127.0.0.1/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
	);
	assert.equal(d.wrapper.querySelector(".fac-connect-user-link").getAttribute("href"), "/app/user/admin%40example.com");
	assert.match(d.wrapper.querySelector(".fac-connect-auth").textContent, /Generating keys again replaces the secret/, "a System Manager");
	d.wrapper.querySelector('.fac-connect-copy[data-copy="url"]').click();
	await flush();
	assert.deepEqual(d.log.copies, ["http://127.0.0.1/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"]);
});

test("Test posts to the MCP endpoint with the session's CSRF token and opens a desk Dialog", async () => {
	const d = desk();
	d.window.frappe.pages["fac-admin"].on_page_load(d.wrapper);
	await flush();
	d.wrapper.querySelector('button.fac-tool-test[data-tool="document_get"]').click();
	await flush();
	assert.equal(d.log.fetches.length, 1);
	const [request] = d.log.fetches;
	assert.equal(request.url, "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp");
	assert.equal(request.init.headers["X-Frappe-CSRF-Token"], "csrf-abc");
	assert.equal(JSON.parse(request.init.body).method, "tools/list");
	assert.equal(d.dialogs.length, 1);
	assert.equal(d.dialogs[0].shown, true);
	assert.equal(d.dialogs[0].opts.title, "Test tool document_get");
	assert.ok(d.log.calls.every((c) => !c.method.includes("handle_mcp")), "not through frappe.call, whose popups would cover the answer");
});
