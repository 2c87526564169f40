"""query_and_analyze binds every table name as the database does, and reads real tables only
through the rows the user may read: the audit's findings replayed, common table expressions
shadowing tables exactly as far as MariaDB and PostgreSQL let them, and every other source kind
refused. Generated spellings of forbidden references are in test_query_generated.py.
"""

from __future__ import annotations

import re

import frappe
import pytest

from tests.host.config import session_db_type
from tests.tools._query_fixtures import (
	SHEET,
	SHEET_TABLE,
	committed_canaries,
	committed_sheets,
	ensure_query_doctypes,
	run_query,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module", autouse=True)
def sheets(test_site):
	ensure_query_doctypes()
	with committed_sheets() as names:
		yield names


@pytest.fixture(scope="module")
def canaries(sheets):
	with committed_canaries() as planted:
		yield planted


def _labels(query: str) -> list:
	return [row["label"] for row in run_query(query)["rows"]]


# The audit's findings: a CTE named like a server table hid that table from the old name check,
# while the database still read the real table inside the CTE's own body.
AUDIT_FINDINGS = [
	"WITH tabSessions AS (SELECT * FROM tabSessions) SELECT sid, user FROM tabSessions",
	"WITH __Auth AS (SELECT * FROM __Auth) SELECT name, password FROM __Auth",
	"WITH `tabOAuth Bearer Token` AS (SELECT * FROM `tabOAuth Bearer Token`) "
	"SELECT access_token FROM `tabOAuth Bearer Token`",
	# ... nested: in a derived table, a scalar subquery, a subquery of WHERE
	"SELECT * FROM (WITH tabSessions AS (SELECT * FROM tabSessions) SELECT sid FROM tabSessions) AS t",
	"SELECT (WITH __Auth AS (SELECT password FROM __Auth) SELECT password FROM __Auth LIMIT 1) AS p",
	f"SELECT label FROM {SHEET_TABLE} WHERE label IN "
	"(WITH `tabOAuth Bearer Token` AS (SELECT access_token FROM `tabOAuth Bearer Token`) "
	"SELECT access_token FROM `tabOAuth Bearer Token`)",
	# ... and a CTE in a nested scope that hid the real table referenced elsewhere
	"SELECT sid FROM tabSessions WHERE 1 IN (WITH tabSessions AS (SELECT 1 AS sid) SELECT sid FROM tabSessions)",
	"SELECT password FROM __Auth WHERE 'y' NOT IN (WITH __Auth AS (SELECT 'x' AS password) SELECT password FROM __Auth)",
]


@pytest.mark.parametrize("query", AUDIT_FINDINGS)
def test_a_cte_named_like_a_server_table_never_hides_it(query, canaries):
	with pytest.raises(
		frappe.ValidationError, match=r"(?i)^query: .*(tabSessions|__Auth|OAuth Bearer Token)"
	) as refused:
		run_query(query)
	assert not any(canary in str(refused.value) for canary in canaries.values())


def _bindings(table: str) -> list:
	"""(what the case shows, statement, the labels it returns) for the scope rules both databases share."""
	return [
		(
			"the main query of a WITH reads the CTE, not the table of the same name",
			f"WITH {table} AS (SELECT 'from the cte' AS label) SELECT label FROM {table}",
			["from the cte"],
		),
		(
			"without RECURSIVE a CTE does not see itself: its body reads the table it is named after",
			f"WITH {table} AS (SELECT label FROM {table} WHERE amount = 10) SELECT label FROM {table}",
			["alpha"],
		),
		(
			"a CTE in a nested scope shadows the table only inside that scope",
			f"SELECT label FROM {table} WHERE amount = 20 "
			f"AND 'inner' IN (WITH {table} AS (SELECT 'inner' AS label) SELECT label FROM {table})",
			["beta"],
		),
		(
			"a later CTE of a WITH list is not visible to an earlier one",
			f"WITH early AS (SELECT label FROM {table} WHERE amount = 30), "
			f"{table} AS (SELECT 'late' AS label) SELECT label FROM early",
			["gamma"],
		),
		(
			"under WITH RECURSIVE every CTE of the list is visible to every other (a forward reference)",
			f"WITH RECURSIVE early AS (SELECT label FROM {table}), "
			f"{table} AS (SELECT 'late' AS label) SELECT label FROM early",
			["late"],
		),
	]


@pytest.mark.parametrize(
	("query", "expected"),
	[pytest.param(query, expected, id=case) for case, query, expected in _bindings(SHEET_TABLE)],
)
def test_a_cte_shadows_a_table_exactly_where_the_database_lets_it(query, expected):
	assert _labels(query) == expected


def test_a_recursive_cte_reads_itself():
	query = (
		"WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 4) "
		"SELECT SUM(i) AS total FROM n"
	)
	assert int(run_query(query)["rows"][0]["total"]) == 10


def test_cte_names_compare_as_the_database_compares_them():
	"""MariaDB matches CTE names without case (its table names keep theirs); on PostgreSQL two
	quoted names differ by case, so the differently cased CTE does not hide the table."""
	query = (
		f"WITH `tabfac query sheet` AS (SELECT 'cte' AS label) SELECT label FROM {SHEET_TABLE} ORDER BY label"
	)
	expected = ["alpha", "beta", "gamma"] if frappe.db.db_type == "postgres" else ["cte"]
	assert _labels(query) == expected


def test_correlated_subqueries_derived_tables_and_unions_read_the_permitted_rows():
	query = (
		f"SELECT s.label FROM {SHEET_TABLE} AS s WHERE s.amount = "
		f"(SELECT MAX(o.amount) FROM {SHEET_TABLE} AS o WHERE o.region = s.region) "
		f"UNION ALL SELECT d.label FROM (SELECT label FROM {SHEET_TABLE} WHERE amount = 20) AS d "
		"ORDER BY 1"
	)
	assert _labels(query) == ["beta", "beta", "gamma"]


def test_an_alias_named_like_a_server_table_reads_nothing_of_it(canaries):
	rows = run_query(f"SELECT tabSessions.label FROM {SHEET_TABLE} AS tabSessions ORDER BY 1")["rows"]
	assert [row["label"] for row in rows] == ["alpha", "beta", "gamma"]


def test_a_qualified_name_is_read_only_in_the_sites_own_database():
	own = (
		f'public."tab{SHEET}"'
		if frappe.db.db_type == "postgres"
		else f"`{frappe.conf.db_name}`.{SHEET_TABLE}"
	)
	assert _labels(f"SELECT label FROM {own} ORDER BY label") == ["alpha", "beta", "gamma"]
	for elsewhere in (
		"mysql.user",
		"information_schema.tables",
		"pg_catalog.pg_authid",
		"other_site.tabToDo",
	):
		with pytest.raises(frappe.ValidationError, match="outside the site's database"):
			run_query(f"SELECT * FROM {elsewhere}")


COMMON_REFUSALS = [
	(f"SELECT * FROM {SHEET_TABLE} AS s, LATERAL (SELECT 1 AS x) AS l", "LATERAL|could not be parsed"),
	("SELECT * FROM pg_sleep(1)", "table functions|function PG_SLEEP"),
	("SELECT * FROM generate_series(1, 3) AS g", "table functions|LATERAL"),
	("SELECT * FROM tabUserRole", "not the table of a DocType"),
	("SELECT * FROM `tabSystem Settings`", "not the table of a DocType"),  # a Single: no table
	("SELECT * FROM __global_search", "not the table of a DocType"),
	("SELECT * FROM `tabOAuth Authorization Code`", "holds credentials"),
	(
		"WITH a AS (SELECT 1 AS x), A AS (SELECT 2 AS x) SELECT * FROM a",
		"alike|could not be parsed|duplicate",
	),
]
MARIADB_REFUSALS = [
	("SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (a INT PATH '$')) AS j", "table functions"),
	(f"SELECT * FROM {SHEET_TABLE} USE INDEX (PRIMARY)", "table options"),
	(f"SELECT * FROM {SHEET_TABLE} FOR SYSTEM_TIME ALL", "table options|could not be parsed"),
	(f"SELECT * FROM {SHEET_TABLE} PARTITION (p0)", "table options|could not be parsed"),
]
POSTGRES_REFUSALS = [
	("SELECT * FROM unnest(ARRAY[1, 2]) AS u", "LATERAL, UNNEST"),
	(f'SELECT * FROM ONLY "tab{SHEET}"', "table options"),
	(f'SELECT * FROM "tab{SHEET}" TABLESAMPLE SYSTEM (50)', "table options"),
	("SELECT * FROM pg_shadow", "not the table of a DocType"),
	("SELECT pg_read_file('/etc/passwd')", "function PG_READ_FILE"),
	("SELECT query_to_xml('select * from \"tabSessions\"', true, true, '')", "function QUERY_TO_XML"),
	("SELECT set_config('statement_timeout', '0', false)", "function SET_CONFIG"),
	("SELECT pg_sleep(5)", "function PG_SLEEP"),
	("SELECT nextval('some_sequence')", "function NEXTVAL"),
	("SELECT * FROM dblink('dbname=postgres', 'select 1') AS t(x int)", "table functions|function DBLINK"),
]


@pytest.mark.parametrize(
	("query", "reason"),
	COMMON_REFUSALS + (POSTGRES_REFUSALS if session_db_type() == "postgres" else MARIADB_REFUSALS),
)
def test_every_other_source_kind_and_unsafe_function_is_refused(query, reason):
	"""LATERAL, UNNEST, table functions, JSON_TABLE, table options, tables of no DocType,
	credentials and the databases' dangerous functions: refused before anything runs."""
	with pytest.raises(frappe.ValidationError, match=f"^query: .*({reason})"):
		run_query(query)


def test_binary_values_are_answered_and_counted():
	"""A binary column (bytes come back as lists of byte values) is summarised, not a crash."""
	binary = "CAST(label AS BYTEA)" if session_db_type() == "postgres" else "CAST(label AS BINARY)"
	answer = run_query(f"SELECT {binary} AS v, label FROM {SHEET_TABLE}")
	assert answer["row_count"] == 3
	assert answer["analysis"]["columns"]["v"]["distinct"] == 3


@pytest.mark.parametrize("depth", [40, 400, 4000])
def test_a_deeply_nested_statement_is_refused_not_a_crash(depth):
	"""The parser and the rewriting recurse once a level: past Python's recursion limit a hostile
	statement was an internal error with a traceback in the Error Log, not an answer."""
	for query in (
		"SELECT " + "(" * depth + "1" + ")" * depth + " AS v",
		"SELECT " + "LOWER(" * depth + "'x'" + ")" * depth + " AS v",
	):
		try:
			run_query(query[:20_000])
		except frappe.ValidationError as refused:
			assert re.match(r"^query: ", str(refused)), str(refused)[:200]
