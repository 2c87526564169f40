"""The connection doctor (oauth/doctor*.py): a well-configured site passes, each misconfiguration
fails or warns with the fix spelled out, per client family; `bench fac doctor` exits 1 on a fail.

Site config values are set for the test's own process (frappe.local.conf) or, for the bench
command, in the host's environment, and put back afterwards.
"""

from __future__ import annotations

import contextlib
import os

import frappe
import pytest

from frappe_assistant_core.api import admin_connections
from frappe_assistant_core.oauth import doctor
from frappe_assistant_core.oauth.doctor_checks import server_metadata
from frappe_assistant_core.oauth.doctor_fetch import Document
from tests.host import bootstrap
from tests.support.server import serve
from tests.support.site import ASSISTANT_ADMIN, make_user, reconnect, run_host_command

pytestmark = pytest.mark.postgres

GOOD = {"host_name": "https://erp.example.com", "allow_cors": "*", "developer_mode": 0}
_MISSING = object()


@contextlib.contextmanager
def conf(**values):
	"""Site config values for this process only, put back afterwards."""
	before = {key: frappe.local.conf.get(key, _MISSING) for key in values}
	frappe.local.conf.update(values)
	try:
		yield
	finally:
		for key, value in before.items():
			if value is _MISSING:
				frappe.local.conf.pop(key, None)
			else:
				frappe.local.conf[key] = value


@contextlib.contextmanager
def host_env(**values):
	"""Environment of the host's bench commands: FAC_HOST_NAME is their site config's host_name."""
	before = {key: os.environ.get(key) for key in values}
	os.environ.update(values)
	try:
		yield
	finally:
		for key, value in before.items():
			if value is None:
				os.environ.pop(key, None)
			else:
				os.environ[key] = value


def _good_settings() -> None:
	frappe.db.set_single_value("Assistant Core Settings", "server_enabled", 1)
	frappe.db.set_single_value("System Settings", "allow_error_traceback", 0)
	frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
	frappe.db.set_single_value("OAuth Provider Settings", "skip_authorization", "Force")
	frappe.clear_document_cache("System Settings", "System Settings")


def _by_id(result: dict) -> dict:
	return {record["id"]: record for record in result["checks"]}


def _families(result: dict) -> dict:
	return {verdict["family"]: verdict["status"] for verdict in result["families"]}


def test_a_well_configured_site_passes_every_check_for_every_family():
	_good_settings()
	with conf(**GOOD):
		result = doctor.report(fetch=False)
	bad = [(r["id"], r["status"], r["detail"]) for r in result["checks"] if r["status"] != "ok"]
	assert not bad
	assert result["status"] == "ok"
	assert set(_families(result).values()) == {"ok"}
	assert {"site-url", "server-metadata", "resource-metadata", "pkce", "registration"} <= set(_by_id(result))


def test_plain_http_on_a_public_name_fails_for_every_family_with_the_fix():
	_good_settings()
	with conf(**{**GOOD, "host_name": "http://erp.example.com"}):
		result = doctor.report(fetch=False)
	check = _by_id(result)["site-url"]
	assert check["status"] == "fail"
	assert "set-config host_name https://" in check["fix"]
	assert set(_families(result).values()) == {"fail"}
	assert result["status"] == "fail"


def test_a_loopback_url_serves_local_clients_but_not_claude_or_chatgpt():
	_good_settings()
	with conf(**{**GOOD, "host_name": "http://127.0.0.1:8000"}):
		result = doctor.report(fetch=False)
	assert _by_id(result)["site-url"]["status"] == "warn"
	assert _families(result) == {"claude": "fail", "chatgpt": "fail", "ide": "ok", "n8n": "warn"}


def test_the_server_switch_off_fails_with_where_to_switch_it_on():
	_good_settings()
	frappe.db.set_single_value("Assistant Core Settings", "server_enabled", 0)
	with conf(**GOOD):
		check = _by_id(doctor.report(fetch=False))["server-switch"]
	assert (check["status"], check["fix"]) == ("fail", "Assistant Core Settings > Enable MCP Server")


def test_an_issuer_other_than_the_url_clients_use_fails():
	"""Metadata fetched under one base whose issuer names another (a proxy dropping X-Forwarded-Host)."""
	with conf(host_name="https://inner.example.com:8000"):
		body = doctor.Probe(fetch=False).document("server").body
	with conf(**GOOD):
		probe = doctor.Probe(fetch=False)
		probe._documents["server"] = Document(probe.urls["server_metadata"], body, "fetched")
		check = server_metadata(probe)
	assert check.status == "fail"
	assert "https://inner.example.com:8000" in check.detail and "X-Forwarded-Host" in check.fix


def test_settings_that_hit_no_connection_warn_without_failing_a_family():
	"""Tracebacks, developer mode, no CORS, an inactive scheduler, consent skipped: warnings, each with a fix."""
	_good_settings()
	frappe.db.set_single_value("System Settings", "allow_error_traceback", 1)
	frappe.db.set_single_value("System Settings", "enable_scheduler", 0)
	frappe.db.set_single_value("OAuth Provider Settings", "skip_authorization", "Auto")
	frappe.clear_document_cache("System Settings", "System Settings")
	with conf(**{**GOOD, "developer_mode": 1, "allow_cors": None}):
		result = doctor.report(fetch=False)
	checks = _by_id(result)
	for check_id, fix in {
		"error-traceback": "Allow Error Traceback: off",
		"developer-mode": "set-config developer_mode 0",
		"cors": "set-config --parse allow_cors",
		"scheduler": "enable-scheduler",
		"consent": "Skip Authorization: Force",
	}.items():
		assert checks[check_id]["status"] == "warn", check_id
		assert fix in checks[check_id]["fix"], check_id
	assert set(_families(result).values()) == {"ok"}


def test_documents_are_fetched_through_the_public_url_or_rendered_with_a_warning():
	"""Served on loopback the documents are fetched and agree; an unreachable name falls back to rendering."""
	_good_settings()
	with serve(workers=2) as server, conf(**{**GOOD, "host_name": server.url}):
		checks = _by_id(doctor.report(fetch=True))
	for check_id in ("resource-metadata", "server-metadata"):
		assert (checks[check_id]["status"], checks[check_id]["detail"][:12]) == ("ok", "Fetched from"), (
			checks[check_id]
		)
	with conf(**{**GOOD, "host_name": "https://doctor-test.invalid"}):
		checks = _by_id(doctor.report(fetch=True))
	assert checks["server-metadata"]["status"] == "warn"
	assert "Could not fetch https://doctor-test.invalid/.well-known/" in checks["server-metadata"]["detail"]


def test_admins_run_the_doctor_through_the_api():
	make_user(ASSISTANT_ADMIN, ["Assistant Admin", "Assistant User"])
	frappe.set_user(ASSISTANT_ADMIN)
	with conf(**GOOD):
		result = admin_connections.run_connection_doctor()
	assert [f["family"] for f in result["families"]] == ["claude", "chatgpt", "ide", "n8n"]
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		admin_connections.run_connection_doctor()


@pytest.mark.skipif(bootstrap.on_real_bench(), reason="uses the host's bench emulation")
def test_fac_doctor_prints_one_line_per_check_and_exits_1_on_a_fail():
	_good_settings()
	frappe.db.commit()
	try:
		with host_env(FAC_HOST_NAME=GOOD["host_name"], ALLOW_CORS="*"):
			done = run_host_command(
				"bench", os.environ["DB_NAME"], "fac", "doctor", "--no-fetch", check=False
			)
			assert done.returncode == 0, done.stdout + done.stderr
			assert done.stdout.splitlines()[0].split()[:2] == ["ok", "site-url"]
			assert "Claude (claude.ai, Desktop, mobile connectors): nothing in the way" in done.stdout
		with host_env(FAC_HOST_NAME="http://erp.example.com", ALLOW_CORS="*"):
			done = run_host_command(
				"bench", os.environ["DB_NAME"], "fac", "doctor", "--no-fetch", check=False
			)
		assert done.returncode == 1
		line = next(x for x in done.stdout.splitlines() if x.startswith("fail  site-url"))
		assert "Fix: Serve the site over https" in line
		assert "n8n (MCP Client Tool): will fail (site-url)" in done.stdout, done.stdout
	finally:
		reconnect()
