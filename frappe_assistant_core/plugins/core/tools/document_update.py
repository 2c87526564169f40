"""document_update: change a document's fields and child rows, submit or cancel it.

Saves through Frappe as the calling user, as the desk and REST do, so every rule applies: the
rights are checked on the document (a role limited to the user's own documents lets them change
exactly those), on a submitted document only Allow-on-Submit fields may change
(UpdateAfterSubmitError otherwise), a cancelled one cannot change. `docstatus` moves a draft to
submitted or a submitted document to cancelled, unless a workflow governs that move (then the
workflow tools do it). Fields above the user's write permission level are refused (_changes.py).
Cancelling is irreversible, so detection makes this tool privileged (destructive). A File's new URL
must name a file the user may read and is stored in its canonical form; changing its is_private
(which makes Frappe move the content) needs write permission on the File that brought it
(plugins/_file_access.py). Files are attached as the desk's Attach does (_attachments.py).
"""

from __future__ import annotations

from typing import Any, Literal

from frappe import _
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._file_access import check_file_update
from frappe_assistant_core.plugins._output_types import Absent, DocName, sometimes
from frappe_assistant_core.plugins.core._access import permitted_doc, require_on
from frappe_assistant_core.plugins.core._attachments import (
	AttachedFile,
	Attachment,
	attach,
	check_attachments,
	written_files_removed_on_failure,
)
from frappe_assistant_core.plugins.core._changes import apply_changes, check_writable
from frappe_assistant_core.plugins.core._docstatus import CANCELLED, SUBMITTED, check_cancel, check_submit
from frappe_assistant_core.plugins.core._helpers import (
	active_workflow,
	argument_error,
	check_document_data,
	doc_payload,
)


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType of the document.")
	name: str = Field(min_length=1, description="Name (ID) of the document to update.")
	data: dict[str, Any] = Field(
		default_factory=dict,
		description=(
			"Field values to set by fieldname. A table field takes a list of row objects; a row with "
			"the `name` of an existing row updates that row, a row without `name` is added. On a "
			"submitted document only fields marked Allow on Submit may change."
		),
	)
	child_table_mode: Literal["patch", "replace"] = Field(
		default="patch",
		description=(
			"patch: rows not mentioned are kept; replace: the table becomes exactly the rows given "
			"(rows not mentioned are removed)."
		),
	)
	remove_rows: dict[str, list[str]] = Field(
		default_factory=dict,
		description='Child rows to remove, by table field and row name: {"items": ["<row name>", ...]}.',
	)
	docstatus: Literal[1, 2] | None = Field(
		default=None,
		description=(
			"1: submit the draft (after applying data), as the desk's Submit. 2: cancel the submitted "
			"document (irreversible; give nothing else to change). Refused where a workflow governs "
			"the move: use workflow_action then."
		),
	)
	attachments: list[Attachment] = Field(
		default_factory=list,
		max_length=10,
		description=(
			"Files to attach to the document: new content as base64 with a file_name, or an existing "
			"File you uploaded. Private unless is_private is false; fieldname also sets an Attach field."
		),
	)


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="DocType of the document.")
	name: DocName = Field(description="Name (ID) of the document.")
	docstatus: Literal[0, 1, 2] = Field(description="0: draft; 1: submitted; 2: cancelled.")
	document: dict[str, Any] = Field(
		description=(
			"The document as saved, {fieldname: value}; a table field holds a list of row objects. "
			"Fields the user may not read are left out."
		)
	)
	attachments: list[AttachedFile] | Absent = sometimes("The files attached (when attachments were given).")


class DocumentUpdate(BaseTool):
	name = "document_update"
	# Its changes are documents (and files Frappe removes on rollback): a dry run undoes them.
	rehearsable = True
	title = "Update, submit or cancel a document"
	Output = Output
	description = (
		"Update fields of an existing document, add, change or remove child table rows, attach "
		"files, submit a draft (docstatus 1) or cancel a submitted document (docstatus 2). On a "
		"submitted document only fields marked 'Allow on Submit' can change."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		if not (args.data or args.remove_rows or args.docstatus or args.attachments):
			argument_error("data", _("nothing to change: give data, remove_rows, docstatus or attachments"))
		doc = permitted_doc(args.doctype, args.name, ptype="write")
		self._check_changes(doc, args)
		check_attachments(doc, args.attachments)
		if args.docstatus == SUBMITTED:
			check_submit(doc)
			require_on(doc, ptype="submit")
		elif args.docstatus == CANCELLED:
			if args.data or args.remove_rows or args.attachments:
				argument_error(
					"docstatus",
					_("cancelling changes nothing else; leave out data, remove_rows and attachments"),
				)
			check_cancel(doc)
			require_on(doc, ptype="cancel")
		file_before = (doc.file_url, doc.is_private) if doc.doctype == "File" else None
		apply_changes(doc, args.data, args.child_table_mode, args.remove_rows)
		if file_before:
			check_file_update(doc, *file_before)
		with written_files_removed_on_failure() as created:
			attached = attach(doc, args.attachments, created)
			if args.docstatus == SUBMITTED:
				doc.submit()
			elif args.docstatus == CANCELLED:
				doc.cancel()
			elif args.data or args.remove_rows or any(a.fieldname for a in args.attachments):
				doc.save()
		out = {
			"doctype": doc.doctype,
			"name": doc.name,
			"docstatus": doc.docstatus,
			"document": doc_payload(doc),
		}
		if args.attachments:
			out["attachments"] = attached
		return out

	def _check_changes(self, doc, args: Arguments) -> None:
		"""Every key a field of the DocType, no renaming, no workflow state set by hand, no field
		above the user's write permission level."""
		if "name" in args.data:
			argument_error("data.name", _("renaming is not supported; leave out name"))
		check_document_data(doc.meta, args.data)
		workflow = active_workflow(doc.doctype, required=False)
		if workflow and workflow.workflow_state_field in args.data:
			argument_error(
				f"data.{workflow.workflow_state_field}",
				_("the workflow {0} sets this field: use workflow_action").format(workflow.name),
			)
		check_writable(doc, args.data, args.remove_rows)
