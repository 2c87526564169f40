// FAC Admin page: the dialog that edits one tool's category (override of the auto-detected one) and
// role access (Allow All, or Restrict to Listed Roles with a role list).
//
// A modal (role="dialog", aria-modal) rendered into the page's dialog host: focus moves into it, Tab
// stays inside, Escape / Cancel / the backdrop close it and focus returns to the tool's Edit button.
// It saves through the controller's admin API calls. Browser: window.fac_admin.editor; node: exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const filters = isNode ? require("./filters.js") : root.fac_admin.filters;
	const api = factory(util, filters);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.editor = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util, filters) {
	"use strict";

	const { __, esc, flag, categoryLabel, allowedCategories } = util;
	const RESTRICTED = "Restrict to Listed Roles";

	function _sameSet(a, b) {
		const left = new Set(a);
		const right = new Set(b);
		return left.size === right.size && Array.from(left).every((item) => right.has(item));
	}

	/** A checkbox per role (sorted), ticked when in `checked`, disabled unless `enabled`. */
	function roleBoxes(roles, checked, enabled) {
		const sorted = Array.from(new Set(roles || [])).sort((a, b) => String(a).localeCompare(String(b)));
		if (!sorted.length) {
			return `<p class="fac-empty">${esc(__("Loading roles…"))}</p>`;
		}
		return sorted
			.map(
				(role) =>
					`<label class="fac-role"><input type="checkbox" name="roles" value="${esc(role)}"` +
					`${checked.has(role) ? " checked" : ""}${enabled ? "" : " disabled"}> ${esc(role)}</label>`
			)
			.join("");
	}

	/** The dialog's HTML for one tool; `availableRoles` may be empty while they load. */
	function dialogHtml(tool, availableRoles) {
		const override = flag(tool.category_override);
		const restricted = tool.role_access_mode === RESTRICTED;
		const current = new Set(filters.allowedRoles(tool));
		const roles = Array.from(new Set([...(availableRoles || []), ...current]));
		const auto = tool.auto_detected_category || tool.category;
		// Only the detected category and those above it: the server refuses a lower one.
		const categoryOptions = allowedCategories(tool.auto_detected_category).map(
			(c) => `<option value="${esc(c)}"${c === tool.category ? " selected" : ""}>${esc(categoryLabel(c))}</option>`
		).join("");
		const mode = (value, label, help) =>
			`<label class="fac-radio"><input type="radio" name="role_access_mode" value="${esc(value)}"` +
			`${(value === RESTRICTED) === restricted ? " checked" : ""}> ${esc(label)}` +
			`<span class="fac-help">${esc(help)}</span></label>`;
		return `
			<div class="fac-dialog-backdrop">
				<div class="fac-dialog" role="dialog" aria-modal="true" aria-labelledby="fac-dialog-title" data-tool="${esc(tool.name)}">
					<form class="fac-dialog-form" novalidate>
						<h2 id="fac-dialog-title" class="fac-dialog-title">${esc(__("Edit tool {0}", [tool.name]))}</h2>
						<fieldset class="fac-fieldset">
							<legend>${esc(__("Category"))}</legend>
							<label class="fac-check"><input type="checkbox" name="category_override"${override ? " checked" : ""}>
								${esc(__("Override the auto-detected category"))}</label>
							<label class="fac-field">
								<span class="fac-field-label">${esc(__("Category"))}</span>
								<select name="category" class="form-control input-xs"${override ? "" : " disabled"}>${categoryOptions}</select>
							</label>
							<p class="fac-help">${esc(__("Auto-detected from the tool's code: {0}. Without the override the tool keeps that category.", [categoryLabel(auto)]))}</p>
						</fieldset>
						<fieldset class="fac-fieldset">
							<legend>${esc(__("Role access"))}</legend>
							${mode("Allow All", __("Allow all users"), __("Every user who may use the assistant sees this tool."))}
							${mode(RESTRICTED, __("Restrict to listed roles"), __("Only users with a role ticked below (and System Managers) see this tool."))}
							<div class="fac-role-list" role="group" aria-label="${esc(__("Roles allowed to use {0}", [tool.name]))}">${roleBoxes(roles, current, restricted)}</div>
						</fieldset>
						<div class="fac-dialog-usage" aria-live="polite"></div>
						<p class="fac-dialog-error" role="alert" hidden></p>
						<div class="fac-dialog-actions">
							<button type="button" class="btn btn-sm btn-default fac-dialog-cancel">${esc(__("Cancel"))}</button>
							<button type="submit" class="btn btn-sm btn-primary fac-dialog-save">${esc(__("Save"))}</button>
						</div>
					</form>
				</div>
			</div>`;
	}

	class ToolEditor {
		/** @param controller the page controller (state, $, _call, refresh, notify) */
		constructor(controller) {
			this.page = controller;
			this.opener = null;
		}

		get host() {
			return this.page.$(".fac-dialog-host");
		}

		get dialog() {
			return this.page.$(".fac-dialog");
		}

		_tool() {
			const dialog = this.dialog;
			return dialog && this.page.state.tools.find((t) => t.name === dialog.getAttribute("data-tool"));
		}

		async open(name) {
			const tool = this.page.state.tools.find((t) => t.name === name);
			if (!tool) {
				return;
			}
			this.opener = name;
			this.host.innerHTML = dialogHtml(tool, this.page.state.roles || []);
			const first = this.host.querySelector("input, select, button");
			if (first) {
				first.focus();
			}
			// The Usage section (usage.js), when loaded, fills in the tool's recent calls.
			const box = this.host.querySelector(".fac-dialog-usage");
			const CustomEventClass = this.page.root.ownerDocument.defaultView.CustomEvent;
			this.page.root.dispatchEvent(new CustomEventClass("fac-tool-dialog-open", { detail: { tool: name, box } }));
			if (this.page.state.roles === null) {
				try {
					this.page.state.roles = (await this.page._call("get_available_roles", {}, "GET")) || [];
				} catch (err) {
					this.showError(err.message);
					return;
				}
				this._refreshRoleBoxes();
			}
		}

		close() {
			this.host.innerHTML = "";
			const name = this.opener;
			this.opener = null;
			const opener = Array.from(this.page.root.querySelectorAll(".fac-tool-edit")).find(
				(b) => b.getAttribute("data-tool") === name
			);
			if (opener) {
				opener.focus();
			}
		}

		showError(message) {
			const box = this.page.$(".fac-dialog-error");
			if (box) {
				box.textContent = message || "";
				box.hidden = !message;
			}
		}

		formState() {
			const form = this.page.$(".fac-dialog-form");
			const mode = form.querySelector('input[name="role_access_mode"]:checked');
			return {
				override: form.querySelector('input[name="category_override"]').checked,
				category: form.querySelector('select[name="category"]').value,
				mode: mode ? mode.value : "Allow All",
				roles: Array.from(form.querySelectorAll('input[name="roles"]:checked')).map((box) => box.value),
			};
		}

		_refreshRoleBoxes() {
			const dialog = this.dialog;
			if (!dialog) {
				return;
			}
			const state = this.formState();
			const ticked = dialog.querySelector('input[name="roles"]') ? state.roles : filters.allowedRoles(this._tool() || {});
			const roles = [...(this.page.state.roles || []), ...ticked];
			dialog.querySelector(".fac-role-list").innerHTML = roleBoxes(roles, new Set(ticked), state.mode === RESTRICTED);
		}

		/** The override box enables the category select (unticked: back to auto); the mode, the roles. */
		onChange(target) {
			const dialog = this.dialog;
			if (target.name === "category_override") {
				const select = dialog.querySelector('select[name="category"]');
				select.disabled = !target.checked;
				const tool = this._tool();
				if (!target.checked && tool) {
					select.value = tool.auto_detected_category || tool.category;
				}
			} else if (target.name === "role_access_mode") {
				for (const box of dialog.querySelectorAll('input[name="roles"]')) {
					box.disabled = target.value !== RESTRICTED;
				}
			}
			this.showError("");
		}

		/** Save what changed: update_tool_category and/or update_tool_role_access, then re-read. */
		async save() {
			const tool = this._tool();
			if (!tool) {
				return false;
			}
			const form = this.formState();
			if (form.mode === RESTRICTED && !form.roles.length) {
				this.showError(__("Tick at least one role, or allow all users."));
				return false;
			}
			const category = form.override ? form.category : tool.auto_detected_category || tool.category;
			const categoryChanged =
				form.override !== flag(tool.category_override) || (form.override && category !== tool.category);
			// The server keeps a role list only for restricted tools; "Allow All" clears it.
			const roles = form.mode === RESTRICTED ? form.roles : [];
			const rolesChanged =
				form.mode !== (tool.role_access_mode || "Allow All") ||
				(form.mode === RESTRICTED && !_sameSet(roles, filters.allowedRoles(tool)));
			if (!categoryChanged && !rolesChanged) {
				this.close();
				return true;
			}
			const button = this.dialog.querySelector(".fac-dialog-save");
			button.disabled = true;
			button.setAttribute("aria-busy", "true");
			try {
				if (categoryChanged) {
					await this.page._call("update_tool_category", {
						tool_name: tool.name,
						category,
						override: form.override ? 1 : 0,
					});
				}
				if (rolesChanged) {
					await this.page._call("update_tool_role_access", {
						tool_name: tool.name,
						role_access_mode: form.mode,
						roles: JSON.stringify(roles),
					});
				}
			} catch (err) {
				this.showError(util.plainText((err && err.message) || err));
				button.disabled = false;
				button.removeAttribute("aria-busy");
				// A first call may have been saved before the second failed: show what is stored.
				await this.page.refresh();
				return false;
			}
			this.close();
			this.page.notify(__("Saved the settings of {0}.", [tool.name]));
			await this.page.refresh();
			return true;
		}

		/** Keep Tab and Shift+Tab inside the dialog. */
		trapFocus(event) {
			const focusable = Array.from(this.dialog.querySelectorAll("input, select, button")).filter((el) => !el.disabled);
			if (!focusable.length) {
				return;
			}
			const first = focusable[0];
			const last = focusable[focusable.length - 1];
			const active = this.page.root.ownerDocument.activeElement;
			if (event.shiftKey && active === first) {
				event.preventDefault();
				last.focus();
			} else if (!event.shiftKey && active === last) {
				event.preventDefault();
				first.focus();
			}
		}
	}

	return { ToolEditor, dialogHtml, roleBoxes };
});
