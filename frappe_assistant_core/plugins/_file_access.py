"""Who may reach a file of the site through a tool: decided on the canonical file, never on a string.

Every file reference a tool receives goes through `canonical_site_file` (plugins/_file_paths.py),
which turns it into a `SiteFile` (real path, private or public, the `file_url` Frappe stores) or
refuses. Permission is then decided on that file and on the File records that point at it:

- public content (the real path is in `public/files`) is served to anyone at its URL;
- private content may be read only by a user who may read the File that brought it to the site:
  the earliest File whose own `file_url` resolves to the same file (`content_grantor`). A pointer
  someone made later, under any spelling, grants nothing: Frappe v15.44.2 lets any user who may
  create a File point one at content someone else uploaded, and would serve it to them.

`may_read_content` is the check before a tool reads a file (`readable_site_file` for a File
document). `check_new_file_url` is the check before a tool saves a new File (document_create and
any tool that attaches files): the URL must name a file the user may read, and it is stored in its
canonical form; `check_file_update` is the one before it saves a changed File (document_update).
"No such file", "outside the files folders" and "not yours" are one error with one text (`refuse`).
"""

from __future__ import annotations

import os

import frappe
from frappe import _
from frappe.utils import cint

from frappe_assistant_core.plugins._file_paths import (
	PRIVATE_PREFIX,
	PUBLIC_PREFIX,
	SiteFile,
	canonical_site_file,
	is_remote_url,
	open_site_file,
	refuse,
	resolve,
)

__all__ = (
	"SiteFile",
	"canonical_site_file",
	"check_file_move",
	"check_file_update",
	"check_new_file_url",
	"content_grantor",
	"is_remote_url",
	"may_read_content",
	"open_site_file",
	"readable_site_file",
	"refuse",
	"resolve",
)

#: File rows looked at per query when finding the File that brought some content.
CANDIDATES = 100
_FIELDS = ["name", "file_url", "content_hash", "creation"]


def content_grantor(site_file: SiteFile):
	"""The File document that brought `site_file` to the site, or None when no File points at it.

	Candidates are the Files stored with its canonical URL (a database collation may add case and
	trailing-space variants) and the Files with the same content hash as those (Frappe hashes what
	every File holds when it is inserted, so a File spelling the URL differently is found too). The
	earliest candidate whose own `file_url` resolves to the very same file wins."""
	rows = frappe.get_all(
		"File",
		filters={"file_url": site_file.file_url, "is_folder": 0},
		fields=_FIELDS,
		order_by="creation asc",
		limit=CANDIDATES,
	)
	hashes = sorted({row.content_hash for row in rows if row.content_hash})
	if hashes:
		rows += frappe.get_all(
			"File",
			filters={"content_hash": ["in", hashes], "is_folder": 0},
			fields=_FIELDS,
			order_by="creation asc",
			limit=CANDIDATES,
		)
	same = [row for row in {row.name: row for row in rows}.values() if _points_at(row.file_url, site_file)]
	if not same:
		return None
	first = min(same, key=lambda row: (row.creation, row.name))
	return frappe.get_doc("File", first.name)


def may_read_content(site_file: SiteFile) -> bool:
	"""Whether the session user may read what `site_file` holds: public content, or private content
	whose File that brought it (`content_grantor`) the user may read."""
	if not site_file.is_private:
		return True
	grantor = content_grantor(site_file)
	return grantor is not None and frappe.has_permission("File", ptype="read", doc=grantor)


def readable_site_file(file_doc, argument: str, reference: str) -> SiteFile:
	"""The site file a File document points at, if the session user may read its content; else
	`refuse(argument, reference)`. The caller has checked read permission on `file_doc` itself."""
	site_file = resolve(file_doc.file_url)
	if site_file is None or not may_read_content(site_file):
		refuse(argument, reference)
	return site_file


def check_new_file_url(file_doc, argument: str = "data.file_url") -> None:
	"""Before a tool saves a File: its URL must name a file of the site whose content the user may
	read (or be a link to another host, which Frappe keeps and no tool fetches). The URL and
	`is_private` are rewritten to the canonical file's, so no other spelling is ever stored."""
	if file_doc.get("is_folder") or not file_doc.file_url or is_remote_url(file_doc.file_url):
		return
	site_file = canonical_site_file(file_doc.file_url, argument)
	_check_content(site_file, argument, file_doc.file_url)
	file_doc.file_url = site_file.file_url
	file_doc.is_private = int(site_file.is_private)


def check_file_update(file_doc, file_url_before: str | None, is_private_before: int) -> None:
	"""Before a tool saves a changed File: a new URL is checked (and made canonical) as for a new
	File, and a changed `is_private` as a move of the content."""
	if file_doc.file_url != file_url_before:
		check_new_file_url(file_doc)
	if cint(file_doc.is_private) != cint(is_private_before):
		check_file_move(file_doc)


def check_file_move(file_doc, argument: str = "data.is_private") -> None:
	"""Before a tool saves a File whose `is_private` changed: Frappe then moves the file named like
	the URL's last part between the two folders, for every File pointing at it, so the user must be
	allowed to write the File that brought that content; a name taken in the other folder gets the
	missing-file answer, as it tells of a file that may be someone else's."""
	if file_doc.get("is_folder") or not file_doc.file_url or is_remote_url(file_doc.file_url):
		return
	name = file_doc.file_url.rsplit("/", 1)[-1]
	if (PRIVATE_PREFIX if file_doc.is_private else PUBLIC_PREFIX) + name == file_doc.file_url:
		return  # the URL already names the new folder: Frappe moves nothing
	source = (PUBLIC_PREFIX if file_doc.is_private else PRIVATE_PREFIX) + name
	site_file = canonical_site_file(source, argument)
	grantor = content_grantor(site_file)
	if grantor is None or not frappe.has_permission("File", ptype="read", doc=grantor):
		refuse(argument, source)
	if not frappe.has_permission("File", ptype="write", doc=grantor):
		frappe.throw(
			_("{0}: you may not move {1}: the File that brought it is not yours to change").format(
				argument, source
			),
			frappe.PermissionError,
		)
	# Frappe refuses a move onto a taken name with an error naming the file and the server's path.
	target = frappe.get_site_path("private" if file_doc.is_private else "public", "files", name)
	if os.path.lexists(target):
		refuse(argument, (PRIVATE_PREFIX if file_doc.is_private else PUBLIC_PREFIX) + name)


def _check_content(site_file: SiteFile, argument: str, reference: str) -> None:
	if not may_read_content(site_file):
		refuse(argument, reference)


def _points_at(file_url: str | None, site_file: SiteFile) -> bool:
	found = resolve(file_url)
	return found is not None and (found.device, found.inode) == (site_file.device, site_file.inode)
