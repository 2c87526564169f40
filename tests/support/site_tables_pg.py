"""PostgreSQL's catalog for tests/support/site_tables.py: the site's tables and sequences.

PostgreSQL has no SHOW CREATE TABLE, so a table's definition is rebuilt from the catalog as the
statements that recreate it: the sequences its defaults draw from (when they are missing), its
columns with their types, defaults and NOT NULL, its constraints, its other indexes. Those
statements are also what is compared to tell whether it changed. JSON columns are read as text,
so that rows can be counted and compared, and written back as text, which PostgreSQL casts.
"""

from __future__ import annotations

import re
from collections import Counter

import frappe

from tests.support.site_tables import Table, quote

_SCHEMA = "n.nspname = current_schema()"
_NEXTVAL = re.compile(r"nextval\('(?P<name>[^']+)'::regclass\)")


def record(only: str | None = None) -> dict[str, Table]:
	"""Every table and sequence of the current schema (or only the one named), by name."""
	where, args = _SCHEMA, ()
	if only is not None:
		where, args = f"{where} and c.relname = %s", (only,)
	tables = {}
	for oid, name, kind in frappe.db.sql(
		"select c.oid, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
		f" where {where} and c.relkind in ('r', 'S')",
		args,
	):
		tables[name] = _sequence(name) if kind == "S" else _table(int(oid), name)
	return tables


def _sequence_ddl(name: str, if_missing: bool = False) -> str:
	data_type, start, low, high, step, cycle, cache = frappe.db.sql(
		"select data_type, start_value, min_value, max_value, increment_by, cycle, cache_size"
		" from pg_sequences where schemaname = current_schema() and sequencename = %s",
		(name,),
	)[0]
	return (
		f"create sequence {'if not exists ' if if_missing else ''}{quote(name)} as {data_type}"
		f" increment by {int(step)} minvalue {int(low)} maxvalue {int(high)} start with {int(start)}"
		f" cache {int(cache)} {'cycle' if cycle else 'no cycle'}"
	)


def _sequence(name: str) -> Table:
	return Table(
		kind="SEQUENCE",
		ddl=(_sequence_ddl(name),),
		auto_increment=None,
		columns=("last_value", "is_called"),
		key=(),
		rows=Counter(frappe.db.sql(f"select last_value, is_called from {quote(name)}")),
	)


def _table(oid: int, name: str) -> Table:
	columns = frappe.db.sql(
		"select a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid),"
		" a.attnotnull from pg_attribute a"
		" left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum"
		" where a.attrelid = %s::oid and a.attnum > 0 and not a.attisdropped order by a.attnum",
		(oid,),
	)
	constraints = frappe.db.sql(
		"select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = %s::oid"
		" order by conname",
		(oid,),
	)
	indexes = frappe.db.sql(
		"select pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid"
		" where i.indrelid = %s::oid and not exists"
		" (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = i.indrelid)"
		" order by c.relname",
		(oid,),
	)
	sequences = [m["name"] for _, _, default, _ in columns if default for m in _NEXTVAL.finditer(default)]
	definition = [
		f"{quote(column)} {kind}{f' default {default}' if default else ''}{' not null' if not_null else ''}"
		for column, kind, default, not_null in columns
	]
	definition += [f"constraint {quote(constraint)} {text}" for constraint, text in constraints]
	owned = frappe.db.sql(
		"select a.attname, pg_get_serial_sequence(%s, a.attname) from pg_attribute a"
		" where a.attrelid = %s::oid and a.attnum > 0 and not a.attisdropped"
		" and pg_get_serial_sequence(%s, a.attname) is not null order by a.attnum",
		(quote(name), oid, quote(name)),
	)
	ddl = (
		*(_sequence_ddl(sequence.strip('"'), if_missing=True) for sequence in sequences),
		f"create table {quote(name)} ({', '.join(definition)})",
		*(row[0] for row in indexes),
		# A serial column's sequence goes with its table, as it did before.
		*(f"alter sequence {sequence} owned by {quote(name)}.{quote(column)}" for column, sequence in owned),
	)
	names = tuple(column for column, *_ in columns)
	key = frappe.db.sql(
		"select a.attname from pg_index i"
		" join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)"
		" where i.indrelid = %s::oid and i.indisprimary order by array_position(i.indkey::int2[], a.attnum)",
		(oid,),
	)
	return Table(
		kind="BASE TABLE",
		ddl=ddl,
		auto_increment=None,
		columns=names,
		key=tuple(names.index(column) for (column,) in key),
		rows=Counter(_rows(name, columns)),
	)


def _rows(name: str, columns: list) -> list[tuple]:
	"""The table's rows with every value hashable: JSON as its text, bytes as bytes."""
	select = ", ".join(
		f"{quote(column)}::text" if kind in ("json", "jsonb") else quote(column)
		for column, kind, *_ in columns
	)
	rows = frappe.db.sql(f"select {select} from {quote(name)}") if columns else []
	return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
