"""pytest wiring: one throwaway site per test session, a clean transaction per test.

On the test host a new database is created for the session and dropped at the end
(FAC_KEEP_SITE=1 keeps it for debugging). With FAC_TEST_SITE set, the suite runs against that
existing bench site instead (see README, "Running the tests against a real bench").
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from tests.host import bootstrap, config

# The shim reads the app list when it is imported, so it must be known before activate().
os.environ.setdefault("FAC_HOST_APPS", config.TEST_APPS)
bootstrap.activate()

import frappe  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def test_site():
	"""The site every test talks to, connected as Administrator."""
	if bootstrap.on_real_bench():
		bootstrap.connect()
		yield os.environ["FAC_TEST_SITE"]
		frappe.destroy()
		return

	from tests.host import site as host_site

	name = os.environ.get("FAC_TEST_DB") or f"fac_test_{uuid.uuid4().hex[:10]}"
	os.environ.update(config.site_env(name, os.environ["FAC_HOST_APPS"]))
	log = config.STATE_DIR / f"{name}.new-site.log"
	log.parent.mkdir(parents=True, exist_ok=True)
	with open(log, "w") as out:
		done = subprocess.run(
			[sys.executable, "-m", "tests.host", "new-site", name], stdout=out, stderr=subprocess.STDOUT
		)
	if done.returncode:
		pytest.exit(f"could not create the test site (see {log}):\n{log.read_text()[-3000:]}", returncode=3)
	bootstrap.connect()
	try:
		yield name
	finally:
		frappe.destroy()
		if not os.environ.get("FAC_KEEP_SITE"):
			host_site.drop_site(name)


@pytest.fixture(autouse=True)
def clean_transaction(test_site):
	"""Each test starts as Administrator and its uncommitted writes are rolled back after it."""
	frappe.set_user("Administrator")
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.local.flags.pop("fac_plugin_manager_snapshot", None)
