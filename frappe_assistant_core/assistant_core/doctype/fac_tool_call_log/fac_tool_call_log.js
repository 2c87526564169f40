// FAC Tool Call Log: rows are written by the app and never edited (the controller refuses any
// change), so the form offers no Save, not even to Administrator, whom Frappe grants every right.
frappe.ui.form.on("FAC Tool Call Log", {
	refresh(frm) {
		frm.disable_save();
	},
});
