"""document_create: create a document (child table rows included), optionally submit it or only validate it.

Runs Frappe's full insert (mandatory fields, links, controller hooks, permissions) as the calling
user. With validate_only the insert happens inside a savepoint that is rolled back, so every rule
is checked and nothing is kept, not even the commit-time callbacks the insert queued; a DocType
whose insert commits (Custom Field and DocType change the schema, and DDL commits) is refused
before the commit, since a commit would make the savepoint and the rollback meaningless. A File is
saved only if its URL stays inside the site's files folders (plugins/_file_access.py).
"""

from __future__ import annotations

from typing import Any, Literal

import frappe
from frappe import _
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._file_access import check_new_file_url
from frappe_assistant_core.plugins._output_types import Absent, DocName, sometimes
from frappe_assistant_core.plugins.core._helpers import (
	argument_error,
	check_access,
	check_document_data,
	doc_payload,
)

_SAVEPOINT = "fac_document_create_validate_only"


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
		default=False, description="Submit the document after creating it (submittable DocTypes)."
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
		"Create a document of any DocType the user may create, including child table rows. "
		"Set submit to submit it in the same call, or validate_only to check it without saving."
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
			check_access(args.doctype, ptype="submit")
		check_document_data(meta, args.data)
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
	"""Insert (and submit) inside a savepoint, capture the result, then undo everything: roll the
	savepoint back and drop the commit-time work the insert queued (webhooks, notifications,
	realtime updates), which would otherwise fire for a document that was never kept."""
	callbacks = (frappe.db.before_commit, frappe.db.after_commit)
	queued_before = [list(manager._functions) for manager in callbacks]  # CallbackManager keeps a deque

	def refuse_commit(*_args, **_kwargs):
		frappe.throw(
			_(
				"validate_only cannot check a {0}: saving one commits the transaction (it changes the "
				"database schema), so it could not be undone"
			).format(_(doc.doctype)),
			frappe.ValidationError,
		)

	frappe.db.savepoint(_SAVEPOINT)
	# Frappe's DDL helper (sql_ddl) commits first: refusing that commit stops the DDL from running.
	frappe.db.commit = refuse_commit
	try:
		doc.insert()
		if submit:
			doc.submit()
		return doc_payload(doc)
	finally:
		del frappe.db.commit  # the instance attribute goes; the Database.commit method is back
		frappe.db.rollback(save_point=_SAVEPOINT)
		for manager, functions in zip(callbacks, queued_before, strict=True):
			manager.reset()
			for function in functions:
				manager.add(function)
