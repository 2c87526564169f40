// FAC Approval Request list: the status as a coloured indicator.
frappe.listview_settings["FAC Approval Request"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colors = {
			Pending: "orange",
			Approved: "blue",
			Running: "blue",
			Executed: "green",
			Rejected: "red",
			Failed: "red",
			Expired: "gray",
		};
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
