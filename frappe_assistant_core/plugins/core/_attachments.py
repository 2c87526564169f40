"""Files attached to a document by document_update, as the desk's Attach does, never fetched.

An attachment is a new File record attached to the document, inserted as the calling user (Frappe
checks the File rights, its allowed extensions and its own Max File Size), after the tool has
checked write permission on the document. The content comes either from base64 in the call, or
from a File the user uploaded (or a public one), whose content stays where it is; a URL is never
taken, so the server fetches nothing. Each is private unless asked otherwise, at most
Assistant Core Settings > Max Attachment Size, and its stored URL goes through the canonical-path
rules every file read uses (plugins/_file_access.py); sent bytes that Frappe would point at another
user's identical private file are written to a file of their own. Files written to disk by a call that then
fails are deleted again: a rollback to the tool's savepoint would leave them behind.
"""

from __future__ import annotations

import base64
import binascii
import os
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils import cint
from pydantic import BaseModel, ConfigDict, Field, model_validator

from frappe_assistant_core.plugins._file_access import (
	canonical_site_file,
	is_remote_url,
	may_read_content,
	readable_site_file,
	refuse,
	resolve,
)
from frappe_assistant_core.plugins.core._helpers import argument_error

SETTINGS = "Assistant Core Settings"
#: Max Attachment Size (MB) of a site whose settings do not hold one yet.
DEFAULT_MAX_MB = 10
ATTACH_FIELDTYPES = ("Attach", "Attach Image")
MAX_FILE_NAME = 140


class Attachment(BaseModel):
	"""One file to attach: new content (file_name + content_base64) or an existing File (file)."""

	model_config = ConfigDict(extra="forbid")

	file_name: str | None = Field(
		default=None,
		min_length=1,
		description="Name of the new file, e.g. 'receipt.pdf' (with content_base64).",
	)
	content_base64: str | None = Field(
		default=None, min_length=1, description="The new file's content, base64-encoded."
	)
	file: str | None = Field(
		default=None,
		min_length=1,
		description="Instead of new content: name (ID) of a File you uploaded, or a public one, to attach again.",
	)
	is_private: bool = Field(
		default=True,
		description="New content only: keep the file private (default) or make it public (served to anyone).",
	)
	fieldname: str | None = Field(
		default=None,
		min_length=1,
		description="An Attach or Attach Image field of the document to set to the file (optional).",
	)

	@model_validator(mode="after")
	def _one_source(self):
		if bool(self.file) == bool(self.content_base64):
			raise ValueError("give either file, or file_name with content_base64")
		if self.content_base64 and not self.file_name:
			raise ValueError("file_name is needed with content_base64")
		if self.file and self.file_name:
			raise ValueError("file_name goes with content_base64; an existing file keeps its name")
		return self


class AttachedFile(BaseModel):
	model_config = ConfigDict(extra="forbid")

	name: str = Field(description="Name (ID) of the new File record.")
	file_name: str = Field(description="Name of the file.")
	file_url: str = Field(description="Where the site serves it (private files to permitted users only).")
	is_private: bool = Field(description="Whether the file is private.")
	fieldname: str | None = Field(description="The Attach field set to it, if any.")


def check_attachments(doc, attachments: list[Attachment]) -> None:
	"""Before anything is written: each attach field exists, may be written by the user, and names
	are safe; the size cap is checked when the content is at hand."""
	if attachments and max_bytes() == 0:
		argument_error("attachments", _("attaching files is switched off in Assistant Core Settings"))
	access = set(doc.get_permlevel_access("write"))
	for index, attachment in enumerate(attachments):
		argument = f"attachments.{index}"
		if attachment.file_name:
			_check_file_name(attachment.file_name, f"{argument}.file_name")
		if attachment.fieldname:
			df = doc.meta.get_field(attachment.fieldname)
			if df is None or df.fieldtype not in ATTACH_FIELDTYPES:
				argument_error(
					f"{argument}.fieldname",
					_("{0} has no Attach field {1}").format(_(doc.doctype), attachment.fieldname),
				)
			if df.permlevel and df.permlevel not in access:
				frappe.throw(
					_("{0}.fieldname: you may not change field {1} of {2} (permission level {3})").format(
						argument, df.fieldname, _(doc.doctype), df.permlevel
					),
					frappe.PermissionError,
				)


@contextmanager
def written_files_removed_on_failure():
	"""Yields a list to put each inserted File in; if the block fails, the content those Files
	wrote to disk is deleted (unless another File still uses it) before the error goes on."""
	created: list = []
	try:
		yield created
	except BaseException:
		for file_doc in created:
			if file_doc.flags.new_file:
				file_doc.on_rollback()  # Frappe's own cleanup for an insert that is undone
			if file_doc.flags.fac_own_copy and os.path.isfile(file_doc.flags.fac_own_copy):
				os.remove(file_doc.flags.fac_own_copy)
		raise


def attach(doc, attachments: list[Attachment], created: list) -> list[dict]:
	"""Insert one File per attachment, attached to `doc`, and set the attach fields on `doc` (not
	saved). Returns what was attached."""
	limit = max_bytes()
	out = []
	for index, attachment in enumerate(attachments):
		argument = f"attachments.{index}"
		if attachment.content_base64:
			values = {
				"file_name": attachment.file_name,
				"content": _decoded(attachment.content_base64, limit, f"{argument}.content_base64"),
				"is_private": int(attachment.is_private),
			}
		else:
			values = _existing(attachment.file, limit, f"{argument}.file")
		file_doc = frappe.get_doc(
			{
				"doctype": "File",
				"attached_to_doctype": doc.doctype,
				"attached_to_name": doc.name,
				"attached_to_field": attachment.fieldname,
				**values,
			}
		)
		file_doc.insert()
		created.append(file_doc)
		if attachment.content_base64:
			_own_copy_unless_readable(file_doc, values["content"])
		# Frappe may have pointed the File at identical content already on the site: the same rules
		# as any read decide whether that content is the user's to attach.
		readable_site_file(file_doc, argument, file_doc.file_name)
		if attachment.fieldname:
			doc.set(attachment.fieldname, file_doc.file_url)
		out.append(
			{
				"name": file_doc.name,
				"file_name": file_doc.file_name,
				"file_url": file_doc.file_url,
				"is_private": bool(file_doc.is_private),
				"fieldname": attachment.fieldname,
			}
		)
	return out


def _own_copy_unless_readable(file_doc, content: bytes) -> None:
	"""Frappe points a new File at identical content already on the site. The bytes sent are the
	caller's own: when that content is not theirs to read (refusing would tell them it exists),
	they are written to a file of the new File's own instead."""
	site_file = resolve(file_doc.file_url)
	if site_file is not None and may_read_content(site_file):
		return
	file_doc.file_url = None
	file_doc.save_file(content=content, ignore_existing_file_check=True)
	file_doc.db_update()
	# Frappe's rollback cleanup keeps a file whose content hash another File shares: this one goes
	# by its path (written_files_removed_on_failure).
	file_doc.flags.fac_own_copy = canonical_site_file(file_doc.file_url).path


def max_bytes() -> int:
	"""Assistant Core Settings > Max Attachment Size in bytes (0: attaching is off)."""
	stored = frappe.db.get_singles_dict(SETTINGS).get("max_attachment_mb")
	return (DEFAULT_MAX_MB if stored in (None, "") else cint(stored)) * 1024 * 1024


def _existing(name: str, limit: int, argument: str) -> dict:
	"""The values of a new File pointing at the content of File `name`: the user's own, or public."""
	if not frappe.db.exists("File", name):
		refuse(argument, name)
	source = frappe.get_doc("File", name)
	if source.is_folder or not source.file_url:
		refuse(argument, name)
	if is_remote_url(source.file_url):
		argument_error(
			argument,
			_("{0} links to another site; only files stored on this site can be attached").format(name),
		)
	if source.is_private and source.owner != frappe.session.user:
		refuse(argument, name)
	if not frappe.has_permission("File", ptype="read", doc=source):
		refuse(argument, name)
	site_file = readable_site_file(source, argument, name)
	if os.path.getsize(site_file.path) > limit:
		_too_large(argument, limit)
	return {
		"file_url": site_file.file_url,
		"file_name": source.file_name,
		"is_private": int(site_file.is_private),
	}


def _decoded(content: str, limit: int, argument: str) -> bytes:
	# Refused before decoding: base64 holds 3 bytes in every 4 characters.
	if (len(content) // 4) * 3 > limit + 3:
		_too_large(argument, limit)
	try:
		data = base64.b64decode(content, validate=True)
	except (binascii.Error, ValueError):
		argument_error(argument, _("not valid base64"))
	if not data:
		argument_error(argument, _("the file is empty"))
	if len(data) > limit:
		_too_large(argument, limit)
	return data


def _check_file_name(file_name: str, argument: str) -> None:
	"""A plain file name: no folder, no control character, not '.' or '..'."""
	if (
		len(file_name) > MAX_FILE_NAME
		or file_name.strip() in ("", ".", "..")
		or any(char in file_name for char in "/\\")
		or any(ord(char) < 0x20 or ord(char) == 0x7F for char in file_name)
	):
		argument_error(argument, _("give a plain file name such as receipt.pdf, without folders"))


def _too_large(argument: str, limit: int) -> None:
	argument_error(
		argument,
		_("the file is larger than this site's Max Attachment Size of {0} MB").format(limit // (1024 * 1024)),
	)
