"""Connected OAuth clients: which user authorized which client, and revoking that grant.

A grant is a (client, user) pair holding an Active OAuth Bearer Token that still works (unexpired,
or renewable with its refresh token) or a Valid, unexpired OAuth Authorization Code not yet
exchanged: the rows of Frappe's own OAuth provider, read here, never a store of our own. Frappe
records when a token is issued, not each request it authenticates, so `last_used` is the newest
token's issue time: the client's last sign-in or token refresh. Revoking marks every token of the
pair Revoked and every code Invalid; Frappe reads both from the database on each request, so every
worker refuses them from the next request on.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import get_datetime, get_fullname, now_datetime

TOKEN = "OAuth Bearer Token"
CODE = "OAuth Authorization Code"
CLIENT = "OAuth Client"


def grants(user: str | None = None) -> list[dict]:
	"""Every live grant (of `user` only, when given), the most recently used first."""
	found: dict[tuple[str, str], dict] = {}
	for row in _live_tokens(user):
		grant = _grant(found, row)
		grant["tokens"] += 1
		grant["last_used"] = max(grant["last_used"] or row.creation, row.creation)
	for row in _live_codes(user):
		_grant(found, row)["pending_codes"] += 1
	names = {client for client, _user in found}
	apps = _client_names(names)
	result = []
	for (client, owner), grant in found.items():
		result.append(
			{
				"client": client,
				"app_name": apps.get(client) or client,
				"user": owner,
				"full_name": get_fullname(owner),
				"scopes": sorted(grant["scopes"]),
				"created": str(grant["created"]),
				"last_used": str(grant["last_used"]) if grant["last_used"] else None,
				"tokens": grant["tokens"],
				"pending_codes": grant["pending_codes"],
			}
		)
	result.sort(key=lambda g: (g["last_used"] or g["created"], g["client"], g["user"]), reverse=True)
	return result


def revoke(client: str, user: str) -> dict:
	"""Revoke `user`'s grant to `client`: all its tokens and authorization codes.

	:returns: {"client", "user", "tokens", "codes"}: how many rows were revoked
	:raises frappe.DoesNotExistError: when the pair holds no live token or code
	"""
	tokens = frappe.db.count(TOKEN, {"client": client, "user": user, "status": "Active"})
	codes = frappe.db.count(CODE, {"client": client, "user": user, "validity": "Valid"})
	if not tokens and not codes:
		frappe.throw(
			_("{0} has no connection to the OAuth client {1}").format(user, client),
			frappe.DoesNotExistError,
			title=_("No such connection"),
		)
	# Every row of the pair, not only the live ones: a refresh token of an expired access token
	# would otherwise renew the grant.
	if tokens:
		frappe.db.set_value(TOKEN, {"client": client, "user": user, "status": "Active"}, "status", "Revoked")
	if codes:
		frappe.db.set_value(
			CODE, {"client": client, "user": user, "validity": "Valid"}, "validity", "Invalid"
		)
	return {"client": client, "user": user, "tokens": tokens, "codes": codes}


def _grant(found: dict, row) -> dict:
	key = (row.client, row.user)
	grant = found.setdefault(
		key, {"scopes": set(), "created": row.creation, "last_used": None, "tokens": 0, "pending_codes": 0}
	)
	grant["scopes"].update(s for s in (row.scopes or "").split() if s)
	grant["created"] = min(grant["created"], row.creation)
	return grant


def _live_tokens(user: str | None) -> list:
	filters = {"status": "Active", **({"user": user} if user else {})}
	rows = frappe.get_all(
		TOKEN,
		filters=filters,
		fields=["client", "user", "scopes", "creation", "expiration_time", "refresh_token"],
		order_by="creation asc",
	)
	now = now_datetime()
	# A row's refresh token renews the grant after its access token expired; it never leaves here.
	return [
		row for row in rows if row.client and (row.pop("refresh_token") or _later(row.expiration_time, now))
	]


def _live_codes(user: str | None) -> list:
	filters = {"validity": "Valid", **({"user": user} if user else {})}
	rows = frappe.get_all(
		CODE, filters=filters, fields=["client", "user", "scopes", "creation", "expiration_time"]
	)
	now = now_datetime()
	return [
		row for row in rows if row.client and (not row.expiration_time or _later(row.expiration_time, now))
	]


def _later(value, now) -> bool:
	return bool(value) and get_datetime(value) > now


def _client_names(names: set[str]) -> dict[str, str]:
	if not names:
		return {}
	rows = frappe.get_all(CLIENT, filters={"name": ("in", sorted(names))}, fields=["name", "app_name"])
	return {row.name: row.app_name for row in rows}
