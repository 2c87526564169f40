"""A session on a site it did not create leaves that site as it found it.

A real bench site is such a site (FAC_TEST_SITE); on the host FAC_REUSE_SITE stands in for it. The
test makes a throwaway host site, fingerprints it from outside Frappe (every table's definition and
rows, every file of the site folder), runs a part of the suite on it in another pytest process (one
that commits test DocTypes, a workflow, users with API keys, roles, files, plugin and tool
configuration and settings), and fingerprints it again.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import uuid

import frappe
import pytest

from tests.host import bootstrap, config
from tests.support import site_state, site_tables

on_host = pytest.mark.skipif(bootstrap.on_real_bench(), reason="makes a host site of its own")

#: Parts of the suite that commit fixtures and configuration: test DocTypes, the workflow and
#: reports, users and API keys, roles, data_science disabled and enabled, tool toggles, category
#: overrides and role restrictions, Assistant Core Settings, files in the site's folders.
SUBSET = (
	"tests/tools/test_core_reports_workflows.py",
	"tests/test_admin_api.py",
	"tests/test_plugin_guide.py",
	"tests/test_legacy_patch.py",
	"tests/tools/test_data_science.py::test_docx_xlsx_csv_and_text_files_are_extracted",
)


def _connect(db_name: str):
	import MySQLdb

	return MySQLdb.connect(
		host=config.DB_HOST,
		port=config.DB_PORT,
		user=config.DB_ROOT_USER,
		password=config.DB_ROOT_PASSWORD,
		database=db_name,
		charset="utf8mb4",
	)


def fingerprint(db_name: str) -> dict[str, str]:
	"""A digest of each table (definition and rows, in any order) and of each file of the site."""
	prints = {}
	conn = _connect(db_name)
	try:
		cur = conn.cursor()
		cur.execute("show full tables")
		for table, _kind in cur.fetchall():
			cur.execute(f"show create table `{table}`")
			ddl = re.sub(r" AUTO_INCREMENT=\d+", "", cur.fetchone()[1])
			cur.execute(f"select * from `{table}`")
			rows = sorted(repr(row) for row in cur.fetchall())
			prints[f"table {table}"] = hashlib.sha256("\n".join([ddl, *rows]).encode()).hexdigest()
	finally:
		conn.close()
	root = config.site_dir(db_name)
	for folder, subfolders, names in os.walk(root):
		subfolders[:] = [name for name in subfolders if name not in ("logs", "locks")]
		for name in subfolders + names:
			path = os.path.join(folder, name)
			key = f"file {os.path.relpath(path, root)}"
			if os.path.islink(path):
				prints[key] = "link " + os.readlink(path)
			elif os.path.isdir(path):
				prints[key] = "dir"
			else:
				with open(path, "rb") as handle:
					prints[key] = hashlib.sha256(handle.read()).hexdigest()
	return prints


def counts(db_name: str) -> dict[str, int]:
	"""Rows a reader would look at first: users, DocTypes, workflows, roles, FAC configuration."""
	queries = {
		"users": "select count(*) from tabUser",
		"api keys": "select count(*) from tabUser where ifnull(api_key, '') != ''",
		"custom DocTypes": "select count(*) from tabDocType where custom = 1",
		"workflows": "select count(*) from tabWorkflow",
		"roles": "select count(*) from tabRole",
		"files": "select count(*) from tabFile",
		"plugin configurations": "select count(*) from `tabFAC Plugin Configuration`",
		"enabled plugins": "select count(*) from `tabFAC Plugin Configuration` where enabled = 1",
		"tool configurations": "select count(*) from `tabFAC Tool Configuration`",
		"tool role rows": "select count(*) from `tabFAC Tool Role Access`",
		"settings values": "select count(*) from tabSingles where doctype = 'Assistant Core Settings'",
	}
	conn = _connect(db_name)
	try:
		cur = conn.cursor()
		found = {}
		for label, query in queries.items():
			cur.execute(query)
			found[label] = cur.fetchone()[0]
		return found
	finally:
		conn.close()


@pytest.fixture
def throwaway_site():
	from tests.host import site as host_site

	name = f"fac_reuse_{uuid.uuid4().hex[:10]}"
	env = {**os.environ, "FAC_HOST_APPS": config.TEST_APPS}
	done = subprocess.run(
		[sys.executable, "-m", "tests.host", "new-site", name],
		capture_output=True,
		text=True,
		cwd=str(bootstrap.REPO),
		env=env,
	)
	assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
	try:
		yield name
	finally:
		host_site.drop_site(name)


@on_host
@pytest.mark.slow  # creates a site and runs a test session on it
def test_a_session_on_an_existing_site_leaves_it_as_it_found_it(throwaway_site, tmp_path):
	"""Every table and file of the site is as before the session, which did commit fixtures."""
	before, counted = fingerprint(throwaway_site), counts(throwaway_site)
	report = tmp_path / "restored.txt"
	env = {
		**{key: value for key, value in os.environ.items() if key not in ("DB_NAME", "FAC_TEST_DB")},
		"FAC_REUSE_SITE": throwaway_site,
		"FAC_RESTORE_REPORT": str(report),
	}
	done = subprocess.run(
		[sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUBSET],
		capture_output=True,
		text=True,
		cwd=str(bootstrap.REPO),
		env=env,
	)
	assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
	restored = report.read_text().splitlines()
	# The session did commit what the issue lists; each line is one thing put back.
	for expected in (
		"table tabFAC Test Order: dropped",
		"table tabUser: ",
		"table __Auth: ",
		"table tabWorkflow: ",
		"table tabRole: ",
		"table tabDocType: ",
		"table tabFAC Plugin Configuration: ",
		"table tabFAC Tool Configuration: ",
		"table tabSingles: ",
		"file ",
	):
		assert any(line.startswith(expected) for line in restored), (expected, restored)
	assert "site put back as found" in done.stdout
	after = fingerprint(throwaway_site)
	changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
	assert changed == []
	assert counts(throwaway_site) == counted


def _nextval(sequence: str) -> str:
	return (
		f"select nextval('{sequence}')" if frappe.db.db_type == "postgres" else f"select nextval({sequence})"
	)


@pytest.fixture
def probes():
	"""Tables and a sequence that exist before the state is recorded; dropped at the end. On
	PostgreSQL also a table whose key draws from a sequence of its own, and a JSON column."""
	postgres = frappe.db.db_type == "postgres"
	frappe.db.sql_ddl("create table fac_probe_rows (name varchar(140) primary key, value int)")
	frappe.db.sql_ddl("create table fac_probe_shape (name varchar(140) primary key)")
	frappe.db.sql_ddl("create table fac_probe_gone (name varchar(140) primary key)")
	frappe.db.sql_ddl("create sequence fac_probe_seq")
	if postgres:
		frappe.db.sql_ddl("create table fac_probe_serial (id bigserial primary key, data json)")
		frappe.db.sql("""insert into fac_probe_serial (data) values ('{"a": [1, 2]}'), ('{"b": null}')""")
	frappe.db.sql("insert into fac_probe_rows values ('kept', 1), ('changed', 2), ('deleted', 3)")
	frappe.db.sql("insert into fac_probe_shape values ('one'), ('two')")
	frappe.db.sql("insert into fac_probe_gone values ('back')")
	frappe.db.commit()
	files = frappe.get_site_path("public", "files")
	os.makedirs(files, exist_ok=True)
	for name in ("fac-probe-changed.txt", "fac-probe-deleted.txt"):
		with open(os.path.join(files, name), "w") as handle:
			handle.write("as found")
	yield files
	frappe.db.rollback()
	for table in ("fac_probe_rows", "fac_probe_shape", "fac_probe_gone", "fac_probe_new", "fac_probe_serial"):
		frappe.db.sql_ddl(f"drop table if exists {table}")
	frappe.db.sql_ddl("drop sequence if exists fac_probe_seq")
	for name in ("fac-probe-changed.txt", "fac-probe-deleted.txt"):
		os.remove(os.path.join(files, name))


@pytest.mark.postgres
def test_restore_undoes_each_kind_of_change(probes):
	"""New, dropped and altered tables, changed, new and deleted rows (with and without a primary
	key), an advanced sequence, new, changed and deleted files and links, kept cache keys; on
	PostgreSQL also an altered table whose key draws from its own sequence, with JSON rows."""
	postgres = frappe.db.db_type == "postgres"
	before = site_state.record()
	frappe.db.sql_ddl("create table fac_probe_new (name varchar(140) primary key)")
	frappe.db.sql_ddl("drop table fac_probe_gone")
	frappe.db.sql_ddl("alter table fac_probe_shape add column extra int")
	frappe.db.sql(_nextval("fac_probe_seq"))
	frappe.db.sql("update fac_probe_rows set value = 20 where name = 'changed'")
	frappe.db.sql("delete from fac_probe_rows where name = 'deleted'")
	frappe.db.sql("insert into fac_probe_rows values ('new', 4)")
	frappe.db.sql("insert into `tabSingles` (doctype, field, value) values ('FAC Probe', 'x', 'new')")
	frappe.db.sql(
		"update `tabSingles` set value = 'UTC+probe' where doctype = 'System Settings' and field = 'time_zone'"
	)
	if postgres:
		frappe.db.sql("""insert into fac_probe_serial (data) values ('{"c": 3}')""")
		frappe.db.sql_ddl("alter table fac_probe_serial add column extra int")
	frappe.db.commit()
	with open(os.path.join(probes, "fac-probe-changed.txt"), "w") as handle:
		handle.write("changed")
	os.remove(os.path.join(probes, "fac-probe-deleted.txt"))
	os.makedirs(os.path.join(probes, "fac-probe-folder"))
	with open(os.path.join(probes, "fac-probe-folder", "new.txt"), "w") as handle:
		handle.write("new")
	os.symlink("fac-probe-changed.txt", os.path.join(probes, "fac-probe-link"))
	frappe.cache.rpush("global_search_queue", "fac-probe")
	frappe.cache.rpush("insert_queue_for_FAC Probe", "fac-probe")

	changes = site_state.restore(before)

	assert site_tables.record() == before.tables
	assert site_state._files(before.site_path) == before.files
	assert site_state._kept_cache() == before.cache
	assert frappe.db.get_single_value("System Settings", "time_zone") != "UTC+probe"
	assert {
		"table fac_probe_new: dropped (created during the session)",
		"table fac_probe_gone: recreated with its 1 rows",
		"table fac_probe_shape: recreated with its 2 rows",
		"table fac_probe_seq: sequence restarted",
		"table fac_probe_rows: 2 rows removed, 2 put back",
	} <= set(changes), changes
	assert any(line.startswith("table tabSingles: ") for line in changes), changes
	if postgres:
		assert "table fac_probe_serial: recreated with its 2 rows" in changes, changes
		# The sequence went with the table and came back where it was: the next row is the third.
		assert frappe.db.sql(_nextval("fac_probe_serial_id_seq"))[0][0] == 3
