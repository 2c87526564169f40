"""pytest wiring: one throwaway site per test process, a clean transaction per test.

On the test host a new database is created for the session (one per pytest-xdist worker, all made
by the controlling process before the workers start: tests/support/session_sites.py) and dropped
with its Redis keys at the end (FAC_KEEP_SITE=1 keeps them for debugging). With FAC_TEST_SITE set,
the suite runs against that existing bench site instead (see docs/testing.md); with
FAC_REUSE_SITE=NAME, against the existing host site NAME. A site the session did not create is
recorded first and put back as it was at the end (tests/support/site_state.py).

FAC_TEST_DB_TYPE=postgres makes the session's site a PostgreSQL one and runs only the tests marked
`postgres` (scripts/run-tests runs that pass after the MariaDB one; see docs/testing.md).
"""

from __future__ import annotations

import os
import warnings

import pytest

from tests.host import bootstrap, config

# The shim reads the app list when it is imported, so it must be known before activate().
os.environ.setdefault("FAC_HOST_APPS", config.TEST_APPS)
bootstrap.activate()

import frappe  # noqa: E402

from tests.support import fresh_install, site_state  # noqa: E402

#: The database of this session's site, fixed before collection (which deselects by it).
SESSION_DB_TYPE = config.session_db_type()


def _uses_existing_site() -> bool:
	return bootstrap.on_real_bench() or bool(os.environ.get("FAC_REUSE_SITE"))


def _workers(config) -> int:
	"""How many pytest-xdist workers this run has (0 without xdist, as on a real bench)."""
	return (
		int(getattr(config.option, "numprocesses", 0) or 0)
		if getattr(config.option, "dist", "no") != "no"
		else 0
	)


def pytest_configure(config):
	config.addinivalue_line(
		"markers", "postgres: also holds on PostgreSQL (scripts/run-tests runs it again on a PostgreSQL site)"
	)
	if _uses_existing_site() and _workers(config) > 1:
		raise pytest.UsageError(
			"a run on an existing site (FAC_TEST_SITE, FAC_REUSE_SITE) runs in one process: -n 0"
		)


def _create_sites(config, count: int) -> None:
	"""Create this run's `count` throwaway sites at once, with progress on the terminal."""
	from tests.support import session_sites

	config.fac_sites = session_sites.names(count, SESSION_DB_TYPE)
	capture = config.pluginmanager.getplugin("capturemanager")

	def say(line: str) -> None:
		with capture.global_and_fixture_disabled():
			print(f"[tests] {line}", flush=True)

	failed = session_sites.create(config.fac_sites, os.environ["FAC_HOST_APPS"], SESSION_DB_TYPE, say)
	if failed:
		session_sites.drop(config.fac_sites)
		config.fac_sites = []
		pytest.exit(failed, returncode=3)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
	"""With pytest-xdist, the controlling process makes every worker's site before they start (a run
	in one process makes its site when its first test needs it, and none when no test runs)."""
	config = session.config
	if not hasattr(config, "workerinput") and not _uses_existing_site() and _workers(config):
		_create_sites(config, _workers(config))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
	"""pytest-xdist: worker gwN tests the N-th site."""
	sites = node.config.fac_sites
	node.workerinput["fac_site"] = sites[int(node.gateway.id.removeprefix("gw")) % len(sites)]


def pytest_unconfigure(config):
	sites = getattr(config, "fac_sites", None)
	if sites and not os.environ.get("FAC_KEEP_SITE"):
		from tests.support import session_sites

		session_sites.drop(sites)


@pytest.fixture(scope="session", autouse=True)
def test_site(request):
	"""The site every test talks to, connected as Administrator."""
	if _uses_existing_site():
		yield from _existing_site()
		return
	config_ = request.config
	if hasattr(config_, "workerinput"):
		name = config_.workerinput["fac_site"]
	else:
		if not getattr(config_, "fac_sites", None):
			_create_sites(config_, 1)
		name = config_.fac_sites[0]
	os.environ.update(config.site_env(name, os.environ["FAC_HOST_APPS"], SESSION_DB_TYPE))
	bootstrap.connect()
	fresh_install.record()
	fresh_install.enable_every_tool()
	fresh_install.OFF_AT_START.update(fresh_install.switched_off())
	try:
		yield name
	finally:
		frappe.destroy()


def _existing_site():
	"""A site the session did not create: used as found, and left as found."""
	name = os.environ.get("FAC_TEST_SITE") or os.environ["FAC_REUSE_SITE"]
	if not bootstrap.on_real_bench():
		from tests.host import site as host_site

		if not host_site.site_exists(name):
			pytest.exit(f"FAC_REUSE_SITE: no host site {name}", returncode=3)
		os.environ.update(config.site_env(name, os.environ["FAC_HOST_APPS"]))
	bootstrap.connect()
	if frappe.db.db_type != SESSION_DB_TYPE:
		pytest.exit(
			f"{name} runs on {frappe.db.db_type}: set FAC_TEST_DB_TYPE={frappe.db.db_type} for it",
			returncode=3,
		)
	before = site_state.record()
	fresh_install.enable_every_tool()  # put back with the rest of the site afterwards
	fresh_install.OFF_AT_START.update(fresh_install.switched_off())
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


def pytest_report_header() -> str:
	return f"test site database: {SESSION_DB_TYPE}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
	"""On a PostgreSQL site only the tests marked `postgres` run: the others are not claimed to hold
	there. The files with a `slow` or `browser` test go first, so that pytest-xdist's workers finish
	together instead of one of them working through a slow file alone at the end."""
	heavy = {
		item.path for item in items if item.get_closest_marker("slow") or item.get_closest_marker("browser")
	}
	items.sort(key=lambda item: item.path not in heavy)  # stable: each file keeps its order
	if SESSION_DB_TYPE != "postgres":
		return
	kept = [item for item in items if item.get_closest_marker("postgres")]
	left_out = [item for item in items if not item.get_closest_marker("postgres")]
	if left_out:
		config.hook.pytest_deselected(items=left_out)
		items[:] = kept


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


@pytest.fixture(scope="module", autouse=True)
def every_tool_on_after_the_module(test_site):
	"""A module leaves the plugin and tool switches as the session found them, whichever module runs
	next on this worker: one that does not is named in a warning and the switches are put back."""
	yield
	frappe.set_user("Administrator")
	frappe.db.rollback()
	if left_off := sorted(set(fresh_install.switched_off()) - fresh_install.OFF_AT_START):
		warnings.warn(f"a test module left switched off: {', '.join(left_off)}", stacklevel=1)
		fresh_install.enable(left_off)


@pytest.fixture(autouse=True)
def clean_transaction(test_site):
	"""Each test starts as Administrator and its uncommitted writes are rolled back after it."""
	frappe.set_user("Administrator")
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.local.flags.pop("fac_plugin_manager_snapshot", None)
