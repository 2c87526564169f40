// FAC Admin page: "Test" on a tool row runs a real MCP tools/call as the signed-in user.
//
// The call goes to the site's MCP endpoint itself (JSON-RPC over HTTP, the desk session's cookie and
// CSRF token), so it meets exactly what an MCP client meets: the endpoint's guards, the user's
// permissions and role restrictions, the connection's rules, and the FAC Tool Call Log (the row
// names the client "FAC Admin tool test"). The arguments form is generated from the inputSchema the
// endpoint's tools/list gives this user (schema_form.js); a tool missing from that list gets a
// JSON box, so the endpoint's own refusal can be seen. Results and errors are shown as text, never
// as markup, and never through desk's template renderer. Browser: window.fac_admin.ToolTrial;
// node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const schemaForm = isNode ? require("./schema_form.js") : root.fac_admin.schemaForm;
	const mcpClient = isNode ? require("./mcp_client.js") : root.fac_admin.mcpClient;
	const api = factory(util, schemaForm, mcpClient);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.ToolTrial = api.ToolTrial;
		root.fac_admin.toolTrial = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util, schemaForm, mcpClient) {
	"use strict";

	const { __, esc } = util;
	const { outcomeOf } = mcpClient;
	const LOG_LIST = "/app/fac-tool-call-log";
	const INTRO = "fac_test_intro";
	const RAW_ARGUMENTS = "fac_test_arguments";
	const CONFIRM = "fac_test_confirm";
	const RESULT = "fac_test_result";
	// The first characters of a long result are shown; the Tool Call Log and a client get all of it.
	const SHOWN_CHARS = 20000;

	/** The result box's HTML for an outcome (all text escaped). */
	function outcomeHtml(outcome, { tool, ms } = {}) {
		const long = outcome.text.length > SHOWN_CHARS;
		const text = long ? outcome.text.slice(0, SHOWN_CHARS) : outcome.text;
		const notes = [];
		if (ms !== undefined) {
			notes.push(__("{0} ms", [Math.round(ms)]));
		}
		if (long) {
			notes.push(__("showing the first {0} of {1} characters", [SHOWN_CHARS, outcome.text.length]));
		}
		const log = tool
			? `<a class="fac-test-log-link" href="${esc(`${LOG_LIST}?tool=${encodeURIComponent(tool)}`)}">${esc(
					__("Calls of {0} in the Tool Call Log", [tool])
				)}</a>`
			: "";
		return `
			<div class="fac-test-outcome fac-test-outcome--${esc(outcome.state)}" role="status">
				<p class="fac-test-outcome-title">${esc(outcome.title)}${notes.length ? ` <span class="fac-test-outcome-meta">(${esc(notes.join(", "))})</span>` : ""}</p>
				<pre class="fac-test-outcome-text">${esc(text)}</pre>
				${log}
			</div>`;
	}

	function _errorsHtml(errors) {
		const items = errors.map((e) => `<li>${esc(e.message)}</li>`).join("");
		return `<div class="fac-test-outcome fac-test-outcome--invalid" role="alert">
			<p class="fac-test-outcome-title">${esc(__("Check the arguments"))}</p><ul>${items}</ul></div>`;
	}

	/** The dialog's opening text: what runs, as whom, and a warning when the tool can change data. */
	function introHtml({ tool, user, listed, readOnly, listError }) {
		const parts = [];
		if (tool.description) {
			parts.push(`<p class="fac-test-description">${esc(tool.description)}</p>`);
		}
		parts.push(
			`<p class="fac-test-help">${esc(
				__("Runs a real tools/call as {0} through this site's MCP endpoint: your permissions, the tool's switches and role access, and the Tool Call Log apply as they do for an MCP client.", [user])
			)}</p>`
		);
		if (!readOnly) {
			parts.push(
				`<p class="fac-test-warning">${esc(
					__("{0} can change data. The call is real: what it creates, changes or deletes stays so.", [tool.name])
				)}</p>`
			);
		}
		if (listError) {
			parts.push(`<p class="fac-test-warning">${esc(__("Could not read your tools/list: {0}", [listError]))}</p>`);
		} else if (!listed) {
			parts.push(
				`<p class="fac-test-warning">${esc(
					__("{0} is not in your tools/list, so an MCP client of yours cannot use it (its plugin or switch is off, a role restriction or permission hides it, or the connection does not allow it). Run it to see the endpoint's answer.", [tool.name])
				)}</p>`
			);
		}
		return parts.join("");
	}

	/** The DOM element of a dialog field (desk keeps it as `wrapper`, and `$wrapper` in jQuery). */
	function _box(dialog, fieldname) {
		const field = dialog.fields_dict[fieldname];
		const wrapper = field && (field.wrapper && field.wrapper.nodeType ? field.wrapper : field.$wrapper && field.$wrapper[0]);
		return wrapper || null;
	}

	/** Write escaped HTML into an HTML field's element directly (desk would template its options). */
	function _show(dialog, fieldname, html) {
		const box = _box(dialog, fieldname);
		if (box) {
			box.innerHTML = html;
		}
	}

	class ToolTrial {
		/**
		 * @param {HTMLElement} root the page body; its ".fac-tool-test" buttons open the tester
		 * @param {{mcp: McpClient, Dialog: Function, user: string, lookup: Function}} deps Dialog is
		 *   frappe.ui.Dialog; lookup(name) gives the tool's row from the admin API (or undefined)
		 */
		constructor(root, { mcp, Dialog, user, lookup }) {
			this.root = root;
			this.mcp = mcp;
			this.Dialog = Dialog;
			this.user = user;
			this.lookup = lookup || (() => undefined);
			this.dialog = null;
			this.session = null;
			root.addEventListener("click", (event) => {
				const button = event.target.closest && event.target.closest("button.fac-tool-test");
				if (button && root.contains(button)) {
					this.open(button.getAttribute("data-tool"), button);
				}
			});
		}

		/** Read this user's tools/list, then show the dialog for `name` with its arguments form. */
		async open(name, button) {
			if (this.session && this.session.opening) {
				return null;
			}
			const session = { name, opening: true, running: false };
			this.session = session;
			if (button) {
				button.disabled = true;
				button.setAttribute("aria-busy", "true");
			}
			let listed = null;
			let listError = null;
			try {
				listed = (await this.mcp.listTools()).find((tool) => tool.name === name) || null;
			} catch (err) {
				listError = (err && err.message) || String(err);
			} finally {
				if (button) {
					button.disabled = false;
					button.removeAttribute("aria-busy");
				}
				session.opening = false;
			}
			const row = this.lookup(name) || {};
			const readOnly = listed
				? Boolean(listed.annotations && listed.annotations.readOnlyHint)
				: row.category === "read_only";
			session.fields = listed ? schemaForm.argumentFields(listed.inputSchema) : null;
			session.needsConfirm = !readOnly;
			const tool = { name, description: (listed && listed.description) || row.description || "" };
			this.dialog = this._dialog(tool, session);
			this.dialog.show();
			_show(this.dialog, INTRO, introHtml({ tool, user: this.user, listed: Boolean(listed), readOnly, listError }));
			return this.dialog;
		}

		_dialog(tool, session) {
			const fields = [{ fieldtype: "HTML", fieldname: INTRO }];
			if (session.fields) {
				fields.push(...this._escapedFields(schemaForm.deskFields(session.fields)));
			} else {
				fields.push({
					fieldtype: "Small Text",
					fieldname: RAW_ARGUMENTS,
					label: __("Arguments (a JSON object)"),
					default: "{}",
				});
			}
			if (session.needsConfirm) {
				fields.push({
					fieldtype: "Check",
					fieldname: CONFIRM,
					label: __("I understand that this call really changes data"),
				});
			}
			fields.push({ fieldtype: "Section Break", label: __("Result") }, { fieldtype: "HTML", fieldname: RESULT });
			return new this.Dialog({
				title: esc(__("Test tool {0}", [tool.name])),
				size: "large",
				fields,
				primary_action_label: __("Run"),
				primary_action: () => this.run(),
			});
		}

		/** Desk renders labels, descriptions and select labels as HTML: they come from tool code. */
		_escapedFields(fields) {
			return fields.map((df) => {
				const out = Object.assign({}, df, { label: esc(df.label), description: esc(df.description) });
				if (Array.isArray(df.options)) {
					out.options = df.options.map((value) => ({ value, label: esc(value) }));
				}
				return out;
			});
		}

		/** The arguments from the form, or null after showing why they cannot be sent. */
		_arguments(values) {
			const session = this.session;
			let result;
			if (session.fields) {
				result = schemaForm.collectArguments(session.fields, values);
			} else {
				result = schemaForm.collectArguments(
					[{ name: "arguments", fieldname: RAW_ARGUMENTS, kind: "json", json: "object", label: __("Arguments"), required: false }],
					values
				);
				result.arguments = result.arguments.arguments || {};
			}
			if (session.needsConfirm && !values[CONFIRM]) {
				result.errors.push({ field: CONFIRM, message: __("Tick the box to confirm that this call may change data.") });
			}
			if (result.errors.length) {
				_show(this.dialog, RESULT, _errorsHtml(result.errors));
				return null;
			}
			return result.arguments;
		}

		/** Send tools/call with the form's arguments and show the endpoint's answer. */
		async run() {
			const session = this.session;
			if (!session || !this.dialog || session.running) {
				return null;
			}
			const args = this._arguments(this.dialog.get_values(true) || {});
			if (!args) {
				return null;
			}
			session.running = true;
			this.dialog.disable_primary_action();
			_show(this.dialog, RESULT, `<p class="fac-empty">${esc(__("Running…"))}</p>`);
			const started = Date.now();
			let outcome;
			try {
				outcome = outcomeOf(await this.mcp.callTool(session.name, args));
			} catch (err) {
				outcome = { state: "refused", title: __("The request failed"), text: (err && err.message) || String(err) };
			} finally {
				session.running = false;
				this.dialog.enable_primary_action();
			}
			_show(this.dialog, RESULT, outcomeHtml(outcome, { tool: session.name, ms: Date.now() - started }));
			return outcome;
		}
	}

	return { ToolTrial, outcomeHtml, introHtml };
});
