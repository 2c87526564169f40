"""FAC Plugin Configuration: one row per plugin, the only store of whether it is enabled.

Saving a row is a toggle wherever it comes from (Desk form, list view, admin API, CLI): the same
rules (the plugin must exist; core cannot be disabled; a plugin whose environment fails cannot be
enabled), the same lifecycle hooks and the same cross-worker cache invalidation.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from frappe_assistant_core.exceptions import PluginValidationError
from frappe_assistant_core.utils.cache import publish_change
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager


class FACPluginConfiguration(Document):
	def validate(self):
		plugin = get_plugin_manager().get_plugin(self.plugin_name)
		self.display_name = plugin.display_name
		self.description = plugin.description
		if self.is_new():
			self.discovered_at = self.discovered_at or now_datetime()
		if self.is_new() or self.has_value_changed("enabled"):
			self._validate_toggle(plugin)
			self.last_toggled_at = now_datetime()
			self.last_toggled_by = frappe.session.user

	def _validate_toggle(self, plugin) -> None:
		if not self.enabled and plugin.always_enabled:
			frappe.throw(
				_("Plugin {0} is always enabled and cannot be disabled").format(self.plugin_name),
				PluginValidationError,
				title=_("Plugin required"),
			)
		if self.enabled and not plugin.can_enable:
			frappe.throw(
				_("Plugin {0} cannot be enabled: {1}").format(self.plugin_name, plugin.validation_error),
				PluginValidationError,
				title=_("Plugin unavailable"),
			)

	def on_update(self):
		if self.has_value_changed("enabled") and not self.flags.in_insert:
			plugin = get_plugin_manager().get_plugin(self.plugin_name).instance
			plugin.on_enable() if self.enabled else plugin.on_disable()
		publish_change(self.plugin_name)

	def on_trash(self):
		publish_change(self.plugin_name)
