"""extract_file_content: the text, tables or rows of a File document the calling user may read.

Finds the file through plugins/_file_access.py: a URL is made canonical first (the real file inside
the site's files folders) and the File that brought that content is read; by name, the first File
the user may read (Frappe's File rules) whose content they may read too. Private content is read
only by users who may read the File that brought it; a missing file and one the user may not read
get the same answer. The canonical file is opened once (checked to be the file that was resolved)
and streamed into the OS sandbox, where it is parsed (data_science/_file_extraction.py): never in
the worker. Remote (http) files are never fetched.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import frappe
from frappe import _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins import _file_access
from frappe_assistant_core.plugins._file_access import SiteFile
from frappe_assistant_core.plugins._output_types import Absent, Cell, sometimes
from frappe_assistant_core.plugins.data_science import _file_extraction

MAX_FILE_BYTES = 50 * 1024 * 1024


class ExtractFileContentArguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	file_url: str | None = Field(
		default=None,
		min_length=1,
		description="URL of the file, e.g. /files/report.pdf or /private/files/x.csv.",
	)
	file_name: str | None = Field(
		default=None, min_length=1, description="Name of the File document, or the file's name (report.pdf)."
	)
	max_pages: int = Field(default=50, ge=1, le=500, description="PDF: most pages to read.")
	max_rows: int = Field(default=1000, ge=1, le=10000, description="CSV/XLSX/DOCX tables: most data rows.")
	max_chars: int = Field(
		default=100_000, ge=100, le=1_000_000, description="Most characters of extracted text to return."
	)
	language: str = Field(
		default="eng",
		pattern=r"^[a-z_+]{3,40}$",
		description="OCR language code(s) for images, e.g. eng or deu+eng.",
	)

	@model_validator(mode="after")
	def _one_source(self) -> ExtractFileContentArguments:
		if bool(self.file_url) == bool(self.file_name):
			raise ValueError("give exactly one of file_url or file_name")
		return self


class FileInfo(BaseModel):
	model_config = ConfigDict(extra="forbid")

	name: str = Field(description="Name of the File document.")
	file_name: str | None = Field(description="The file's name, e.g. report.pdf.")
	file_url: str = Field(description="URL of the file.")
	is_private: Literal[0, 1] = Field(description="1: a private file.")
	file_size: int | None = Field(description="Size in bytes.")


class Sheet(BaseModel):
	model_config = ConfigDict(extra="forbid")

	name: str = Field(description="Name of the sheet.")
	columns: list[Cell] = Field(description="Its first row, taken as the header.")
	rows: list[list[Cell]] = Field(description="The data rows after the header (dates as ISO 8601 text).")
	truncated: bool = Field(description="Whether the sheet had more than max_rows data rows.")


class ExtractFileContentOutput(BaseModel):
	"""The file and what was extracted from it; which keys are there depends on `format`."""

	model_config = ConfigDict(extra="forbid")

	file: FileInfo = Field(description="The File document read.")
	format: Literal["pdf", "docx", "xlsx", "csv", "text", "image"] = Field(
		description="How the file was read: by its extension (text covers .txt .md .json .xml .html .log)."
	)
	text: str | Absent = sometimes("pdf, docx, text, image (OCR): the text.")
	page_count: int | Absent = sometimes("pdf: pages in the file.")
	pages_read: int | Absent = sometimes("pdf: pages read (at most max_pages).")
	paragraphs: list[str] | Absent = sometimes("docx: the paragraphs that are not blank.")
	tables: list[list[list[str]]] | Absent = sometimes("docx: each table's rows of cell texts.")
	sheets: list[Sheet] | Absent = sometimes("xlsx: each sheet's header and rows.")
	columns: list[str] | Absent = sometimes("csv: the first row, taken as the header.")
	rows: list[list[str]] | Absent = sometimes("csv: the data rows after the header.")
	truncated: bool | Absent = sometimes("csv: whether there were more than max_rows data rows.")
	text_truncated: Literal[True] | Absent = sometimes(
		"There when the extracted text went over max_chars in all and was cut there."
	)


class ExtractFileContent(BaseTool):
	name = "extract_file_content"
	title = "Extract file content"
	Output = ExtractFileContentOutput
	description = (
		"Extract the content of an uploaded file you can read: text of PDF, DOCX and text files, rows "
		"of CSV and XLSX sheets, and text of images by OCR where the server has an OCR engine."
	)
	Arguments = ExtractFileContentArguments
	requires_permission = "File"
	dependencies = ("pypdf", "docx", "openpyxl", "pyseccomp")

	def execute(self, args: ExtractFileContentArguments) -> dict:
		_file_extraction.require_sandbox()
		file_doc, site_file = self._readable_file(args)
		filename = file_doc.file_name or os.path.basename(site_file.path)
		extension = os.path.splitext(filename)[1].lower()
		kind = _file_extraction.KINDS.get(extension)
		if kind is None:
			frappe.throw(
				_("Cannot extract {0} files; supported: {1}").format(
					extension or _("extension-less"), ", ".join(sorted(_file_extraction.KINDS))
				),
				frappe.ValidationError,
			)
		argument, reference = ("file_url", args.file_url) if args.file_url else ("file_name", args.file_name)
		with _file_access.open_site_file(site_file, argument, reference) as handle:
			if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
				frappe.throw(
					_("The file is larger than {0} MB").format(MAX_FILE_BYTES // (1024 * 1024)),
					frappe.ValidationError,
				)
			result = _file_extraction.extract(
				handle,
				kind,
				max_pages=args.max_pages,
				max_rows=args.max_rows,
				max_chars=args.max_chars,
				language=args.language,
			)
		file_info = {
			"name": file_doc.name,
			"file_name": file_doc.file_name,
			"file_url": site_file.file_url,
			"is_private": int(site_file.is_private),
			"file_size": file_doc.file_size,
		}
		answer = {"file": file_info, **result}
		try:  # the content came out of the sandbox: only an answer of the declared shape leaves
			ExtractFileContentOutput.model_validate(answer)
		except ValidationError:
			frappe.throw(_("The file could not be read: its reader gave an answer of the wrong shape"))
		return answer

	def _readable_file(self, args: ExtractFileContentArguments) -> tuple[Any, SiteFile]:
		"""(the File document, the site file it points at) for the session user, or one refusal.

		By URL: the reference is made canonical first, and the File that brought that content is
		the one read. By name: the first File of that name (or file name) the user may read whose
		content they may read too."""
		if args.file_url:
			_refuse_remote(args.file_url)
			site_file = _file_access.canonical_site_file(args.file_url, "file_url")
			file_doc = _file_access.content_grantor(site_file)
			if file_doc is None or (
				site_file.is_private and not frappe.has_permission("File", ptype="read", doc=file_doc)
			):
				_file_access.refuse("file_url", args.file_url)
			return file_doc, site_file
		value = args.file_name
		if not value.isprintable():  # no File is named so; PostgreSQL refuses a NUL in a query
			_file_access.refuse("file_name", value)
		names = [value] if frappe.db.exists("File", {"name": value, "is_folder": 0}) else []
		names += frappe.get_all(
			"File", {"file_name": value, "is_folder": 0}, pluck="name", order_by="creation desc", limit=20
		)
		for name in dict.fromkeys(names):
			file_doc = frappe.get_doc("File", name)
			if not frappe.has_permission("File", ptype="read", doc=file_doc):
				continue
			_refuse_remote(file_doc.file_url)
			site_file = _file_access.resolve(file_doc.file_url)
			if site_file is None or not _file_access.may_read_content(site_file):
				continue
			return file_doc, site_file
		_file_access.refuse("file_name", value)


def _refuse_remote(file_url: str | None) -> None:
	if _file_access.is_remote_url(file_url):
		frappe.throw(
			_("{0} is a remote file; only files stored on this site can be read").format(file_url),
			frappe.ValidationError,
		)
