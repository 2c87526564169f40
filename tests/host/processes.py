"""The background processes of a host site, as a bench runs them beside its web workers.

`worker` is `bench worker` (an RQ worker on the site's queues) and `schedule` is `bench schedule`
(every tick, enqueue the site's scheduled jobs that are due), so that scheduler_events run on the
dev site as on a bench: the tool call log is written, old rows are deleted, registries revalidated.
Each runs in the site's folder with the site's environment (see __main__).
"""

from __future__ import annotations

import os
import sys
import time

from tests.host import config


def run_worker(site: str, queues: str) -> int:
	"""Take jobs from the site's queues until stopped (SIGINT/SIGTERM finish the current job)."""
	from tests.host import site as host_site

	host_site._prepare_dirs(site)
	from frappe.utils.background_jobs import start_worker

	start_worker(queue=queues, quiet=True)
	return 0


def run_scheduler(site: str) -> int:
	"""Enqueue due scheduled jobs every tick, until stopped.

	WORKAROUND: the host's start_scheduler() loops over the module's second `enqueue_events`,
	which expects a connected site, and fails on its first tick with AttributeError; Frappe's loop
	calls enqueue_events_for_all_sites(). This is that loop for one site, with the same tick and
	the same lock against a second scheduler.
	"""
	from filelock import FileLock, Timeout

	from tests.host import site as host_site

	host_site._prepare_dirs(site)
	from frappe.utils import scheduler

	lock = FileLock(str(config.site_dir(site) / "scheduler_process.lock"))
	try:
		lock.acquire(blocking=False)
	except Timeout:
		print(f"a scheduler for {site} is running already", file=sys.stderr)
		return 1
	tick = scheduler.get_scheduler_tick()
	print(f"scheduler for {site}: enqueues due jobs every {tick} s", flush=True)
	while True:
		time.sleep(scheduler.sleep_duration(tick))
		scheduler.enqueue_events_for_site(site)
		os.chdir(config.site_dir(site))  # the framework may have changed directory while it ran
