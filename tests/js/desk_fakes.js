// Stand-ins for the tool tester's desk dependencies: frappe.ui.Dialog (the subset it uses, with
// desk's get_values() rules) and window.fetch answering like the MCP endpoint.
"use strict";

const { dom } = require("./support.js");

/**
 * frappe.ui.Dialog as far as the tester uses it: fields_dict[fieldname].wrapper (an element),
 * get_values() leaving out blank values (as desk does), show, primary action enable/disable.
 * The last one made is FakeDialog.last; `set(fieldname, value)` types into a field.
 */
class FakeDialog {
	constructor(opts) {
		this.opts = opts;
		this.document = dom().document;
		this.fields_dict = {};
		this.values = {};
		this.shown = false;
		this.primaryDisabled = false;
		for (const df of opts.fields) {
			if (!df.fieldname) {
				continue;
			}
			const wrapper = this.document.createElement("div");
			this.document.body.appendChild(wrapper);
			this.fields_dict[df.fieldname] = { df, wrapper };
			if (df.fieldtype === "Check") {
				this.values[df.fieldname] = df.default ? 1 : 0;
			} else if (df.default !== undefined) {
				this.values[df.fieldname] = df.default;
			}
		}
		FakeDialog.last = this;
	}

	show() {
		this.shown = true;
	}

	set(fieldname, value) {
		assert(fieldname in this.fields_dict, `no field ${fieldname}`);
		this.values[fieldname] = value;
	}

	get_values() {
		return Object.fromEntries(Object.entries(this.values).filter(([, v]) => v !== null && v !== undefined && v !== ""));
	}

	disable_primary_action() {
		this.primaryDisabled = true;
	}

	enable_primary_action() {
		this.primaryDisabled = false;
	}

	/** Click the primary button. */
	primary() {
		return this.opts.primary_action(this.get_values());
	}

	/** The field whose label (escaped, as given to desk) is `label`. */
	field(label) {
		return Object.values(this.fields_dict).find((f) => f.df.label === label);
	}

	text(fieldname) {
		return this.fields_dict[fieldname].wrapper.textContent.replace(/\s+/g, " ").trim();
	}
}

function assert(condition, message) {
	if (!condition) {
		throw new Error(message);
	}
}

/**
 * window.fetch for the MCP endpoint: records every request ({url, init, body}) and answers
 * tools/list with `tools` and tools/call with `onCall(params)` ({status, body} or a thrown Error).
 * `listError` makes tools/list answer that instead.
 */
function fakeMcpFetch({ tools = [], onCall, listAnswer } = {}) {
	const requests = [];
	const fetch = async (url, init) => {
		const body = JSON.parse(init.body);
		requests.push({ url, init, body });
		let answer;
		if (body.method === "tools/list") {
			answer = listAnswer || { status: 200, body: { jsonrpc: "2.0", id: body.id, result: { tools } } };
		} else {
			answer = await onCall(body.params);
		}
		const text = typeof answer.body === "string" ? answer.body : JSON.stringify(Object.assign({ jsonrpc: "2.0", id: body.id }, answer.body));
		return { status: answer.status || 200, text: async () => text };
	};
	return { fetch, requests };
}

module.exports = { FakeDialog, fakeMcpFetch };
