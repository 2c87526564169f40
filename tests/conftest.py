"""pytest wiring: one throwaway site per test session, a clean transaction per test.

On the test host a new database is created for the session and dropped at the end
(FAC_KEEP_SITE=1 keeps it for debugging). With FAC_TEST_SITE set, the suite runs against that
existing bench site instead (see README, "Running the tests against a real bench"); with
FAC_REUSE_SITE=NAME, against the existing host site NAME. A site the session did not create is
recorded first and put back as it was at the end (tests/support/site_state.py).
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

from tests.support import fresh_install, site_state  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def test_site():
	"""The site every test talks to, connected as Administrator."""
	if bootstrap.on_real_bench() or os.environ.get("FAC_REUSE_SITE"):
		yield from _existing_site()
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
	fresh_install.record()
	fresh_install.enable_every_tool()
	try:
		yield name
	finally:
		frappe.destroy()
		if not os.environ.get("FAC_KEEP_SITE"):
			host_site.drop_site(name)


def _existing_site():
	"""A site the session did not create: used as found, and left as found."""
	name = os.environ.get("FAC_TEST_SITE") or os.environ["FAC_REUSE_SITE"]
	if not bootstrap.on_real_bench():
		from tests.host import site as host_site

		if not host_site.site_exists(name):
			pytest.exit(f"FAC_REUSE_SITE: no host site {name}", returncode=3)
		os.environ.update(config.site_env(name, os.environ["FAC_HOST_APPS"]))
	bootstrap.connect()
	before = site_state.record()
	fresh_install.enable_every_tool()  # put back with the rest of the site afterwards
	try:
		yield name
	finally:
		_RESTORED.extend(site_state.restore(before))
		_EXISTING_SITE.append(name)
		report = os.environ.get("FAC_RESTORE_REPORT")
		if report:
			with open(report, "w") as out:
				out.writelines(f"{line}\n" for line in _RESTORED)
		frappe.destroy()


#: What putting an existing site back changed, for the terminal summary.
_RESTORED: list[str] = []
#: The session's site existed before it (set once it has been put back).
_EXISTING_SITE: list[str] = []


def pytest_terminal_summary(terminalreporter):
	if _EXISTING_SITE and not _RESTORED:
		terminalreporter.write_line("site put back as found: nothing to undo")
	elif _RESTORED:
		tables = sum(1 for line in _RESTORED if line.startswith("table "))
		terminalreporter.write_line(
			f"site put back as found: {len(_RESTORED)} changes undone ({tables} tables)"
			+ (
				f", listed in {os.environ['FAC_RESTORE_REPORT']}"
				if os.environ.get("FAC_RESTORE_REPORT")
				else ""
			)
		)


@pytest.fixture(autouse=True)
def clean_transaction(test_site):
	"""Each test starts as Administrator and its uncommitted writes are rolled back after it."""
	frappe.set_user("Administrator")
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.local.flags.pop("fac_plugin_manager_snapshot", None)
