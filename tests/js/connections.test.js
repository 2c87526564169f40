// The Connected clients and Connection doctor sections (public/js/fac_admin/connections.js,
// doctor.js) in jsdom, next to the real Controller, with an in-memory API of the grant rows the
// server answers and a recording confirm dialog.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { Controller } = require("../../frappe_assistant_core/public/js/fac_admin/controller.js");
const { UsageSection } = require("../../frappe_assistant_core/public/js/fac_admin/usage.js");
const { ConnectionsSection } = require("../../frappe_assistant_core/public/js/fac_admin/connections.js");
const { DoctorSection } = require("../../frappe_assistant_core/public/js/fac_admin/doctor.js");
const { connectGuide } = require("../../frappe_assistant_core/public/js/fac_admin/connect_guide.js");
const { ConnectPanel } = require("../../frappe_assistant_core/public/js/fac_admin/connect.js");
const { FakeAdminApi, HOSTILE, ServerError, dom, flush, usageStats } = require("./support.js");

function grant(client, user, extra) {
	return Object.assign(
		{
			client,
			app_name: `App ${client}`,
			user,
			full_name: user.split("@")[0],
			scopes: ["mcp", "offline_access"],
			created: "2026-12-01 10:00:00.000001",
			last_used: "2026-12-04 09:30:12.5",
			tokens: 2,
			pending_codes: 0,
		},
		extra || {}
	);
}

/** The admin API plus the connection endpoints: grants revoke as the server's do. */
class FakeApi extends FakeAdminApi {
	constructor(grants, me) {
		super();
		this.usage = usageStats({ tools: [], users: [] });
		this.grants = grants;
		this.me = me;
		this.doctor = {
			status: "fail",
			checks: [
				{ id: "site-url", title: "Site URL", status: "ok", detail: "Clients reach https://erp.example.com", fix: "", families: {} },
				{ id: "registration", title: "Client registration", status: "fail", detail: "Clients have no way to register " + HOSTILE, fix: "Switch it on", families: {} },
			],
			families: [
				{ family: "claude", label: "Claude", status: "fail", problems: [{ id: "registration", status: "fail", fix: "Switch it on" }] },
				{ family: "ide", label: "Claude Code", status: "ok", problems: [] },
			],
		};
	}

	_get_connected_clients() {
		return this.grants;
	}

	_get_my_connections() {
		return this.grants.filter((g) => g.user === this.me);
	}

	_revoke(client, user) {
		const before = this.grants.length;
		this.grants = this.grants.filter((g) => !(g.client === client && g.user === user));
		if (before === this.grants.length) {
			throw new ServerError(`${user} has no connection to the OAuth client ${client}`);
		}
		return { client, user, tokens: 2, codes: 0 };
	}

	_revoke_connected_client({ client, user }) {
		return this._revoke(client, user);
	}

	_revoke_my_connection({ client }) {
		return this._revoke(client, this.me);
	}

	_run_connection_doctor() {
		return this.doctor;
	}
}

function page(grants, { mode = "admin", confirm = true, me = "ann@example.com" } = {}) {
	const { window, root } = dom();
	const api = new FakeApi(grants, me);
	const asked = [];
	const notes = [];
	const ui = {
		confirm: (message) => {
			asked.push(message);
			return Promise.resolve(confirm);
		},
		notify: (message) => notes.push(message),
	};
	let controller = null;
	if (mode === "admin") {
		controller = new Controller(root, { api, ui });
		new UsageSection(root, { api });
	}
	const connections = new ConnectionsSection(root, { api, ui, mode });
	const doctor = mode === "admin" ? new DoctorSection(root, { api }) : null;
	return { window, root, api, ui, asked, notes, controller, connections, doctor, $: (s) => root.querySelector(s) };
}

const rows = (p) => Array.from(p.root.querySelectorAll(".fac-conn-row")).map((r) => [r.getAttribute("data-client"), r.getAttribute("data-user")]);

test("admins see every user's connected clients below the switches and Usage, with scopes and times", async () => {
	const p = page([grant("c1", "ann@example.com"), grant("c2", "bob@example.com", { app_name: HOSTILE, last_used: null })]);
	await Promise.all([p.controller.load(), p.connections.load()]);
	const order = Array.from(p.root.querySelector(".fac-admin").children).map((el) => el.className);
	const at = (cls) => order.findIndex((name) => name.includes(cls));
	assert.ok(at("fac-admin-connections") > at("fac-admin-tools") && at("fac-admin-connections") > at("fac-admin-usage"), "below the switches and Usage");
	assert.ok(at("fac-admin-doctor") > at("fac-admin-connections"), "the doctor follows");
	assert.deepEqual(rows(p), [["c1", "ann@example.com"], ["c2", "bob@example.com"]]);
	const cells = Array.from(p.$(".fac-conn-row").children).map((td) => td.textContent.replace(/\s+/g, " ").trim());
	assert.deepEqual(cells, ["App c1c1", "annann@example.com", "mcp offline_access", "2026-12-01 10:00", "2026-12-04 09:30", "Revoke"]);
	assert.equal(p.window.__pwned, undefined, "names are text, not markup");
	assert.ok(p.root.querySelectorAll(".fac-conn-row")[1].textContent.includes("<script>"));
	assert.match(p.$(".fac-admin-connections").textContent, /Last token issued: when the client last signed in or renewed its token/);
	assert.deepEqual(p.api.calls.filter(([m]) => m.includes("connect")), [["get_connected_clients", {}, "GET"]]);
});

test("Revoke asks first, then revokes that user's grant for that client and reloads", async () => {
	const p = page([grant("c1", "ann@example.com"), grant("c1", "bob@example.com")]);
	await p.connections.load();
	p.root.querySelectorAll(".fac-conn-revoke")[1].click();
	await flush();
	assert.match(p.asked[0], /Revoke App c1 for bob@example\.com\?/);
	assert.deepEqual(p.api.calls.find(([m]) => m === "revoke_connected_client"), ["revoke_connected_client", { client: "c1", user: "bob@example.com" }, "POST"]);
	assert.deepEqual(rows(p), [["c1", "ann@example.com"]]);
	assert.deepEqual(p.notes, ["App c1 revoked"]);
});

test("declining the confirmation revokes nothing", async () => {
	const p = page([grant("c1", "ann@example.com")], { confirm: false });
	await p.connections.load();
	assert.equal(await p.connections.revoke("c1", "ann@example.com"), false);
	assert.equal(p.api.calls.some(([m]) => m.startsWith("revoke")), false);
	assert.deepEqual(rows(p), [["c1", "ann@example.com"]]);
});

test("a refused revocation shows the server's message and keeps the row", async () => {
	const p = page([grant("c1", "ann@example.com")]);
	await p.connections.load();
	p.api.grants = [];
	assert.equal(await p.connections.revoke("c1", "ann@example.com"), false);
	assert.match(p.$(".fac-conn-error").textContent, /ann@example\.com has no connection to the OAuth client c1/);
});

test("own mode: a user sees and revokes only their own, with no user column", async () => {
	const p = page([grant("c1", "ann@example.com"), grant("c2", "bob@example.com")], { mode: "own" });
	await p.connections.load();
	assert.equal(p.$("#fac-conn-heading").textContent, "My connections");
	assert.deepEqual(rows(p), [["c1", "ann@example.com"]]);
	assert.equal(p.root.querySelectorAll(".fac-conn-table thead th").length, 5);
	p.$(".fac-conn-revoke").click();
	await flush();
	assert.deepEqual(p.api.calls.find(([m]) => m === "revoke_my_connection"), ["revoke_my_connection", { client: "c1" }, "POST"]);
	assert.match(p.$(".fac-conn-empty").textContent, /You have not connected any app/);
});

test("a list that cannot load says why", async () => {
	const p = page([]);
	p.api._get_connected_clients = () => {
		throw new ServerError("Only System Managers and Assistant Admins can manage Frappe Assistant Core");
	};
	assert.equal(await p.connections.load(), false);
	assert.match(p.$(".fac-conn-error").textContent, /Only System Managers/);
});

test("the doctor button runs the checks and shows each with its fix and a verdict per client", async () => {
	const p = page([]);
	assert.equal(p.$(".fac-doctor-check"), null, "nothing before it runs");
	p.$(".fac-doctor-run").click();
	await flush();
	assert.deepEqual(p.api.calls.find(([m]) => m === "run_connection_doctor"), ["run_connection_doctor", {}, "POST"]);
	const checks = Array.from(p.root.querySelectorAll(".fac-doctor-check")).map((li) => [li.getAttribute("data-check"), li.getAttribute("data-status")]);
	assert.deepEqual(checks, [["site-url", "ok"], ["registration", "fail"]]);
	const failing = p.$('.fac-doctor-check[data-check="registration"]').textContent.replace(/\s+/g, " ");
	assert.match(failing, /fail Client registration Clients have no way to register .*Fix: Switch it on/);
	assert.equal(p.window.__pwned, undefined);
	assert.match(p.$('.fac-doctor-family[data-family="claude"]').textContent, /Claude: will fail: registration/);
	assert.match(p.$('.fac-doctor-family[data-family="ide"]').textContent, /nothing in the way/);
	assert.equal(p.$(".fac-doctor-run").disabled, false);
});

test("the connect panel says the site offers OAuth sign-in and its link opens the doctor", async () => {
	const guide = connectGuide({ origin: "https://erp.example.com", user: "ann@example.com", isSystemManager: true });
	assert.match(guide.oauth, /this site offers it/);
	assert.match(guide.oauth, /need only the endpoint URL and a login on this site/);
	const byId = Object.fromEntries(guide.clients.map((c) => [c.id, c]));
	assert.match(byId.claude.help, /sign in with OAuth only/);
	assert.match(byId.claude.help, /public https URL/);
	assert.match(byId.chatgpt.help, /client registration on/);
	const p = page([]);
	const panel = new ConnectPanel(p.root, { origin: "https://erp.example.com", user: "ann@example.com", isSystemManager: true, copy: () => true });
	assert.equal(panel.el.querySelector(".fac-connect-my-connections").getAttribute("href"), "/app/fac-connections");
	panel.el.querySelector(".fac-connect-doctor").click();
	assert.equal(p.window.document.activeElement, p.$(".fac-doctor-run"));
});
