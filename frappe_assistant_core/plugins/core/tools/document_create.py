"""document_create: create a document (child table rows included) or amend a cancelled one,
optionally submit it or only validate it.

Runs Frappe's full insert (mandatory fields, links, controller hooks, permissions) as the calling
user. An amendment starts as the desk's Amend makes it (_docstatus.amendment_of). Submitting is
refused where a workflow governs it, and fields above the user's write permission level are
refused rather than quietly dropped (_changes.py). With validate_only the insert is a dry run
(core.dry_run): every rule is checked and nothing is kept (no row, no cached meta, no search index
entry, no queued job); a DocType whose insert commits (Custom Field and DocType change the schema,
and DDL commits) is refused before the commit, since a commit would make the undo impossible. A
File is saved only if its URL names a file of the site whose content the user may read, and with
that URL in its canonical form (plugins/_file_access.py).
"""

from __future__ import annotations

from typing import Any, Literal

import frappe
from frappe import _
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.core.dry_run import dry_run
from frappe_assistant_core.plugins._file_access import check_new_file_url
from frappe_assistant_core.plugins._output_types import Absent, DocName, sometimes
from frappe_assistant_core.plugins.core._access import check_access, require_could_have
from frappe_assistant_core.plugins.core._changes import apply_changes, check_writable
from frappe_assistant_core.plugins.core._docstatus import amendment_of, refuse_submit_under_workflow
from frappe_assistant_core.plugins.core._helpers import argument_error, check_document_data, doc_payload


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType of the new document, e.g. 'ToDo'.")
	data: dict[str, Any] = Field(
		default_factory=dict,
		description=(
			"Field values by fieldname. A table field takes a list of row objects, e.g. "
			'{"customer": "Acme", "items": [{"item": "Bolt", "qty": 2}]}.'
		),
	)
	validate_only: bool = Field(
		default=False, description="Run every validation and return the would-be document without saving it."
	)
	submit: bool = Field(
		default=False,
		description=(
			"Submit the document after creating it (submittable DocTypes without a workflow; a workflow's "
			"documents move through workflow_action)."
		),
	)
	amend_from: str | None = Field(
		default=None,
		min_length=1,
		description=(
			"Name of a cancelled document of this DocType to amend: the new draft starts as its copy "
			"(child rows included), data is applied on top (a table given in data replaces the copied "
			"rows), and Frappe names it after the original, e.g. SINV-0001-1."
		),
	)


class Output(BaseModel):
	"""A saved document (doctype, name, docstatus, document), or with validate_only the would-be
	document (valid, saved, document)."""

	model_config = ConfigDict(extra="forbid")

	doctype: str | Absent = sometimes("DocType of the new document (when saved).")
	name: DocName | Absent = sometimes("Name (ID) given to the new document (when saved).")
	docstatus: Literal[0, 1] | Absent = sometimes("0: draft; 1: submitted (when saved).")
	valid: Literal[True] | Absent = sometimes(
		"With validate_only: every validation passed (a failure is an error result instead)."
	)
	saved: Literal[False] | Absent = sometimes("With validate_only: nothing was saved.")
	document: dict[str, Any] = Field(
		description=(
			"The document as saved (or as it would be saved), {fieldname: value}; a table field holds "
			"a list of row objects. Fields the user may not read are left out."
		)
	)


class DocumentCreate(BaseTool):
	name = "document_create"
	rehearsable = True  # its changes are documents: a dry run can undo them
	title = "Create a document"
	Output = Output
	description = (
		"Create a document of any DocType the user may create, including child table rows, or amend "
		"a cancelled document (amend_from). Set submit to submit it in the same call, or "
		"validate_only to check it without saving."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		check_access(args.doctype, ptype="create")
		meta = frappe.get_meta(args.doctype)
		if meta.issingle:
			frappe.throw(
				_("{0} is a Single DocType; change it with document_update").format(_(args.doctype)),
				frappe.ValidationError,
			)
		if args.submit:
			if not meta.is_submittable:
				argument_error("submit", _("{0} is not submittable").format(_(args.doctype)))
			refuse_submit_under_workflow(args.doctype)
			# Checked again on the new document when it is submitted: owner rules may grant it there.
			require_could_have(args.doctype, ptype="submit")
		check_document_data(meta, args.data)
		if args.amend_from:
			doc = amendment_of(args.doctype, args.amend_from)
			check_writable(doc, args.data)
			apply_changes(doc, args.data, mode="replace")
		else:
			check_writable(frappe.new_doc(args.doctype), args.data)
			doc = frappe.get_doc({**args.data, "doctype": args.doctype})
		if doc.doctype == "File":
			check_new_file_url(doc)
		if args.validate_only:
			return {"valid": True, "saved": False, "document": _dry_run(doc, args.submit)}
		doc.insert()
		if args.submit:
			doc.submit()
		return {
			"doctype": doc.doctype,
			"name": doc.name,
			"docstatus": doc.docstatus,
			"document": doc_payload(doc),
		}


def _dry_run(doc, submit: bool) -> dict:
	"""Insert (and submit) as a dry run (core.dry_run): every rule runs, nothing is kept."""

	def insert() -> dict:
		doc.insert()
		if submit:
			doc.submit()
		return doc_payload(doc)

	refusal = _(
		"validate_only cannot check a {0}: saving one commits the transaction (it changes the "
		"database schema), so it could not be undone"
	).format(_(doc.doctype))
	return dry_run(insert, documents=[doc], refusal=refusal)
