"""Binds Frappe's `approve` to the consent page this user was shown for this client.

Frappe's consent page sends the user's browser to `approve` with the authorization request in the
query string, by GET, and `approve` issues the code. A link or image on another site pointing at
`approve` would therefore authorize a client (anyone can register one) in a logged-in user's name
without them ever seeing the consent page. So, for MCP clients, `authorize` adds a one-time value
to the request (Frappe copies the request's parameters into the Allow link) and `approve` issues a
code only with a value issued to the same user for the same client in the last CONSENT_SECONDS.
"""

from __future__ import annotations

import secrets

import frappe

PARAMETER = "fac_consent"
CONSENT_SECONDS = 600


def issue(client_id: str) -> None:
	"""Add a fresh consent value to this authorize request's parameters (and so to its Allow link)."""
	value = secrets.token_urlsafe(24)
	frappe.cache.set_value(_key(value), _owner(client_id), expires_in_sec=CONSENT_SECONDS)
	frappe.form_dict[PARAMETER] = value


def redeem(client_id: str, value: str | None) -> bool:
	"""Whether `value` was issued to this user for this client (it cannot be used again)."""
	if not isinstance(value, str) or not value or len(value) > 100:
		return False
	key = _key(value)
	owner = frappe.cache.get_value(key, expires=True)
	frappe.cache.delete_value(key)
	return owner == _owner(client_id)


def _key(value: str) -> str:
	return f"fac_oauth_consent|{value}"


def _owner(client_id: str) -> str:
	return f"{frappe.session.user}|{client_id}"
