"""What each table name of a statement reads, decided on the parsed tree, never on its spelling.

sqlglot's scope analysis (`traverse_scope`) lists the table references of every scope: the main
query, common table expressions, derived tables, subqueries in any clause, each side of a UNION.
Each reference is bound as the database binds it: to the innermost common table expression of
that name visible where it stands (a WITH clause's own body and the scopes nested in it; in a
WITH list, only the earlier names, or all of them when it is RECURSIVE), else to a real table.

Then nothing is left to the database's reading of a name: every common table expression is renamed
to a fresh name and its references follow it, and every real table reference becomes a fresh
placeholder that the caller replaces by a derived table of the rows the user may read. A source of
any other kind (LATERAL, UNNEST, table functions, JSON_TABLE, a reference no scope accounts for)
is refused, and a final pass proves that no other name is left to read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from frappe import _
from sqlglot import exp
from sqlglot.optimizer.scope import ScopeType, traverse_scope

from frappe_assistant_core.plugins.data_science._sql_parse import refuse, same_cte_name

# Arguments a real table reference may carry: its name, qualifiers, alias and nested joins. Any
# other (index hints, partitions, FOR SYSTEM_TIME, TABLESAMPLE, ONLY, ...) is refused.
TABLE_ARGS = frozenset({"this", "db", "catalog", "alias", "joins"})


@dataclass
class TableReference:
	"""A real table the statement reads: `placeholder` stands where it was."""

	placeholder: str
	name: str
	schema: str = ""
	catalog: str = ""


@dataclass
class BoundSources:
	tables: list[TableReference] = field(default_factory=list)
	fresh_names: set[str] = field(default_factory=set)


def bind_sources(tree: exp.Expression, caller_text: str) -> BoundSources:
	"""Rename the common table expressions of `tree` and put placeholders for its real tables."""
	scopes = traverse_scope(tree)
	if not scopes:
		refuse(_("the statement must be a SELECT (or WITH ... SELECT)"))
	for scope in scopes:
		if scope.scope_type is ScopeType.UDTF and not isinstance(scope.expression, exp.Values):
			refuse(_("LATERAL, UNNEST and table functions are not allowed"))
	references = {id(table): table for scope in scopes for table in scope.tables}
	for table in tree.find_all(exp.Table):
		if id(table) not in references:
			refuse(_("{0} could not be resolved").format(table.sql()))

	for with_ in tree.find_all(exp.With):
		names = [entry.alias for entry in with_.expressions]
		if any(same_cte_name(a, b) for i, a in enumerate(names) for b in names[:i]):
			refuse(_("a WITH clause names two common table expressions alike"))

	bound = BoundSources()
	token = _fresh_token(caller_text)
	ctes = list(tree.find_all(exp.CTE))
	cte_names = {id(cte): f"fac_cte_{token}_{n}" for n, cte in enumerate(ctes, 1)}
	for n, table in enumerate(references.values(), 1):
		if not isinstance(table.this, exp.Identifier):
			refuse(_("table functions are not allowed"))
		cte = bound_cte(table)
		if cte is not None:
			_point_at(table, cte_names[id(cte)])
			continue
		if set(table.args) - TABLE_ARGS and any(table.args[k] for k in set(table.args) - TABLE_ARGS):
			refuse(_("{0}: table options are not allowed").format(table.name))
		reference = TableReference(f"fac_rows_{token}_{n}", table.name, table.db, table.catalog)
		bound.tables.append(reference)
		_point_at(table, reference.placeholder)
		table.set("db", None)
		table.set("catalog", None)
	for cte in ctes:
		cte.args["alias"].set("this", exp.to_identifier(cte_names[id(cte)]))
	bound.fresh_names = set(cte_names.values()) | {t.placeholder for t in bound.tables}
	_check_only_fresh_names(tree, bound.fresh_names)
	return bound


def bound_cte(table: exp.Table) -> exp.CTE | None:
	"""The common table expression `table` names where it stands, or None for a real table.

	Walking out from the reference, each WITH met on the way offers its names: all of them to the
	query it belongs to, and to the body of its n-th entry the entries before it (all of them
	when RECURSIVE). The first match is the innermost, as both databases resolve it."""
	if table.db or table.catalog:
		return None
	node = table
	while (parent := node.parent) is not None:
		if isinstance(parent, exp.With):
			entries = parent.expressions
			position = next(i for i, entry in enumerate(entries) if entry is node)
			visible = entries if parent.recursive else entries[:position]
		elif (
			isinstance(parent, exp.Query)
			and (with_ := parent.args.get("with_")) is not None
			and with_ is not node
		):
			visible = with_.expressions
		else:
			visible = []
		for entry in visible:
			if same_cte_name(entry.alias, table.name):
				return entry
		node = parent
	return None


def _point_at(table: exp.Table, name: str) -> None:
	"""Make `table` read `name`, keeping the name it had as its alias (`t.col` still resolves)."""
	if not table.alias:
		table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name, quoted=True)))
	table.set("this", exp.to_identifier(name, quoted=True))


def _fresh_token(caller_text: str) -> str:
	while True:
		token = secrets.token_hex(8)
		if token not in caller_text.lower():
			return token


def _check_only_fresh_names(tree: exp.Expression, fresh_names: set[str]) -> None:
	"""After the rewrite, every table read is a renamed CTE or a placeholder: nothing else."""
	for table in tree.find_all(exp.Table):
		if table.name not in fresh_names or table.db or table.catalog:
			refuse(_("{0} could not be resolved").format(table.sql()))
	for cte in tree.find_all(exp.CTE):
		if cte.alias not in fresh_names:
			refuse(_("{0} could not be resolved").format(cte.alias))
