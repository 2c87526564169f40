"""Which function a request's URL names (frappe_assistant_core.api.routing), resolved as Frappe does.

Frappe v15's `frappe.get_attr` throws for a module of an app that is not installed, and its message
stays queued for the answer even when the exception is caught: a guard that resolves every request
must not leave one on requests that are not its business (`/api/method/ping` answered "App ping is
not installed" beside "pong" on a v15 bench).
"""

from __future__ import annotations

import frappe
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from frappe_assistant_core.api.fac_endpoint import handle_mcp
from frappe_assistant_core.api.routing import requested_function


def _function(path: str):
	return requested_function(Request(EnvironBuilder(path=path, method="POST").get_environ()))


@pytest.mark.parametrize("command", ["ping", "upload_file"])
def test_a_name_without_a_module_is_frappe_handlers_own_command(command):
	"""`/api/method/ping` calls frappe.handler.ping, as Frappe's handler resolves a shorthand."""
	from frappe import handler

	assert _function(f"/api/method/{command}") is getattr(handler, command)


@pytest.mark.parametrize(
	"path",
	[
		"/api/method/ping",
		"/api/method/no_such_app.module.function",
		"/api/v2/method/no_such_app.module.function",
		"/api/method/no_such_shorthand",
	],
)
def test_resolving_a_foreign_or_unknown_name_queues_no_message(path):
	"""Nothing the resolution tried is reported to the client: the message log stays as it was."""
	frappe.local.message_log = []
	_function(path)
	assert frappe.local.message_log == []


def test_the_endpoint_is_resolved_through_each_of_its_urls():
	"""The endpoint's own URLs still name the endpoint function."""
	for path in (
		"/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp",
		"/api/v2/method/frappe_assistant_core.api.fac_endpoint.handle_mcp",
	):
		assert _function(path) is handle_mcp


def test_the_frameworks_own_functions_are_resolved():
	"""`frappe.*` names resolve on every site (OAuth's approve is recognised by the consent gate)."""
	from frappe.integrations import oauth2

	assert _function("/api/method/frappe.integrations.oauth2.approve") is oauth2.approve
