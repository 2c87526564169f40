"""metadata_permissions: what the calling user may do with a DocType and, optionally, one document.

DocType level comes from the user's roles (frappe.permissions.get_role_permissions); document level
from frappe.permissions.get_doc_permissions, which adds owner rules, User Permissions and sharing.
A user who cannot read the DocType (or the document) gets a PermissionError, not a map.
"""

from __future__ import annotations

import frappe
from frappe.permissions import get_doc_permissions, get_role_permissions, rights
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._output_types import Absent, sometimes
from frappe_assistant_core.plugins.core._access import check_access


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType to check, e.g. 'Sales Invoice'.")
	name: str | None = Field(
		default=None, min_length=1, description="A document to check as well (optional)."
	)


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="The DocType checked.")
	user: str = Field(description="The user whose permissions these are (the caller).")
	roles: list[str] = Field(description="The user's roles.")
	doctype_permissions: dict[str, bool] = Field(
		description="By permission type (read, write, create, delete, submit, ...): granted by a role."
	)
	only_if_owner: list[str] = Field(
		description="Permission types granted only on documents the user created."
	)
	document: str | Absent = sometimes("The document checked (when a name was given).")
	document_permissions: dict[str, bool] | Absent = sometimes(
		"By permission type: granted on that document, after owner rules, User Permissions and sharing."
	)


class MetadataPermissions(BaseTool):
	name = "metadata_permissions"
	title = "Your permissions on a DocType"
	Output = Output
	description = (
		"Show the current user's permissions (read, write, create, delete, submit, cancel, ...) "
		"on a DocType and, if a document name is given, on that document."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="read", name=args.name)
		role_perms = get_role_permissions(frappe.get_meta(args.doctype))
		out = {
			"doctype": args.doctype,
			"user": frappe.session.user,
			"roles": frappe.get_roles(),
			"doctype_permissions": {ptype: bool(role_perms.get(ptype)) for ptype in rights},
			"only_if_owner": sorted(role_perms.get("if_owner") or {}),
		}
		if args.name:
			doc_perms = get_doc_permissions(frappe.get_doc(args.doctype, args.name))
			out["document"] = args.name
			out["document_permissions"] = {ptype: bool(doc_perms.get(ptype)) for ptype in rights}
		return out
