"""What the data_science and visualization tool tests share: a DocType with numbers, users, tools.

FAC Analytics Probe has a Select, two numeric fields, a Percent, a Date and a permlevel-1 field.
FAC Analytics Reader may read it (permlevel 0 only); FAC Analytics Owner may read only the records
it owns. `ensure_probe()` is idempotent and commits, because creating a DocType is DDL. The
`*_bytes()` factories make small real files of each format extract_file_content reads.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import io
import os

import frappe

from frappe_assistant_core.core.base_tool import BaseTool
from tests.support.site import make_user

PROBE = "FAC Analytics Probe"
READER_ROLE = "FAC Analytics Reader"
OWNER_ROLE = "FAC Analytics Owner"
#: Reads the probe (permlevel 0); no other rights.
ANALYST = "fac-ds-analyst@example.com"
#: Reads only the probe records it owns.
OWN_ANALYST = "fac-ds-own-analyst@example.com"
#: A System User with no role: cannot read the probe.
OUTSIDER = "fac-ds-outsider@example.com"
#: Dashboard Manager that cannot read the probe.
DASHBOARD_MAKER = "fac-viz-maker@example.com"
#: Dashboard Manager that reads the probe.
DASHBOARD_ANALYST = "fac-viz-analyst@example.com"


def ensure_probe() -> None:
	"""Create the probe DocType, its roles and the users (once), then commit."""
	previous = frappe.session.user
	frappe.set_user("Administrator")
	for role in (READER_ROLE, OWNER_ROLE):
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert()
	if not frappe.db.exists("DocType", PROBE):
		frappe.get_doc(_probe_doctype()).insert()
	frappe.db.commit()
	make_user(ANALYST, [READER_ROLE])
	make_user(OWN_ANALYST, [OWNER_ROLE])
	make_user(OUTSIDER, [])
	make_user(DASHBOARD_MAKER, ["Dashboard Manager"])
	make_user(DASHBOARD_ANALYST, ["Dashboard Manager", READER_ROLE])
	frappe.set_user(previous)


def ensure_file_store() -> None:
	"""The site's public and private file folders (a bench's new-site makes them; the host may not)."""
	for folder in (("public", "files"), ("private", "files")):
		os.makedirs(frappe.get_site_path(*folder), exist_ok=True)


def probe_rows(*rows: dict, owner: str | None = None) -> list[str]:
	"""Insert probe records (uncommitted: the test's rollback removes them); returns their names."""
	names = []
	for values in rows:
		doc = frappe.get_doc({"doctype": PROBE, "title": "row", **values}).insert(ignore_permissions=True)
		if owner:
			frappe.db.set_value(PROBE, doc.name, "owner", owner, update_modified=False)
		names.append(doc.name)
	return names


def make_file(file_name: str, content: bytes, is_private: int = 1) -> frappe._dict:
	doc = frappe.get_doc(
		{"doctype": "File", "file_name": file_name, "content": content, "is_private": is_private}
	)
	return doc.insert()


def pointer_file(file_url: str, owner: str, is_private: int = 1, content_hash: str | None = None) -> str:
	"""A File row pointing at `file_url`, as Frappe v15.44.2 accepts one over REST (its validation
	lets a URL walk out of the files folder, and any spelling of a path inside it); written without
	the host's stricter validation. Returns its name."""
	doc = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": os.path.basename(file_url)[:100] or "pointer",
			"file_url": file_url,
			"is_private": is_private,
			"content_hash": content_hash,
		}
	)
	doc.set_new_name()
	doc.owner = doc.modified_by = owner
	doc.creation = doc.modified = frappe.utils.now()
	doc.db_insert()
	return doc.name


def pdf_bytes(*pages: str) -> bytes:
	"""A minimal valid PDF with one line of Helvetica text per page."""
	count = len(pages)
	objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
	kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
	objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode())
	font = 3 + 2 * count
	for i, text in enumerate(pages):
		stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
		objects.append(
			f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
			f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
		)
		objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
	objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	out, offsets = bytearray(b"%PDF-1.4\n"), []
	for number, body in enumerate(objects, 1):
		offsets.append(len(out))
		out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
	xref = len(out)
	out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
	out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
	out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
	return bytes(out)


def docx_bytes() -> bytes:
	from docx import Document

	document = Document()
	document.add_paragraph("Quarterly report")
	document.add_paragraph("Revenue grew.")
	table = document.add_table(rows=2, cols=2)
	for r, row in enumerate([["Region", "Total"], ["North", "30"]]):
		for c, value in enumerate(row):
			table.cell(r, c).text = value
	buffer = io.BytesIO()
	document.save(buffer)
	return buffer.getvalue()


def xlsx_bytes() -> bytes:
	from openpyxl import Workbook

	workbook = Workbook()
	sheet = workbook.active
	sheet.title = "Sales"
	for row in (
		["Region", "Amount", "Day"],
		["North", 30, datetime.date(2024, 1, 31)],
		["South", 70.5, None],
	):
		sheet.append(row)
	buffer = io.BytesIO()
	workbook.save(buffer)
	return buffer.getvalue()


def load_tool(plugin: str, name: str) -> BaseTool:
	"""An instance of the tool class in plugins/<plugin>/tools/<name>.py."""
	module = importlib.import_module(f"frappe_assistant_core.plugins.{plugin}.tools.{name}")
	for value in vars(module).values():
		if isinstance(value, type) and issubclass(value, BaseTool) and value.name == name:
			return value()
	raise LookupError(name)


def module_path(plugin: str, name: str) -> str:
	return importlib.util.find_spec(f"frappe_assistant_core.plugins.{plugin}.tools.{name}").origin


def _probe_doctype() -> dict:
	def field(fieldname: str, fieldtype: str, **extra) -> dict:
		return {
			"fieldname": fieldname,
			"label": fieldname.replace("_", " ").title(),
			"fieldtype": fieldtype,
			**extra,
		}

	return {
		"doctype": "DocType",
		"name": PROBE,
		"module": "Custom",
		"custom": 1,
		"autoname": "hash",
		"fields": [
			field("title", "Data", reqd=1),
			field("region", "Select", options="\nNorth\nSouth\nEast"),
			field("amount", "Currency"),
			field("qty", "Int"),
			field("discount", "Percent"),
			field("posted_on", "Date"),
			field("secret_margin", "Float", permlevel=1),
		],
		"permissions": [
			{
				"role": "System Manager",
				"permlevel": 0,
				"read": 1,
				"write": 1,
				"create": 1,
				"delete": 1,
				"report": 1,
			},
			{"role": "System Manager", "permlevel": 1, "read": 1, "write": 1},
			{"role": READER_ROLE, "permlevel": 0, "read": 1, "report": 1, "select": 1},
			{"role": OWNER_ROLE, "permlevel": 0, "read": 1, "report": 1, "if_owner": 1},
		],
	}
