"""The OAuth switches of Assistant Core Settings, as every request reads them: from the plugin
manager's snapshot, which utils.oauth_settings.load() fills once per registry version."""

from __future__ import annotations

import frappe

from frappe_assistant_core.utils.oauth_settings import AUTHORIZE_ROLE_DOCTYPE, SETTINGS_DOCTYPE, load
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

__all__ = [
	"AUTHORIZE_ROLE_DOCTYPE",
	"SETTINGS_DOCTYPE",
	"authorize_roles",
	"cimd_enabled",
	"dcr_enabled",
	"load",
]


def dcr_enabled() -> bool:
	return _settings()["oauth_dynamic_registration"]


def cimd_enabled() -> bool:
	return _settings()["oauth_client_metadata_documents"]


def authorize_roles() -> tuple[str, ...]:
	return _settings()["oauth_authorize_roles"]


def _settings() -> dict:
	return get_plugin_manager().snapshot().settings


def validate(doc) -> None:
	"""Assistant Core Settings.validate: each role that may authorize clients is listed once."""
	from frappe import _

	roles = [row.role for row in doc.get("oauth_authorize_roles") or []]
	if len(roles) != len(set(roles)):
		frappe.throw(
			_("Each role that may authorize clients may be listed only once"), frappe.ValidationError
		)
