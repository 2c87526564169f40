// FAC Tool Configuration form: offer only what the controller accepts. A category may be raised
// above the detected one, never lowered; a role restriction may name an enabled desk role, never
// Guest, All or Desk User, which every user has (EVERYONE_ROLES in fac_tool_configuration.py).
// Wrapped so that evaluating the form script again (desk reloads it with the DocType) is harmless.
(function () {
	const CATEGORY_RANK = { read_only: 0, write: 1, read_write: 1, privileged: 2 };
	const EVERYONE_ROLES = ["Guest", "All", "Desk User"];

	frappe.ui.form.on("FAC Tool Configuration", {
		setup(frm) {
			frm.set_query("role", "role_access", () => ({
				filters: { disabled: 0, desk_access: 1, name: ["not in", EVERYONE_ROLES] },
			}));
		},
		refresh(frm) {
			const detected = frm.doc.auto_detected_category;
			if (!(detected in CATEGORY_RANK)) {
				return;
			}
			const allowed = Object.keys(CATEGORY_RANK).filter((c) => CATEGORY_RANK[c] >= CATEGORY_RANK[detected]);
			frm.set_df_property("tool_category", "options", ["", ...allowed].join("\n"));
		},
	});
})();
