from frappe.model.document import Document


class FACToolRoleAccess(Document):
	pass
