"""A site with the app behaves as on a bench: the scheduler and a background worker write the tool
call log, and login, the apps screen and the desktop lead an administrator to Assistant Core."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import frappe
import pytest

from frappe_assistant_core.audit.recorder import DOCTYPE
from tests.host import bootstrap
from tests.support.site import make_user
from tests.test_tool_call_log import call_tool

on_host = pytest.mark.skipif(
	bootstrap.on_real_bench() or bool(os.environ.get("FAC_REUSE_SITE")),
	reason="starts a worker and a scheduler of its own on a throwaway host site",
)
LOG_JOB = "frappe_assistant_core.audit.store.write_pending"
APP = "frappe_assistant_core"


@pytest.fixture
def scheduler_on():
	"""The site's scheduler switched on with the log job due now and every other job just run, and
	its queues emptied of the jobs earlier tests left (no worker ever ran them), so the worker's
	first job is the log's; the settings and job times are put back afterwards."""
	from frappe.utils.background_jobs import get_queues

	jobs = frappe.get_all("Scheduled Job Type", fields=["name", "method", "last_execution"])
	was_on = frappe.db.get_single_value("System Settings", "enable_scheduler")
	frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
	for job in jobs:
		due = "2000-01-01 00:00:00" if job.method == LOG_JOB else frappe.utils.now_datetime()
		frappe.db.set_value("Scheduled Job Type", job.name, "last_execution", due, update_modified=False)
	frappe.db.commit()
	for queue in get_queues():
		queue.empty()
	try:
		yield
	finally:
		frappe.db.rollback()
		frappe.db.set_single_value("System Settings", "enable_scheduler", was_on)
		for job in jobs:
			frappe.db.set_value(
				"Scheduled Job Type", job.name, "last_execution", job.last_execution, update_modified=False
			)
		frappe.db.commit()


@on_host
def test_the_sites_scheduler_and_worker_write_a_tool_call_to_the_log(scheduler_on):
	user = make_user("fac-scheduled-log@example.com", ["Assistant User"])
	frappe.db.delete(DOCTYPE, {"user": user})
	frappe.db.commit()
	call_tool("get_document", {"doctype": "User", "name": user}, user)
	frappe.db.commit()
	assert not frappe.db.exists(DOCTYPE, {"user": user}), "written before any scheduled job ran"

	env = {**os.environ, "FAC_SCHEDULER_TICK": "1"}
	site = os.environ["DB_NAME"]
	processes = [
		subprocess.Popen(
			[sys.executable, "-m", "tests.host", command, site],
			cwd=str(bootstrap.REPO),
			env=env,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			start_new_session=True,  # the worker forks a process per job: stop them together
		)
		for command in ("worker", "schedule")
	]
	try:
		deadline = time.monotonic() + 90
		while time.monotonic() < deadline and not frappe.db.exists(DOCTYPE, {"user": user}):
			time.sleep(0.5)
			frappe.db.rollback()  # see what the worker committed
		assert frappe.db.get_value(DOCTYPE, {"user": user}, "tool") == "get_document"
		assert all(p.poll() is None for p in processes), "the worker or the scheduler stopped"
	finally:
		for process in processes:
			process.terminate()
		for process in processes:
			try:
				process.wait(timeout=10)
			except subprocess.TimeoutExpired:  # the worker's warm shutdown waits for a running job
				os.killpg(process.pid, signal.SIGKILL)
				process.wait()


def _apps_for(user: str) -> list[dict]:
	from frappe.apps import get_apps

	frappe.set_user(user)
	frappe.local.request_cache.clear()
	try:
		return [app for app in get_apps() if app["name"] == APP]
	finally:
		frappe.set_user("Administrator")
		frappe.local.request_cache.clear()


def test_the_apps_screen_shows_assistant_core_to_its_administrators_only():
	admin = make_user("fac-apps-admin@example.com", ["Assistant Admin"])
	member = make_user("fac-apps-member@example.com", ["Assistant User"])
	[entry] = _apps_for(admin)
	assert entry["route"] == "/app/fac-admin"
	logo = Path(frappe.get_app_path(APP, "public", entry["logo"].removeprefix(f"/assets/{APP}/")))
	assert logo.is_file() and logo.read_text().startswith("<svg")
	assert _apps_for(member) == []


def test_login_sends_an_administrator_to_the_fac_admin_page_when_no_other_app_has_a_tile():
	from frappe.apps import get_apps, get_default_path

	frappe.local.request_cache.clear()
	tiles = get_apps()
	assert {"name": APP, "route": "/app/fac-admin"} in [{k: t[k] for k in ("name", "route")} for t in tiles]
	if any(tile["name"] != APP for tile in tiles):
		pytest.skip("another app on this bench has an apps-screen tile: login goes to /apps")
	assert get_default_path() == "/app/fac-admin"


def test_the_desktop_has_an_assistant_core_icon_where_the_framework_has_a_desktop():
	# v15 still ships the old Desktop Icon DocType (without icon_type), but no desktop reads it.
	if not frappe.db.exists("DocType", "Desktop Icon") or not frappe.get_meta("Desktop Icon").has_field(
		"icon_type"
	):
		pytest.skip("Frappe v15 has no desktop: the apps screen is the way in")
	icon = frappe.db.get_value(
		"Desktop Icon", {"icon_type": "App", "app": APP}, ["label", "link"], as_dict=True
	)
	assert icon == {"label": "Frappe Assistant Core", "link": "/app/fac-admin"}
