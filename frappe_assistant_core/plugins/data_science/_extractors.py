"""Content extraction for extract_file_content, one function per format, bytes in, JSON data out.

PDF through pypdf, DOCX through python-docx, XLSX through openpyxl (values, not formulas), CSV
through the csv module, text by decoding, images by OCR (pytesseract and the tesseract program,
used only when both are installed). Libraries are imported inside each function, so importing this
module costs nothing until a file of that format is read.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import shutil
import zipfile
from typing import Any

import frappe
from frappe import _

from frappe_assistant_core.exceptions import ToolDependencyError

TEXT_ENCODINGS = ("utf-8-sig", "cp1252")
# DOCX and XLSX are ZIP archives of XML that their libraries load whole: a small file can unpack to
# gigabytes (a "zip bomb"). Refused before parsing when the parts would unpack to more than this.
MAX_UNPACKED_BYTES = 25 * 1024 * 1024
# Most columns read of one spreadsheet row.
MAX_COLUMNS = 200


def extract_pdf(content: bytes, max_pages: int, **_kw: Any) -> dict:
	from pypdf import PdfReader
	from pypdf.errors import PdfReadError

	try:
		reader = PdfReader(io.BytesIO(content))
		if reader.is_encrypted and not reader.decrypt(""):
			frappe.throw(_("The PDF is password-protected"), frappe.ValidationError)
		pages = [page.extract_text() or "" for page in reader.pages[:max_pages]]
		total = len(reader.pages)
	except PdfReadError as exc:
		frappe.throw(_("The file is not a readable PDF: {0}").format(exc), frappe.ValidationError)
	return {"format": "pdf", "page_count": total, "pages_read": len(pages), "text": "\n\n".join(pages)}


def extract_docx(content: bytes, max_rows: int, **_kw: Any) -> dict:
	from docx import Document
	from docx.opc.exceptions import PackageNotFoundError

	check_unpacked_size(content, "DOCX")
	try:
		document = Document(io.BytesIO(content))
	except (PackageNotFoundError, KeyError, ValueError) as exc:
		frappe.throw(_("The file is not a readable DOCX document: {0}").format(exc), frappe.ValidationError)
	paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
	tables = [
		[[cell.text for cell in row.cells] for row in table.rows[:max_rows]] for table in document.tables
	]
	return {"format": "docx", "text": "\n".join(paragraphs), "paragraphs": paragraphs, "tables": tables}


def extract_xlsx(content: bytes, max_rows: int, **_kw: Any) -> dict:
	from openpyxl import load_workbook

	check_unpacked_size(content, "XLSX")
	try:
		workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
	except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for bad input
		frappe.throw(_("The file is not a readable XLSX workbook: {0}").format(exc), frappe.ValidationError)
	sheets = []
	for sheet in workbook.worksheets:
		rows = []
		for row in sheet.iter_rows(values_only=True):
			if len(rows) > max_rows + 1:  # the header, max_rows rows, one more to tell truncation
				break
			rows.append([_cell(v) for v in row[:MAX_COLUMNS]])
		sheets.append(_table(sheet.title, rows, max_rows))
	workbook.close()
	return {"format": "xlsx", "sheets": sheets}


def extract_csv(content: bytes, max_rows: int, **_kw: Any) -> dict:
	text = decode(content)
	try:
		dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
	except csv.Error:
		dialect = csv.excel
	rows = []
	for row in csv.reader(io.StringIO(text), dialect):
		if len(rows) > max_rows + 1:  # the header, max_rows rows, one more to tell truncation
			break
		rows.append(row)
	return {"format": "csv", **_table(None, rows, max_rows)}


def extract_text(content: bytes, **_kw: Any) -> dict:
	return {"format": "text", "text": decode(content)}


def extract_image(content: bytes, language: str, **_kw: Any) -> dict:
	if importlib.util.find_spec("pytesseract") is None or shutil.which("tesseract") is None:
		frappe.throw(
			_(
				"OCR is not available on this server: it needs the pytesseract Python package and the "
				"tesseract program, and at least one of them is not installed"
			),
			ToolDependencyError,
		)
	import pytesseract
	from PIL import Image, UnidentifiedImageError

	try:
		image = Image.open(io.BytesIO(content))
	except UnidentifiedImageError as exc:
		frappe.throw(_("The file is not a readable image: {0}").format(exc), frappe.ValidationError)
	return {"format": "image", "text": pytesseract.image_to_string(image, lang=language)}


def check_unpacked_size(content: bytes, kind: str) -> None:
	"""ValidationError unless the ZIP archive `content` unpacks to at most MAX_UNPACKED_BYTES.

	The sizes are those the archive declares; Python's zipfile, which both libraries read through,
	never returns more bytes from a member than its declared size."""
	try:
		with zipfile.ZipFile(io.BytesIO(content)) as archive:
			unpacked = sum(member.file_size for member in archive.infolist())
	except zipfile.BadZipFile as exc:
		frappe.throw(_("The file is not a readable {0} file: {1}").format(kind, exc), frappe.ValidationError)
	if unpacked > MAX_UNPACKED_BYTES:
		frappe.throw(
			_("The {0} file unpacks to {1} MB, more than the {2} MB that can be read").format(
				kind, unpacked // (1024 * 1024), MAX_UNPACKED_BYTES // (1024 * 1024)
			),
			frappe.ValidationError,
		)


def decode(content: bytes) -> str:
	for encoding in TEXT_ENCODINGS:
		try:
			return content.decode(encoding)
		except UnicodeDecodeError:
			continue
	return content.decode("latin-1")  # maps every byte, so decoding always succeeds


def _table(title: str | None, rows: list[list], max_rows: int) -> dict:
	"""First row as header, then at most `max_rows` data rows."""
	header, body = (rows[0], rows[1:]) if rows else ([], [])
	table = {"columns": header, "rows": body[:max_rows], "truncated": len(body) > max_rows}
	return {"name": title, **table} if title is not None else table


def _cell(value: Any) -> Any:
	if value is None or isinstance(value, str | int | float | bool):
		return value
	return value.isoformat() if hasattr(value, "isoformat") else str(value)
