"""Every table of the connected site, recorded and put back (tests/support/site_state.py's tables).

`record()` keeps each table's definition and rows and each sequence's position; `restore(before)`
drops the tables made since, recreates those whose definition changed (with their rows), puts
back the rows of changed ones and restarts moved sequences, one line per change. MariaDB's catalog
is read here; PostgreSQL's in tests/support/site_tables_pg.py.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import frappe

_CHUNK = 200


@dataclass
class Table:
	kind: str  # BASE TABLE or SEQUENCE
	ddl: str | tuple[str, ...]  # what recreates it: SHOW CREATE TABLE less its counter (MariaDB)
	auto_increment: int | None
	columns: tuple[str, ...]
	key: tuple[int, ...]  # positions of the primary key's columns; empty without one
	rows: Counter


def postgres() -> bool:
	return frappe.db.db_type == "postgres"


def quote(name: str) -> str:
	mark = '"' if postgres() else "`"
	return mark + name.replace(mark, mark * 2) + mark


def record(only: str | None = None) -> dict[str, Table]:
	"""Every table and sequence of the site (or only the one named), by name."""
	if postgres():
		from tests.support import site_tables_pg

		return site_tables_pg.record(only)
	where, args = "table_schema = database()", ()
	if only is not None:
		where, args = f"{where} and table_name = %s", (only,)
	keys: dict[str, list[str]] = defaultdict(list)
	for table, column in frappe.db.sql(
		"select table_name, column_name from information_schema.statistics"
		f" where {where} and index_name = 'PRIMARY' order by table_name, seq_in_index",
		args,
	):
		keys[table].append(column)
	columns: dict[str, list[str]] = defaultdict(list)
	for table, column in frappe.db.sql(
		f"select table_name, column_name from information_schema.columns where {where}"
		" order by table_name, ordinal_position",
		args,
	):
		columns[table].append(column)
	tables = {}
	for name, kind, auto_increment in frappe.db.sql(
		"select table_name, table_type, auto_increment from information_schema.tables"
		f" where {where} and table_type in ('BASE TABLE', 'SEQUENCE')",
		args,
	):
		ddl = frappe.db.sql(f"show create table {quote(name)}")[0][1]
		names = tuple(columns[name])
		tables[name] = Table(
			kind=kind,
			ddl=re.sub(r" AUTO_INCREMENT=\d+", "", ddl),
			auto_increment=auto_increment,
			columns=names,
			key=tuple(names.index(column) for column in keys[name]),
			rows=Counter(frappe.db.sql(f"select * from {quote(name)}")),
		)
	return tables


def restore(before: dict[str, Table]) -> list[str]:
	changes = []
	after = record()
	# Tables before sequences: a sequence a table's default draws from goes with the table.
	for name in sorted(after.keys() - before.keys(), key=lambda n: (after[n].kind == "SEQUENCE", n)):
		_drop(name, after[name])
		changes.append(f"table {name}: dropped (created during the session)")
	# Sequences last, read again: on PostgreSQL a table's own sequence goes when the table is
	# recreated, and is made again with it.
	for name, was in sorted(before.items(), key=lambda item: (item[1].kind == "SEQUENCE", item[0])):
		now = after.get(name) if was.kind != "SEQUENCE" else record(name).get(name)
		if now is None or now.ddl != was.ddl:
			if now is not None:
				_drop(name, now)
			_create(name, was)
			if was.kind == "SEQUENCE":
				_restart_sequence(name, was)
			else:
				_insert(name, was.columns, list(was.rows.elements()))
			changes.append(f"table {name}: recreated with its {sum(was.rows.values())} rows")
		elif now.rows != was.rows:
			if was.kind == "SEQUENCE":
				_restart_sequence(name, was)
				changes.append(f"table {name}: sequence restarted")
			else:
				changes.append(_restore_rows(name, was, now))
		if was.auto_increment and (now is None or now.auto_increment != was.auto_increment):
			# The counter goes back only as far as the rows allow; InnoDB keeps it above them.
			frappe.db.sql_ddl(f"alter table {quote(name)} auto_increment = {int(was.auto_increment)}")
		frappe.db.commit()
	return changes


def _drop(name: str, table: Table) -> None:
	kind = "sequence" if table.kind == "SEQUENCE" else "table"
	frappe.db.sql_ddl(f"drop {kind} if exists {quote(name)}")


def _create(name: str, table: Table) -> None:
	for statement in (table.ddl,) if isinstance(table.ddl, str) else table.ddl:
		frappe.db.sql_ddl(statement)


def _restore_rows(name: str, was: Table, now: Table) -> str:
	extra, missing = now.rows - was.rows, was.rows - now.rows
	if not was.key:
		# Without a primary key a row can only be told by all its values, which text collations
		# compare loosely: the table gets exactly its old rows back.
		frappe.db.sql(f"delete from {quote(name)}")
		_insert(name, was.columns, list(was.rows.elements()))
	else:
		# A changed row is in both: its new version is deleted by key, its old one inserted.
		_delete(name, was, list(extra))
		_insert(name, was.columns, list(missing.elements()))
	return f"table {name}: {sum(extra.values())} rows removed, {sum(missing.values())} put back"


def _delete(name: str, table: Table, rows: list[tuple]) -> None:
	columns = ", ".join(quote(table.columns[i]) for i in table.key)
	row = "(" + ", ".join(["%s"] * len(table.key)) + ")"
	for start in range(0, len(rows), _CHUNK):
		chunk = rows[start : start + _CHUNK]
		values = [row_value[i] for row_value in chunk for i in table.key]
		placeholders = ", ".join([row] * len(chunk))
		frappe.db.sql(f"delete from {quote(name)} where ({columns}) in ({placeholders})", values)


def _insert(name: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
	names = ", ".join(quote(column) for column in columns)
	row = "(" + ", ".join(["%s"] * len(columns)) + ")"
	for start in range(0, len(rows), _CHUNK):
		chunk = rows[start : start + _CHUNK]
		values = [value for row_values in chunk for value in row_values]
		frappe.db.sql(f"insert into {quote(name)} ({names}) values {', '.join([row] * len(chunk))}", values)


def _restart_sequence(name: str, was: Table) -> None:
	(state,) = list(was.rows)
	if postgres():
		last_value, is_called = state
		frappe.db.sql("select setval(%s, %s, %s)", (quote(name), last_value, is_called))
		return
	next_value = state[was.columns.index("next_not_cached_value")]
	frappe.db.sql_ddl(f"alter sequence {quote(name)} restart with {int(next_value)}")
