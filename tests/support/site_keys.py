"""Write a host site's usual Redis keys through the framework's own code, for the drop test.

Run as `python -m tests.support.site_keys` with a site's environment (config.site_env): cache
values (plain, hash, per user, a rate-limit counter), then jobs on two queues that a burst worker
takes and fails (the site has no database), leaving failed-job registries and results behind.
"""

from __future__ import annotations

import os

from tests.host import bootstrap, site


def main() -> None:
	site._prepare_dirs(os.environ["DB_NAME"])
	bootstrap.activate()
	import frappe
	from frappe.rate_limiter import RateLimiter
	from frappe.utils.background_jobs import enqueue, start_worker

	frappe.init()
	frappe.cache.set_value("fac-drop-test", {"a": 1})
	frappe.cache.set_value("fac-drop-test", 1, user="someone@example.com")
	frappe.cache.hset("fac-drop-test-hash", "field", 1)
	RateLimiter(limit=5, window=600).update()
	for queue in ("short", "default", "long"):
		enqueue("frappe.ping", queue=queue)
	enqueue("frappe.ping", queue="short", job_id="fac-drop-test")
	frappe.destroy()
	try:
		start_worker(queue="short,default", burst=True, quiet=True)
	except SystemExit:
		pass


if __name__ == "__main__":
	main()
