"""FAC Tool Configuration: per-tool switch, risk category and role access.

Rows are created by the migrate sync for every tool in code (tools of disabled plugins included,
so their settings survive). The category follows auto-detection unless overridden by hand, and an
override may only raise it: clients skip confirmation for read-only tools, so relabelling
execute_python_code as read_only would remove a safeguard. A role restriction names desk roles
that some users have, never Guest, All or Desk User, which every (desk) user has.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document

from frappe_assistant_core.core.tool_categories import CATEGORIES, CATEGORY_RANK
from frappe_assistant_core.exceptions import ToolNotFoundError
from frappe_assistant_core.utils.cache import publish_change
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.utils.plugin_persistence import RESTRICTED

#: Roles Frappe gives to every visitor, every user or every desk user: a restriction to them is none.
EVERYONE_ROLES = frozenset({"Guest", "All", "Desk User"})


class FACToolConfiguration(Document):
	def validate(self):
		self._take_code_fields()
		self._validate_category()
		self._validate_role_access()

	def _take_code_fields(self) -> None:
		"""Plugin, source and detected category come from the tool's code, never from the form."""
		entry = get_plugin_manager().get_tool_catalog().get(self.tool_name)
		if entry is None:
			if self.is_new():
				frappe.throw(
					_("Tool {0} not found").format(frappe.bold(self.tool_name)),
					ToolNotFoundError,
					title=_("Unknown tool"),
				)
			return
		self.plugin_name = entry.plugin_name
		self.source_app = entry.source_app
		self.module_path = entry.module_path
		self.description = entry.description
		self.auto_detected_category = entry.category

	def _validate_category(self) -> None:
		if self.category_override:
			if self.tool_category not in CATEGORIES:
				frappe.throw(_("Please select a Tool Category when overriding the detected one"))
			detected = self.auto_detected_category
			if detected in CATEGORY_RANK and CATEGORY_RANK[self.tool_category] < CATEGORY_RANK[detected]:
				frappe.throw(
					_("The category of {0} can be raised above {1}, not lowered to {2}").format(
						self.tool_name, _(detected), _(self.tool_category)
					),
					frappe.ValidationError,
					title=_("Category too low"),
				)
		elif self.auto_detected_category:
			self.tool_category = self.auto_detected_category

	def _validate_role_access(self) -> None:
		if self.role_access_mode != RESTRICTED:
			return
		roles = [row.role for row in self.role_access]
		if not any(row.allow_access for row in self.role_access):
			frappe.throw(_("Add at least one allowed role when using 'Restrict to Listed Roles'"))
		if len(roles) != len(set(roles)):
			frappe.throw(_("Each role may be listed only once"))
		if everyone := sorted(EVERYONE_ROLES.intersection(roles)):
			frappe.throw(
				_("{0} cannot restrict a tool: every user (or visitor) has it").format(", ".join(everyone)),
				frappe.ValidationError,
				title=_("Role admits everyone"),
			)
		no_desk = (
			frappe.get_all("Role", filters={"name": ("in", roles), "desk_access": 0}, pluck="name")
			if roles
			else []
		)
		if no_desk:
			frappe.throw(
				_("Roles without desk access cannot use assistant tools: {0}").format(
					", ".join(sorted(no_desk))
				),
				frappe.ValidationError,
				title=_("Role without desk access"),
			)

	def on_update(self):
		publish_change()

	def on_trash(self):
		publish_change()
