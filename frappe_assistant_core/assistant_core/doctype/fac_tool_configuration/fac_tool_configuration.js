// FAC Tool Configuration form: categories read as on the FAC Admin page ("Read Only", not
// "read_only"). The stored values stay the same; only what the form shows changes. The labels come
// from the page's own module (public/js/fac_admin/util.js), so the two cannot drift apart.
frappe.ui.form.on("FAC Tool Configuration", {
	setup(frm) {
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
			// This document's select keeps its values and shows the labels.
			frm.set_df_property("tool_category", "options", [
				{ value: "", label: "" },
				...util.CATEGORIES.map((value) => ({ value, label: util.categoryLabel(value) })),
			]);
			frm.refresh_field("auto_detected_category");
		});
	},
});
