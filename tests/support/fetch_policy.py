"""Test-only hook: let the site fetch Client ID Metadata Documents from named loopback addresses.

The app fetches metadata documents from public addresses only (frappe_assistant_core.oauth.
safe_fetch.address_allowed), and a test has no public address to serve one from. A server process
started with FAC_TEST_FETCHABLE_ADDRESSES=127.0.0.1 (tests/host/wsgi.py calls
`install_from_environment()`) also accepts exactly those addresses; every other address still goes
through the shipped policy unchanged. Nothing of this is in the app; without the variable it does
nothing. Tests of the policy itself never use it.
"""

from __future__ import annotations

import os

ENV = "FAC_TEST_FETCHABLE_ADDRESSES"


def install(addresses: list[str]) -> None:
	from frappe_assistant_core.oauth import safe_fetch

	shipped = safe_fetch.address_allowed
	allowed = frozenset(addresses)

	def address_allowed(address: str) -> bool:
		return address in allowed or shipped(address)

	safe_fetch.address_allowed = address_allowed


def install_from_environment() -> None:
	if addresses := [a for a in os.environ.get(ENV, "").split(",") if a]:
		install(addresses)
