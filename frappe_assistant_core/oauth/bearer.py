"""What an OAuth bearer token may reach at the MCP endpoint: its scopes, as a connection rule.

Frappe has already authenticated the request (status Active, not expired, the token's user is the
session user). `limit()` reads the token's row once more (revocation takes effect on the very next
request, on every worker: the row is the only state) and adds a `TokenScopes` rule; a token with
no MCP scope is refused with 403 insufficient_scope. API keys and sessions add no rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from frappe_assistant_core.core import connection_rules
from frappe_assistant_core.mcp.protocol import FORBIDDEN, UNAUTHORIZED, JsonRpcError, Reply, error
from frappe_assistant_core.oauth import challenge, scopes

TOKEN_DOCTYPE = "OAuth Bearer Token"


@dataclass(frozen=True)
class TokenScopes:
	"""Only the tools the token's MCP scopes reach (oauth.scopes)."""

	granted: tuple[str, ...]

	def admits(self, info) -> bool:
		return scopes.reaches(self.granted, info.category)

	def refuse(self, info) -> NoReturn:
		raise insufficient_scope(
			scopes.needed_for(info.category),
			_("{0} needs the OAuth scope {1}; this token has {2}").format(
				info.name, scopes.needed_for(info.category), " ".join(self.granted) or _("none")
			),
		)


def bearer_token(request) -> str | None:
	"""The access token of an `Authorization: Bearer` header, or None."""
	header = request.headers.get("Authorization") or ""
	if header[:7].lower() != "bearer ":
		return None
	return header[7:].strip() or None


def limit(request) -> Reply | None:
	"""Add the rule of this request's bearer token; the refusal when the token may not be used."""
	token = bearer_token(request)
	if token is None:
		return None
	row = frappe.db.get_value(
		TOKEN_DOCTYPE, token, ["status", "expiration_time", "scopes", "user"], as_dict=True
	)
	if (
		not row
		or row.status != "Active"
		or (row.expiration_time and get_datetime(row.expiration_time) <= now_datetime())
		or row.user != frappe.session.user
	):
		return error(
			None,
			JsonRpcError(
				UNAUTHORIZED,
				_("The access token is expired, revoked or unknown"),
				http_status=401,
				headers={"WWW-Authenticate": _kept(challenge.unauthorized(request.path, invalid_token=True))},
			),
		)
	granted = scopes.parse(row.scopes)
	if scopes.mcp_rank(granted) is None:
		return error(
			None,
			insufficient_scope(
				scopes.DEFAULT, _("This access token has no MCP scope ({0})").format(scopes.DEFAULT)
			),
		)
	connection_rules.add(TokenScopes(granted))
	return None


def insufficient_scope(needed: str, message: str) -> JsonRpcError:
	"""403 with `error="insufficient_scope"` naming the scope `needed` (RFC 6750 section 3.1)."""
	header = _kept(challenge.insufficient_scope(needed, challenge.request_path()))
	return JsonRpcError(
		FORBIDDEN, message, {"scope": needed}, http_status=403, headers={"WWW-Authenticate": header}
	)


def _kept(header: str) -> str:
	from frappe_assistant_core.mcp.auth import keep_challenge

	return keep_challenge(header)
