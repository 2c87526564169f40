from frappe.model.document import Document


class AssistantCoreSettings(Document):
	pass
