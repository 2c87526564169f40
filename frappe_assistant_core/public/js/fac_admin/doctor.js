// FAC Admin page: the Connection doctor section. Its button runs the server's checks
// (admin_connections.run_connection_doctor, the same as `bench --site SITE fac doctor`) and shows
// one line per check (ok / warn / fail, what was found, the fix) and a verdict per client family.
//
// Self-contained like usage.js. Browser: window.fac_admin.DoctorSection; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const api = factory(util);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.DoctorSection = api.DoctorSection;
		root.fac_admin.doctor = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util) {
	"use strict";

	const { __, esc } = util;
	const METHOD = "frappe_assistant_core.api.admin_connections.run_connection_doctor";
	const LABELS = { ok: "ok", warn: "warn", fail: "fail" };

	function badge(status) {
		const known = LABELS[status] ? status : "warn";
		return `<span class="fac-doctor-status fac-doctor-${known}">${esc(__(LABELS[known]))}</span>`;
	}

	function checkItem(check) {
		const fix = check.fix ? `<div class="fac-doctor-fix">${esc(__("Fix:"))} ${esc(check.fix)}</div>` : "";
		return `
			<li class="fac-doctor-check" data-check="${esc(check.id)}" data-status="${esc(check.status)}">
				${badge(check.status)} <strong>${esc(check.title)}</strong>
				<div class="fac-doctor-detail">${esc(check.detail)}</div>${fix}
			</li>`;
	}

	function familyItem(verdict) {
		let text = __("nothing in the way");
		if (verdict.status !== "ok") {
			const ids = (fail) => verdict.problems.filter((p) => (p.status === "fail") === fail).map((p) => p.id).join(", ");
			const parts = [ids(true) && __("will fail: {0}", [ids(true)]), ids(false) && __("may have trouble: {0}", [ids(false)])];
			text = parts.filter(Boolean).join("; ");
		}
		return `<li class="fac-doctor-family" data-family="${esc(verdict.family)}" data-status="${esc(verdict.status)}">${badge(verdict.status)} <strong>${esc(verdict.label)}</strong>: ${esc(text)}</li>`;
	}

	function section(state) {
		const head = `
			<div class="fac-section-head">
				<h2 id="fac-doctor-heading">${esc(__("Connection doctor"))}</h2>
				<button type="button" class="btn btn-xs btn-primary fac-doctor-run"${state.running ? " disabled" : ""}>${esc(state.running ? __("Checking…") : __("Run the doctor"))}</button>
			</div>
			<p class="fac-help">${esc(__("Checks what an outside MCP client will see of this site (URL, metadata, issuer, registration, PKCE, CORS, switches) and says per client what will fail and how to fix it. Also: bench --site SITE fac doctor."))}</p>`;
		if (state.error) {
			return `${head}<p class="fac-doctor-error" role="alert">${esc(state.error)}</p>`;
		}
		if (!state.result) {
			return head;
		}
		return `${head}
			<h3>${esc(__("Clients"))}</h3>
			<ul class="fac-doctor-families">${state.result.families.map(familyItem).join("")}</ul>
			<h3>${esc(__("Checks"))}</h3>
			<ul class="fac-doctor-checks">${state.result.checks.map(checkItem).join("")}</ul>`;
	}

	class DoctorSection {
		/** @param {HTMLElement} root the page body; @param {{api: {call: Function}}} deps */
		constructor(root, { api }) {
			this.api = api;
			this.state = { result: null, error: null, running: false };
			this.el = util.sectionBelowTools(root, "fac-admin-doctor", "fac-doctor-heading");
			this.el.addEventListener("click", (event) => {
				if (event.target.closest(".fac-doctor-run")) {
					this.run();
				}
			});
			this.render();
		}

		render() {
			this.el.innerHTML = section(this.state);
		}

		async run() {
			this.state.running = true;
			this.render();
			try {
				this.state.result = await this.api.call(METHOD, {}, { type: "POST" });
				this.state.error = null;
			} catch (err) {
				this.state.error = (err && err.message) || __("The doctor could not run.");
			}
			this.state.running = false;
			this.render();
			return !this.state.error;
		}
	}

	return { DoctorSection };
});
