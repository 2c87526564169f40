"""Admission policy of query_and_analyze: one read-only SELECT over tables the user may read.

The statement is parsed by sqlglot into a syntax tree and checked node by node; what then runs is
the SQL that sqlglot generates back from that checked tree, with every identifier quoted, never the
text the caller sent, so a construct the parser reads differently from MariaDB (an executable
`/*! ... */` comment, an odd token such as `1e1lock`) is dropped, quoted or refused, never run as
MariaDB would have read it. Admitted:

- exactly one statement, a SELECT (or UNION/INTERSECT/EXCEPT of SELECTs, with WITH clauses);
- tables only of existing, non-virtual DocTypes that the session user may read (`tab<DocType>`), in
  the site's own database: server tables with no DocType (`tabSessions`, `__Auth`, the system
  schemas) and the DocTypes that hold replayable credentials are refused;
- no INTO, no locking clause, no variables, and no function that waits, locks, reads files or is
  not known to the parser (a stored function can do anything).
"""

from __future__ import annotations

import frappe
import sqlglot
from frappe import _
from sqlglot import exp

# DocTypes whose rows are live credentials: reading them lets the reader act as someone else.
CREDENTIAL_DOCTYPES = frozenset({"OAuth Bearer Token", "OAuth Authorization Code"})
# Functions sqlglot does not model (exp.Anonymous) that are safe to run: pure string, number,
# date and JSON functions of MariaDB. Any other unmodelled name is refused.
SAFE_UNMODELLED_FUNCTIONS = frozenset(
	"""addtime char_length character_length convert_tz date_add date_sub dayname dayofmonth
	dayofweek dayofyear elt export_set field find_in_set format from_days get_format hex insert
	instr last_day lcase length locate lpad make_set makedate maketime microsecond mid monthname
	oct ord period_add period_diff position quarter quote regexp_instr regexp_replace
	regexp_substr repeat reverse rpad sec_to_time second soundex space strcmp subtime
	substring_index time_format time_to_sec timediff to_days to_seconds truncate ucase unhex
	weekday weekofyear yearweek json_contains json_contains_path json_depth json_keys json_length
	json_quote json_search json_type json_unquote json_valid json_value json_query json_merge
	json_merge_patch json_merge_preserve json_remove json_replace json_set json_insert
	json_array_append json_array_insert json_detailed json_compact json_loose conv crc32 degrees
	radians log2 log10 pi sign cot rand uuid uuid_short weight_string nullif""".split()
)
_DIALECTS = {"mariadb": "mysql", "postgres": "postgres"}
_FORBIDDEN_NODES = {
	exp.Into: "INTO",
	exp.Lock: _("locking clauses (FOR UPDATE, LOCK IN SHARE MODE)"),
	exp.Parameter: _("variables"),
	exp.SessionParameter: _("variables"),
	exp.Placeholder: _("placeholders"),
	exp.PropertyEQ: _("assignments (:=)"),
}


def admit_select(query: str, row_limit: int, user: str | None = None) -> str:
	"""The SQL to run for `query`, regenerated from its checked syntax tree; else ValidationError.

	A statement without its own LIMIT gets `row_limit`: MariaDB drops the ORDER BY of a derived
	table that has no LIMIT, and the caller wraps the statement as one."""
	dialect = _DIALECTS.get(frappe.db.db_type, "mysql")
	tree = _parse_one(query, dialect)
	if not isinstance(tree, exp.Query):
		_refuse(_("the statement must be a SELECT (or WITH ... SELECT)"))
	for node in tree.walk():
		for node_type, what in _FORBIDDEN_NODES.items():
			if isinstance(node, node_type):
				_refuse(_("{0} are not allowed in a read-only query").format(what))
		if isinstance(node, exp.DML | exp.DDL | exp.Command):
			_refuse(_("the statement must be a SELECT (or WITH ... SELECT)"))
		if isinstance(node, exp.Anonymous):
			_check_function(node.name)
	_check_tables(tree, user or frappe.session.user)
	if not tree.args.get("limit"):
		tree = tree.limit(row_limit, copy=False)
	# Every identifier quoted: nothing in the regenerated text can be read as a keyword the check
	# did not see (sqlglot reads `1e1lock` as one name, MariaDB as 1e1 LOCK).
	return tree.sql(dialect=dialect, comments=False, identify=True)


def _parse_one(query: str, dialect: str) -> exp.Expression:
	try:
		statements = [s for s in sqlglot.parse(query, read=dialect) if s is not None]
	except sqlglot.errors.SqlglotError as exc:
		_refuse(_("the statement could not be parsed: {0}").format(str(exc).splitlines()[0]))
	if len(statements) != 1:
		_refuse(_("exactly one statement is allowed (found {0})").format(len(statements)))
	return statements[0]


def _check_function(name: str) -> None:
	if name.lower() not in SAFE_UNMODELLED_FUNCTIONS:
		_refuse(
			_("function {0} is not allowed (it may wait, lock, read files or change data)").format(
				name.upper()
			)
		)


def _check_tables(tree: exp.Expression, user: str) -> None:
	common_tables = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
	own_database = (frappe.conf.db_name or "").lower()
	for table in tree.find_all(exp.Table):
		name = table.name
		if not table.catalog and not table.db and name.lower() in common_tables:
			continue
		if table.catalog or (table.db and table.db.lower() != own_database):
			_refuse(_("{0} is outside the site's database").format(table.sql()))
		if not name:
			_refuse(_("table functions are not allowed"))
		doctype = _doctype_of_table(name)
		if doctype is None:
			_refuse(_("{0} is not the table of a DocType and may not be queried").format(name))
		if doctype in CREDENTIAL_DOCTYPES:
			_refuse(_("{0} holds credentials and may not be queried").format(doctype))
		if not frappe.has_permission(doctype, "read", user=user):
			_refuse(_("you may not read {0}").format(doctype))


def _doctype_of_table(table: str) -> str | None:
	"""The DocType stored in `table` (`tab<DocType>`), if it is a real, non-virtual DocType."""
	if not table.startswith("tab") or len(table) == 3:
		return None
	doctype = frappe.db.get_value("DocType", table[3:], ["name", "is_virtual"], as_dict=True)
	if not doctype or doctype.is_virtual:
		return None
	return doctype.name


def _refuse(reason: str) -> None:
	frappe.throw(_("query: {0}").format(reason), frappe.ValidationError, title=_("Query not allowed"))
