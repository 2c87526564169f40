"""The app's own endpoints answer without a Python traceback (the `before_request` hook).

`before_request` marks requests whose URL makes Frappe call one of the app's functions (resolved
as Frappe resolves it, utils.routing): their answers carry no Python traceback (Frappe's
`disable_traceback` flag). Refusals are expected outcomes with a message, and a defect (HTTP 5xx)
is in the site's Error Log, where Frappe records it.
"""

from __future__ import annotations

import frappe

from frappe_assistant_core.utils.routing import carries_own_cmd, qualified_name, requested_function

__all__ = ["before_request", "carries_own_cmd", "qualified_name", "requested_function"]

APP_MODULE = "frappe_assistant_core"


def before_request() -> None:
	"""`before_request` hook: the app's own functions answer without a Python traceback."""
	request = getattr(frappe.local, "request", None)
	if request is None:
		return
	if qualified_name(requested_function(request)).startswith(f"{APP_MODULE}."):
		frappe.local.flags.disable_traceback = True
