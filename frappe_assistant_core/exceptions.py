"""The app's exceptions, each a subclass of the Frappe exception with the same HTTP meaning.

Frappe turns them into the right status (404 / 417 / 403) and the MCP endpoint into the right
JSON-RPC code, so callers raise them with `frappe.throw(msg, exc=...)` and never build error dicts.
"""

from __future__ import annotations

import frappe


class PluginNotFoundError(frappe.DoesNotExistError):
	"""No discovered plugin has this name."""


class PluginValidationError(frappe.ValidationError):
	"""The plugin may not take the requested state (always enabled, or its environment fails)."""


class ToolNotFoundError(frappe.DoesNotExistError):
	"""No tool of that name is registered, or the caller may not see it."""


class ToolArgumentError(frappe.ValidationError):
	"""A tool's arguments failed validation; `errors` lists {field, message} for each problem."""

	def __init__(self, message: str, errors: list[dict] | None = None):
		super().__init__(message)
		self.errors = errors or []


class ToolDependencyError(frappe.ValidationError):
	"""A library the tool needs is not installed on this bench."""


class FileNotReadableError(frappe.DoesNotExistError):
	"""No file the caller may read at that reference: missing, outside the site's files folders, or
	another user's. One class and one text for all three, so an error tells nothing about which."""


class ConnectionRuleError(frappe.PermissionError):
	"""A tool the user may use is not served on this connection (read-only, or a narrowed URL)."""


class RequestStateError(frappe.ValidationError):
	"""A requestState that is forged, altered, expired, replayed or bound to another call."""


class ApprovalError(frappe.ValidationError):
	"""An approval request that cannot take the decision asked for (already decided, expired)."""
