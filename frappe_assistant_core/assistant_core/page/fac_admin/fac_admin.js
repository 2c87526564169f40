// FAC Admin desk page (/app/fac-admin): desk glue only.
//
// Loads the page's plain JS modules and CSS with frappe.require, then hands the page body to
// fac_admin.Controller with two small adapters (desk_adapters.js): `api` (frappe.call, as a Promise
// that rejects with the server's message) and `ui` (frappe.confirm, frappe.show_alert). Rendering, filtering and the
// switch behaviour live in public/js/fac_admin/*.js, which the JS unit tests exercise directly.

// Wrapped so that evaluating the page script again (desk reloads it on a new build) is harmless.
(function () {
	const FAC_ADMIN_ASSETS = [
		"/assets/frappe_assistant_core/css/fac_admin.css",
		"/assets/frappe_assistant_core/js/fac_admin/util.js",
		"/assets/frappe_assistant_core/js/fac_admin/desk_adapters.js",
		"/assets/frappe_assistant_core/js/fac_admin/filters.js",
		"/assets/frappe_assistant_core/js/fac_admin/render.js",
		"/assets/frappe_assistant_core/js/fac_admin/editor.js",
		"/assets/frappe_assistant_core/js/fac_admin/controller.js",
		"/assets/frappe_assistant_core/js/fac_admin/usage.js",
		"/assets/frappe_assistant_core/js/fac_admin/governance.js",
		"/assets/frappe_assistant_core/css/fac_admin_connections.css",
		"/assets/frappe_assistant_core/js/fac_admin/connections.js",
		"/assets/frappe_assistant_core/js/fac_admin/doctor.js",
		"/assets/frappe_assistant_core/css/fac_admin_connect.css",
		"/assets/frappe_assistant_core/js/fac_admin/connect_guide.js",
		"/assets/frappe_assistant_core/js/fac_admin/connect.js",
		"/assets/frappe_assistant_core/js/fac_admin/schema_form.js",
		"/assets/frappe_assistant_core/js/fac_admin/mcp_client.js",
		"/assets/frappe_assistant_core/js/fac_admin/tool_trial.js",
	];

	frappe.pages["fac-admin"].on_page_load = function (wrapper) {
		const page = frappe.ui.make_app_page({
			parent: wrapper,
			title: __("FAC Admin"),
			single_column: true,
		});
		// One at a time: newer desks load required scripts in parallel, and each module needs the
		// ones before it.
		const loaded = FAC_ADMIN_ASSETS.reduce(
			(previous, asset) => previous.then(() => frappe.require(asset)),
			Promise.resolve()
		);
		loaded.then(() => {
			const body = document.createElement("div");
			page.main[0].appendChild(body);
			const api = window.fac_admin.desk.api();
			const ui = window.fac_admin.desk.ui();
			wrapper.fac_admin = new window.fac_admin.Controller(body, { api, ui });
			wrapper.fac_admin.load();
			// Below the plugin switches and the tools, in this order: Governance, Usage, Connected
			// clients, Connection doctor.
			// The Governance section: read-only mode, approvals, rate limits, connection URLs.
			wrapper.fac_admin_governance = new window.fac_admin.GovernanceSection(body, { api, ui });
			wrapper.fac_admin_governance.load();
			// The Usage section: calls from the FAC Tool Call Log, drawn with desk's chart library.
			wrapper.fac_admin_usage = new window.fac_admin.UsageSection(body, { api, Chart: frappe.Chart });
			wrapper.fac_admin_usage.load();
			// OAuth clients users authorized (every user's, with Revoke) and the connection doctor.
			wrapper.fac_admin_connections = new window.fac_admin.ConnectionsSection(body, { api, ui, mode: "admin" });
			wrapper.fac_admin_connections.load();
			wrapper.fac_admin_doctor = new window.fac_admin.DoctorSection(body, { api });
			fac_admin_guide(wrapper, body);
		});
	};

	// Coming back to the page (desk keeps it in memory) re-reads the stored state.
	frappe.pages["fac-admin"].on_page_show = function (wrapper) {
		if (wrapper.fac_admin && wrapper.fac_admin.state.loaded) {
			wrapper.fac_admin.refresh();
		}
	};

	// The "Connect a client" panel and each tool's Test action (a real tools/call as this user).
	function fac_admin_guide(wrapper, body) {
		const user = frappe.session.user;
		wrapper.fac_admin_connect = new window.fac_admin.ConnectPanel(body, {
			origin: window.location.origin,
			user,
			isSystemManager: frappe.user.has_role("System Manager"),
			copy: (text) => frappe.utils.copy_to_clipboard(text),
		});
		const mcp = new window.fac_admin.mcpClient.McpClient({
			fetch: window.fetch.bind(window),
			csrfToken: frappe.csrf_token,
		});
		wrapper.fac_admin_tester = new window.fac_admin.ToolTrial(body, {
			mcp,
			Dialog: frappe.ui.Dialog,
			user,
			lookup: (name) => wrapper.fac_admin.state.tools.find((tool) => tool.name === name),
		});
	}
})();
