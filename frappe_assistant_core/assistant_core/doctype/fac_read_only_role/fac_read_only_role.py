"""FAC Read Only Role: one row of Assistant Core Settings > Read-only Roles (a Table MultiSelect)."""

from __future__ import annotations

from frappe.model.document import Document


class FACReadOnlyRole(Document):
	pass
