// FAC Tool Configuration list: the Tool Category column and filter read as on the FAC Admin page
// ("Read Only"); the labels come from the page's own module (public/js/fac_admin/util.js).
frappe.listview_settings["FAC Tool Configuration"] = {
	formatters: {
		tool_category(value) {
			const util = window.fac_admin && window.fac_admin.util;
			return util && value ? util.categoryLabel(value) : value;
		},
	},
	onload(listview) {
		frappe.require("/assets/frappe_assistant_core/js/fac_admin/util.js").then(() => listview.refresh());
	},
	refresh(listview) {
		const util = window.fac_admin && window.fac_admin.util;
		const filter = listview.page.fields_dict.tool_category;
		if (util && filter && !filter.fac_labelled) {
			filter.fac_labelled = true;
			filter.df.options = [{ value: "", label: "" }, ...util.CATEGORIES.map((value) => ({ value, label: util.categoryLabel(value) }))];
			filter.set_options(filter.get_value());
		}
	},
};
