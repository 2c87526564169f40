from frappe.model.document import Document


class FACToolConfiguration(Document):
	pass
