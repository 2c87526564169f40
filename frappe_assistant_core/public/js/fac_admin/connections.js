// FAC Admin page: the Connected clients section (OAuth clients users authorized) with Revoke, and
// the same list of one's own connections on the My Connections page.
//
// Self-contained like usage.js: the desk glue creates it with the `api` and `ui` adapters. Mode
// "admin" lists every user's grants (admin_connections.get_connected_clients) and revokes any;
// mode "own" lists and revokes the signed-in user's only (get_my_connections). Revoking ends the
// grant: every token and authorization code of that user for that client. "Last used" is when the
// client last got a token (a sign-in or a refresh): Frappe does not record each request a token
// makes. Browser: window.fac_admin.ConnectionsSection; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const api = factory(util);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.ConnectionsSection = api.ConnectionsSection;
		root.fac_admin.connections = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util) {
	"use strict";

	const { __, esc } = util;
	const METHOD_PREFIX = "frappe_assistant_core.api.admin_connections.";
	const METHODS = {
		admin: { list: "get_connected_clients", revoke: "revoke_connected_client" },
		own: { list: "get_my_connections", revoke: "revoke_my_connection" },
	};

	/** "2026-12-04 21:05:33.123456" -> "2026-12-04 21:05" (the site's time zone, as stored). */
	function when(value) {
		return value ? String(value).slice(0, 16) : "–";
	}

	function scopesCell(scopes) {
		if (!scopes || !scopes.length) {
			return `<span class="fac-empty">${esc(__("none"))}</span>`;
		}
		return scopes.map((s) => `<code class="fac-conn-scope">${esc(s)}</code>`).join(" ");
	}

	function row(grant, admin) {
		const user = admin ? `<td>${esc(grant.full_name || grant.user)}<div class="fac-conn-sub">${esc(grant.user)}</div></td>` : "";
		const label = admin
			? __("Revoke {0} for {1}", [grant.app_name, grant.user])
			: __("Revoke {0}", [grant.app_name]);
		return `
			<tr class="fac-conn-row" data-client="${esc(grant.client)}" data-user="${esc(grant.user)}">
				<td><span class="fac-conn-app">${esc(grant.app_name)}</span><div class="fac-conn-sub">${esc(grant.client)}</div></td>
				${user}
				<td>${scopesCell(grant.scopes)}</td>
				<td>${esc(when(grant.created))}</td>
				<td>${esc(when(grant.last_used))}</td>
				<td><button type="button" class="btn btn-xs btn-danger fac-conn-revoke" aria-label="${esc(label)}">${esc(__("Revoke"))}</button></td>
			</tr>`;
	}

	function table(grants, admin) {
		const head = [__("Client"), admin ? __("User") : null, __("Scopes"), __("Connected"), __("Last token issued"), ""]
			.filter((h) => h !== null)
			.map((h) => `<th scope="col">${esc(h)}</th>`)
			.join("");
		return `<table class="fac-conn-table"><thead><tr>${head}</tr></thead><tbody>${grants.map((g) => row(g, admin)).join("")}</tbody></table>`;
	}

	function section(state, admin) {
		const title = admin ? __("Connected clients") : __("My connections");
		const head = `
			<div class="fac-section-head">
				<h2 id="fac-conn-heading">${esc(title)}</h2>
				<button type="button" class="btn btn-xs btn-default fac-conn-refresh">${esc(__("Refresh"))}</button>
			</div>
			<p class="fac-help">${esc(
				admin
					? __("Every OAuth client a user allowed to act for them (Claude, ChatGPT, IDEs...). Revoke ends that user's grant: its tokens stop working on the next request.")
					: __("The apps you allowed to act for you on this site with OAuth sign-in. Revoke one and its tokens stop working on the next request; it must ask you again to connect.")
			)}</p>
			<p class="fac-help">${esc(__("Last token issued: when the client last signed in or renewed its token (clients renew about hourly while in use)."))}</p>`;
		if (state.error) {
			return `${head}<p class="fac-conn-error" role="alert">${esc(state.error)}</p>`;
		}
		if (!state.grants) {
			return `${head}<p class="fac-empty">${esc(__("Loading…"))}</p>`;
		}
		if (!state.grants.length) {
			return `${head}<p class="fac-empty fac-conn-empty">${esc(admin ? __("No OAuth client is connected.") : __("You have not connected any app."))}</p>`;
		}
		return head + table(state.grants, admin);
	}

	class ConnectionsSection {
		/**
		 * @param {HTMLElement} root the page body
		 * @param {{api: {call: Function}, ui: {confirm: Function, notify?: Function}, mode?: "admin"|"own"}} deps
		 */
		constructor(root, { api, ui, mode }) {
			this.api = api;
			this.ui = ui;
			this.admin = mode !== "own";
			this.state = { grants: null, error: null };
			this.el = util.sectionBelowTools(root, "fac-admin-connections", "fac-conn-heading");
			this.el.addEventListener("click", (event) => this._onClick(event));
			this.render();
		}

		_method(kind) {
			return METHOD_PREFIX + METHODS[this.admin ? "admin" : "own"][kind];
		}

		async load() {
			try {
				this.state.grants = (await this.api.call(this._method("list"), {}, { type: "GET" })) || [];
				this.state.error = null;
			} catch (err) {
				this.state.error = (err && err.message) || __("Could not load the connected clients.");
			}
			this.render();
			return !this.state.error;
		}

		render() {
			this.el.innerHTML = section(this.state, this.admin);
		}

		/** Ask, then revoke one grant and reload the list; true when it was revoked. */
		async revoke(client, user) {
			const grant = (this.state.grants || []).find((g) => g.client === client && g.user === user);
			const name = grant ? grant.app_name : client;
			const question = this.admin
				? __("Revoke {0} for {1}? Its tokens stop working at once; the client must ask {1} to allow it again.", [name, user])
				: __("Revoke {0}? Its tokens stop working at once; it must ask you again to connect.", [name]);
			if (!(await this.ui.confirm(question))) {
				return false;
			}
			const args = this.admin ? { client, user } : { client };
			try {
				await this.api.call(this._method("revoke"), args, { type: "POST" });
			} catch (err) {
				this.state.error = (err && err.message) || __("The connection was not revoked.");
				this.render();
				return false;
			}
			if (this.ui.notify) {
				this.ui.notify(__("{0} revoked", [name]), "green");
			}
			await this.load();
			return true;
		}

		_onClick(event) {
			const button = event.target.closest("button");
			if (!button) {
				return;
			}
			if (button.classList.contains("fac-conn-refresh")) {
				this.load();
			} else if (button.classList.contains("fac-conn-revoke")) {
				const tr = button.closest(".fac-conn-row");
				this.revoke(tr.getAttribute("data-client"), tr.getAttribute("data-user"));
			}
		}
	}

	return { ConnectionsSection, when };
});
