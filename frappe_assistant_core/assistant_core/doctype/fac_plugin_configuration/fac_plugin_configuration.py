from frappe.model.document import Document


class FACPluginConfiguration(Document):
	pass
