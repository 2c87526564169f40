"""Reading an uploaded file's content for extract_file_content, inside the OS sandbox only.

A file comes from whoever uploaded it: a 7 KB PDF or a 1 KB DOCX can keep a parser busy for
minutes, and a parser bug meets hostile input. So every format is parsed in the sandbox of
execute_python_code (data_science/_sandbox.py): the file goes in as a stream on stdin (nothing else
of the site is visible there), with a wall-clock and CPU limit under the worker's timeout
(core/timeouts.py), an address-space limit that bounds all of its memory (the seccomp filter
refuses memory-backed files), and a byte cap on the answer. PDF, DOCX, XLSX, CSV and text go to
the parsers of _extractors.py; images to the tesseract program (OCR). Whatever comes back is
checked again here. When the sandbox cannot run, extraction is unavailable and says why: nothing
is ever parsed in the worker.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from typing import BinaryIO

import frappe
from frappe import _

from frappe_assistant_core.core import timeouts
from frappe_assistant_core.exceptions import ToolDependencyError
from frappe_assistant_core.plugins.data_science import _extractors, _sandbox

MIB = 1024 * 1024
#: Wall-clock and CPU seconds one file may take (less when the worker's timeout is shorter).
EXTRACT_SECONDS = 30
#: Address-space limit of the parsing process: all the memory it can hold.
MEMORY_BYTES = 1024 * MIB
#: Most bytes of the parsers' JSON answer; a larger answer is refused, not cut.
MAX_RESULT_BYTES = 8 * MIB
#: Most bytes of text OCR may write (more is cut); and of the parsers' own stdout and stderr.
OCR_TEXT_BYTES = 4 * MIB
NOISE_BYTES = 64 * 1024
KINDS = {
	".pdf": "pdf",
	".docx": "docx",
	".xlsx": "xlsx",
	".xlsm": "xlsx",
	".csv": "csv",
	".tsv": "csv",
	**dict.fromkeys((".txt", ".md", ".json", ".xml", ".html", ".htm", ".log"), "text"),
	**dict.fromkeys((".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"), "image"),
}


def require_sandbox() -> None:
	"""ToolDependencyError saying why, when the sandbox cannot run here."""
	if reason := _sandbox.problem():
		raise ToolDependencyError(_("extract_file_content is unavailable: {0}").format(reason))


def extract(
	content: BinaryIO, kind: str, max_pages: int, max_rows: int, max_chars: int, language: str
) -> dict:
	"""What the file open as `content` holds, read as `kind` (a value of KINDS) in the sandbox."""
	require_sandbox()
	seconds = timeouts.clamp(EXTRACT_SECONDS)
	if kind == "image":
		return _ocr(content, seconds, language, max_chars)
	limits = _limits(seconds, NOISE_BYTES)
	options = {"kind": kind, "limits": {"max_pages": max_pages, "max_rows": max_rows, "max_chars": max_chars}}
	outcome = _sandbox.run(content, limits, job="extract", options=options)
	_check_finished(outcome, seconds)
	if "result" in outcome.overflow:
		frappe.throw(
			_("The content read from the file is larger than {0} MB; ask for fewer pages or rows").format(
				MAX_RESULT_BYTES // MIB
			),
			frappe.ValidationError,
		)
	answer = _json(outcome.result)
	if isinstance(answer.get("error"), dict):
		frappe.throw(
			_reason(answer["error"].get("code"), answer["error"].get("params")), frappe.ValidationError
		)
	result = answer.get("result")
	if not isinstance(result, dict) or result.get("format") != kind:
		_not_understood(outcome)
	return _extractors.bounded(result, max_chars)  # again: the answer came out of the sandbox


def _ocr(content: BinaryIO, seconds: int, language: str, max_chars: int) -> dict:
	program = _ocr_program()
	options = {"program": program, "language": language}
	outcome = _sandbox.run(content, _limits(seconds, OCR_TEXT_BYTES), job="ocr", options=options)
	_check_finished(outcome, seconds)
	if outcome.returncode != 0:
		said = outcome.stderr.decode("utf-8", "replace")
		if "Failed loading language" in said:
			frappe.throw(
				_("OCR has no data for the language {0}; the server needs tesseract's package for it").format(
					language
				),
				frappe.ValidationError,
			)
		frappe.throw(
			_("OCR could not read the image: {0}").format(" ".join(said.split())[:500]),
			frappe.ValidationError,
		)
	result = _extractors.bounded(
		{"format": "image", "text": outcome.stdout.decode("utf-8", "replace")}, max_chars
	)
	return {**result, "text_truncated": True} if "stdout" in outcome.overflow else result


def _ocr_program() -> str:
	"""The tesseract program, where the sandbox sees it (under /usr, bound read-only)."""
	found = shutil.which("tesseract", path=os.pathsep.join((os.environ.get("PATH", ""), "/usr/bin")))
	program = os.path.realpath(found) if found else None
	if not program or not program.startswith("/usr/"):
		frappe.throw(
			_(
				"OCR is not available on this server: it needs the tesseract program installed under /usr "
				"(the Debian/Ubuntu package tesseract-ocr, and tesseract-ocr-LANG for each language)"
			),
			ToolDependencyError,
		)
	return program


def _limits(seconds: int, output_bytes: int) -> _sandbox.Limits:
	return _sandbox.Limits(
		wall_seconds=seconds,
		cpu_seconds=seconds,
		memory_bytes=MEMORY_BYTES,
		max_output_bytes=output_bytes,
		max_result_bytes=MAX_RESULT_BYTES,
		scratch_bytes=0,  # parsers write no files: nothing is writable, so no memory hides in files
	)


def _check_finished(outcome: _sandbox.Outcome, seconds: int) -> None:
	"""A clear error when the sandbox was stopped at its time limit."""
	if outcome.timed_out:
		frappe.throw(
			_("Reading the file was stopped after {0} seconds: it takes too long to read").format(seconds),
			frappe.ValidationError,
		)
	if outcome.returncode in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU, 128 + signal.SIGKILL):
		frappe.throw(
			_("Reading the file was stopped after {0} seconds of CPU time: it takes too long to read").format(
				seconds
			),
			frappe.ValidationError,
		)


def _json(raw: bytes) -> dict:
	try:
		answer = json.loads(raw)
	except ValueError:
		answer = None
	return answer if isinstance(answer, dict) else {}


def _reason(code: object, params: object) -> str:
	"""The translated words for an ExtractionError code of _extractors.py."""
	params = [str(p)[:300] for p in params] if isinstance(params, list) else []
	reasons = {
		"encrypted_pdf": lambda: _("The PDF is password-protected"),
		"bad_pdf": lambda detail: _("The file is not a readable PDF: {0}").format(detail),
		"bad_docx": lambda detail: _("The file is not a readable DOCX document: {0}").format(detail),
		"bad_xlsx": lambda detail: _("The file is not a readable XLSX workbook: {0}").format(detail),
		"bad_csv": lambda detail: _("The file is not a readable CSV file: {0}").format(detail),
		"bad_archive": lambda kind, detail: _("The file is not a readable {0} file: {1}").format(
			kind, detail
		),
		"unpacked_too_large": lambda kind, size: _(
			"The {0} file unpacks to {1} MB, more than the {2} MB that can be read"
		).format(kind, size, _extractors.MAX_UNPACKED_BYTES // MIB),
		"memory": lambda: _("Reading the file needs more than {0} MB of memory").format(MEMORY_BYTES // MIB),
		"too_deep": lambda: _("The file's structure is nested too deeply to be read"),
		"unreadable": lambda name, detail: _("The file could not be read ({0}: {1})").format(name, detail),
	}
	try:
		return reasons[code](*params)
	except (KeyError, TypeError):
		return _("The file could not be read")


def _not_understood(outcome: _sandbox.Outcome) -> None:
	"""No usable answer: the parser crashed (a signal, the memory limit in C code) or lied."""
	frappe.throw(
		_("The file could not be read: its reader ended without an answer (exit code {0})").format(
			outcome.returncode
		),
		frappe.ValidationError,
	)
