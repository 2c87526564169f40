// The desk adapters the FAC Admin and My Connections pages hand to their sections: `api`
// (frappe.call as a Promise that rejects with the server's message) and `ui` (frappe.confirm and
// frappe.show_alert, escaped). Desk only: window.fac_admin.desk = {api(), ui()}; needs util.js.
(function (root) {
	"use strict";

	function api() {
		return {
			call(method, args, opts) {
				return new Promise((resolve, reject) => {
					let settled = false;
					// `silent`: the page shows the server's message itself, next to the control that failed.
					frappe.call({
						method,
						args,
						type: (opts && opts.type) || "POST",
						silent: true,
						callback: (r) => {
							settled = true;
							resolve(r ? r.message : undefined);
						},
						// `always` runs for every answer; `error` does not (desk's 403/404 handlers skip it),
						// so a failed call is detected here, once `callback` has had its chance.
						always: (r) => {
							setTimeout(() => {
								if (!settled) {
									settled = true;
									reject(new Error(root.fac_admin.util.serverMessage(r)));
								}
							}, 0);
						},
					});
				});
			},
		};
	}

	function ui() {
		return {
			confirm(message) {
				return new Promise((resolve) => {
					frappe.confirm(
						frappe.utils.escape_html(message),
						() => resolve(true),
						() => resolve(false)
					);
				});
			},
			notify(message, indicator) {
				frappe.show_alert({ message: frappe.utils.escape_html(message), indicator: indicator || "green" });
			},
		};
	}

	root.fac_admin = root.fac_admin || {};
	root.fac_admin.desk = { api, ui };
})(window);
