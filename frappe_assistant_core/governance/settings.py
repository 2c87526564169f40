"""The governance settings of Assistant Core Settings, at the path governance has always used.

They are read below governance (utils.governance_settings: the plugin manager's snapshot loads
them with the other stored state); this module re-exports their public names, so the settings
controller's `governance_settings.validate(doc)` and `load()` keep working here.
"""

from __future__ import annotations

from frappe_assistant_core.utils.governance_settings import (
	APPROVAL_FIELDS,
	APPROVAL_MODES,
	APPROVER_ONLY,
	CLIENT_OR_APPROVER,
	DEFAULT_EXPIRY_HOURS,
	DEFAULT_RATE_PER_TOOL,
	DEFAULT_RATE_PER_USER,
	MAX_LIMIT,
	READ_ONLY_ROLE_DOCTYPE,
	SETTINGS_DOCTYPE,
	load,
	validate,
)

__all__ = [
	"APPROVAL_FIELDS",
	"APPROVAL_MODES",
	"APPROVER_ONLY",
	"CLIENT_OR_APPROVER",
	"DEFAULT_EXPIRY_HOURS",
	"DEFAULT_RATE_PER_TOOL",
	"DEFAULT_RATE_PER_USER",
	"MAX_LIMIT",
	"READ_ONLY_ROLE_DOCTYPE",
	"SETTINGS_DOCTYPE",
	"load",
	"validate",
]
