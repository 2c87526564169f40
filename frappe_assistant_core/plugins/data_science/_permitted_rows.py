"""The rows and columns of a DocType the session user may read, as SQL that Frappe itself builds.

query_and_analyze never lets a statement name a real table: each one becomes a derived table made
here. Its rows are those `frappe.get_list` returns the user (DocType permission, User Permissions,
if_owner, permission query conditions and shared documents, applied by Frappe's own list query
with `run=0`); its columns are the standard ones and the fields at the permlevels the user may
read, without the fields Frappe v16 would show masked. A child table's rows are those of the
parent documents the user may read, each with the child fields readable under that parent.

When that query filters rows, it is fenced (a LIMIT MariaDB will not merge or push a condition
through, an OFFSET 0 PostgreSQL will not flatten), so the user's own expressions only ever see
rows that passed the filter: no error, no timing, no side effect of theirs can run on another row.
"""

from __future__ import annotations

from collections.abc import Callable

import frappe
import sqlglot
from frappe import _
from frappe.model import child_table_fields, default_fields, optional_fields, table_fields
from sqlglot import exp

from frappe_assistant_core.plugins.data_science._sql_parse import (
	FramePostgres,
	on_postgres,
	quoted,
	refuse,
	write,
)

# DocTypes whose rows are live credentials: reading them lets the reader act as someone else.
CREDENTIAL_DOCTYPES = frozenset({"OAuth Bearer Token", "OAuth Authorization Code"})


def doctype_of_table(table: str) -> str:
	"""The DocType whose table is `table` (exactly `tab<DocType>`); anything else is refused."""
	doctype = None
	if table.startswith("tab") and len(table) > 3:
		doctype = frappe.db.get_value("DocType", table[3:], ["name", "is_virtual", "issingle"], as_dict=True)
	if not doctype or doctype.name != table[3:] or doctype.is_virtual or doctype.issingle:
		refuse(_("{0} is not the table of a DocType and may not be queried").format(table))
	if doctype.name in CREDENTIAL_DOCTYPES:
		refuse(_("{0} holds credentials and may not be queried").format(doctype.name))
	return doctype.name


def permitted_rows_sql(doctype: str, may_read: Callable[[str], bool]) -> str:
	"""A SELECT of what the session user may read of `doctype`, as Frappe would run it, for a
	DocType `may_read` admits (for a child table: its parent DocTypes that it admits)."""
	if frappe.get_meta(doctype).istable:
		return _fenced(_child_rows_sql(doctype, may_read))
	if not may_read(doctype):
		refuse(_("you may not read {0}").format(doctype))
	sql = _list_sql(doctype, readable_columns(doctype))
	return _fenced(sql) if _filters_rows(sql) else sql


def readable_columns(doctype: str, parenttype: str | None = None) -> list[str]:
	"""The columns of `doctype` the session user may read: standard ones and permitted fields
	(of a child table, as a row of a `parenttype` document)."""
	meta = frappe.get_meta(doctype)
	fields = [
		*default_fields,
		*(child_table_fields if parenttype else ()),
		*optional_fields,
		*meta.get_permitted_fieldnames(parenttype, permission_type="read", with_virtual_fields=False),
	]
	masked = set()
	if hasattr(meta, "get_masked_fields"):  # Frappe v16 masks these in Python, after its query
		masked = {df.fieldname for df in meta.get_masked_fields()}
	columns = set(frappe.db.get_table_columns(doctype)) - masked
	return list(dict.fromkeys(field for field in fields if field in columns))


def _list_sql(doctype: str, fields: list[str]) -> str:
	"""The SQL frappe.get_list runs for the session user, with what Frappe's `db.sql` does to a
	statement's text before running it (on PostgreSQL its postgres layer's rewriting first; then
	IFNULL( becomes COALESCE( on both). v15 returns its SQL with the values in it; v16 returns its
	query builder query, whose values the driver escapes here as it would when running it."""
	from frappe.database.database import IFNULL_PATTERN

	query = frappe.get_list(doctype, fields=fields, order_by="", run=0)
	if isinstance(query, str):
		return IFNULL_PATTERN.sub("coalesce(", query.strip())
	sql, values = query.walk()  # the query builder's text and values, as its run() executes them
	if on_postgres():
		from frappe.database.postgres.database import modify_query, modify_values

		sql, values = modify_query(sql), modify_values(values)
	text = frappe.db.mogrify(IFNULL_PATTERN.sub("coalesce(", sql.strip()), values)
	return text.decode() if isinstance(text, bytes) else text


def _child_rows_sql(child: str, may_read: Callable[[str], bool]) -> str:
	"""The rows of `child` whose parent document the user may read, one UNION ALL part a parent
	DocType; a field the user may not read under some parent is NULL in that part."""
	parents = frappe.get_all(
		"DocField", filters={"fieldtype": ["in", table_fields], "options": child}, pluck="parent"
	) + frappe.get_all(
		"Custom Field", filters={"fieldtype": ["in", table_fields], "options": child}, pluck="dt"
	)
	readable = {
		parent: readable_columns(child, parenttype=parent)
		for parent in sorted(set(parents))
		if not frappe.get_meta(parent).is_virtual and may_read(parent)
	}
	if not readable:
		refuse(_("you may not read {0}").format(child))
	columns = list(dict.fromkeys(column for fields in readable.values() for column in fields))
	parts = []
	for parent, fields in readable.items():
		select = ", ".join(quoted(c) if c in fields else f"NULL AS {quoted(c)}" for c in columns)
		literal = write(exp.Literal.string(parent))
		if frappe.get_meta(parent).issingle:  # a Single's one document is named after its DocType
			of_parents = f"= {literal}"
		else:
			of_parents = f"IN (SELECT {quoted('name')} FROM ({_list_sql(parent, ['name'])}) AS fac_parents)"
		parts.append(
			f"SELECT {select} FROM {quoted('tab' + child)} "
			f"WHERE {quoted('parenttype')} = {literal} AND {quoted('parent')} {of_parents}"
		)
	return " UNION ALL ".join(parts)


def _fenced(sql: str) -> str:
	if on_postgres():
		return f"SELECT * FROM ({sql}) AS fac_permitted OFFSET 0"
	return f"SELECT * FROM ({sql}) AS fac_permitted LIMIT 18446744073709551615"


def _filters_rows(sql: str) -> bool:
	"""Whether Frappe's query may leave rows out: anything but `SELECT columns FROM one table`
	(a query sqlglot cannot read counts as filtering)."""
	try:
		tree = sqlglot.parse_one(sql, read=FramePostgres if on_postgres() else "mysql")
	except sqlglot.errors.SqlglotError:
		return True
	clauses = {key for key, value in tree.args.items() if value}
	return not (
		isinstance(tree, exp.Select)
		and clauses <= {"expressions", "from_"}
		and isinstance(tree.args["from_"].this, exp.Table)
	)
