"""Who reads a row of the FAC Tool Call Log: the user whose call it records, and System Managers.

A row can hold anything its call could read, a System Manager's included, so nobody else reads it
(Assistant Admins get the usage numbers through the admin API). The DocType's permission hooks
(its controller) and the usage report (audit.usage) apply this one rule.
"""

from __future__ import annotations

import frappe

READS_EVERY_ROW = "System Manager"


def reads_all(user: str) -> bool:
	"""System Managers (and Administrator) read every call; everyone else only their own."""
	return user == "Administrator" or READS_EVERY_ROW in frappe.get_roles(user)


def may_read_row(row_user: str | None, user: str | None = None) -> bool:
	"""Whether `user` (the session user) may read the row of a call made by `row_user`."""
	user = user or frappe.session.user
	return row_user == user or reads_all(user)
