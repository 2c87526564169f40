// The "Connect a client" panel (public/js/fac_admin/connect.js, connect_guide.js): placed below the
// plugins, it shows this site's endpoint URL as the browser reaches it, how to get an API key (a link
// to the user's own settings) and where OAuth stands, and one tab per client whose config names that
// URL and whose Copy button copies exactly what is shown.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { Controller } = require("../../frappe_assistant_core/public/js/fac_admin/controller.js");
const { ConnectPanel } = require("../../frappe_assistant_core/public/js/fac_admin/connect.js");
const { clients, TOKEN } = require("../../frappe_assistant_core/public/js/fac_admin/connect_guide.js");
const { FakeAdminApi, HOSTILE, dom, flush } = require("./support.js");

const URL = "https://erp.example.com/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp";

async function page({ origin = "https://erp.example.com", user = "admin@example.com", isSystemManager = true, copyFails } = {}) {
	const env = dom();
	const controller = new Controller(env.root, { api: new FakeAdminApi(), ui: {} });
	await controller.load();
	const copied = [];
	const copy = (text) => {
		if (copyFails) {
			return Promise.reject(new Error(copyFails));
		}
		copied.push(text);
	};
	const panel = new ConnectPanel(env.root, { origin, user, isSystemManager, copy });
	const $ = (selector) => env.root.querySelector(selector);
	return Object.assign(env, { controller, panel, copied, $ });
}

test("the panel sits below the plugins and shows this site's endpoint URL", async () => {
	const p = await page();
	const sections = Array.from(p.$(".fac-admin").children).map((el) => el.className);
	const at = (cls) => sections.findIndex((name) => name.includes(cls));
	assert.ok(at("fac-admin-plugins") < at("fac-admin-connect"), sections.join(" | "));
	assert.ok(at("fac-admin-connect") < at("fac-admin-tools"), "and above the tools");
	assert.equal(p.$(".fac-connect-url-input").value, URL);
	assert.equal(p.$(".fac-connect-url-input").readOnly, true);
	assert.equal(p.$("#fac-connect-heading").textContent, "Connect a client");
});

test("a trailing slash or a port in the origin gives the URL the browser uses", async () => {
	const p = await page({ origin: "http://127.0.0.1:8000/" });
	assert.equal(p.$(".fac-connect-url-input").value, "http://127.0.0.1:8000/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp");
});

test("API key: how to get one, from the user's own settings; OAuth: where it stands", async () => {
	const p = await page({ user: "ann@example.com", isSystemManager: false });
	const auth = p.$(".fac-connect-auth").textContent.replace(/\s+/g, " ");
	assert.match(auth, /Authorization: token <api_key>:<api_secret> and acts as ann@example\.com/);
	assert.match(auth, /API Access section, and click Generate Keys/);
	assert.match(auth, /ask a System Manager to generate keys for ann@example\.com/);
	assert.equal(p.$(".fac-connect-user-link").getAttribute("href"), "/app/user/ann%40example.com");
	assert.match(p.$(".fac-connect-oauth").textContent, /need only the endpoint URL and a login on this site/);
	const manager = await page({ isSystemManager: true });
	assert.match(manager.$(".fac-connect-auth").textContent, /Generating keys again replaces the secret/);
});

test("one tab per client; each config names this URL and carries no secret", () => {
	const list = clients(URL);
	assert.deepEqual(
		list.map((c) => c.id),
		["claude", "chatgpt", "claude-code", "cursor", "vscode", "mcp-remote", "python"]
	);
	for (const client of list) {
		assert.ok(client.snippet.includes(URL), client.id);
		assert.doesNotMatch(client.snippet, /[0-9a-f]{15}:[0-9a-f]{15}/, "no real key");
	}
	const byId = Object.fromEntries(list.map((c) => [c.id, c]));
	assert.equal(byId["claude-code"].snippet, `claude mcp add --transport http frappe ${URL} --header "Authorization: ${TOKEN}"`);
	assert.deepEqual(JSON.parse(byId.cursor.snippet), { mcpServers: { frappe: { url: URL, headers: { Authorization: TOKEN } } } });
	const vscode = JSON.parse(byId.vscode.snippet);
	assert.deepEqual(vscode.servers.frappe, { type: "http", url: URL, headers: { Authorization: "token ${input:frappe-token}" } });
	assert.equal(vscode.inputs[0].password, true);
	const remote = JSON.parse(byId["mcp-remote"].snippet).mcpServers.frappe;
	assert.deepEqual(remote.args, ["-y", "mcp-remote", URL, "--header", "Authorization:${FRAPPE_AUTH}"]);
	assert.equal(remote.env.FRAPPE_AUTH, TOKEN);
	const insecure = clients("http://127.0.0.1:8000/x").find((c) => c.id === "mcp-remote");
	assert.ok(JSON.parse(insecure.snippet).mcpServers.frappe.args.includes("--allow-http"), "plain HTTP needs --allow-http");
	assert.match(byId.python.snippet, /^URL = "https:\/\/erp\.example\.com\/api\/method\//m);
	assert.match(byId.claude.help, /sign in with OAuth only/);
});

test("tabs switch by click and by arrow keys, as ARIA tabs do", async () => {
	const p = await page();
	const selected = () => p.$('.fac-connect-tab[aria-selected="true"]').getAttribute("data-client");
	assert.equal(selected(), "claude");
	assert.equal(p.$(".fac-connect-snippet").textContent, URL);
	p.$('.fac-connect-tab[data-client="cursor"]').click();
	assert.equal(selected(), "cursor");
	assert.equal(p.$(".fac-connect-tabpanel").getAttribute("aria-labelledby"), "fac-connect-tab-cursor");
	assert.match(p.$(".fac-connect-snippet").textContent, /"mcpServers"/);
	assert.equal(p.document.activeElement, p.$('.fac-connect-tab[data-client="cursor"]'));
	const key = (name) => p.document.activeElement.dispatchEvent(new p.window.KeyboardEvent("keydown", { key: name, bubbles: true }));
	key("ArrowRight");
	assert.equal(selected(), "vscode");
	key("End");
	assert.equal(selected(), "python");
	key("ArrowRight");
	assert.equal(selected(), "claude", "wraps around");
	key("ArrowLeft");
	assert.equal(selected(), "python");
	assert.equal(p.root.querySelectorAll('.fac-connect-tab[tabindex="0"]').length, 1, "one tab in the Tab order");
});

test("Copy copies the URL or exactly the shown config, and says so", async () => {
	const p = await page();
	p.$('.fac-connect-copy[data-copy="url"]').click();
	await flush();
	assert.deepEqual(p.copied, [URL]);
	assert.equal(p.$(".fac-connect-status").textContent, "Copied the endpoint URL.");
	p.$('.fac-connect-tab[data-client="claude-code"]').click();
	p.$('.fac-connect-copy[data-copy="snippet"]').click();
	await flush();
	assert.equal(p.copied[1], p.$(".fac-connect-snippet").textContent);
	assert.match(p.copied[1], /^claude mcp add --transport http frappe https:/);
	assert.equal(p.$(".fac-connect-status").textContent, "Copied the Claude Code configuration.");
	const failing = await page({ copyFails: "denied" });
	failing.$('.fac-connect-copy[data-copy="url"]').click();
	await flush();
	assert.equal(failing.$(".fac-connect-status").textContent, "Could not copy: denied");
});

test("a hostile user name or origin is shown as text", async () => {
	const p = await page({ user: HOSTILE, origin: `https://x"><img src=x onerror=alert(1)>` });
	assert.equal(p.$(".fac-admin-connect script, .fac-admin-connect img"), null);
	assert.equal(p.window.__pwned, undefined);
	assert.match(p.$(".fac-connect-auth").textContent, /<script>/);
});
