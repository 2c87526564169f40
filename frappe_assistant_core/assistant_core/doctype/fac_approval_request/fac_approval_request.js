// FAC Approval Request form: Approve and Reject for a pending request (Assistant Approver or
// System Manager). The server checks the role, the request's state and expiry again and logs the
// decision; the assistant learns it on its next identical call (see docs/governance.md).
frappe.ui.form.on("FAC Approval Request", {
	refresh(frm) {
		const deciders = ["Assistant Approver", "System Manager", "Administrator"];
		const may_decide = deciders.some((role) => frappe.user.has_role(role));
		if (frm.doc.status !== "Pending" || !may_decide) {
			return;
		}
		const decide = (method, args) =>
			frappe
				.call({
					method: `frappe_assistant_core.governance.decisions.${method}`,
					args: Object.assign({ name: frm.doc.name }, args || {}),
					freeze: true,
				})
				.then((r) => {
					if (r && r.message) {
						frappe.show_alert({ message: r.message.message, indicator: "green" });
					}
					frm.reload_doc();
				});
		frm.add_custom_button(__("Approve"), () => {
			frappe.confirm(
				__("Approve this call of {0} by {1}? It runs, once, when the assistant calls it again.", [
					frappe.utils.escape_html(frm.doc.tool),
					frappe.utils.escape_html(frm.doc.user),
				]),
				() => decide("approve")
			);
		}).addClass("btn-primary fac-approve");
		frm.add_custom_button(__("Reject"), () => {
			frappe.prompt(
				[{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason (the assistant is told)") }],
				(values) => decide("reject", { reason: values.reason || "" }),
				__("Reject approval request"),
				__("Reject")
			);
		}).addClass("btn-danger fac-reject");
	},
});
