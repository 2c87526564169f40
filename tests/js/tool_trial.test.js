// "Test" on a tool row (public/js/fac_admin/tool_trial.js, mcp_client.js): the dialog's form comes
// from the inputSchema of the user's tools/list, Run sends a real JSON-RPC tools/call to the MCP
// endpoint with the session's CSRF token, and the answer (result, tool error, refusal) is shown as
// text. Desk's Dialog and the endpoint are stand-ins (desk_fakes.js); the browser test runs the real ones.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { Controller } = require("../../frappe_assistant_core/public/js/fac_admin/controller.js");
const { ToolTrial } = require("../../frappe_assistant_core/public/js/fac_admin/tool_trial.js");
const { McpClient, outcomeOf } = require("../../frappe_assistant_core/public/js/fac_admin/mcp_client.js");
const { FakeAdminApi, HOSTILE, dom, flush } = require("./support.js");
const { FakeDialog, fakeMcpFetch } = require("./desk_fakes.js");

const ENDPOINT = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp";
const DOCUMENT_GET = {
	name: "document_get",
	description: "Get one document",
	annotations: { readOnlyHint: true, destructiveHint: false },
	inputSchema: {
		type: "object",
		required: ["doctype", "name"],
		properties: { doctype: { type: "string", minLength: 1 }, name: { type: "string", minLength: 1 } },
	},
};
const DOCUMENT_CREATE = {
	name: "document_create",
	description: "Create a document",
	annotations: { readOnlyHint: false, destructiveHint: false },
	inputSchema: {
		type: "object",
		required: ["doctype"],
		properties: { doctype: { type: "string" }, data: { type: "object" }, validate_only: { type: "boolean", default: false } },
	},
};

function success(value) {
	return { status: 200, body: { result: { content: [{ type: "text", text: JSON.stringify(value) }], isError: false, structuredContent: value } } };
}

async function page({ tools = [DOCUMENT_GET, DOCUMENT_CREATE], onCall, listAnswer } = {}) {
	const env = dom();
	const api = new FakeAdminApi();
	const controller = new Controller(env.root, { api, ui: {} });
	await controller.load();
	const endpoint = fakeMcpFetch({ tools, onCall: onCall || (() => success({ ok: true })), listAnswer });
	const mcp = new McpClient({ fetch: endpoint.fetch, csrfToken: "tok-123" });
	const tester = new ToolTrial(env.root, {
		mcp,
		Dialog: FakeDialog,
		user: "admin@example.com",
		lookup: (name) => controller.state.tools.find((t) => t.name === name),
	});
	const click = async (name) => {
		env.root.querySelector(`button.fac-tool-test[data-tool="${name}"]`).click();
		await flush();
		return FakeDialog.last;
	};
	return Object.assign(env, { controller, tester, endpoint, click });
}

test("every tool row has a Test button that opens a dialog built from the user's tools/list", async () => {
	const p = await page();
	assert.equal(p.root.querySelectorAll("button.fac-tool-test").length, p.controller.state.tools.length);
	const dialog = await p.click("document_get");
	assert.equal(dialog.shown, true);
	assert.equal(p.endpoint.requests.length, 1);
	const [listed] = p.endpoint.requests;
	assert.equal(listed.url, ENDPOINT);
	assert.equal(listed.init.method, "POST");
	assert.equal(listed.init.credentials, "same-origin");
	assert.equal(listed.init.headers["X-Frappe-CSRF-Token"], "tok-123");
	assert.equal(listed.init.headers["MCP-Protocol-Version"], "2025-11-25");
	assert.equal(listed.body.method, "tools/list");
	assert.deepEqual(listed.body.params._meta.clientInfo, { name: "FAC Admin tool test", version: "1" });
	assert.deepEqual(
		dialog.opts.fields.filter((df) => (df.fieldname || "").startsWith("fac_arg_")).map((df) => [df.label, df.fieldtype, df.reqd]),
		[
			["doctype", "Data", 1],
			["name", "Data", 1],
		]
	);
	assert.match(dialog.text("fac_test_intro"), /Runs a real tools\/call as admin@example\.com/);
	assert.doesNotMatch(dialog.text("fac_test_intro"), /can change data/, "a read-only tool has no warning");
	assert.equal(dialog.fields_dict.fac_test_confirm, undefined);
});

test("Run sends tools/call with the form's arguments and shows the structured result", async () => {
	const calls = [];
	const p = await page({ onCall: (params) => (calls.push(params), success({ doctype: "ToDo", name: "T-1", description: "Call the supplier" })) });
	const dialog = await p.click("document_get");
	dialog.set(dialog.field("doctype").df.fieldname, "ToDo");
	dialog.set(dialog.field("name").df.fieldname, "T-1");
	const outcome = await dialog.primary();
	assert.equal(outcome.state, "success");
	assert.deepEqual(calls, [{ name: "document_get", arguments: { doctype: "ToDo", name: "T-1" }, _meta: { clientInfo: { name: "FAC Admin tool test", version: "1" } } }]);
	const shown = dialog.text("fac_test_result");
	assert.match(shown, /^Result \(\d+ ms\)/);
	assert.match(shown, /"description": "Call the supplier"/);
	const link = dialog.fields_dict.fac_test_result.wrapper.querySelector("a.fac-test-log-link");
	assert.equal(link.getAttribute("href"), "/app/fac-tool-call-log?tool=document_get");
	assert.equal(dialog.primaryDisabled, false, "Run is available again");
});

test("a tool error and a JSON-RPC refusal are shown as such, with the server's words", async () => {
	let answer = { status: 200, body: { result: { content: [{ type: "text", text: "No permission to read Error Log" }], isError: true } } };
	const p = await page({ onCall: () => answer });
	const dialog = await p.click("document_get");
	dialog.set(dialog.field("doctype").df.fieldname, "Error Log");
	dialog.set(dialog.field("name").df.fieldname, "x");
	assert.equal((await dialog.primary()).state, "tool_error");
	assert.match(dialog.text("fac_test_result"), /The tool returned an error .* No permission to read Error Log/);
	answer = { status: 200, body: { error: { code: -32602, message: "Tool document_get is not available" } } };
	assert.equal((await dialog.primary()).state, "refused");
	assert.match(dialog.text("fac_test_result"), /Refused by the MCP endpoint \(JSON-RPC error -32602, HTTP 200\).*Tool document_get is not available/);
});

test("arguments that cannot be read are listed and nothing is sent", async () => {
	const p = await page();
	const dialog = await p.click("document_get");
	dialog.set(dialog.field("doctype").df.fieldname, "ToDo");
	assert.equal(await dialog.primary(), null);
	assert.match(dialog.text("fac_test_result"), /Check the arguments.*name is required/);
	assert.deepEqual(
		p.endpoint.requests.map((r) => r.body.method),
		["tools/list"]
	);
});

test("a tool that can change data warns and runs only once the box is ticked", async () => {
	const p = await page();
	const dialog = await p.click("document_create");
	assert.match(dialog.text("fac_test_intro"), /document_create can change data\. The call is real/);
	dialog.set(dialog.field("doctype").df.fieldname, "ToDo");
	dialog.set(dialog.field("data").df.fieldname, '{"description": "from the tester"}');
	assert.equal(await dialog.primary(), null);
	assert.match(dialog.text("fac_test_result"), /Tick the box to confirm/);
	dialog.set("fac_test_confirm", 1);
	assert.equal((await dialog.primary()).state, "success");
	const call = p.endpoint.requests.at(-1).body.params;
	assert.deepEqual(call.arguments, { doctype: "ToDo", data: { description: "from the tester" }, validate_only: false });
});

test("a tool missing from the user's tools/list gets a JSON box and the endpoint's own answer", async () => {
	const p = await page({
		tools: [DOCUMENT_GET],
		onCall: () => ({ status: 200, body: { error: { code: -32602, message: "Tool execute_python_code is not available" } } }),
	});
	const dialog = await p.click("execute_python_code");
	assert.match(dialog.text("fac_test_intro"), /execute_python_code is not in your tools\/list/);
	assert.match(dialog.text("fac_test_intro"), /can change data/, "its category (privileged) comes from the page's data");
	assert.equal(dialog.fields_dict.fac_test_arguments.df.default, "{}");
	dialog.set("fac_test_arguments", '{"code": "print(1)"}');
	dialog.set("fac_test_confirm", 1);
	const outcome = await dialog.primary();
	assert.deepEqual(p.endpoint.requests.at(-1).body.params.arguments, { code: "print(1)" });
	assert.equal(outcome.state, "refused");
	assert.match(dialog.text("fac_test_result"), /Tool execute_python_code is not available/);
	dialog.set("fac_test_arguments", "[1]");
	assert.equal(await dialog.primary(), null);
	assert.match(dialog.text("fac_test_result"), /must be a JSON object/);
});

test("when tools/list itself is refused the dialog says why and still offers the JSON box", async () => {
	const p = await page({ listAnswer: { status: 503, body: { error: { code: -32000, message: "The MCP server is disabled on this site" } } } });
	const dialog = await p.click("document_get");
	assert.match(dialog.text("fac_test_intro"), /Could not read your tools\/list: The MCP server is disabled on this site/);
	assert.ok(dialog.fields_dict.fac_test_arguments);
});

test("text from the tool, its description and the server is shown as text, never as markup", async () => {
	const hostile = { ...DOCUMENT_GET, description: "Get " + HOSTILE };
	hostile.inputSchema = { type: "object", properties: { ["<b>x</b>"]: { type: "string", description: HOSTILE, enum: [HOSTILE] } } };
	const p = await page({ tools: [hostile], onCall: () => ({ status: 200, body: { result: { content: [{ type: "text", text: HOSTILE }], isError: true } } }) });
	const dialog = await p.click("document_get");
	const [df] = dialog.opts.fields.filter((f) => (f.fieldname || "").startsWith("fac_arg_"));
	assert.equal(df.label, "&lt;b&gt;x&lt;/b&gt;", "desk renders labels as HTML: given escaped");
	assert.doesNotMatch(df.description, /<script|<img/);
	assert.ok(df.options.every((o) => !/<img/.test(o.label)), "select labels escaped, values kept");
	assert.equal(df.options.at(-1).value, HOSTILE);
	await dialog.primary();
	for (const name of ["fac_test_intro", "fac_test_result"]) {
		const box = dialog.fields_dict[name].wrapper;
		assert.equal(box.querySelector("script, img"), null, name);
	}
	assert.match(dialog.text("fac_test_result"), /<script>window.__pwned = 1<\/script>/);
});

test("the Test button is busy while tools/list is read, and a second click does not open twice", async () => {
	const p = await page();
	let release;
	const gate = new Promise((resolve) => (release = resolve));
	const inner = p.tester.mcp.fetch;
	p.tester.mcp.fetch = async (...args) => {
		await gate;
		return inner(...args);
	};
	const button = p.root.querySelector('button.fac-tool-test[data-tool="document_get"]');
	FakeDialog.last = null;
	button.click();
	await flush();
	assert.equal(button.disabled, true);
	assert.equal(button.getAttribute("aria-busy"), "true");
	button.disabled = false;
	button.click();
	release();
	await flush();
	assert.equal(p.endpoint.requests.length, 1, "one tools/list for two clicks");
	assert.ok(FakeDialog.last && FakeDialog.last.shown);
	assert.equal(button.getAttribute("aria-busy"), null);
});

test("an answer that is not JSON-RPC (Frappe's own refusal, a proxy page) is shown as plain text", () => {
	const csrf = outcomeOf({ status: 400, body: { exc_type: "CSRFTokenError", _server_messages: JSON.stringify([JSON.stringify({ message: "Invalid Request" })]) }, text: "" });
	assert.deepEqual([csrf.state, csrf.title, csrf.text], ["refused", "The MCP endpoint answered HTTP 400", "Invalid Request"]);
	const proxy = outcomeOf({ status: 502, body: null, text: "<html><body><h1>Bad Gateway</h1></body></html>" });
	assert.equal(proxy.text, "Bad Gateway");
	const plain = outcomeOf({ status: 200, body: { result: { content: [{ type: "text", text: '{"a":1}' }], isError: false } } });
	assert.equal(plain.text, '{\n  "a": 1\n}', "a text result holding JSON is pretty-printed");
});
