"""Permission gates of the core tools: Frappe's own checks, made where Frappe makes them.

A right on one document is decided on that document (`frappe.has_permission(..., doc=doc)`), which
applies owner rules (if_owner), User Permissions, sharing and controller hooks. Before loading it, a
DocType-level gate asks only whether the user could hold the right on *some* document of the
DocType: through a role (a role that grants it only on the user's own documents counts), or a share.
So a user with no way in learns nothing about which documents exist, and a user whose role lets
them edit or delete only what they created may do exactly that, as Frappe's REST API lets them.
Callers pass `ptype=` as a keyword: utils.tool_categories reads it to categorise the tool.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.permissions import get_role_permissions

from frappe_assistant_core.plugins._doctype_access import cached_meta


def check_access(doctype: str, *, ptype: str, name: str | None = None) -> None:
	"""Raise DoesNotExistError / PermissionError unless the session user has `ptype`: on the DocType
	as a whole, or, with `name`, on that document."""
	meta = _parent_meta(doctype)
	if name is None:
		_require(_has(doctype, ptype), ptype, _(doctype))
		return
	_require(could_have(meta, ptype), ptype, _(doctype))
	if name != doctype and not frappe.db.exists(doctype, name):  # a Single's only document is named after it
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
	_require(_has(doctype, ptype, name), ptype, f"{_(doctype)} {name}")


def permitted_doc(doctype: str, name: str, *, ptype: str):
	"""The document, loaded once, after the checks check_access makes with `name` (same errors,
	same order): could the user have `ptype` at all, does the document exist, and on it."""
	meta = _parent_meta(doctype)
	_require(could_have(meta, ptype), ptype, _(doctype))
	try:
		doc = frappe.get_doc(doctype, name)
	except frappe.DoesNotExistError:
		frappe.clear_messages()
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
	require_on(doc, ptype=ptype)
	return doc


def require_on(doc, *, ptype: str) -> None:
	"""PermissionError unless the session user has `ptype` on the loaded document `doc`."""
	_require(_has(doc.doctype, ptype, doc), ptype, f"{_(doc.doctype)} {doc.name}")


def require_could_have(doctype: str, *, ptype: str) -> None:
	"""PermissionError unless some document of `doctype` could grant the user `ptype`; for a right
	that Frappe will check on a document this tool has yet to create (submit on insert)."""
	_require(could_have(_parent_meta(doctype), ptype), ptype, _(doctype))


def could_have(meta, ptype: str) -> bool:
	"""Whether a role grants `ptype` on the DocType (on every document, or only on the user's own),
	or some document of it is shared with the user for `ptype`."""
	role_permissions = get_role_permissions(meta)
	if role_permissions.get(ptype) or ptype in (role_permissions.get("if_owner") or {}):
		return True
	return _has(meta.name, ptype)  # a share, or "select" through read


def _has(doctype: str, ptype: str, doc=None) -> bool:
	allowed = frappe.has_permission(doctype, ptype=ptype, doc=doc)
	if not allowed and ptype == "select":
		# Frappe's own link search accepts read access where select is not granted explicitly.
		allowed = frappe.has_permission(doctype, ptype="read", doc=doc)
	return bool(allowed)


def _parent_meta(doctype: str):
	meta = cached_meta(doctype)
	if meta is None:
		frappe.throw(_("DocType {0} not found").format(doctype), frappe.DoesNotExistError)
	if meta.istable:
		frappe.throw(
			_("{0} is a child table; use its parent DocType").format(_(doctype)), frappe.ValidationError
		)
	return meta


def _require(allowed: bool, ptype: str, target: str) -> None:
	if not allowed:
		frappe.throw(
			_("You do not have {0} permission on {1}").format(_(ptype), target),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
