"""The SQL dialect of query_and_analyze's site database: parsing the caller's text, writing SQL back.

MariaDB statements are read as MySQL. On PostgreSQL, backtick-quoted names are read as quoted
identifiers too, as Frappe's own postgres layer accepts them (it turns every backtick into a double
quote), and unquoted names are folded to lower case as PostgreSQL folds them, except a `tab...`
name of a table or of a column's table, which Frappe's layer quotes (`from tabToDo` runs there as
`from "tabToDo"`). What runs is always written back from the tree with every identifier quoted.
"""

from __future__ import annotations

import frappe
import sqlglot
from frappe import _
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers


class FramePostgres(Postgres):
	"""PostgreSQL with backtick-quoted identifiers."""

	class Tokenizer(Postgres.Tokenizer):
		IDENTIFIERS = ['"', "`"]


def on_postgres() -> bool:
	return frappe.db.db_type == "postgres"


def parse_statement(query: str) -> exp.Expression:
	"""The one statement in `query`, with PostgreSQL's name folding applied; else refused."""
	reader = FramePostgres if on_postgres() else "mysql"
	try:
		statements = [s for s in sqlglot.parse(query, read=reader) if s is not None]
	except sqlglot.errors.SqlglotError as exc:
		refuse(_("the statement could not be parsed: {0}").format(str(exc).splitlines()[0]))
	if len(statements) != 1:
		refuse(_("exactly one statement is allowed (found {0})").format(len(statements)))
	tree = statements[0]
	if on_postgres():
		_keep_case_of_table_names(tree)
		tree = normalize_identifiers(tree, dialect="postgres")
	return tree


def _keep_case_of_table_names(tree: exp.Expression) -> None:
	for node in tree.find_all(exp.Table, exp.Column, exp.TableAlias):
		name = node.args.get("table") if isinstance(node, exp.Column) else node.this
		if isinstance(name, exp.Identifier) and not name.quoted and name.name.startswith("tab"):
			name.set("quoted", True)


def write(tree: exp.Expression) -> str:
	"""The SQL of `tree` for the site's database, every identifier quoted and no comment kept."""
	return tree.sql(dialect="postgres" if on_postgres() else "mysql", comments=False, identify=True)


def quoted(name: str) -> str:
	"""`name` as a quoted identifier of the site's database."""
	return write(exp.to_identifier(name, quoted=True))


def same_cte_name(a: str, b: str) -> bool:
	"""Whether two common table expression names are the same to the database: MariaDB compares
	them without case (while table names keep theirs); on PostgreSQL folding already happened."""
	return a == b if on_postgres() else a.lower() == b.lower()


def refuse(reason: str) -> None:
	frappe.throw(_("query: {0}").format(reason), frappe.ValidationError, title=_("Query not allowed"))
