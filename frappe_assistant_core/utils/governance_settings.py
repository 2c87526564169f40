"""The governance settings of Assistant Core Settings, as every request reads them.

`load()` turns the stored Single into plain values for the plugin manager's snapshot (read once
per registry version, never per request); a field never saved has its default. `validate()` is
the settings controller's check of those fields. Per-tool values (requires approval, rate limit)
are columns of FAC Tool Configuration, read with the other tool switches (utils.plugin_persistence).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint

SETTINGS_DOCTYPE = "Assistant Core Settings"
READ_ONLY_ROLE_DOCTYPE = "FAC Read Only Role"
CLIENT_OR_APPROVER = "Client or Approver"
APPROVER_ONLY = "Approver Only"
APPROVAL_MODES = (CLIENT_OR_APPROVER, APPROVER_ONLY)
#: Setting field -> the tool category whose calls it sends for approval.
APPROVAL_FIELDS = {
	"approval_for_write": "write",
	"approval_for_read_write": "read_write",
	"approval_for_privileged": "privileged",
}
DEFAULT_EXPIRY_HOURS = 24
DEFAULT_RATE_PER_USER = 120
DEFAULT_RATE_PER_TOOL = 60
#: Largest value a limit or expiry may take (a typo of extra zeros is refused, not obeyed).
MAX_LIMIT = 100_000
_NUMBER_DEFAULTS = {
	"approval_expiry_hours": DEFAULT_EXPIRY_HOURS,
	"rate_limit_per_user": DEFAULT_RATE_PER_USER,
	"rate_limit_per_tool": DEFAULT_RATE_PER_TOOL,
}


def load(stored: dict) -> dict:
	"""The governance values of the snapshot, from `frappe.db.get_singles_dict(SETTINGS_DOCTYPE)`."""
	mode = stored.get("approval_mode")
	return {
		"read_only_mode": bool(cint(stored.get("read_only_mode"))),
		"read_only_roles": _read_only_roles(),
		"approval_mode": mode if mode in APPROVAL_MODES else CLIENT_OR_APPROVER,
		"approval_categories": tuple(
			category for field, category in APPROVAL_FIELDS.items() if cint(stored.get(field))
		),
		"approval_expiry_hours": _positive(stored, "approval_expiry_hours", DEFAULT_EXPIRY_HOURS),
		"rate_limit_per_user": _positive(stored, "rate_limit_per_user", DEFAULT_RATE_PER_USER),
		"rate_limit_per_tool": _positive(stored, "rate_limit_per_tool", DEFAULT_RATE_PER_TOOL),
	}


def validate(doc) -> None:
	"""Assistant Core Settings.validate: a limit or expiry left empty or 0 takes its default (a Single
	saved before these fields existed loads them empty), one above MAX_LIMIT is refused; each
	read-only role is listed once."""
	for fieldname, default in _NUMBER_DEFAULTS.items():
		value = cint(doc.get(fieldname))
		if value <= 0:
			doc.set(fieldname, default)
		elif value > MAX_LIMIT:
			frappe.throw(
				_("{0} must be a whole number from 1 to {1}").format(
					_(doc.meta.get_label(fieldname)), MAX_LIMIT
				),
				frappe.ValidationError,
				title=_("Invalid value"),
			)
	roles = [row.role for row in doc.get("read_only_roles") or []]
	if len(roles) != len(set(roles)):
		frappe.throw(_("Each read-only role may be listed only once"), frappe.ValidationError)


def _positive(stored: dict, fieldname: str, default: int) -> int:
	value = cint(stored.get(fieldname))
	return value if value >= 1 else default


def _read_only_roles() -> tuple[str, ...]:
	try:
		roles = frappe.get_all(
			READ_ONLY_ROLE_DOCTYPE,
			filters={"parenttype": SETTINGS_DOCTYPE, "parentfield": "read_only_roles"},
			pluck="role",
		)
	except Exception as exc:
		if frappe.db.is_table_missing(exc):  # the app is not migrated yet
			return ()
		raise
	return tuple(sorted(set(roles)))
