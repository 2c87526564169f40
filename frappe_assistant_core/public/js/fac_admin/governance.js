// FAC Admin page: the Governance section (read-only mode, read-only roles, approvals, rate limits,
// narrowed connection URLs, pending approvals) and each tool's own approval and rate limit.
//
// Self-contained like the Usage section: the desk glue creates it next to the Controller with the
// same `api` and `ui` adapters. Read-only mode is a switch that saves at once; the other site-wide
// controls save together with their Save button. In a tool's dialog (announced by the editor as
// "fac-tool-dialog-open") it adds a fieldset whose values are saved when the dialog's form is
// submitted. Browser: window.fac_admin.GovernanceSection; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const api = factory(util);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.GovernanceSection = api.GovernanceSection;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util) {
	"use strict";

	const { __, esc, flag } = util;
	const METHOD_PREFIX = "frappe_assistant_core.api.admin_governance.";
	const ROLES_METHOD = "frappe_assistant_core.api.admin_api.get_available_roles";
	const PENDING_LIST = "/app/fac-approval-request?status=Pending";
	const CATEGORY_FIELDS = [
		["approval_for_write", "Write tools"],
		["approval_for_read_write", "Read & Write tools"],
		["approval_for_privileged", "Privileged tools"],
	];
	const NUMBER_FIELDS = [
		["rate_limit_per_user", "Tool calls per user per minute"],
		["rate_limit_per_tool", "Calls of one tool per user per minute"],
		["approval_expiry_hours", "Approval requests expire after (hours)"],
	];

	function readOnlySwitch(on, busy) {
		return `
			<label class="fac-switch fac-gov-switch${busy ? " is-busy" : ""}">
				<input type="checkbox" role="switch" class="fac-switch-input fac-gov-read-only" aria-checked="${on ? "true" : "false"}"
					aria-describedby="fac-gov-read-only-help"${on ? " checked" : ""}${busy ? " disabled aria-busy=\"true\"" : ""}>
				<span class="fac-switch-track" aria-hidden="true"></span>
				<span class="fac-switch-state">${esc(__("Read-only mode"))}: ${esc(on ? __("On") : __("Off"))}</span>
			</label>
			<p id="fac-gov-read-only-help" class="fac-help">${esc(__("When on, assistants see and call only read-only tools, whatever else is enabled."))}</p>`;
	}

	function roleBoxes(roles, chosen) {
		const all = Array.from(new Set([...(roles || []), ...chosen])).sort((a, b) => a.localeCompare(b));
		if (!all.length) {
			return `<p class="fac-empty">${esc(__("Loading roles…"))}</p>`;
		}
		return all
			.map(
				(role) =>
					`<label class="fac-role"><input type="checkbox" name="read_only_roles" value="${esc(role)}"${chosen.includes(role) ? " checked" : ""}> ${esc(role)}</label>`
			)
			.join("");
	}

	function form(g, roles) {
		const categories = CATEGORY_FIELDS.map(
			([field, label]) => `<label class="fac-check"><input type="checkbox" name="${field}"${flag(g[field]) ? " checked" : ""}> ${esc(__(label))}</label>`
		).join("");
		const modes = (g.approval_modes || []).map((m) => `<option value="${esc(m)}"${m === g.approval_mode ? " selected" : ""}>${esc(__(m))}</option>`).join("");
		const numbers = NUMBER_FIELDS.map(
			([field, label]) =>
				`<label class="fac-field"><span class="fac-field-label">${esc(__(label))}</span>` +
				`<input type="number" min="1" step="1" required class="form-control input-xs" name="${field}" value="${esc(g[field])}"></label>`
		).join("");
		return `
			<form class="fac-gov-form" novalidate>
				<fieldset class="fac-fieldset">
					<legend>${esc(__("Read-only roles"))}</legend>
					<p class="fac-help">${esc(__("Users with any of these roles reach only read-only tools."))}</p>
					<div class="fac-role-list fac-gov-roles" role="group" aria-label="${esc(__("Read-only roles"))}">${roleBoxes(roles, g.read_only_roles || [])}</div>
				</fieldset>
				<fieldset class="fac-fieldset">
					<legend>${esc(__("Approvals"))}</legend>
					<p class="fac-help">${esc(__("Calls of these tools wait for a yes before they run (a tool can also require it on its own, in its dialog)."))}</p>
					${categories}
					<label class="fac-field"><span class="fac-field-label">${esc(__("Approval by"))}</span>
						<select class="form-control input-xs" name="approval_mode">${modes}</select></label>
					<p class="fac-help">${esc(__("Client or Approver: a client that can ask its user shows the call for confirmation; other calls wait for an Assistant Approver in the desk."))}</p>
				</fieldset>
				<fieldset class="fac-fieldset">
					<legend>${esc(__("Rate limits"))}</legend>
					${numbers}
				</fieldset>
				<div class="fac-dialog-actions">
					<button type="submit" class="btn btn-sm btn-primary fac-gov-save">${esc(__("Save governance settings"))}</button>
				</div>
			</form>`;
	}

	function urls(g) {
		const u = g.urls || {};
		const row = (label, value) =>
			`<label class="fac-field"><span class="fac-field-label">${esc(label)}</span><input type="text" readonly class="form-control input-xs fac-gov-url" value="${esc(value)}"></label>`;
		return `
			<div class="fac-gov-urls">
				<h3>${esc(__("Connection URLs"))}</h3>
				<p class="fac-help">${esc(__("Add the same site twice to a client such as Claude or ChatGPT: once read-only, once in full. A URL can also name plugins."))}</p>
				${row(__("Full"), u.full)}${row(__("Read-only"), u.read_only)}${row(__("Only some plugins"), u.plugins)}
			</div>`;
	}

	function section(g, roles, busy, error) {
		const head = `
			<div class="fac-section-head">
				<h2 id="fac-governance-heading">${esc(__("Governance"))}</h2>
				<a class="fac-section-link fac-gov-pending" href="${PENDING_LIST}">${esc(__("Approval requests waiting: {0}", [g ? g.pending_approvals : "…"]))}</a>
				<button type="button" class="btn btn-xs btn-default fac-gov-refresh">${esc(__("Refresh"))}</button>
			</div>`;
		const problem = `<p class="fac-gov-error" role="alert"${error ? "" : " hidden"}>${esc(error || "")}</p>`;
		if (!g) {
			return `${head}${problem}<p class="fac-empty">${esc(__("Loading…"))}</p>`;
		}
		return `${head}${problem}${readOnlySwitch(flag(g.read_only_mode), busy)}${form(g, roles)}${urls(g)}`;
	}

	function toolFieldset(tool, values) {
		return `
			<fieldset class="fac-fieldset fac-dialog-governance" data-tool="${esc(tool)}">
				<legend>${esc(__("Governance"))}</legend>
				<label class="fac-check"><input type="checkbox" name="requires_approval"${flag(values.requires_approval) ? " checked" : ""}>
					${esc(__("Requires approval"))}</label>
				<label class="fac-field"><span class="fac-field-label">${esc(__("Rate limit (calls per user per minute, 0: the site's)"))}</span>
					<input type="number" min="0" step="1" class="form-control input-xs" name="rate_limit" value="${esc(values.rate_limit)}"></label>
			</fieldset>`;
	}

	class GovernanceSection {
		/**
		 * @param {HTMLElement} root the page body the Controller renders into
		 * @param {{api: {call: Function}, ui?: {notify?: Function}}} deps
		 */
		constructor(root, { api, ui }) {
			this.root = root;
			this.api = api;
			this.ui = ui || {};
			this.governance = null;
			this.roles = null;
			this.busy = false;
			this.error = null;
			this.toolValues = new Map();
			this.el = util.sectionBelowTools(root, "fac-admin-governance", "fac-governance-heading");
			this.el.addEventListener("click", (event) => {
				if (event.target.closest(".fac-gov-refresh")) {
					this.load();
				}
			});
			this.el.addEventListener("change", (event) => {
				if (event.target.classList.contains("fac-gov-read-only")) {
					this.setReadOnly(event.target.checked);
				}
			});
			this.el.addEventListener("submit", (event) => {
				event.preventDefault();
				this.save();
			});
			root.addEventListener("fac-tool-dialog-open", (event) => this.fillToolDialog(event.detail.box, event.detail.tool));
			// Capture phase: read the tool's fields before the editor's own submit handler closes the dialog.
			root.addEventListener("submit", (event) => this._onToolDialogSubmit(event), true);
			this.render();
		}

		_call(method, args, type) {
			const path = method.includes(".") ? method : METHOD_PREFIX + method;
			return Promise.resolve().then(() => this.api.call(path, args || {}, { type: type || "POST" }));
		}

		async load() {
			try {
				const [governance, roles] = await Promise.all([
					this._call("get_governance", {}, "GET"),
					this.roles ? Promise.resolve(this.roles) : this._call(ROLES_METHOD, {}, "GET"),
				]);
				this.governance = governance;
				this.roles = roles || [];
				this.error = null;
			} catch (err) {
				this.error = (err && err.message) || __("Could not load the governance settings.");
			}
			this.render();
			return !this.error;
		}

		render() {
			this.el.innerHTML = section(this.governance, this.roles, this.busy, this.error);
		}

		_fail(err, fallback) {
			this.error = util.plainText((err && err.message) || err) || fallback;
			if (this.ui.notify) {
				this.ui.notify(this.error, "red");
			}
		}

		async setReadOnly(on) {
			if (this.busy) {
				return false;
			}
			this.busy = true;
			this.governance = Object.assign({}, this.governance, { read_only_mode: on });
			this.render();
			let failure = null;
			try {
				const result = await this._call("set_read_only_mode", { enable: on ? 1 : 0 });
				if (this.ui.notify && result && result.message) {
					this.ui.notify(result.message, on ? "orange" : "green");
				}
			} catch (err) {
				this._fail(err, __("Read-only mode was not changed."));
				failure = this.error;
			}
			this.busy = false;
			await this.load(); // the stored state, whatever happened
			if (failure) {
				this.error = failure;
				this.render();
			}
			return !failure;
		}

		/** The form's values as update_governance takes them. */
		formValues() {
			const form = this.el.querySelector(".fac-gov-form");
			const values = { approval_mode: form.elements.approval_mode.value };
			for (const [field] of CATEGORY_FIELDS) {
				values[field] = form.elements[field].checked ? 1 : 0;
			}
			for (const [field] of NUMBER_FIELDS) {
				values[field] = form.elements[field].value;
			}
			values.read_only_roles = Array.from(form.querySelectorAll('input[name="read_only_roles"]:checked')).map((box) => box.value);
			return values;
		}

		async save() {
			const values = this.formValues();
			let ok = false;
			try {
				const result = await this._call("update_governance", { settings: JSON.stringify(values) });
				ok = true;
				this.error = null;
				if (this.ui.notify && result && result.message) {
					this.ui.notify(result.message, "green");
				}
			} catch (err) {
				this._fail(err, __("The governance settings were not saved."));
			}
			if (ok) {
				await this.load();
			} else {
				this.render();
				this._restore(values);
			}
			return ok;
		}

		/** Put back what the admin typed after a refused save re-rendered the form. */
		_restore(values) {
			const form = this.el.querySelector(".fac-gov-form");
			if (!form) {
				return;
			}
			for (const [field] of NUMBER_FIELDS) {
				form.elements[field].value = values[field];
			}
		}

		async fillToolDialog(box, tool) {
			if (!box || !box.parentNode) {
				return;
			}
			const holder = box.ownerDocument.createElement("div");
			holder.className = "fac-dialog-governance-host";
			box.parentNode.insertBefore(holder, box);
			try {
				const values = await this._call("get_tool_governance", { tool_name: tool }, "GET");
				this.toolValues.set(tool, values);
				holder.innerHTML = toolFieldset(tool, values);
			} catch (err) {
				holder.innerHTML = `<p class="fac-usage-error">${esc((err && err.message) || __("Could not load the tool's governance."))}</p>`;
			}
		}

		_onToolDialogSubmit(event) {
			const fieldset = event.target.querySelector && event.target.querySelector(".fac-dialog-governance");
			if (!fieldset) {
				return;
			}
			const tool = fieldset.getAttribute("data-tool");
			const loaded = this.toolValues.get(tool) || {};
			const wanted = {
				requires_approval: fieldset.querySelector('[name="requires_approval"]').checked ? 1 : 0,
				rate_limit: fieldset.querySelector('[name="rate_limit"]').value,
			};
			if (wanted.requires_approval === (flag(loaded.requires_approval) ? 1 : 0) && String(wanted.rate_limit) === String(loaded.rate_limit)) {
				return;
			}
			this._call("update_tool_governance", Object.assign({ tool_name: tool }, wanted))
				.then((result) => {
					this.toolValues.set(tool, { requires_approval: wanted.requires_approval, rate_limit: wanted.rate_limit });
					if (this.ui.notify && result && result.message) {
						this.ui.notify(result.message, "green");
					}
				})
				.catch((err) => this._fail(err, __("The tool's governance was not saved.")));
		}
	}

	return { GovernanceSection, CATEGORY_FIELDS, NUMBER_FIELDS };
});
