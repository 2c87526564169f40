"""The throwaway host sites of a test run: one per pytest-xdist worker, made at once, dropped at the end.

The controlling pytest process creates them before the workers start (each worker then only
connects to its own), printing a line every 10 s while they are made, and drops them, with their
Redis keys, after the last worker is done. A run in one process gets one site the same way. On
MariaDB they are copies of a template site (tests/support/site_template.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable

from tests.host import config


def names(count: int, db_type: str) -> list[str]:
	"""Database names for `count` sites: FAC_TEST_DB (then FAC_TEST_DB_1, ...), else random ones."""
	fixed = os.environ.get("FAC_TEST_DB")
	if fixed:
		return [fixed if i == 0 else f"{fixed}_{i}" for i in range(count)]
	run = f"fac_test_{'pg_' if db_type == 'postgres' else ''}{uuid.uuid4().hex[:8]}"
	return [run if count == 1 else f"{run}_{i}" for i in range(count)]


def create(sites: list[str], apps: str, db_type: str, say: Callable[[str], None]) -> str | None:
	"""Create the sites; returns None, or what failed with the end of its log. On MariaDB every site
	is a copy (`clone-site`, seconds each) of the template site, installed first if this code has
	none yet (tests/support/site_template.py); on PostgreSQL each is installed, all at once."""
	from tests.support import site_template

	started = time.monotonic()
	say(f"creating {len(sites)} {db_type} test site{'s' if len(sites) > 1 else ''}: {', '.join(sites)}")
	if db_type != "mariadb":
		failed = _run({name: ["new-site", name] for name in sites}, apps, db_type, say, started)
	else:
		errors = []

		def install(template: str, why: str) -> str | None:
			say(f"installing the template site {template} ({why})")
			errors.append(_run({template: ["new-site", template]}, apps, db_type, say, started))
			return errors[-1]

		template = site_template.ensure(apps, install)
		if template is None:
			return errors[-1]
		failed = _run({name: ["clone-site", template, name] for name in sites}, apps, db_type, say, started)
	if not failed:
		say(f"test sites created in {time.monotonic() - started:.0f} s")
	return failed


def _run(commands: dict[str, list[str]], apps: str, db_type: str, say, started: float) -> str | None:
	"""Run `python -m tests.host COMMAND` for each site at once, a line of progress every 10 s."""
	config.STATE_DIR.mkdir(parents=True, exist_ok=True)
	logs = {name: config.STATE_DIR / f"{name}.new-site.log" for name in commands}
	running = {}
	for name, command in commands.items():
		with open(logs[name], "w") as out:
			running[name] = subprocess.Popen(
				[sys.executable, "-m", "tests.host", *command],
				stdout=out,
				stderr=subprocess.STDOUT,
				cwd=str(config.REPO),
				env={**os.environ, **config.site_env(name, apps, db_type)},
			)
	next_line = (time.monotonic() - started) // 10 * 10 + 10
	first = next(iter(logs.values()))
	while any(p.poll() is None for p in running.values()):
		time.sleep(0.5)
		elapsed = time.monotonic() - started
		if elapsed >= next_line:
			say(f"creating test sites: {elapsed:.0f} s, {_last_line(first)}")
			next_line += 10
	for name, process in running.items():
		if process.returncode:
			return (
				f"could not create the test site {name} (see {logs[name]}):\n{logs[name].read_text()[-3000:]}"
			)
	return None


def drop(sites: list[str]) -> None:
	"""Drop each site's database, user, Redis keys and folder."""
	from tests.host import site as host_site

	for name in sites:
		host_site.drop_site(name)


def _last_line(path) -> str:
	try:
		text = path.read_text(errors="replace")[-2000:]
	except OSError:
		return ""
	lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
	return lines[-1][:90] if lines else ""
