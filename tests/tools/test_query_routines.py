"""query_and_analyze calls only the database's own functions, never a routine stored in a schema.

A function name the policy allows is allowed as the database's built-in function. The database
resolves a call to a stored routine instead when the name is qualified (`db.hex(...)`,
`public.hex(...)`), or when it is not a built-in of that database (the allowed names are
MariaDB's and PostgreSQL's together: `age` is no MariaDB function, `hex` no PostgreSQL one), and
a stored routine can read any table with the rights of the site's database user. A routine stored
in the site's database, reading `tabSessions`, must never be reachable through the tool.
"""

from __future__ import annotations

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tools._query_fixtures import committed_canaries, committed_sheets, ensure_query_doctypes, run_query

pytestmark = pytest.mark.postgres

#: (name of the stored routine, the tool's allowed name it takes over): one per database.
MARIADB_ROUTINE = "age"  # allowed for PostgreSQL's age(); MariaDB has no such function
POSTGRES_ROUTINE = "hex"  # allowed for MariaDB's hex(); PostgreSQL has no such function


@pytest.fixture(scope="module")
def routine(test_site):
	"""A stored routine in the site's own database that returns every session id."""
	ensure_query_doctypes()
	postgres = frappe.db.db_type == "postgres"
	name = POSTGRES_ROUTINE if postgres else MARIADB_ROUTINE
	if postgres:
		frappe.db.sql_ddl(
			f"CREATE OR REPLACE FUNCTION public.{name}(x text) RETURNS text LANGUAGE sql AS "
			"'SELECT string_agg(sid, '','') FROM \"tabSessions\"'"
		)
	else:
		frappe.db.sql_ddl(f"DROP FUNCTION IF EXISTS `{name}`")
		frappe.db.sql_ddl(
			f"CREATE FUNCTION `{name}`(x TEXT) RETURNS TEXT READS SQL DATA "
			"RETURN (SELECT GROUP_CONCAT(sid) FROM tabSessions)"
		)
	frappe.db.commit()
	with committed_sheets(), committed_canaries() as canaries:
		yield name, canaries["tabSessions"]
	drop = f"DROP FUNCTION IF EXISTS public.{name}(text)" if postgres else f"DROP FUNCTION IF EXISTS `{name}`"
	frappe.db.sql_ddl(drop)
	frappe.db.commit()


def _calls(name: str) -> list[str]:
	schema = "public" if frappe.db.db_type == "postgres" else f"`{frappe.conf.db_name}`"
	return [
		f"SELECT {name}('x') AS v",
		f"SELECT {name.upper()}('x') AS v",
		f"SELECT {schema}.{name}('x') AS v",
		f"SELECT label FROM `tabFAC Query Sheet` WHERE {name}(label) IS NOT NULL",
		f"SELECT v FROM (SELECT {name}('x') AS v) AS d",
	]


@pytest.mark.parametrize("position", range(5))
def test_a_routine_stored_in_the_sites_database_is_never_called(routine, position):
	name, canary = routine
	query = _calls(name)[position]
	with pytest.raises(frappe.ValidationError, match=r"^query: .*function") as refused:
		run_query(query)
	assert canary not in str(refused.value)


def test_a_qualified_call_of_an_allowed_name_is_refused_without_any_routine():
	"""`db.length(...)` is never the built-in length: refused whatever the schema holds."""
	ensure_query_doctypes()
	schema = "public" if frappe.db.db_type == "postgres" else "`mysql`"
	with pytest.raises(frappe.ValidationError, match=r"^query: .*function .*LENGTH"):
		run_query(f"SELECT {schema}.length('x') AS v")


def test_the_databases_own_functions_still_run(routine):
	"""The same allowed names, with no routine behind them, are the built-in functions."""
	other = "hex('A')" if frappe.db.db_type != "postgres" else "age(DATE '2020-01-02', DATE '2020-01-01')"
	assert run_query(f"SELECT {other} AS v")["row_count"] == 1


@st.composite
def routine_calls(draw, name: str, schema: str) -> str:
	"""A call of routine `name` in any spelling (case, quoting, schema) and position of a statement."""
	quote = "`" if frappe.db.db_type != "postgres" else draw(st.sampled_from(['"', "`"]))
	spelled = draw(st.sampled_from([name, name.upper(), name.capitalize(), f"{quote}{name}{quote}"]))
	if draw(st.booleans()):
		spelled = f"{schema}.{spelled}"
	call = f"{spelled}{draw(st.sampled_from(['', ' ', '  ']))}('x')"
	positions = [
		f"SELECT {call} AS v",
		f"SELECT 1 AS v FROM `tabFAC Query Sheet` WHERE {call} IS NOT NULL",
		f"SELECT label AS v FROM `tabFAC Query Sheet` ORDER BY {call}",
		f"SELECT COUNT(*) AS v FROM `tabFAC Query Sheet` GROUP BY region HAVING MAX({call}) IS NOT NULL",
		f"WITH c AS (SELECT {call} AS v) SELECT v FROM c",
		f"SELECT (SELECT {call}) AS v",
		f"SELECT v FROM (SELECT {call} AS v) AS d UNION ALL SELECT 'y' AS v",
		f"SELECT CASE WHEN 1 = 1 THEN {call} END AS v",
		f"SELECT COALESCE(NULL, {call}) AS v",
	]
	return draw(st.sampled_from(positions))


@settings(
	max_examples=60,
	deadline=None,
	database=None,
	suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_spelling_or_position_of_a_call_reaches_a_stored_routine(routine, data):
	name, canary = routine
	schema = "public" if frappe.db.db_type == "postgres" else f"`{frappe.conf.db_name}`"
	query = data.draw(routine_calls(name, schema))
	try:
		answer = run_query(query)
	except frappe.ValidationError as refused:
		assert canary not in str(refused), query
		return
	raise AssertionError(f"{query} ran: {answer['rows']}")
