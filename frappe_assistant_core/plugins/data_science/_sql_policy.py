"""Admission policy of query_and_analyze: one read-only SELECT that sees only what the user may read.

The caller's text is parsed into a syntax tree (_sql_parse.py) and never runs. The tree must be
exactly one query (SELECT, set operations, WITH) with no INTO, locking clause, variable,
placeholder, assignment, or function that waits, locks, reads files or is not known to the parser
(a stored function can do anything), and no call that the database would send to a stored routine
(_sql_routines.py). Scope analysis then binds every table name as the database
would (_sql_sources.py); each real table must be the table of a DocType, and is replaced by a
derived table of the rows and columns the session user may read, as Frappe's own list query
builds it (_permitted_rows.py): server tables (`tabSessions`, `__Auth`), other schemas and
DocTypes the user may not read are refused. What runs is the SQL written back from that tree.
"""

from __future__ import annotations

from collections.abc import Callable

import frappe
from frappe import _
from sqlglot import exp

from frappe_assistant_core.plugins.data_science._permitted_rows import (
	doctype_of_table,
	permitted_rows_sql,
)
from frappe_assistant_core.plugins.data_science._sql_parse import (
	on_postgres,
	parse_statement,
	quoted,
	refuse,
	write,
)
from frappe_assistant_core.plugins.data_science._sql_routines import check_routines
from frappe_assistant_core.plugins.data_science._sql_sources import TableReference, bind_sources

# Functions sqlglot does not model (exp.Anonymous) that are safe to run: pure string, number,
# date and JSON functions of MariaDB and PostgreSQL. Any other unmodelled name is refused.
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
	radians log2 log10 pi sign cot rand uuid uuid_short weight_string nullif
	age make_date make_time make_timestamp make_interval isfinite justify_days justify_hours
	octet_length quote_literal quote_ident regexp_matches regexp_split_to_array gcd lcm cardinality
	to_jsonb row_to_json json_build_object jsonb_build_object jsonb_typeof jsonb_array_length
	jsonb_agg every""".split()
)
_FORBIDDEN_NODES = (exp.Into, exp.Lock, exp.Parameter, exp.SessionParameter, exp.Placeholder, exp.PropertyEQ)


def admit_select(query: str, row_limit: int, may_read: Callable[[str], bool]) -> str:
	"""The SQL to run for `query` as the session user, written back from its checked and rewritten
	syntax tree; else ValidationError. `may_read(doctype)` says whether the statement may read a
	DocType at all (a child table's rows need it of their parent DocType).

	A statement without its own LIMIT gets `row_limit`: MariaDB drops the ORDER BY of a derived
	table that has no LIMIT, and the caller wraps the statement as one."""
	try:
		return _admitted(query, row_limit, may_read)
	except RecursionError:  # parsing and rewriting recurse once a nesting level
		refuse(_("the statement is nested too deeply"))


def _admitted(query: str, row_limit: int, may_read: Callable[[str], bool]) -> str:
	tree = parse_statement(query)
	if not isinstance(tree, exp.Query):
		refuse(_("the statement must be a SELECT (or WITH ... SELECT)"))
	_check_nodes(tree)
	check_routines(tree)
	bound = bind_sources(tree, query)
	if not tree.args.get("limit"):
		tree = tree.limit(row_limit, copy=False)
	return _with_permitted_rows(write(tree), bound.tables, may_read)


def _check_nodes(tree: exp.Expression) -> None:
	for node in tree.walk():
		if isinstance(node, _FORBIDDEN_NODES):
			refuse(_("{0} are not allowed in a read-only query").format(_forbidden_what(node)))
		if isinstance(node, exp.DML | exp.DDL | exp.Command):
			refuse(_("the statement must be a SELECT (or WITH ... SELECT)"))
		if isinstance(node, exp.Anonymous) and node.name.lower() not in SAFE_UNMODELLED_FUNCTIONS:
			refuse(
				_("function {0} is not allowed (it may wait, lock, read files or change data)").format(
					node.name.upper()
				)
			)


def _forbidden_what(node: exp.Expression) -> str:
	if isinstance(node, exp.Into):
		return "INTO"
	if isinstance(node, exp.Lock):
		return _("locking clauses (FOR UPDATE, LOCK IN SHARE MODE)")
	if isinstance(node, exp.Placeholder):
		return _("placeholders")
	if isinstance(node, exp.PropertyEQ):
		return _("assignments (:=)")
	return _("variables")


def _with_permitted_rows(sql: str, tables: list[TableReference], may_read: Callable[[str], bool]) -> str:
	"""`sql` with each table placeholder replaced by the derived table of that DocType's rows the
	user may read (built once per DocType)."""
	built: dict[str, str] = {}
	for table in tables:
		_check_own_schema(table)
		doctype = doctype_of_table(table.name)
		if doctype not in built:
			built[doctype] = permitted_rows_sql(doctype, may_read)
		placeholder = quoted(table.placeholder)
		if sql.count(placeholder) != 1:  # a fresh random name: anything else is a bug, never run it
			refuse(_("the statement could not be rewritten"))
		sql = sql.replace(placeholder, f"({built[doctype]})")
	return sql


def _check_own_schema(table: TableReference) -> None:
	"""A qualified name must name the site's own database (MariaDB) or its `public` schema."""
	if on_postgres():
		own = table.schema in ("", "public") and table.catalog in ("", frappe.conf.db_name)
	else:
		own = not table.catalog and table.schema in ("", frappe.conf.db_name)
	if not own:
		name = ".".join(filter(None, (table.catalog, table.schema, table.name)))
		refuse(_("{0} is outside the site's database").format(name))
