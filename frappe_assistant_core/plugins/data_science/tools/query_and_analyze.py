"""query_and_analyze: run one read-only SELECT (System Managers only) and summarise its result.

data_science/_sql_guard.py admits exactly one SELECT with nothing that writes, locks, sleeps or
reads files. The statement is then wrapped as a derived table with the row limit, run with a
statement time limit (MariaDB) between a SAVEPOINT and a ROLLBACK TO SAVEPOINT, so that even a
write slipping past the guard (say, through a stored function) is undone before the tool returns,
without touching the rest of the request's transaction. Statistics come from _analysis.py.
"""

from __future__ import annotations

import json
from typing import Literal

import frappe
from frappe import _
from frappe.utils.response import json_handler
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.data_science._sql_guard import check_select, has_trailing_limit

STATEMENT_TIMEOUT_SECONDS = 30


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


class QueryAndAnalyze(BaseTool):
	name = "query_and_analyze"
	title = "Run a read-only SQL query"
	description = (
		"Run a single read-only SQL SELECT against the site database and get the rows (at most "
		"`limit`) with a summary of each column. Anything that could write, lock or wait is refused. "
		"System Manager only."
	)
	Arguments = QueryAndAnalyzeArguments
	dependencies = ("pandas", "numpy")

	def execute(self, args: QueryAndAnalyzeArguments) -> dict:
		# pandas loads only now, after run() has checked that it is installed.
		from frappe_assistant_core.plugins.data_science import _analysis

		frappe.only_for("System Manager", message=True)
		statement = check_select(args.query)
		fetch = args.limit + 1  # one extra row tells whether the result was cut
		inner = statement if has_trailing_limit(statement) else f"{statement}\nLIMIT {fetch}"
		fetched = run_read_only(f"SELECT * FROM (\n{inner}\n) AS fac_query LIMIT {fetch}")
		# JSON-ready values (dates, decimals, durations) with each row's column order kept.
		rows = json.loads(json.dumps(fetched[: args.limit], default=json_handler))
		return {
			"columns": list(rows[0]) if rows else [],
			"rows": rows,
			"row_count": len(rows),
			"truncated": len(fetched) > args.limit,
			"analysis": _analysis.summarize_rows(rows, args.analysis_type == "statistical"),
		}


def run_read_only(sql: str) -> list[dict]:
	"""Rows of `sql`, every change it might make rolled back to a savepoint taken just before it."""
	savepoint = f"fac_query_{frappe.generate_hash(length=10)}"
	if frappe.db.db_type == "mariadb":
		sql = f"SET STATEMENT max_statement_time={STATEMENT_TIMEOUT_SECONDS} FOR {sql}"
	frappe.db.savepoint(savepoint)
	try:
		return list(frappe.db.sql(sql, as_dict=True))
	except (
		frappe.db.ProgrammingError,
		frappe.db.OperationalError,
		frappe.db.DataError,
		frappe.db.InternalError,
	) as exc:
		reason = exc.args[-1] if exc.args else str(exc)
		frappe.throw(
			_("query: the database refused the statement: {0}").format(reason),
			frappe.ValidationError,
			title=_("Query failed"),
		)
	finally:
		frappe.db.rollback(save_point=savepoint)
