"""Which MCP client made a call: the request's own `_meta.clientInfo`, else what its `initialize`
said, else its User-Agent.

Clients name themselves in `initialize` only; later requests carry at most a User-Agent. So
`initialize`'s clientInfo is remembered per user and User-Agent, and a log row takes it when the
row is written (off the request path). Memory is bounded: one Redis hash per user holding at most
MAX_PER_USER clients (the least recently seen goes first), which expires CLIENT_TTL_SECONDS after
that user's last `initialize`; a caller sending a new User-Agent on every request only ever
replaces its own entries.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import frappe

MAX_PER_USER = 8
CLIENT_TTL_SECONDS = 7 * 24 * 3600


def remember_client(client_info: Any) -> None:
	"""Keep initialize's clientInfo for this user and User-Agent: later requests carry neither."""
	try:
		if not (isinstance(client_info, dict) and isinstance(client_info.get("name"), str)):
			return
		key = _clients_key(frappe.session.user)
		entry = (client_info["name"][:140], str(client_info.get("version") or "")[:140], time.time())
		frappe.cache.hset(key, _agent(), entry)
		frappe.cache.expire(frappe.cache.make_key(key), CLIENT_TTL_SECONDS)
		_keep_newest(key)
	except Exception:
		frappe.logger("frappe_assistant_core").exception("FAC Tool Call Log: could not keep clientInfo")


def client_of(params) -> tuple[str, str, str | None]:
	"""(name, version, agent) of the MCP client: the request's _meta.clientInfo (agent None), else
	the User-Agent's first product token and the agent under which initialize's clientInfo may be
	remembered; the row takes that one when it is written (remembered_client), so the request
	itself reads nothing for it."""
	meta = (params.model_extra or {}).get("_meta")
	info = meta.get("clientInfo") if isinstance(meta, dict) else None
	if isinstance(info, dict) and isinstance(info.get("name"), str):
		return info["name"][:140], str(info.get("version") or "")[:140], None
	product = (_user_agent().split() or [""])[0]
	name, _slash, version = product.partition("/")
	return name[:140], version[:140], _agent()


def remembered_client(user: str | None, agent: str | None) -> tuple[str, str] | None:
	"""initialize's (name, version) remembered for `user` and `agent`, if any."""
	if not user or not agent:
		return None
	entry = frappe.cache.hget(_clients_key(user), agent)
	return (entry[0], entry[1]) if isinstance(entry, tuple | list) and len(entry) >= 2 else None


def remembered_count(user: str) -> int:
	"""How many clients are remembered for `user`."""
	return len(frappe.cache.hgetall(_clients_key(user)))


def _keep_newest(key: str) -> None:
	entries = frappe.cache.hgetall(key)
	if len(entries) <= MAX_PER_USER:
		return
	by_age = sorted(entries.items(), key=lambda item: item[1][2] if isinstance(item[1], tuple) else 0)
	for field, _entry in by_age[: len(entries) - MAX_PER_USER]:
		frappe.cache.hdel(key, field.decode() if isinstance(field, bytes) else field)


def _clients_key(user: str) -> str:
	return f"fac_mcp_clients:{user}"


def _agent() -> str:
	return hashlib.sha1(_user_agent().encode(), usedforsecurity=False).hexdigest()[:16]


def _user_agent() -> str:
	if getattr(frappe.local, "request", None) is None:
		return ""
	return frappe.get_request_header("User-Agent") or ""
