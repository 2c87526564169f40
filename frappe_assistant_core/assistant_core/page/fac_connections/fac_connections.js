// My Connections desk page (/app/fac-connections): the OAuth clients the signed-in user allowed to
// act for them, with Revoke. Open to every desk user (the page names no roles); the list and the
// revocation are the user's own (admin_connections.get_my_connections / revoke_my_connection).
// Desk glue only: the section is public/js/fac_admin/connections.js in its "own" mode.
(function () {
	const ASSETS = [
		"/assets/frappe_assistant_core/css/fac_admin.css",
		"/assets/frappe_assistant_core/css/fac_admin_connections.css",
		"/assets/frappe_assistant_core/js/fac_admin/util.js",
		"/assets/frappe_assistant_core/js/fac_admin/desk_adapters.js",
		"/assets/frappe_assistant_core/js/fac_admin/connections.js",
	];

	frappe.pages["fac-connections"].on_page_load = function (wrapper) {
		const page = frappe.ui.make_app_page({ parent: wrapper, title: __("My Connections"), single_column: true });
		const loaded = ASSETS.reduce((previous, asset) => previous.then(() => frappe.require(asset)), Promise.resolve());
		loaded.then(() => {
			const body = document.createElement("div");
			body.className = "fac-admin fac-my-connections";
			page.main[0].appendChild(body);
			const { api, ui } = window.fac_admin.desk;
			wrapper.fac_connections = new window.fac_admin.ConnectionsSection(body, { api: api(), ui: ui(), mode: "own" });
			wrapper.fac_connections.load();
		});
	};

	frappe.pages["fac-connections"].on_page_show = function (wrapper) {
		if (wrapper.fac_connections) {
			wrapper.fac_connections.load();
		}
	};
})();
