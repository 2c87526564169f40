"""document_delete: delete one document, as the calling user and within Frappe's deletion rules.

frappe.delete_doc checks delete permission again, refuses submitted documents and, unless `force`,
documents that others link to (LinkExistsError).
"""

from __future__ import annotations

import frappe
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType of the document to delete.")
	name: str = Field(min_length=1, description="Name (ID) of the document to delete.")
	force: bool = Field(
		default=False,
		description="Delete even if other documents link to it (their links are left dangling).",
	)


class Output(BaseModel):
	deleted: bool = Field(description="True: the document is gone.")
	doctype: str = Field(description="DocType of the deleted document.")
	name: str = Field(description="Name of the deleted document.")


class DocumentDelete(BaseTool):
	name = "document_delete"
	title = "Delete a document"
	Output = Output
	description = (
		"Permanently delete a document. Submitted documents must be cancelled first; documents "
		"that others link to are refused unless force is set."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="delete", name=args.name)
		frappe.delete_doc(args.doctype, args.name, force=args.force)
		return {"deleted": True, "doctype": args.doctype, "name": args.name}
