"""The data_science tools on a real site: numbers computed, sandbox limits, SQL policy, file contents.

Each tool has a working call checked against known numbers, a permission-denied call as a user
without the right, and bad arguments refused with ToolArgumentError naming the field.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import shutil
import zipfile

import frappe
import pytest

from frappe_assistant_core.core.tool_categories import read_tool_source
from frappe_assistant_core.exceptions import FileNotReadableError, ToolArgumentError, ToolDependencyError
from frappe_assistant_core.plugins.data_science.tools.query_and_analyze import (
	read_only_connection,
	run_read_only,
)
from tests.tools._fixtures import (
	ANALYST,
	OUTSIDER,
	OWN_ANALYST,
	PROBE,
	docx_bytes,
	ensure_file_store,
	ensure_probe,
	load_tool,
	make_file,
	module_path,
	pdf_bytes,
	pointer_file,
	probe_rows,
	xlsx_bytes,
)

#: The one answer for a file that is missing, outside the files folders or another user's.
NOT_READABLE = "there is no file .* that you may read"


@pytest.fixture(scope="module", autouse=True)
def probe():
	ensure_probe()
	ensure_file_store()


def tool(name: str):
	return load_tool("data_science", name)


@pytest.mark.parametrize(
	("name", "category"),
	[
		("execute_python_code", "privileged"),
		("query_and_analyze", "read_only"),
		("analyze_frappe_data", "read_only"),
		("extract_file_content", "read_only"),
	],
)
def test_detected_category_of_each_data_science_tool(name, category):
	"""AST detection: subprocess and a role gate make a tool privileged; read-only checks (query_and_analyze's
	read permission on every DocType it reads) make it read_only."""
	assert read_tool_source(module_path("data_science", name)).category == category


def test_registry_serves_the_data_science_tools_with_their_categories():
	"""Through the registry MCP uses: the four tools are listed for a System Manager and callable."""
	from frappe_assistant_core.api.admin_api import bulk_toggle_tools, toggle_plugin
	from frappe_assistant_core.utils.plugin_manager import get_tool_registry

	# Other tests leave plugins and tools switched as they need them: set the state this one needs.
	toggle_plugin("data_science", True)
	bulk_toggle_tools(["execute_python_code", "query_and_analyze", "analyze_frappe_data"], True)
	registry = get_tool_registry()
	tools = {t.name: t for t in registry.get_available_tools("Administrator")}
	assert tools["execute_python_code"].category == "privileged"
	assert tools["query_and_analyze"].category == "read_only"
	assert tools["analyze_frappe_data"].annotations["readOnlyHint"] is True
	assert tools["query_and_analyze"].annotations["readOnlyHint"] is True
	assert registry.call_tool("query_and_analyze", {"query": "SELECT 6 * 7 AS answer"})["rows"] == [
		{"answer": 42}
	]


def _rows() -> list[str]:
	"""Four North/South records with amount = 10 * qty and a falling discount."""
	today = datetime.date.today()
	return probe_rows(
		{"region": "North", "amount": 10, "qty": 1, "discount": 40, "posted_on": today},
		{"region": "North", "amount": 20, "qty": 2, "discount": 30, "posted_on": today},
		{
			"region": "South",
			"amount": 30,
			"qty": 3,
			"discount": 20,
			"posted_on": today - datetime.timedelta(days=70),
		},
		{
			"region": "South",
			"amount": 40,
			"qty": 4,
			"discount": 10,
			"posted_on": today - datetime.timedelta(days=70),
		},
	)


# analyze_frappe_data ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_statistics_are_computed_from_the_records():
	"""statistics: count, sum, mean, median, sample std, min and max of amount."""
	_rows()
	result = tool("analyze_frappe_data").run(
		{"doctype": PROBE, "analysis_type": "statistics", "fields": ["amount"]}
	)
	stats = result["result"]["amount"]
	assert result["row_count"] == 4
	assert (stats["count"], stats["sum"], stats["mean"], stats["median"]) == (4, 100, 25, 25)
	assert (stats["min"], stats["max"], stats["std"]) == (10, 40, pytest.approx(12.909944, abs=1e-6))


@pytest.mark.postgres
def test_profile_trends_quality_and_correlations():
	"""profile counts values; trends groups by month; quality finds gaps; amount and qty correlate."""
	_rows()
	probe_rows({"region": "", "amount": 0, "qty": 0, "discount": 50})  # no region, no date
	analyze = tool("analyze_frappe_data")

	profile = analyze.run({"doctype": PROBE, "analysis_type": "profile", "fields": ["region", "amount"]})[
		"result"
	]
	assert profile["row_count"] == 5
	top = {v["value"]: v["count"] for v in profile["columns"]["region"]["top_values"]}
	assert (top["North"], top["South"]) == (2, 2)
	assert profile["columns"]["region"]["filled"] >= 4 and profile["columns"]["amount"]["sum"] == 100

	trends = analyze.run(
		{"doctype": PROBE, "analysis_type": "trends", "fields": ["amount"], "date_field": "posted_on"}
	)["result"]
	assert trends["undated_rows"] == 1
	assert [(p["count"], p["amount_sum"]) for p in trends["periods"]] == [(2, 70), (2, 30)]
	assert trends["count_growth_percent"] == 0

	quality = analyze.run({"doctype": PROBE, "analysis_type": "quality", "fields": ["region", "amount"]})[
		"result"
	]
	assert quality["columns"]["amount"]["missing"] == 0
	assert quality["columns"]["region"]["completeness_percent"] == 80
	assert quality["incomplete_fields"] == ["region"]

	corr = analyze.run(
		{"doctype": PROBE, "analysis_type": "correlations", "fields": ["amount", "qty", "discount"]}
	)["result"]
	assert corr["matrix"]["amount"]["qty"] == pytest.approx(1.0)
	assert corr["matrix"]["amount"]["discount"] == pytest.approx(-1.0)
	assert {"fields": ["amount", "qty"], "correlation": pytest.approx(1.0)} in corr["strong_pairs"]


@pytest.mark.postgres
def test_analysis_only_counts_records_the_user_may_read():
	"""frappe.get_list as the caller: an if_owner role sees its own record only."""
	_rows()
	probe_rows({"region": "East", "amount": 7}, owner=OWN_ANALYST)
	frappe.set_user(OWN_ANALYST)
	result = tool("analyze_frappe_data").run(
		{"doctype": PROBE, "analysis_type": "statistics", "fields": ["amount"]}
	)
	assert result["row_count"] == 1
	assert result["result"]["amount"]["sum"] == 7


@pytest.mark.postgres
def test_analysis_is_denied_without_read_permission():
	"""A user who cannot read the DocType gets PermissionError."""
	_rows()
	frappe.set_user(OUTSIDER)
	with pytest.raises(
		frappe.PermissionError, match="You do not have read permission on FAC Analytics Probe"
	):
		tool("analyze_frappe_data").run({"doctype": PROBE, "analysis_type": "profile"})


@pytest.mark.postgres
def test_analysis_of_a_field_above_the_users_permlevel_is_denied():
	"""secret_margin is permlevel 1: a permlevel-0 reader may not analyse it."""
	frappe.set_user(ANALYST)
	with pytest.raises(frappe.PermissionError, match="secret_margin"):
		tool("analyze_frappe_data").run(
			{"doctype": PROBE, "analysis_type": "statistics", "fields": ["secret_margin"]}
		)
	defaults = tool("analyze_frappe_data").run({"doctype": PROBE, "analysis_type": "statistics"})
	assert "secret_margin" not in defaults["fields"] and "amount" in defaults["fields"]


@pytest.mark.postgres
@pytest.mark.parametrize(
	("arguments", "field"),
	[
		({"doctype": PROBE, "analysis_type": "magic"}, "analysis_type"),
		({"doctype": PROBE, "analysis_type": "profile", "limit": 10001}, "limit"),
		({"doctype": PROBE}, "analysis_type"),
		({"doctype": PROBE, "analysis_type": "profile", "fields": ["nope"]}, "fields"),
		({"doctype": PROBE, "analysis_type": "statistics", "fields": ["title"]}, "fields"),
		({"doctype": PROBE, "analysis_type": "trends", "date_field": "amount"}, "date_field"),
		(
			{"doctype": PROBE, "analysis_type": "correlations", "fields": ["amount"]},
			"fields: correlations need",
		),
		({"doctype": PROBE, "analysis_type": "profile", "filters": {"nope": 1}}, "filters"),
	],
)
def test_analysis_bad_arguments_name_the_field(arguments, field):
	"""Schema and meta checks both raise ToolArgumentError naming the argument."""
	with pytest.raises(ToolArgumentError, match=field):
		tool("analyze_frappe_data").run(arguments)


@pytest.mark.postgres
def test_analysis_of_an_unknown_doctype_is_not_found():
	with pytest.raises(frappe.DoesNotExistError):
		tool("analyze_frappe_data").run({"doctype": "No Such Thing", "analysis_type": "profile"})


# query_and_analyze -----------------------------------------------------------------------------

PROBE_TABLE = f"`tab{PROBE}`"


@pytest.fixture
def committed_rows():
	"""The probe rows, committed (query_and_analyze reads on a connection of its own), then removed."""
	names = _rows()
	frappe.db.commit()
	yield names
	frappe.db.rollback()
	frappe.db.delete(PROBE, {"name": ("in", names)})
	frappe.db.commit()


@pytest.mark.postgres
def test_query_returns_rows_and_statistics(committed_rows):
	"""A GROUP BY SELECT returns its rows in order, with column statistics."""
	result = tool("query_and_analyze").run(
		{
			"query": f"SELECT region, SUM(amount) AS total, COUNT(*) AS n FROM {PROBE_TABLE} GROUP BY region ORDER BY region;",
			"analysis_type": "statistical",
		}
	)
	assert result["columns"] == ["region", "total", "n"]
	assert result["rows"] == [
		{"region": "North", "total": 30, "n": 2},
		{"region": "South", "total": 70, "n": 2},
	]
	assert result["truncated"] is False
	assert result["analysis"]["statistics"]["total"]["sum"] == 100


@pytest.mark.postgres
@pytest.mark.parametrize("own_limit", ["", " LIMIT 3"])
def test_query_row_limit_is_enforced_and_keeps_the_order(own_limit, committed_rows):
	"""limit caps the rows (with or without the query's own LIMIT) and ORDER BY survives the wrapping."""
	result = tool("query_and_analyze").run(
		{"query": f"SELECT amount FROM {PROBE_TABLE} ORDER BY amount DESC{own_limit}", "limit": 2}
	)
	assert [row["amount"] for row in result["rows"]] == [40, 30]
	assert result["truncated"] is True


def test_query_keywords_inside_string_literals_are_harmless():
	"""Literals are not parsed as SQL: a string that mentions DELETE or comments is fine."""
	result = tool("query_and_analyze").run(
		{"query": "SELECT 'x; DELETE FROM t -- # /*' AS txt, \"it''s\" AS q"}
	)
	assert result["rows"] == [{"txt": "x; DELETE FROM t -- # /*", "q": "it''s"}]


NOT_A_SELECT = "must be a SELECT"
MALICIOUS_QUERIES = [  # (statement, the rule that refuses it)
	(f"UPDATE {PROBE_TABLE} SET amount = 0", NOT_A_SELECT),
	(f"DELETE FROM {PROBE_TABLE}", NOT_A_SELECT),
	(f"INSERT INTO {PROBE_TABLE} (name, title) VALUES ('evil', 'evil')", NOT_A_SELECT),
	(f"REPLACE INTO {PROBE_TABLE} (name, title) VALUES ('evil', 'evil')", NOT_A_SELECT),
	(f"DROP TABLE {PROBE_TABLE}", NOT_A_SELECT),
	(f"TRUNCATE {PROBE_TABLE}", NOT_A_SELECT),
	(f"ALTER TABLE {PROBE_TABLE} ADD COLUMN evil INT", NOT_A_SELECT),
	(f"CREATE TABLE evil AS SELECT * FROM {PROBE_TABLE}", NOT_A_SELECT),
	(f"SELECT 1; DELETE FROM {PROBE_TABLE}", "exactly one statement"),
	(f"select 1 ; update {PROBE_TABLE} set amount = 0", "exactly one statement"),
	(f"SELECT * FROM {PROBE_TABLE} INTO OUTFILE '/tmp/fac_query_leak.txt'", "could not be parsed"),
	(f"SELECT * FROM {PROBE_TABLE} INTO DUMPFILE '/tmp/fac_query_leak.txt'", "could not be parsed"),
	(f"SELECT name INTO @leak FROM {PROBE_TABLE} LIMIT 1", "not allowed"),
	(f"SELECT * FROM {PROBE_TABLE} FOR UPDATE", "locking clauses"),
	(f"SELECT * FROM {PROBE_TABLE} LOCK IN SHARE MODE", "locking clauses"),
	# MariaDB reads `1e1lock` as the number 1e1 then LOCK: a locking read the old word scan let through.
	(f"SELECT name FROM {PROBE_TABLE} WHERE 10=1e1lock in share mode", "could not be parsed"),
	("SELECT SLEEP(5)", "function SLEEP"),
	("SELECT sleep (5)", "function SLEEP"),
	("SELECT BENCHMARK(100000000, MD5('x'))", "function BENCHMARK"),
	("SELECT LOAD_FILE('/etc/passwd')", "function LOAD_FILE"),
	("SELECT GET_LOCK('fac', 10)", "function GET_LOCK"),
	("SELECT fac_stored_function(1)", "function FAC_STORED_FUNCTION"),
	("SELECT `sleep`(5)", "function SLEEP"),  # MariaDB runs the built-in even when its name is quoted
	("SELECT @@version", "variables"),
	("SELECT @a := 1", "not allowed"),
	(f"SELECT * FROM {PROBE_TABLE} PROCEDURE ANALYSE()", "could not be parsed"),
	("SELECT * FROM __Auth", "not the table of a DocType"),
	("SELECT password FROM `__Auth`", "not the table of a DocType"),
	# Administrator's session id replayed as a cookie would make the caller Administrator.
	("SELECT sid, user FROM tabSessions", "not the table of a DocType"),
	("SELECT sid FROM `tabSessions` UNION SELECT name FROM `tabToDo`", "not the table of a DocType"),
	("SELECT user, password FROM mysql.user", "outside the site's database"),
	("SELECT table_name FROM information_schema.tables", "outside the site's database"),
	("SELECT access_token FROM `tabOAuth Bearer Token`", "holds credentials"),
	(f"WITH t AS (SELECT 1) DELETE FROM {PROBE_TABLE}", NOT_A_SELECT),
	("CALL evil()", NOT_A_SELECT),
	("SET @x = 1", NOT_A_SELECT),
	(f"HANDLER {PROBE_TABLE} OPEN", "could not be parsed"),
	("SHOW TABLES", NOT_A_SELECT),
	("SELECT 'unterminated", "could not be parsed"),
	("SELECT 1 UNION SELECT password FROM `__Auth`", "not the table of a DocType"),
	("WITH s AS (SELECT sid FROM tabSessions) SELECT * FROM s", "not the table of a DocType"),
]


# MariaDB's own syntax, which PostgreSQL reads otherwise (no REPLACE INTO, no `1e1lock`, `@@` an operator).
MARIADB_SYNTAX = {MALICIOUS_QUERIES[3][0], MALICIOUS_QUERIES[15][0], "SELECT @@version"}


@pytest.mark.parametrize(
	("query", "rule"),
	[
		pytest.param(query, rule, marks=() if query in MARIADB_SYNTAX else pytest.mark.postgres)
		for query, rule in MALICIOUS_QUERIES
	],
)
def test_query_policy_refuses_anything_but_one_read_only_select_of_readable_doctypes(query, rule):
	"""Every write, second statement, INTO, lock, variable, unknown or side-effect function and every
	table that is not a readable DocType's is refused before anything runs."""
	names = _rows()
	before = frappe.get_all(PROBE, fields=["name", "amount"], order_by="name")
	started = datetime.datetime.now()
	with pytest.raises(frappe.ValidationError, match=f"^query: .*{re.escape(rule)}"):
		tool("query_and_analyze").run({"query": query})
	assert (datetime.datetime.now() - started).total_seconds() < 2  # refused, never run
	assert frappe.get_all(PROBE, fields=["name", "amount"], order_by="name") == before
	assert len(names) == 4 and not frappe.db.exists(PROBE, "evil")
	assert not os.path.exists("/tmp/fac_query_leak.txt")
	assert "evil" not in frappe.db.get_table_columns(PROBE)


@pytest.mark.postgres
def test_an_executable_comment_never_runs():
	"""MariaDB runs the text of `/*! ... */`; what runs is the SQL regenerated from the checked tree,
	in which the comment no longer exists."""
	result = tool("query_and_analyze").run({"query": "SELECT /*! SLEEP(3), */ 7 AS n"})
	assert result["rows"] == [{"n": 7}]


def test_a_token_mariadb_reads_as_a_lock_is_quoted_as_the_name_the_policy_saw():
	"""sqlglot reads `1e1lock in share mode` as names; run quoted they stay names (here a syntax
	error), and MariaDB never sees LOCK IN SHARE MODE."""
	with pytest.raises(frappe.ValidationError, match=r"query: the database refused .*`share` AS `mode`"):
		tool("query_and_analyze").run({"query": "SELECT 10=1e1lock in share mode"})


@pytest.mark.postgres
def test_common_table_expressions_and_unions_of_readable_doctypes_are_admitted(committed_rows):
	result = tool("query_and_analyze").run(
		{
			"query": f"WITH big AS (SELECT amount FROM {PROBE_TABLE} WHERE amount >= 30) "
			f"SELECT amount FROM big UNION ALL SELECT amount FROM {PROBE_TABLE} WHERE amount = 10 "
			"ORDER BY amount"
		}
	)
	assert [row["amount"] for row in result["rows"]] == [10, 30, 40]


@pytest.mark.postgres
def test_a_doctype_the_user_cannot_read_is_refused(monkeypatch):
	"""The policy asks Frappe whether the session user may read each table's DocType."""
	original = frappe.has_permission

	def no_probe(doctype=None, *args, **kwargs):
		return False if doctype == PROBE else original(doctype, *args, **kwargs)

	monkeypatch.setattr(frappe, "has_permission", no_probe)
	with pytest.raises(frappe.ValidationError, match=f"you may not read {PROBE}"):
		tool("query_and_analyze").run({"query": f"SELECT name FROM {PROBE_TABLE}"})


@pytest.mark.postgres
def test_a_huge_result_is_cut_in_the_database_and_bounded(committed_rows):
	"""Long values are cut to MAX_VALUE_CHARS before they leave MariaDB; the answer stays under its byte budget."""
	from frappe_assistant_core.plugins.data_science.tools import query_and_analyze as qa

	result = tool("query_and_analyze").run(
		{
			"query": "SELECT REPEAT('a', 100000) AS a, REPEAT('b', 100000) AS b, REPEAT('c', 100000) AS c, "
			f"REPEAT('d', 100000) AS d, p.amount FROM {PROBE_TABLE} p, {PROBE_TABLE} q, {PROBE_TABLE} r, "
			f"{PROBE_TABLE} s",
			"limit": 1000,
		}
	)
	assert {len(row["a"]) for row in result["rows"]} == {qa.MAX_VALUE_CHARS}
	assert result["rows"][0]["amount"] in (10, 20, 30, 40)  # a number, untouched: only text is cut
	assert len(frappe.as_json(result["rows"])) <= qa.MAX_RESULT_BYTES + qa.MAX_VALUE_CHARS * 4
	assert result["truncated"] is True and 0 < result["row_count"] < 256  # 256 rows matched


@pytest.mark.postgres
def test_json_and_array_values_come_back_as_text_cut_in_the_database(committed_rows):
	"""psycopg2 hands json and arrays over whole, as dicts and lists (which the column summary could
	not even count); they are text cut to MAX_VALUE_CHARS, as MariaDB's JSON is."""
	from frappe_assistant_core.plugins.data_science.tools import query_and_analyze as qa

	if frappe.db.db_type == "postgres":
		query = f"SELECT jsonb_build_object('a', repeat('x', 5000)) AS j, array_agg(region) AS regions FROM {PROBE_TABLE}"
	else:
		query = f"SELECT JSON_OBJECT('a', REPEAT('x', 5000)) AS j, GROUP_CONCAT(region) AS regions FROM {PROBE_TABLE}"
	(row,) = tool("query_and_analyze").run({"query": query})["rows"]
	assert isinstance(row["j"], str) and len(row["j"]) == qa.MAX_VALUE_CHARS and row["j"].startswith('{"a"')
	assert isinstance(row["regions"], str) and "North" in row["regions"]


@pytest.mark.postgres
def test_a_write_that_slips_past_the_policy_is_refused_by_the_database(committed_rows):
	"""Second line of defence: the statement runs in a READ ONLY transaction of its own connection."""
	name = committed_rows[0]
	table = f'"tab{PROBE}"' if frappe.db.db_type == "postgres" else PROBE_TABLE
	with read_only_connection() as db, pytest.raises(frappe.ValidationError, match=r"(?i)read.only"):
		run_read_only(db, f"UPDATE {table} SET amount = 999 WHERE name = '{name}'")
	frappe.db.rollback()
	assert frappe.db.get_value(PROBE, name, "amount") == 10


@pytest.mark.postgres
def test_query_database_errors_become_validation_errors():
	"""A statement the database refuses is a ValidationError with the database's reason, not a traceback."""
	with pytest.raises(frappe.ValidationError, match="no_such_column"):
		tool("query_and_analyze").run({"query": f"SELECT no_such_column FROM {PROBE_TABLE}"})


@pytest.mark.postgres
@pytest.mark.parametrize(
	("arguments", "field"),
	[({"query": ""}, "query"), ({"query": "SELECT 1", "limit": 1001}, "limit"), ({"sql": "SELECT 1"}, "sql")],
)
def test_query_bad_arguments_name_the_field(arguments, field):
	with pytest.raises(ToolArgumentError) as caught:
		tool("query_and_analyze").run(arguments)
	assert field in {e["field"] for e in caught.value.errors}


# extract_file_content --------------------------------------------------------------------------


def test_pdf_text_is_extracted_page_by_page_up_to_max_pages():
	"""pypdf reads the text of each page; max_pages stops early and page_count tells the total."""
	doc = make_file("fac-report.pdf", pdf_bytes("Hello FAC page one", "Second page text", "Third page"))
	result = tool("extract_file_content").run({"file_url": doc.file_url, "max_pages": 2})
	assert result["format"] == "pdf" and (result["page_count"], result["pages_read"]) == (3, 2)
	assert "Hello FAC page one" in result["text"] and "Second page text" in result["text"]
	assert "Third" not in result["text"]


def test_docx_xlsx_csv_and_text_files_are_extracted():
	"""python-docx paragraphs and tables, openpyxl sheet values, CSV rows with a sniffed delimiter, text."""
	extract = tool("extract_file_content")
	docx = extract.run({"file_name": make_file("fac-report.docx", docx_bytes()).name})
	assert docx["paragraphs"] == ["Quarterly report", "Revenue grew."]
	assert docx["tables"] == [[["Region", "Total"], ["North", "30"]]]

	xlsx = extract.run({"file_url": make_file("fac-sales.xlsx", xlsx_bytes()).file_url})
	assert xlsx["sheets"] == [
		{
			"name": "Sales",
			"columns": ["Region", "Amount", "Day"],
			"rows": [["North", 30, "2024-01-31T00:00:00"], ["South", 70.5, None]],
			"truncated": False,
		}
	]

	csv_doc = make_file("fac-rows.csv", b"region;amount\nNorth;30\nSouth;70\nEast;5\n")
	rows = extract.run({"file_name": "fac-rows.csv", "max_rows": 2})
	assert csv_doc.file_name == "fac-rows.csv"
	assert (rows["columns"], rows["rows"], rows["truncated"]) == (
		["region", "amount"],
		[["North", "30"], ["South", "70"]],
		True,
	)

	text = extract.run(
		{"file_url": make_file("fac-notes.txt", "Grüße, world\n".encode()).file_url, "max_chars": 100}
	)
	assert text["text"] == "Grüße, world\n"


def _strings(value) -> list[str]:
	if isinstance(value, str):
		return [value]
	if isinstance(value, dict):
		return [s for entry in value.values() for s in _strings(entry)]
	if isinstance(value, list):
		return [s for entry in value for s in _strings(entry)]
	return []


def test_max_chars_bounds_every_text_of_a_docx_answer():
	"""4.4 MB came back for max_chars 100: paragraphs and tables were not counted. Now all are."""
	from docx import Document

	document = Document()
	for i in range(2000):
		document.add_paragraph(f"Paragraph {i} " + "x" * 100)
	table = document.add_table(rows=50, cols=4)
	for row in table.rows:
		for cell in row.cells:
			cell.text = "y" * 100
	buffer = io.BytesIO()
	document.save(buffer)
	result = tool("extract_file_content").run(
		{"file_name": make_file("fac-long.docx", buffer.getvalue()).name, "max_chars": 100}
	)
	texts = _strings({key: result[key] for key in ("text", "paragraphs", "tables")})
	assert 0 < sum(map(len, texts)) <= 100
	assert result["text_truncated"] is True and result["text"].startswith("Paragraph 0 ")


def test_a_docx_that_unpacks_to_too_much_is_refused_before_parsing():
	"""A 202 KB DOCX whose XML unpacked to 58 MB killed a worker; the declared sizes are checked first."""
	from frappe_assistant_core.plugins.data_science import _extractors

	source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
	buffer = io.BytesIO()
	with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
		for member in source.infolist():
			data = source.read(member)
			if member.filename == "word/document.xml":
				data = data.replace(b"<w:body>", b"<w:body>" + b" " * (_extractors.MAX_UNPACKED_BYTES + 1))
			bomb.writestr(member, data)
	assert len(buffer.getvalue()) < 200_000  # small on disk
	doc = make_file("fac-bomb.docx", buffer.getvalue())
	with pytest.raises(frappe.ValidationError, match="unpacks to 25 MB, more than the 25 MB"):
		tool("extract_file_content").run({"file_name": doc.name})


def _text_image(text: str) -> bytes:
	from PIL import Image, ImageDraw, ImageFont

	image = Image.new("L", (40 * len(text), 120), 255)
	ImageDraw.Draw(image).text((20, 20), text, fill=0, font=ImageFont.load_default(size=56))
	buffer = io.BytesIO()
	image.save(buffer, format="PNG")
	return buffer.getvalue()


@pytest.mark.skipif(not shutil.which("tesseract"), reason="needs the tesseract program (tests/host/setup.sh)")
def test_image_text_is_read_by_ocr_in_the_sandbox():
	"""tesseract reads the image from stdin inside the sandbox; its text comes back."""
	doc = make_file("fac-scan.png", _text_image("Invoice 4711 paid"))
	result = tool("extract_file_content").run({"file_url": doc.file_url})
	assert result["format"] == "image" and "Invoice 4711" in result["text"]
	with pytest.raises(frappe.ValidationError, match="OCR has no data for the language fac_nolang"):
		tool("extract_file_content").run({"file_url": doc.file_url, "language": "fac_nolang"})


def test_image_ocr_needs_its_engine(monkeypatch):
	"""Without the tesseract program, reading an image is a clear dependency error."""
	which = shutil.which
	monkeypatch.setattr(
		shutil, "which", lambda name, *a, **kw: None if name == "tesseract" else which(name, *a, **kw)
	)
	doc = make_file("fac-scan.png", _text_image("x"))
	with pytest.raises(ToolDependencyError, match="tesseract"):
		tool("extract_file_content").run({"file_url": doc.file_url})


def test_a_private_file_of_another_user_cannot_be_read():
	"""File permission on the document: a private, unattached file is its owner's alone."""
	doc = make_file("fac-private.txt", b"top secret")
	frappe.set_user(OUTSIDER)
	with pytest.raises(FileNotReadableError, match=NOT_READABLE):
		tool("extract_file_content").run({"file_url": doc.file_url})


@pytest.fixture
def site_secret():
	"""A file beside the site's folders holding a secret, as site_config.json holds db_password."""
	path = frappe.get_site_path("fac_secret_config.json")
	with open(path, "w") as handle:
		handle.write('{"db_password": "fac-do-not-leak"}')
	yield "/private/files/../../fac_secret_config.json"
	os.remove(path)


def test_a_file_url_walking_out_of_the_files_folder_is_never_read(site_secret):
	"""The critical attack: a File pointing at ../../site_config.json; its owner may read the File,
	but its content is outside the files folders, so nothing is read."""
	name = pointer_file(site_secret, OUTSIDER)
	frappe.set_user(OUTSIDER)
	for arguments in ({"file_url": site_secret}, {"file_name": name}):
		with pytest.raises(FileNotReadableError, match=NOT_READABLE):
			tool("extract_file_content").run(arguments)


def test_document_create_refuses_a_file_url_outside_the_files_folders(site_secret):
	from frappe_assistant_core.plugins.core.tools.document_create import DocumentCreate

	frappe.set_user(OUTSIDER)
	with pytest.raises(FileNotReadableError, match=NOT_READABLE):
		DocumentCreate().run(
			{"doctype": "File", "data": {"file_name": "x.json", "file_url": site_secret, "is_private": 1}}
		)
	frappe.set_user("Administrator")
	assert not frappe.db.exists("File", {"file_url": site_secret})


def test_document_update_refuses_moving_a_file_url_out_of_the_files_folders(site_secret):
	from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate

	doc = make_file("fac-movable.txt", b"mine")
	with pytest.raises(FileNotReadableError, match=NOT_READABLE):
		DocumentUpdate().run({"doctype": "File", "name": doc.name, "data": {"file_url": site_secret}})
	assert frappe.db.get_value("File", doc.name, "file_url") == doc.file_url
	renamed = DocumentUpdate().run(
		{"doctype": "File", "name": doc.name, "data": {"file_name": "fac-moved.txt"}}
	)
	assert renamed["document"]["file_url"] == doc.file_url  # other edits of a File are untouched


def test_a_symbolic_link_out_of_the_files_folder_is_never_followed(site_secret):
	link = frappe.get_site_path("private", "files", "fac-link.txt")
	if os.path.lexists(link):
		os.remove(link)
	os.symlink(os.path.abspath(frappe.get_site_path("fac_secret_config.json")), link)
	try:
		doc = make_file("fac-link-target.txt", b"harmless")
		frappe.db.set_value("File", doc.name, "file_url", "/private/files/fac-link.txt")
		with pytest.raises(FileNotReadableError, match=NOT_READABLE):
			tool("extract_file_content").run({"file_name": doc.name})
	finally:
		os.remove(link)


def test_a_file_pointing_at_another_users_private_content_does_not_read_it():
	"""The second attack: a plain user makes their own File point at someone else's private file.
	They own the pointer, but not the File that brought the content, so they read nothing."""
	secret = make_file("fac-owner-only.txt", b"owner's secret")
	pointer = pointer_file(secret.file_url, OUTSIDER)
	frappe.set_user(OUTSIDER)
	assert frappe.has_permission("File", ptype="read", doc=frappe.get_doc("File", pointer))
	with pytest.raises(FileNotReadableError, match=NOT_READABLE):
		tool("extract_file_content").run({"file_name": pointer})
	from frappe_assistant_core.plugins.core.tools.document_create import DocumentCreate

	with pytest.raises(FileNotReadableError, match=NOT_READABLE):
		DocumentCreate().run(
			{
				"doctype": "File",
				"data": {"file_name": "mine.txt", "file_url": secret.file_url, "is_private": 1},
			}
		)


def test_a_public_file_is_readable_by_any_desk_user():
	public = make_file("fac-public.txt", b"hello everyone", is_private=0)
	frappe.set_user(OUTSIDER)
	assert tool("extract_file_content").run({"file_url": public.file_url})["text"] == "hello everyone"


def test_missing_and_unsupported_files_are_clear_errors():
	extract = tool("extract_file_content")
	with pytest.raises(frappe.DoesNotExistError, match="file_url"):
		extract.run({"file_url": "/private/files/no-such-file.pdf"})
	archive = make_file("fac-archive.zip", b"PK\x03\x04 not really")
	with pytest.raises(frappe.ValidationError, match=r"\.zip"):
		extract.run({"file_url": archive.file_url})


@pytest.mark.parametrize(
	("arguments", "message"),
	[
		({}, "exactly one of file_url or file_name"),
		({"file_url": "/files/a.txt", "file_name": "a.txt"}, "exactly one of file_url or file_name"),
		({"file_url": "/files/a.pdf", "max_pages": 0}, "max_pages"),
		({"file_url": "/files/a.png", "language": "eng; rm -rf /"}, "language"),
	],
)
def test_extract_bad_arguments_name_the_field(arguments, message):
	with pytest.raises(ToolArgumentError, match=message):
		tool("extract_file_content").run(arguments)
