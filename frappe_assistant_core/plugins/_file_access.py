"""Where a File document's content may be, and who may read it through a tool.

A File row only points at content by its `file_url`. Frappe v15.44.2 accepts a File whose URL walks
out of the files folders (`/private/files/../../site_config.json`), and any user who may create a
File can point one at private content someone else uploaded, then read it as the File's owner. So a
tool reads content only when both hold:

- the URL resolves, symbolic links followed, to a file inside the site's `public/files` or
  `private/files` folder (`content_path`);
- for private content, the user may read the File that first brought that content to the site, not
  merely some File that points at it (`check_content_access`). A user who uploads bytes identical to
  a file they may not read is refused too (Frappe's de-duplication gives both Files one URL).
"""

from __future__ import annotations

import os
from urllib.parse import unquote

import frappe
from frappe import _

PUBLIC_PREFIX = "/files/"
PRIVATE_PREFIX = "/private/files/"


def content_path(file_url: str | None) -> str:
	"""The real path of the content a File URL names, inside the site's files folders; else throw."""
	url = unquote(file_url or "")
	if url.startswith(("http://", "https://")):
		frappe.throw(
			_("{0} is a remote file; only files stored on this site can be read").format(file_url),
			frappe.ValidationError,
		)
	if url.startswith(PRIVATE_PREFIX):
		folder, relative = frappe.get_site_path("private", "files"), url[len(PRIVATE_PREFIX) :]
	elif url.startswith(PUBLIC_PREFIX):
		folder, relative = frappe.get_site_path("public", "files"), url[len(PUBLIC_PREFIX) :]
	else:
		_outside(file_url)
	folder = os.path.realpath(folder)
	path = os.path.realpath(os.path.join(folder, relative))
	if not relative or "\0" in relative or os.path.commonpath([folder, path]) != folder or path == folder:
		_outside(file_url)
	return path


def check_content_access(file_doc) -> None:
	"""PermissionError unless the session user may read the private content `file_doc` points at."""
	if not unquote(file_doc.file_url or "").startswith(PRIVATE_PREFIX):
		return  # public content is served to anyone at its URL
	first = frappe.get_all(
		"File",
		filters={"file_url": file_doc.file_url, "is_folder": 0},
		pluck="name",
		order_by="creation asc",
		limit=1,
	)
	if first and first[0] != file_doc.name:
		if not frappe.has_permission("File", ptype="read", doc=frappe.get_doc("File", first[0])):
			frappe.throw(
				_("The content of {0} was brought to the site by another File that you may not read").format(
					file_doc.file_url
				),
				frappe.PermissionError,
			)


def check_new_file_url(file_doc) -> None:
	"""Before a tool saves a File: its URL must stay inside the files folders and must not point at
	private content the user may not read."""
	if not file_doc.file_url or file_doc.get("is_folder"):
		return
	if unquote(file_doc.file_url).startswith(("http://", "https://")):
		return
	content_path(file_doc.file_url)
	check_content_access(file_doc)


def _outside(file_url: str | None) -> None:
	frappe.throw(_("{0} is not a file in this site's files folders").format(file_url), frappe.PermissionError)
