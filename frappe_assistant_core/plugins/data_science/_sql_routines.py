"""Function calls of query_and_analyze's statements reach the database's own functions only.

A name the policy allows stands for a built-in function, but the database decides what a call
runs: a qualified call (`db.hex(...)`, `public.hex(...)`) always runs a stored routine, and an
unqualified name that is not a built-in of that database (the allowed names are MariaDB's and
PostgreSQL's together) runs the routine of that name in the site's database or on its search
path; on PostgreSQL `t.f` may call `f(t)`. A stored routine runs with the rights of the site's
database user and can read any table, so a qualified call is refused, and so is any statement
naming, as a function or anywhere else, a routine the database holds outside its system schemas.
"""

from __future__ import annotations

import re

import frappe
from frappe import _
from sqlglot import exp

from frappe_assistant_core.plugins.data_science._sql_parse import on_postgres, refuse, write

# The name a generated function call starts with: quoted or bare, followed by its parenthesis.
_CALLED_NAME = re.compile(r'\s*(?:`((?:[^`]|``)+)`|"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))\s*\(')


def check_routines(tree: exp.Expression) -> None:
	"""Refuse a qualified function call, and any name of a routine stored in the database."""
	for node in tree.find_all(exp.Func):
		if isinstance(node.parent, exp.Dot) and node.parent.args.get("expression") is node:
			refuse(
				_("function {0} is not allowed (a qualified call runs a stored routine)").format(_shown(node))
			)
	stored = stored_routine_names()
	if not stored:
		return
	for name in sorted(_names_in(tree)):
		if name in stored:
			refuse(
				_("function {0} is not allowed (a routine stored in the database has that name)").format(
					name.upper()
				)
			)


def stored_routine_names() -> set[str]:
	"""Lower-case names of the routines outside the database's system schemas that a call could reach."""
	if on_postgres():
		rows = frappe.db.sql(
			"""select distinct lower(p.proname) from pg_catalog.pg_proc p
			join pg_catalog.pg_namespace n on n.oid = p.pronamespace
			where n.nspname not in ('pg_catalog', 'information_schema')"""
		)
	else:
		rows = frappe.db.sql(
			"""select distinct lower(routine_name) from information_schema.routines
			where routine_schema = database()"""
		)
	return {row[0] for row in rows}


def _names_in(tree: exp.Expression) -> set[str]:
	"""Every name the statement gives the database: identifiers, and each call's function name as
	the SQL that runs spells it (a function sqlglot knows may be written under another name)."""
	names = {node.name.lower() for node in tree.find_all(exp.Identifier)}
	for node in tree.find_all(exp.Func):
		if isinstance(node, exp.Anonymous):
			names.add(node.name.lower())
		called = _CALLED_NAME.match(write(node))
		if called:
			names.add(next(group for group in called.groups() if group).lower())
	return names


def _shown(node: exp.Func) -> str:
	return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).upper()
