"""query_and_analyze: run one read-only SELECT over what the user may read, and summarise its result.

data_science/_sql_policy.py admits exactly one SELECT with nothing that writes, locks, sleeps or
reads files, binds every table name by scope analysis, and replaces each real table by a derived
table of the rows and columns the user may read, built by Frappe's own list query; what runs is
the SQL written back from that tree. It is wrapped as a derived table with the row limit and run,
as written, on a database connection of its own, inside a READ ONLY transaction with a statement
time limit that is rolled back: the database itself refuses any write that might slip past the
policy, and the request's own transaction is never touched. Text values are cut in the database
and the rows kept stop at a byte budget, so a huge result never sits in the worker's memory.
Statistics come from _analysis.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import frappe
import frappe.database
from frappe import _
from frappe.utils.response import json_handler
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.data_science._analysis_output import RowsSummary

STATEMENT_TIMEOUT_SECONDS = 30
# Disk one statement's internal temporary tables may fill on MariaDB (a recursive CTE or a derived
# table of large values spills to the server's tmpdir: without it, gigabytes within the time limit).
MAX_TEMPORARY_TABLE_BYTES = 128 * 1024 * 1024
# What one answer may hold: a text value is cut at MAX_VALUE_CHARS characters, at most MAX_CELLS
# values are fetched, and rows stop at MAX_RESULT_BYTES of JSON.
MAX_VALUE_CHARS = 2_000
MAX_CELLS = 20_000
MAX_RESULT_BYTES = 1024 * 1024
# Result column types whose values can be long: MariaDB's (pymysql FIELD_TYPE: JSON, the BLOBs,
# VARCHAR, VAR_STRING, STRING). On PostgreSQL every type but the fixed-size scalars (type OIDs:
# bool, int2/4/8, oid, float4/8, money, numeric, date, time, timestamp(tz), interval, uuid) comes
# back as text cut in the database: json, arrays, xml, bytea and the rest, which psycopg2 would
# otherwise hand over whole, as dicts and lists.
MARIADB_TEXT_TYPES = frozenset({15, 245, 249, 250, 251, 252, 253, 254})
POSTGRES_SCALAR_TYPES = frozenset(
	{16, 20, 21, 23, 26, 700, 701, 790, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 2950}
)


class QueryAndAnalyzeArguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	query: str = Field(
		min_length=1,
		max_length=20_000,
		description=(
			"One SELECT (or WITH ... SELECT) statement, without comments, variables or locking clauses. "
			"Tables are named `tab<DocType>`, e.g. `tabSales Invoice`."
		),
	)
	limit: int = Field(default=100, ge=1, le=1000, description="Most rows to return, at most 1000.")
	analysis_type: Literal["basic", "statistical"] = Field(
		default="basic",
		description="basic: filled/missing/distinct counts per column; statistical: plus numeric statistics.",
	)


class QueryAndAnalyzeOutput(BaseModel):
	model_config = ConfigDict(extra="forbid")

	columns: list[str] = Field(description="Column names of the result (empty when no row came back).")
	rows: list[dict[str, Any]] = Field(
		description=(
			f"The rows, each {{column: value}}; dates as text, text cut at {MAX_VALUE_CHARS} characters, "
			"binary values as lists of byte values."
		)
	)
	row_count: int = Field(description="Number of rows returned.")
	truncated: bool = Field(description="Whether the query had more rows than returned (limit or size).")
	analysis: RowsSummary = Field(description="Summary of each column of the rows returned.")


class QueryAndAnalyze(BaseTool):
	name = "query_and_analyze"
	title = "Run a read-only SQL query"
	Output = QueryAndAnalyzeOutput
	description = (
		"Run a single read-only SQL SELECT over the site's DocType tables and get the rows (at most "
		"`limit`) with a summary of each column. Every table reads only the records and fields you "
		"may read, as in list views; other tables, and anything that could write, lock or wait, are "
		"refused."
	)
	Arguments = QueryAndAnalyzeArguments
	dependencies = ("pandas", "numpy", "sqlglot")

	def execute(self, args: QueryAndAnalyzeArguments) -> dict:
		# pandas and sqlglot load only now, after run() has checked that they are installed.
		from frappe_assistant_core.plugins.data_science import _analysis
		from frappe_assistant_core.plugins.data_science._sql_policy import admit_select

		statement = admit_select(args.query, row_limit=args.limit + 1, may_read=may_read)
		rows, truncated = fetch_bounded(statement, args.limit)
		return {
			"columns": list(rows[0]) if rows else [],
			"rows": rows,
			"row_count": len(rows),
			"truncated": truncated,
			"analysis": _analysis.summarize_rows(rows, args.analysis_type == "statistical"),
		}


def may_read(doctype: str) -> bool:
	"""Whether a statement may read `doctype` at all: the user's read permission on it (rows and
	fields are then those frappe.get_list gives them; a child table's follow its parent DocType)."""
	return frappe.has_permission(doctype, ptype="read")


def fetch_bounded(statement: str, limit: int) -> tuple[list[dict], bool]:
	"""At most `limit` JSON-ready rows of the admitted `statement`, and whether any were left out.

	A first run with LIMIT 0 tells the columns and their types; the real run then cuts every text
	or binary value to MAX_VALUE_CHARS in the database and fetches at most MAX_CELLS values, so the
	worker never holds more than about MAX_CELLS x MAX_VALUE_CHARS characters, whatever the query.
	"""
	derived = f"(\n{statement}\n) AS fac_query"
	with read_only_connection() as db:
		_, description = run_read_only(db, f"SELECT * FROM {derived} LIMIT 0")
		columns = [(column[0], column[1]) for column in description]
		fetch = max(1, min(limit, MAX_CELLS // max(len(columns), 1))) + 1  # one more tells truncation
		select = ", ".join(_bounded_column(name, type_code) for name, type_code in columns) or "*"
		fetched, _ = run_read_only(db, f"SELECT {select} FROM {derived} LIMIT {fetch}")
	rows, size = [], 0
	for row in fetched[: fetch - 1]:
		# JSON-ready values (dates, decimals, durations) with each row's column order kept.
		encoded = json.dumps(row, default=json_handler)
		size += len(encoded)
		if size > MAX_RESULT_BYTES:
			break
		rows.append(json.loads(encoded))
	return rows, len(rows) < len(fetched)


@contextmanager
def read_only_connection() -> Iterator[frappe._dict]:
	"""A connection of the site's own, in a READ ONLY transaction with a statement time limit,
	rolled back and closed at the end.

	A transaction's access mode cannot change once it has started, and the request's transaction
	has, so this is a second connection (as Frappe's read replica support opens one). It is the
	driver's own connection that Frappe's `get_connection()` makes: Frappe's `db.sql` rewrites the
	text of every statement on PostgreSQL (backticks, numbers after comparisons, `from tab...`),
	and the statement that runs must be the one the policy admitted."""
	conf = frappe.conf
	credentials = {
		"host": conf.db_host,
		"port": conf.db_port,
		"user": conf.get("db_user") or conf.db_name,  # v16 may name the user; v15 uses db_name
		"password": conf.db_password,
		"cur_db_name": conf.db_name,
	}
	if conf.get("db_socket"):  # a v16 setting; v15's get_db() takes no socket and never needs one
		credentials["socket"] = conf.db_socket
	database = frappe.database.get_db(**credentials)
	connection = database.get_connection()
	try:
		cursor = connection.cursor()
		if database.db_type == "postgres":
			cursor.execute("SET TRANSACTION READ ONLY")
			cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_SECONDS * 1000}")
		else:
			cursor.execute("START TRANSACTION READ ONLY")
		yield frappe._dict(
			cursor=cursor,
			db_type=database.db_type,
			errors=(
				database.ProgrammingError,
				database.OperationalError,
				database.DataError,
				database.InternalError,
			),
		)
	finally:
		try:
			connection.rollback()
		finally:
			connection.close()


def run_read_only(db: frappe._dict, sql: str) -> tuple[list[dict], tuple]:
	"""Rows and cursor description of `sql` on `db` (a read_only_connection), run as it is."""
	if db.db_type == "mariadb":
		limits = (
			f"max_statement_time={STATEMENT_TIMEOUT_SECONDS}, tmp_disk_table_size={MAX_TEMPORARY_TABLE_BYTES}"
		)
		sql = f"SET STATEMENT {limits} FOR {sql}"
	try:
		db.cursor.execute(sql)
		description = tuple(db.cursor.description or ())
		names = [column[0] for column in description]
		return [dict(zip(names, row, strict=True)) for row in db.cursor.fetchall()], description
	except db.errors as exc:
		reason = str(exc.args[-1] if exc.args else exc).strip().splitlines()[0]
		frappe.throw(
			_("query: the database refused the statement: {0}").format(reason),
			frappe.ValidationError,
			title=_("Query failed"),
		)


def _bounded_column(name: str, type_code) -> str:
	"""The select-list entry of one result column: text and binary values cut in the database."""
	if frappe.db.db_type == "postgres":
		quoted = '"' + name.replace('"', '""') + '"'
		if type_code in POSTGRES_SCALAR_TYPES:
			return quoted
		return f"LEFT(CAST({quoted} AS TEXT), {MAX_VALUE_CHARS}) AS {quoted}"
	quoted = "`" + name.replace("`", "``") + "`"
	return f"LEFT({quoted}, {MAX_VALUE_CHARS}) AS {quoted}" if type_code in MARIADB_TEXT_TYPES else quoted
