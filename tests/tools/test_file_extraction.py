"""extract_file_content parses in the OS sandbox: hostile small files stop at its limits.

The audit held a worker 98 s with a 7 KB PDF and 25 s with a 1 KB DOCX. The files below are built
here, byte by byte, to do the same (each takes minutes to parse in a worker: 46 s and 116 s on the
test host), and every test asserts what happened outside the sandbox: the call's duration, the
processes it left behind, the worker answering the next call, the size of the answer.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib

import frappe
import pytest

from frappe_assistant_core.core import timeouts
from frappe_assistant_core.exceptions import ToolDependencyError
from frappe_assistant_core.plugins._file_paths import canonical_site_file
from frappe_assistant_core.plugins.data_science import _extractors, _file_extraction, _sandbox
from tests.tools._fixtures import (
	docx_bytes,
	ensure_file_store,
	ensure_probe,
	load_tool,
	make_file,
	pdf_bytes,
	xlsx_bytes,
)
from tests.tools._processes import alive, watched

#: The limit the tests give a parse (the worker's http_timeout is lowered to make it so).
LIMIT_SECONDS = 5
#: How long after the limit the call may still take: bwrap's start-up grace, killing, answering.
SLACK_SECONDS = _sandbox.STARTUP_GRACE_SECONDS + 3


@pytest.fixture(scope="module", autouse=True)
def users_and_folders():
	ensure_probe()
	ensure_file_store()


@pytest.fixture
def short_limit(monkeypatch):
	"""A worker timeout for which the parse's limit is LIMIT_SECONDS (the default would be 30 s)."""
	monkeypatch.setitem(frappe.local.conf, "http_timeout", LIMIT_SECONDS + timeouts.MARGIN_SECONDS)
	assert timeouts.clamp(_file_extraction.EXTRACT_SECONDS) == LIMIT_SECONDS


def extract(**arguments) -> dict:
	return load_tool("data_science", "extract_file_content").run(arguments)


def heavy_pdf(operators: int = 60_000, pages: int = 50) -> bytes:
	"""A PDF of 2.5 KB: one Flate-compressed content stream of `operators` text operators (about
	1 MB unpacked), drawn by each of `pages` pages, which all are the same page object."""
	content = b"BT /F1 1 Tf " + b"(a) Tj 0 0 Td " * operators + b"ET"
	stream = zlib.compress(content, 9)
	objects = [
		b"<< /Type /Catalog /Pages 2 0 R >>",
		b"<< /Type /Pages /Kids [" + b" ".join([b"3 0 R"] * pages) + b"] /Count %d >>" % pages,
		b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
		b"/Resources << /Font << /F1 5 0 R >> >> >>",
		b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
		b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	]
	out, offsets = bytearray(b"%PDF-1.4\n"), []
	for number, body in enumerate(objects, 1):
		offsets.append(len(out))
		out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
	xref = len(out)
	out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
	out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
	out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
	return bytes(out)


def minimal_docx(body: bytes) -> bytes:
	"""The smallest DOCX python-docx opens: content types, the package relation, the document."""
	word = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
	parts = {
		"[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
		b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
		b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
		b'officedocument.wordprocessingml.document.main+xml"/></Types>',
		"_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
		b'<Relationship Id="r1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
		b'officeDocument/2006/relationships/officeDocument"/></Relationships>',
		"word/document.xml": b"<w:document " + word + b"><w:body>" + body + b"</w:body></w:document>",
	}
	buffer = io.BytesIO()
	with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
		for name, data in parts.items():
			archive.writestr(name, data)
	return buffer.getvalue()


def wide_docx() -> bytes:
	"""Under 1 KB: one table row of 20 cells, each spanning 100,000 grid columns. python-docx yields
	a cell per grid column, and the tool reads each one's text: 2 million cells from 20."""
	cell = b'<w:tc><w:tcPr><w:gridSpan w:val="100000"/></w:tcPr><w:p/></w:tc>'
	return minimal_docx(b"<w:tbl><w:tr>" + cell * 20 + b"</w:tr></w:tbl>")


def _stopped_at_the_limit(file_name: str, content: bytes) -> None:
	doc = make_file(file_name, content)
	started = time.monotonic()
	_result, seen, raised = watched(lambda: extract(file_name=doc.name))
	elapsed = time.monotonic() - started
	assert isinstance(raised, frappe.ValidationError), raised
	assert f"stopped after {LIMIT_SECONDS} seconds" in str(raised)
	assert LIMIT_SECONDS <= elapsed < LIMIT_SECONDS + SLACK_SECONDS, elapsed
	assert any("bwrap" in command for command in seen.values()), seen
	time.sleep(0.2)
	assert [pid for pid in seen if alive(pid)] == []  # nothing of the parse is left running
	started = time.monotonic()  # and the worker is free: the next file is read at once
	assert extract(file_url=make_file("fac-after.txt", b"next").file_url)["text"] == "next"
	assert time.monotonic() - started < LIMIT_SECONDS


def test_a_small_pdf_that_takes_minutes_to_parse_is_stopped_at_the_limit(short_limit):
	content = heavy_pdf()
	assert len(content) < 3000
	_stopped_at_the_limit("fac-heavy.pdf", content)


def test_a_1_kb_docx_that_expands_into_a_slow_parse_is_stopped_at_the_limit(short_limit):
	content = wide_docx()
	assert len(content) < 1024
	_stopped_at_the_limit("fac-wide.docx", content)


def test_the_parse_limit_stays_under_the_workers_timeout(monkeypatch):
	"""30 s by default, never more than the request budget (the worker's timeout minus a margin)."""
	assert timeouts.clamp(_file_extraction.EXTRACT_SECONDS) == _file_extraction.EXTRACT_SECONDS
	monkeypatch.setitem(frappe.local.conf, "http_timeout", 25)
	assert timeouts.clamp(_file_extraction.EXTRACT_SECONDS) == 15 < 25


def test_every_format_is_parsed_in_the_sandbox_never_in_the_worker(monkeypatch):
	"""The worker's own copy of the parsers is never called (it fails the test if it is); each
	format is read by a sandbox run of the parse job (recorded on its way to the real one)."""
	monkeypatch.setattr(_extractors, "extract", lambda *args, **kwargs: pytest.fail("parsed in the worker"))
	runs, real_run = [], _sandbox.run
	monkeypatch.setattr(
		_sandbox, "run", lambda *args, **kwargs: runs.append(kwargs.get("job")) or real_run(*args, **kwargs)
	)
	files = {
		"fac-s.pdf": (pdf_bytes("Sandboxed PDF"), lambda r: "Sandboxed PDF" in r["text"]),
		"fac-s.docx": (docx_bytes(), lambda r: r["paragraphs"][0] == "Quarterly report"),
		"fac-s.xlsx": (xlsx_bytes(), lambda r: r["sheets"][0]["rows"][0][:2] == ["North", 30]),
		"fac-s.csv": (b"a,b\n1,2\n", lambda r: r["rows"] == [["1", "2"]]),
		"fac-s.md": (b"# Title", lambda r: r["text"] == "# Title"),
	}
	for name, (content, expected) in files.items():
		result = extract(file_url=make_file(name, content).file_url)
		assert expected(result), (name, result)
	assert runs == ["extract"] * len(files)


def test_without_the_sandbox_no_file_is_parsed_at_all(monkeypatch):
	"""bwrap missing: extraction is unavailable and says why; there is no in-process fallback."""
	doc = make_file("fac-nosandbox.csv", b"a,b\n1,2\n")
	monkeypatch.setattr(_extractors, "extract", lambda *args, **kwargs: pytest.fail("parsed in the worker"))
	monkeypatch.setattr(_sandbox, "_PROBE", None)
	monkeypatch.setattr(_sandbox, "_bwrap", lambda: None)
	with pytest.raises(ToolDependencyError, match=r"extract_file_content is unavailable: .*bubblewrap"):
		extract(file_url=doc.file_url)
	monkeypatch.setattr(_sandbox, "_PROBE", None)


def test_a_parse_that_needs_more_memory_than_the_limit_is_stopped_with_a_clear_error(monkeypatch):
	"""The address-space limit holds for parsers too: 48 MB of text (read, decoded, then cut) does
	not fit in 96 MB (it needs more than 144 MB here), and the answer says so."""
	monkeypatch.setattr(_file_extraction, "MEMORY_BYTES", 96 * 1024 * 1024)
	doc = make_file("fac-big.txt", b"small for now")
	with open(canonical_site_file(doc.file_url).path, "wb") as out:  # above Frappe's upload limit
		out.write("ä".encode() * (24 * 1024 * 1024))
	with pytest.raises(frappe.ValidationError, match="Reading the file needs more than 96 MB of memory"):
		extract(file_url=doc.file_url, max_chars=100)
	monkeypatch.setattr(_file_extraction, "MEMORY_BYTES", 1024 * 1024 * 1024)
	assert extract(file_url=doc.file_url, max_chars=100)["text"] == "ä" * 100


def test_the_answer_of_a_parse_is_capped_in_bytes():
	"""A 2 MB CSV of a million control characters would come back as 10 MB of JSON (each one escaped
	as \\u0001): it is refused at the byte cap instead of being sent to the worker."""
	row = ",".join(["\x01"] * 100)
	doc = make_file("fac-escapes.csv", "\n".join([row] * 10_001).encode())
	with pytest.raises(frappe.ValidationError, match="larger than 8 MB; ask for fewer pages or rows"):
		extract(file_url=doc.file_url, max_rows=10_000, max_chars=1_000_000)
	assert len(extract(file_url=doc.file_url, max_rows=100)["rows"]) == 100


def test_a_damaged_file_is_a_clear_error_in_every_format():
	for name, content, message in (
		("fac-bad.pdf", b"%PDF-1.4 nothing else", "not a readable PDF"),
		("fac-bad.docx", b"PK\x03\x04 not a zip", "not a readable DOCX file"),
		("fac-bad.xlsx", minimal_docx(b""), "not a readable XLSX workbook"),
	):
		with pytest.raises(frappe.ValidationError, match=message):
			extract(file_url=make_file(name, content).file_url)
