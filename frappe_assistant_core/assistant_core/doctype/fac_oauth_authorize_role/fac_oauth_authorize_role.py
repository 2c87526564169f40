"""FAC OAuth Authorize Role: one row of Assistant Core Settings > Roles That May Authorize Clients."""

from __future__ import annotations

from frappe.model.document import Document


class FACOAuthAuthorizeRole(Document):
	pass
