"""The parsers of extract_file_content, run only inside the OS sandbox: bytes in, JSON data out.

PDF through pypdf, DOCX through python-docx, XLSX through openpyxl (values, not formulas), CSV
through the csv module, text by decoding. A file comes from whoever uploaded it, and a small one can
keep a parser busy for minutes or make it allocate gigabytes, so these run in the sandbox of
data_science/_sandbox.py (the runner imports this module there), never in a worker. Standalone on
purpose, like the runner: no Frappe, nothing of this app. A file that cannot be read raises
`ExtractionError(code, *params)`; the worker turns the code into a translated message
(data_science/_file_extraction.py). Images are read by the tesseract program, which the runner
executes in place of itself, so nothing here handles them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

TEXT_ENCODINGS = ("utf-8-sig", "cp1252")
# DOCX and XLSX are ZIP archives of XML that their libraries load whole: a small file can unpack to
# gigabytes (a "zip bomb"). Refused before parsing when the parts would unpack to more than this.
MAX_UNPACKED_BYTES = 25 * 1024 * 1024
# Most columns read of one spreadsheet row.
MAX_COLUMNS = 200
#: Characters of a library's own error message passed on.
DETAIL_CHARS = 300


class ExtractionError(Exception):
	"""The file cannot be read; `code` names why (the worker words it), `params` fill the words."""

	def __init__(self, code: str, *params: Any):
		super().__init__(code, *params)
		self.code = code
		self.params = [str(param)[:DETAIL_CHARS] for param in params]


def extract(kind: str, content: bytes, max_pages: int, max_rows: int, max_chars: int) -> dict:
	"""What `kind` (pdf, docx, xlsx, csv, text) of file `content` holds, cut at `max_chars`."""
	readers = {"pdf": extract_pdf, "docx": extract_docx, "xlsx": extract_xlsx, "csv": extract_csv}
	result = readers.get(kind, extract_text)(content, max_pages=max_pages, max_rows=max_rows)
	return bounded(result, max_chars)


def bounded(result: dict, max_chars: int) -> dict:
	"""`result` with at most `max_chars` characters of content (its format's name aside), and
	text_truncated set when something was cut."""
	content, cut = within_chars({key: value for key, value in result.items() if key != "format"}, max_chars)
	return {"format": result["format"], **content, **({"text_truncated": True} if cut else {})}


def extract_pdf(content: bytes, max_pages: int, **_kw: Any) -> dict:
	from pypdf import PdfReader
	from pypdf.errors import PdfReadError

	try:
		reader = PdfReader(io.BytesIO(content))
		if reader.is_encrypted and not reader.decrypt(""):
			raise ExtractionError("encrypted_pdf")
		pages = [page.extract_text() or "" for page in reader.pages[:max_pages]]
		total = len(reader.pages)
	except PdfReadError as exc:
		raise ExtractionError("bad_pdf", exc) from None
	return {"format": "pdf", "page_count": total, "pages_read": len(pages), "text": "\n\n".join(pages)}


def extract_docx(content: bytes, max_rows: int, **_kw: Any) -> dict:
	from docx import Document
	from docx.opc.exceptions import PackageNotFoundError

	check_unpacked_size(content, "DOCX")
	try:
		document = Document(io.BytesIO(content))
	except (PackageNotFoundError, KeyError, ValueError) as exc:
		raise ExtractionError("bad_docx", exc) from None
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
		raise ExtractionError("bad_xlsx", exc) from None
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
	try:
		for row in csv.reader(io.StringIO(text), dialect):
			if len(rows) > max_rows + 1:  # the header, max_rows rows, one more to tell truncation
				break
			rows.append(row)
	except csv.Error as exc:
		raise ExtractionError("bad_csv", exc) from None
	return {"format": "csv", **_table(None, rows, max_rows)}


def extract_text(content: bytes, **_kw: Any) -> dict:
	return {"format": "text", "text": decode(content)}


def check_unpacked_size(content: bytes, kind: str) -> None:
	"""ExtractionError unless the ZIP archive `content` unpacks to at most MAX_UNPACKED_BYTES.

	The sizes are those the archive declares; Python's zipfile, which both libraries read through,
	never returns more bytes from a member than its declared size."""
	try:
		with zipfile.ZipFile(io.BytesIO(content)) as archive:
			unpacked = sum(member.file_size for member in archive.infolist())
	except zipfile.BadZipFile as exc:
		raise ExtractionError("bad_archive", kind, exc) from None
	if unpacked > MAX_UNPACKED_BYTES:
		raise ExtractionError("unpacked_too_large", kind, unpacked // (1024 * 1024))


def within_chars(value, budget: int):
	"""(`value` with at most `budget` characters of text in all its strings together, whether any
	were cut): max_chars bounds the whole answer (text, paragraphs, table cells), not one field."""
	remaining = budget

	def walk(item):
		nonlocal remaining
		if isinstance(item, str):
			kept = item[: max(remaining, 0)]
			remaining -= len(item)
			return kept
		if isinstance(item, dict):
			return {key: walk(entry) for key, entry in item.items()}
		if isinstance(item, list | tuple):
			return [
				walk(entry) for entry in item if remaining > 0 or not isinstance(entry, str | list | dict)
			]
		return item

	bounded = walk(value)
	return bounded, remaining < 0


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
