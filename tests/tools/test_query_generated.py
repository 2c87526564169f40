"""Generated attacks on query_and_analyze: forbidden references in many spellings and positions.

hypothesis builds statements that read a forbidden column (a session id, a password hash, an
OAuth token, a record of a DocType the user may not read, a field above their permlevel) through
every spelling of its table (quoted, unquoted in any case, schema-qualified, comments and odd
whitespace between tokens) and wraps it, up to three deep, in derived tables, scalar subqueries,
IN / EXISTS / HAVING conditions, joins, unions, common table expressions, and CTEs named like the
table itself (in the same scope or a nested one), with aliases named like server tables. Each
statement runs for real against planted canaries: it must be refused, or its rows must hold no
canary and no sign of having read one.
"""

from __future__ import annotations

import json

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.host.config import session_db_type
from tests.tools._fixtures import PROBE
from tests.tools._query_fixtures import (
	READER,
	SHEET,
	committed_canaries,
	committed_sheets,
	ensure_query_doctypes,
	run_query,
)

pytestmark = pytest.mark.postgres

POSTGRES = session_db_type() == "postgres"
#: What a wrapper selects when the forbidden rows it tests for were read.
LEAK_MARKER = "fac-leak-marker"
SERVER_TARGETS = [("tabSessions", "sid"), ("__Auth", "password"), ("tabOAuth Bearer Token", "access_token")]
#: READER may not read the probe DocType at all, nor the permlevel-1 fields of sheets and lines.
READER_TARGETS = [*SERVER_TARGETS, (f"tab{PROBE}", "title"), (f"tab{SHEET}", "secret")]

SEPARATORS = [" ", "  ", "\n", "\t", " /* c */ ", "/**/", " -- c\n", *([] if POSTGRES else [" # c\n"])]
ALIASES = ["t", "x", "tabSessions", "`__Auth`", "`tabOAuth Bearer Token`", "tabToDo", "AUTH"]


@pytest.fixture(scope="module", autouse=True)
def planted(test_site):
	ensure_query_doctypes()
	with committed_sheets(), committed_canaries() as canaries:
		yield canaries


def name_spellings(table: str) -> st.SearchStrategy[str]:
	"""`table` as a bare name (a table's, or a common table expression's named like it)."""
	spellings = [f"`{table}`"]
	if " " not in table:
		spellings += [table, table.upper(), table.lower(), table.swapcase()]
	if POSTGRES:
		spellings.append(f'"{table}"')
	return st.sampled_from(spellings)


def table_spellings(table: str) -> st.SearchStrategy[str]:
	"""`table` as the statement may name it: bare or qualified by the site's schema."""
	if POSTGRES:
		qualified = [f'public."{table}"', f"public.`{table}`"]
	else:
		qualified = [f"`{frappe.conf.db_name}`.`{table}`", f"{frappe.conf.db_name}.`{table}`"]
	return name_spellings(table) | st.sampled_from(qualified)


@st.composite
def core_selects(draw, table: str, column: str) -> str:
	"""SELECT <column> AS v FROM <table>, in any spelling, with or without an alias."""
	s = st.sampled_from(SEPARATORS)
	source = draw(table_spellings(table))
	alias = draw(st.none() | st.sampled_from(ALIASES))
	if alias:
		source += f"{draw(s)}AS{draw(s)}{alias}"
	picked = f"{alias}.{column}" if alias and draw(st.booleans()) else column
	return f"SELECT{draw(s)}{picked}{draw(s)}AS{draw(s)}v{draw(s)}FROM{draw(s)}{source}"


ONE_ROW = "(SELECT 1 AS one) AS one_row"
CANARY_LIKE = "'fac-canary-%'"


def _wrappers(q: str, shadow: str, shadow_ref: str) -> list[str]:
	"""Statements selecting `v` that read `q`'s rows, or tell whether it read a canary."""
	seen = f"SELECT '{LEAK_MARKER}' AS v FROM {ONE_ROW}"
	return [
		f"SELECT v FROM ({q}) AS derived",
		f"SELECT ({q} LIMIT 1) AS v",
		f"{seen} WHERE EXISTS (SELECT 1 FROM ({q}) AS e WHERE e.v LIKE {CANARY_LIKE})",
		f"{seen} WHERE (SELECT COUNT(*) FROM ({q}) AS c WHERE c.v LIKE {CANARY_LIKE}) > 0",
		f"{seen} GROUP BY one HAVING MAX(one) IN (SELECT 1 FROM ({q}) AS h WHERE h.v LIKE {CANARY_LIKE})",
		f"SELECT j.v FROM {ONE_ROW} JOIN ({q}) AS j ON 1 = 1",
		f"SELECT j.v FROM {ONE_ROW} LEFT JOIN ({q}) AS j ON j.v LIKE {CANARY_LIKE}",
		f"SELECT 'x' AS v UNION ALL ({q})",
		f"WITH c AS ({q}) SELECT v FROM c",
		f"WITH {shadow} AS ({q}) SELECT v FROM {shadow_ref}",
		f"WITH RECURSIVE {shadow} AS ({q}) SELECT v FROM {shadow_ref}",
		f"WITH a AS (SELECT 1 AS one), {shadow} AS ({q}) SELECT v FROM {shadow_ref}",
		f"SELECT v FROM ({q}) AS q WHERE 1 IN (WITH {shadow} AS (SELECT 1 AS one) SELECT one FROM {shadow_ref})",
		f"SELECT (SELECT s.v FROM ({q}) AS s LIMIT 1) AS v FROM {ONE_ROW}",
	]


@st.composite
def attacks(draw, targets: list[tuple[str, str]]) -> str:
	table, column = draw(st.sampled_from(targets))
	query = draw(core_selects(table, column))
	for _ in range(draw(st.integers(0, 3))):
		shadow, shadow_ref = draw(name_spellings(table)), draw(table_spellings(table))
		query = draw(st.sampled_from(_wrappers(query, shadow, shadow_ref)))
	return query


def _assert_nothing_forbidden_is_seen(query: str, canaries: dict) -> None:
	try:
		answer = json.dumps(run_query(query, limit=1000)["rows"], default=str)
	except (frappe.ValidationError, frappe.PermissionError) as refused:
		message = str(refused)
		assert not any(canary in message for canary in canaries.values()), (query, message)
		return
	assert "fac-canary-" not in answer and LEAK_MARKER not in answer, (query, answer)


SETTINGS = settings(
	max_examples=150,
	deadline=None,
	database=None,
	suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(query=attacks(SERVER_TARGETS))
def test_no_spelling_or_position_reads_a_server_table_even_as_administrator(query, planted):
	frappe.set_user("Administrator")
	_assert_nothing_forbidden_is_seen(query, planted)


@SETTINGS
@given(query=attacks(READER_TARGETS))
def test_no_spelling_or_position_reads_what_the_user_may_not_read(query, planted):
	"""Also a DocType the user may not read and a field above their permlevel."""
	frappe.set_user(READER)
	_assert_nothing_forbidden_is_seen(query, planted)


def test_the_generated_positions_do_expose_a_readable_column():
	"""The wrappers are not blind: the same shapes over a column the user may read return it."""
	frappe.set_user(READER)
	inner = f"SELECT label AS v FROM `tab{SHEET}` WHERE label = 'alpha'"
	for wrapped in _wrappers(inner, "c2", "c2"):
		if "LIKE" in wrapped or "RECURSIVE" in wrapped:
			continue
		answer = json.dumps(run_query(wrapped)["rows"])
		assert "alpha" in answer or "'x'" in wrapped, wrapped
