"""The start of a probe script that runs requests in-process and counts every SQL statement.

Run as `python -c SQL_COUNTING_CLIENT + body API_KEY:SECRET` from the repository: it connects to the
test site, wraps the database class's `sql` so each statement lands in `queries`, and leaves a
werkzeug `client` for Frappe's WSGI application and the `headers` of an API-key MCP request.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.host import bootstrap

SQL_COUNTING_CLIENT = """
import json, sys
from tests.host import bootstrap

bootstrap.connect()
import frappe

db_class = type(frappe.local.db)
frappe.destroy()
from frappe.app import application
from werkzeug.test import Client

queries = []
original = db_class.sql


def counting(self, query, *args, **kwargs):
	queries.append(str(query))
	return original(self, query, *args, **kwargs)


db_class.sql = counting
client = Client(application)
headers = {"Authorization": "token " + sys.argv[1], "MCP-Protocol-Version": "2025-11-25"}
"""


def run_probe(script: str, *args: str) -> dict:
	"""Run a probe script in a fresh process from the repository; its last stdout line is its JSON report."""
	done = subprocess.run(
		[sys.executable, "-c", script, *args],
		capture_output=True,
		text=True,
		**bootstrap.child_process(),
		timeout=120,
	)
	assert done.returncode == 0, done.stderr[-3000:]
	return json.loads(done.stdout.strip().splitlines()[-1])
