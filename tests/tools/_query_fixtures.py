"""What the query_and_analyze tests share: a DocType with a child table, users, committed rows.

FAC Query Sheet (label, region, amount, a permlevel-1 `secret`, a masked `contact`, child rows
FAC Query Line with a permlevel-1 `cost`). FAC Query Reader reads sheets at permlevel 0; FAC Query Owner reads only the
sheets it owns. The tool reads on a database connection of its own, so rows it must see (and
canaries it must never see) are committed, and removed again by the fixtures that made them.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import frappe

from tests.support.site import make_user
from tests.tools._fixtures import PROBE, ensure_probe, load_tool

SHEET = "FAC Query Sheet"
LINE = "FAC Query Line"
SHEET_TABLE = f"`tab{SHEET}`"
LINE_TABLE = f"`tab{LINE}`"
READER_ROLE = "FAC Query Reader"
OWNER_ROLE = "FAC Query Owner"
#: Reads every sheet, permlevel 0 only.
READER = "fac-query-reader@example.com"
#: Reads only the sheets it owns.
OWN_READER = "fac-query-own@example.com"
#: A System User without roles: reads no sheet.
OUTSIDER = "fac-query-outsider@example.com"
#: Sheets as (label, region, amount, secret, owner, [(item, qty, cost)]).
SHEETS = (
	("alpha", "North", 10, "fac-canary-secret-alpha", "Administrator", [("bolt", 1, "fac-canary-cost-bolt")]),
	(
		"beta",
		"South",
		20,
		"fac-canary-secret-beta",
		OWN_READER,
		[("nut", 2, "fac-canary-cost-nut"), ("washer", 3, "fac-canary-cost-washer")],
	),
	("gamma", "North", 30, "fac-canary-secret-gamma", "Administrator", []),
)


def run_query(query: str, **arguments) -> dict:
	"""query_and_analyze's answer to `query` for the session user."""
	return load_tool("data_science", "query_and_analyze").run({"query": query, **arguments})


def ensure_query_doctypes() -> None:
	"""The DocTypes, roles and users (created once, committed)."""
	previous = frappe.session.user
	frappe.set_user("Administrator")
	for role in (READER_ROLE, OWNER_ROLE):
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert()
	if not frappe.db.exists("DocType", LINE):
		frappe.get_doc(_line_doctype()).insert()
	if not frappe.db.exists("DocType", SHEET):
		frappe.get_doc(_sheet_doctype()).insert()
	frappe.db.commit()
	make_user(READER, [READER_ROLE])
	make_user(OWN_READER, [OWNER_ROLE])
	make_user(OUTSIDER, [])
	frappe.set_user(previous)


@contextlib.contextmanager
def committed_sheets() -> Iterator[dict[str, str]]:
	"""The SHEETS, committed; yields {label: name}; deletes them afterwards."""
	names = {}
	for label, region, amount, secret, owner, lines in SHEETS:
		doc = frappe.get_doc(
			{
				"doctype": SHEET,
				"label": label,
				"region": region,
				"amount": amount,
				"secret": secret,
				"contact": f"fac-canary-contact-{label}",
				"lines": [{"item": item, "qty": qty, "cost": cost} for item, qty, cost in lines],
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value(SHEET, doc.name, "owner", owner, update_modified=False)
		names[label] = doc.name
	frappe.db.commit()
	try:
		yield names
	finally:
		frappe.db.rollback()
		for name in names.values():
			frappe.delete_doc(SHEET, name, ignore_permissions=True, force=True)
		frappe.db.commit()


@contextlib.contextmanager
def committed_canaries() -> Iterator[dict[str, str]]:
	"""A secret row in each table no statement may read (committed), removed afterwards.

	Yields {table: canary}: the value planted in tabSessions (a session id), __Auth (a password),
	tabOAuth Bearer Token (an access token) and FAC Analytics Probe (a title; READER may not read
	that DocType)."""
	token = uuid.uuid4().hex
	canaries = {
		"tabSessions": f"fac-canary-sid-{token}",
		"__Auth": f"fac-canary-auth-{token}",
		"tabOAuth Bearer Token": f"fac-canary-token-{token}",
		f"tab{PROBE}": f"fac-canary-probe-{token}",
	}
	sessions, auth = frappe.qb.Table("tabSessions"), frappe.qb.Table("__Auth")
	frappe.qb.into(sessions).columns("user", "sid", "sessiondata", "status").insert(
		"Administrator", canaries["tabSessions"], "{}", "Active"
	).run()
	frappe.qb.into(auth).columns("doctype", "name", "fieldname", "password", "encrypted").insert(
		"User", "Administrator", "fac_canary", canaries["__Auth"], 0
	).run()
	bearer = frappe.new_doc("OAuth Bearer Token")
	bearer.update({"name": f"fac-canary-{token}", "access_token": canaries["tabOAuth Bearer Token"]})
	bearer.db_insert()
	ensure_probe()
	probe = frappe.get_doc({"doctype": PROBE, "title": canaries[f"tab{PROBE}"]}).insert(
		ignore_permissions=True
	)
	frappe.db.commit()
	try:
		yield canaries
	finally:
		frappe.db.rollback()
		frappe.qb.from_(sessions).delete().where(sessions.sid == canaries["tabSessions"]).run()
		frappe.qb.from_(auth).delete().where(auth.fieldname == "fac_canary").run()
		frappe.db.delete("OAuth Bearer Token", {"name": bearer.name})
		frappe.db.delete(PROBE, {"name": probe.name})
		frappe.db.commit()


def _perms(*extra: dict) -> list[dict]:
	manager = {"role": "System Manager", "read": 1, "write": 1, "create": 1, "delete": 1, "report": 1}
	return [
		{**manager, "permlevel": 0},
		{"role": "System Manager", "permlevel": 1, "read": 1, "write": 1},
		*extra,
	]


def _sheet_doctype() -> dict:
	return {
		"doctype": "DocType",
		"name": SHEET,
		"module": "Custom",
		"custom": 1,
		"autoname": "hash",
		"fields": [
			{"fieldname": "label", "label": "Label", "fieldtype": "Data", "reqd": 1},
			{"fieldname": "region", "label": "Region", "fieldtype": "Data"},
			{"fieldname": "amount", "label": "Amount", "fieldtype": "Int"},
			{"fieldname": "secret", "label": "Secret", "fieldtype": "Data", "permlevel": 1},
			# Frappe v16 shows a `mask` field masked to roles without the mask right (v15 ignores it).
			{"fieldname": "contact", "label": "Contact", "fieldtype": "Data", "mask": 1},
			{"fieldname": "lines", "label": "Lines", "fieldtype": "Table", "options": LINE},
		],
		"permissions": _perms(
			{
				"role": READER_ROLE,
				"permlevel": 0,
				"read": 1,
				"report": 1,
				"write": 0,
				"create": 0,
				"delete": 0,
			},
			{
				"role": OWNER_ROLE,
				"permlevel": 0,
				"read": 1,
				"report": 1,
				"if_owner": 1,
				"write": 0,
				"create": 0,
				"delete": 0,
			},
		),
	}


def _line_doctype() -> dict:
	return {
		"doctype": "DocType",
		"name": LINE,
		"module": "Custom",
		"custom": 1,
		"istable": 1,
		"fields": [
			{"fieldname": "item", "label": "Item", "fieldtype": "Data"},
			{"fieldname": "qty", "label": "Qty", "fieldtype": "Int"},
			{"fieldname": "cost", "label": "Cost", "fieldtype": "Data", "permlevel": 1},
		],
	}
