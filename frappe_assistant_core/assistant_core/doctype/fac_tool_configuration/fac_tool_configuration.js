// FAC Tool Configuration form: offer only what the controller accepts, labelled as on the FAC Admin
// page ("Read Only", not "read_only"). A category may be raised above the detected one, never
// lowered; a role restriction may name an enabled desk role, never Guest, All or Desk User, which
// every user has (EVERYONE_ROLES in fac_tool_configuration.py). The stored values stay the same. The
// labels and the category rule come from the page's own module (public/js/fac_admin/util.js), so
// the form and the page cannot drift apart.
(function () {
	const EVERYONE_ROLES = ["Guest", "All", "Desk User"];

	frappe.ui.form.on("FAC Tool Configuration", {
		setup(frm) {
			frm.set_query("role", "role_access", () => ({
				filters: { disabled: 0, desk_access: 1, name: ["not in", EVERYONE_ROLES] },
			}));
			frm.fac_labels = frappe.require("/assets/frappe_assistant_core/js/fac_admin/util.js").then(() => {
				const util = window.fac_admin.util;
				// Read-only displays (the detected category, or the whole form for a user who may only
				// read it) format through the DocType's field: its formatter gives the label.
				for (const fieldname of ["tool_category", "auto_detected_category"]) {
					frappe.meta.get_docfield(frm.doctype, fieldname).formatter = (value) =>
						value ? util.categoryLabel(value) : value;
				}
				return util;
			});
		},
		refresh(frm) {
			frm.fac_labels.then((util) => {
				const detected = frm.doc.auto_detected_category;
				const offered = detected in util.CATEGORY_RANK ? util.allowedCategories(detected) : util.CATEGORIES;
				// This document's select keeps its values and shows the labels.
				frm.set_df_property("tool_category", "options", [
					{ value: "", label: "" },
					...offered.map((value) => ({ value, label: util.categoryLabel(value) })),
				]);
				frm.refresh_field("auto_detected_category");
			});
		},
	});
})();
