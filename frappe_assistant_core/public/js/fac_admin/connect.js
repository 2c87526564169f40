// FAC Admin page: the "Connect a client" panel (endpoint URL, how to sign in, a config per client).
//
// Lays out what connect_guide.js says, below the plugins: the endpoint URL as this browser reaches
// the site, how to get an API key (a link to the user's own settings) and where OAuth stands, and
// one tab per client with its config and a Copy button. Tabs follow the WAI-ARIA tabs pattern
// (arrow keys, Home, End). Copying goes through `copy(text)` (desk's frappe.utils.copy_to_clipboard)
// and is announced. Browser: window.fac_admin.ConnectPanel; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const guide = isNode ? require("./connect_guide.js") : root.fac_admin.connectGuide;
	const api = factory(util, guide);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.ConnectPanel = api.ConnectPanel;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util, guide) {
	"use strict";

	const { __, esc } = util;

	function _tabs(clients, selected) {
		return clients
			.map((client) => {
				const on = client.id === selected;
				return (
					`<button type="button" role="tab" class="fac-connect-tab${on ? " is-selected" : ""}" id="fac-connect-tab-${esc(client.id)}"` +
					` data-client="${esc(client.id)}" aria-selected="${on}" aria-controls="fac-connect-tabpanel" tabindex="${on ? 0 : -1}">` +
					`${esc(client.label)}</button>`
				);
			})
			.join("");
	}

	function _tabPanel(client) {
		return `
			<div class="fac-connect-tabpanel" role="tabpanel" id="fac-connect-tabpanel" aria-labelledby="fac-connect-tab-${esc(client.id)}"
				data-client="${esc(client.id)}">
				<p class="fac-help">${esc(client.help)}</p>
				<div class="fac-connect-snippet-row">
					<pre class="fac-connect-snippet" data-language="${esc(client.language)}"><code>${esc(client.snippet)}</code></pre>
					<button type="button" class="btn btn-xs btn-default fac-connect-copy" data-copy="snippet"
						aria-label="${esc(__("Copy the {0} configuration", [client.label]))}">${esc(__("Copy"))}</button>
				</div>
			</div>`;
	}

	/** The panel's HTML for `content` (connect_guide's answer) with client `selected` shown. */
	function panelHtml(content, selected) {
		const client = content.clients.find((c) => c.id === selected) || content.clients[0];
		const [keyWhat, ...keySteps] = content.apiKey;
		return `
			<div class="fac-section-head">
				<h2 id="fac-connect-heading">${esc(content.title)}</h2>
			</div>
			<p class="fac-help fac-connect-intro">${esc(content.intro)}</p>
			<div class="fac-connect-url">
				<label class="fac-field-label" for="fac-connect-url-input">${esc(__("MCP endpoint URL"))}</label>
				<input type="text" id="fac-connect-url-input" class="form-control input-xs fac-connect-url-input" readonly
					value="${esc(content.url)}">
				<button type="button" class="btn btn-xs btn-default fac-connect-copy" data-copy="url"
					aria-label="${esc(__("Copy the endpoint URL"))}">${esc(__("Copy"))}</button>
			</div>
			<div class="fac-connect-auth">
				<p class="fac-connect-key">${esc(keyWhat)}</p>
				<p class="fac-help">${keySteps.map(esc).join(" ")}
					<a class="fac-connect-user-link" href="${esc(content.userSettings)}">${esc(__("Open your user settings"))}</a></p>
				<p class="fac-connect-oauth">${esc(content.oauth)}
					<button type="button" class="btn btn-link btn-xs fac-connect-doctor">${esc(content.doctor)}</button>
					<a class="fac-connect-my-connections" href="${esc(content.myConnections.href)}">${esc(content.myConnections.label)}</a></p>
			</div>
			<div class="fac-connect-clients">
				<div class="fac-connect-tabs" role="tablist" aria-label="${esc(__("MCP clients"))}">${_tabs(content.clients, client.id)}</div>
				${_tabPanel(client)}
			</div>
			<p class="fac-connect-status fac-visually-hidden" role="status" aria-live="polite"></p>`;
	}

	class ConnectPanel {
		/**
		 * @param {HTMLElement} root the page body the Controller renders into
		 * @param {{origin: string, user: string, isSystemManager: boolean, copy: Function}} deps
		 *   origin: location.origin; copy(text): desk's frappe.utils.copy_to_clipboard
		 */
		constructor(root, { origin, user, isSystemManager, copy }) {
			this.root = root;
			this.copy = copy;
			this.content = guide.connectGuide({ origin, user, isSystemManager });
			this.selected = this.content.clients[0].id;
			this.el = root.ownerDocument.createElement("section");
			this.el.className = "fac-admin-section fac-admin-connect";
			this.el.setAttribute("aria-labelledby", "fac-connect-heading");
			const plugins = root.querySelector(".fac-admin-plugins");
			if (plugins) {
				plugins.after(this.el);
			} else {
				root.appendChild(this.el);
			}
			this.el.addEventListener("click", (event) => this._onClick(event));
			this.el.addEventListener("keydown", (event) => this._onKeydown(event));
			this.render();
		}

		render() {
			this.el.innerHTML = panelHtml(this.content, this.selected);
		}

		client() {
			return this.content.clients.find((c) => c.id === this.selected);
		}

		/** Show client `id`'s tab (and focus it when `focus`). */
		select(id, focus) {
			if (!this.content.clients.some((c) => c.id === id)) {
				return;
			}
			this.selected = id;
			this.render();
			if (focus) {
				this.el.querySelector(`.fac-connect-tab[data-client="${id}"]`).focus();
			}
		}

		/** Scroll to the Connection doctor section (doctor.js) and focus its Run button. */
		openDoctor() {
			const run = this.root.querySelector(".fac-admin-doctor .fac-doctor-run");
			if (!run) {
				return false;
			}
			if (run.scrollIntoView) {
				run.scrollIntoView({ block: "center" });
			}
			run.focus();
			return true;
		}

		/** Copy the URL or the shown snippet, and say so. */
		async copyItem(which) {
			const text = which === "url" ? this.content.url : this.client().snippet;
			const status = this.el.querySelector(".fac-connect-status");
			try {
				await this.copy(text);
				status.textContent = which === "url" ? __("Copied the endpoint URL.") : __("Copied the {0} configuration.", [this.client().label]);
			} catch (err) {
				status.textContent = __("Could not copy: {0}", [(err && err.message) || err]);
			}
			return text;
		}

		_onClick(event) {
			const button = event.target.closest("button");
			if (!button || !this.el.contains(button)) {
				return;
			}
			if (button.classList.contains("fac-connect-tab")) {
				this.select(button.getAttribute("data-client"), true);
			} else if (button.classList.contains("fac-connect-copy")) {
				this.copyItem(button.getAttribute("data-copy"));
			} else if (button.classList.contains("fac-connect-doctor")) {
				this.openDoctor();
			}
		}

		_onKeydown(event) {
			if (!event.target.classList.contains("fac-connect-tab")) {
				return;
			}
			const ids = this.content.clients.map((c) => c.id);
			const at = ids.indexOf(this.selected);
			const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[event.key];
			if (next === undefined) {
				return;
			}
			event.preventDefault();
			this.select(ids[(next + ids.length) % ids.length], true);
		}
	}

	return { ConnectPanel, panelHtml };
});
