"""The `requestState` of an approval asked through elicitation: signed, bound, expiring, single-use.

MCP 2026-07-28 (multi round-trip requests) sends the state to the client and back, so the server
must treat it as attacker-controlled: it is integrity-protected and checked on its return. A state
is `<payload>.<signature>`, both base64url; the payload (JSON) names the site, the user, the tool,
a SHA-256 digest of the exact arguments, an expiry and a random id; the signature is HMAC-SHA256
under a key derived from the site's encryption key (site_config `encryption_key`), so only this
site can make one. `redeem()` refuses a state that is malformed, forged, altered, expired, from
another site, or presented by another user, for another tool or with other arguments, and then
consumes its id in Redis with SET NX (atomic across every worker): a second presentation is a
replay and is refused. When Redis cannot record the use, the state is refused too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time

import frappe
import redis
from frappe import _
from frappe.utils.password import get_encryption_key

from frappe_assistant_core.exceptions import RequestStateError

TTL_SECONDS = 15 * 60
MAX_TOKEN_CHARS = 2048
VERSION = 1
_PURPOSE = b"frappe-assistant-core/mcp-request-state/v1"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def arguments_digest(arguments: dict | None) -> str:
	"""SHA-256 of the arguments in canonical JSON: equal exactly when the arguments are equal."""
	canonical = json.dumps(arguments or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
	return hashlib.sha256(canonical.encode()).hexdigest()


def issue(user: str, tool: str, arguments: dict | None) -> str:
	"""A new state for one approval of `tool` with exactly `arguments` by `user`."""
	payload = {
		"v": VERSION,
		"id": secrets.token_urlsafe(18),
		"site": frappe.local.site,
		"sub": user,
		"tool": tool,
		"args": arguments_digest(arguments),
		"exp": int(time.time()) + TTL_SECONDS,
	}
	body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
	return f"{body}.{_b64(_sign(body))}"


def redeem(token: object, user: str, tool: str, arguments: dict | None) -> None:
	"""Accept `token` once for this user, tool and arguments; RequestStateError for anything else."""
	payload = _verified(token)
	if payload.get("site") != frappe.local.site or payload.get("sub") != user:
		_refuse(_("it was issued to another user"))
	if payload.get("tool") != tool or payload.get("args") != arguments_digest(arguments):
		_refuse(_("it belongs to another call: the tool and arguments must be exactly those first sent"))
	if not isinstance(payload.get("exp"), int) or payload["exp"] < time.time():
		_refuse(_("it has expired; call the tool again to be asked anew"))
	_consume(str(payload.get("id")))


def _verified(token: object) -> dict:
	if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
		_refuse(_("it is malformed"))
	body, signature = token.split(".")
	try:
		expected = _sign(body)
		given = base64.urlsafe_b64decode(_padded(signature))
	except ValueError:
		_refuse(_("it is malformed"))
	if not hmac.compare_digest(expected, given):
		_refuse(_("its signature does not match (it was altered or not made by this site)"))
	try:
		payload = json.loads(base64.urlsafe_b64decode(_padded(body)))
	except ValueError:
		_refuse(_("it is malformed"))
	if not isinstance(payload, dict) or payload.get("v") != VERSION:
		_refuse(_("it is malformed"))
	return payload


def _consume(state_id: str) -> None:
	key = frappe.cache.make_key(f"fac_request_state_used:{state_id}")
	try:
		first = frappe.cache.set(key, 1, nx=True, ex=TTL_SECONDS + 60)
	except redis.exceptions.RedisError:
		_refuse(_("its single use cannot be recorded right now (the site's cache is unreachable)"))
	if not first:
		_refuse(_("it was already used (each confirmation runs a call once)"))


def _sign(body: str) -> bytes:
	key = hmac.new(get_encryption_key().encode(), _PURPOSE, hashlib.sha256).digest()
	return hmac.new(key, body.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
	return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _padded(text: str) -> str:
	if not _BASE64URL.fullmatch(text):
		raise ValueError("not base64url")
	return text + "=" * (-len(text) % 4)


def _refuse(reason: str):
	frappe.throw(
		_("The requestState was refused: {0}").format(reason),
		RequestStateError,
		title=_("Invalid requestState"),
	)
