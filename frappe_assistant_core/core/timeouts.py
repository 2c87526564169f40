"""How long a tool may run inside one web request.

A tool call is answered within a single Gunicorn request, and bench starts Gunicorn with
`--timeout` set to the site's `http_timeout` (120 seconds unless common_site_config says otherwise).
A worker killed by that timeout answers with an HTML 500 and no JSON-RPC error, so a tool's own
time limit is kept below it, with a margin for reading arguments and writing the answer.
"""

from __future__ import annotations

import frappe
from frappe.utils import cint

#: bench's default `http_timeout` (the Gunicorn worker timeout), in seconds.
DEFAULT_HTTP_TIMEOUT = 120
#: Seconds kept free for everything in the request besides the tool's own work.
MARGIN_SECONDS = 10
#: The least time budget ever granted, whatever the configuration says.
MINIMUM_SECONDS = 5


def request_budget() -> int:
	"""Seconds a tool may spend on one call: the worker timeout minus a margin."""
	http_timeout = cint(frappe.conf.get("http_timeout")) or DEFAULT_HTTP_TIMEOUT
	return max(http_timeout - MARGIN_SECONDS, MINIMUM_SECONDS)


def clamp(seconds: int) -> int:
	"""`seconds`, or the request budget when that is shorter."""
	return min(seconds, request_budget())
