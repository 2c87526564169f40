"""OAuth grants made directly as Frappe's OAuth provider stores them (OAuth Client, OAuth Bearer
Token, OAuth Authorization Code rows), and a tools/list call with a bearer token, for the tests of
connected clients."""

from __future__ import annotations

import frappe
from frappe.utils import add_to_date, now_datetime

from tests.support.server import Server

MCP_PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
REDIRECT = "http://127.0.0.1/callback"


def make_client(app_name: str) -> str:
	"""A registered OAuth Client that may grant the MCP scopes; returns its name (the client ID)."""
	doc = frappe.get_doc(
		{
			"doctype": "OAuth Client",
			"app_name": app_name,
			"scopes": "all openid mcp mcp:read offline_access",
			"redirect_uris": REDIRECT,
			"default_redirect_uri": REDIRECT,
		}
	)
	return doc.insert(ignore_permissions=True).name


def make_token(client: str, user: str, *, scopes="mcp", hours=1, refresh=True, status="Active") -> str:
	"""An access token (with a refresh token unless `refresh` is false) expiring in `hours`."""
	doc = frappe.get_doc(
		{
			"doctype": "OAuth Bearer Token",
			"client": client,
			"user": user,
			"scopes": scopes,
			"access_token": frappe.generate_hash(length=30),
			"refresh_token": frappe.generate_hash(length=30) if refresh else None,
			"expires_in": 3600,
			"expiration_time": add_to_date(now_datetime(), hours=hours),
			"status": status,
		}
	)
	return doc.insert(ignore_permissions=True).name


def make_code(client: str, user: str, *, minutes=5) -> str:
	"""An authorization code not yet exchanged, expiring in `minutes`."""
	doc = frappe.get_doc(
		{
			"doctype": "OAuth Authorization Code",
			"client": client,
			"user": user,
			"scopes": "mcp offline_access",
			"authorization_code": frappe.generate_hash(length=30),
			"expiration_time": add_to_date(now_datetime(), minutes=minutes),
			"redirect_uri_bound_to_authorization_code": REDIRECT,
			"validity": "Valid",
		}
	)
	return doc.insert(ignore_permissions=True).name


def drop_clients(*clients: str) -> None:
	"""Delete the clients with their tokens and codes (committed)."""
	frappe.db.rollback()
	for client in clients:
		frappe.db.delete("OAuth Bearer Token", {"client": client})
		frappe.db.delete("OAuth Authorization Code", {"client": client})
		frappe.delete_doc("OAuth Client", client, ignore_permissions=True, force=True)
	frappe.db.commit()


def tools_list_status(server: Server, token: str) -> int:
	"""The HTTP status of an MCP tools/list sent with `Authorization: Bearer <token>`."""
	headers = {
		"Authorization": f"Bearer {token}",
		"Accept": "application/json, text/event-stream",
		"MCP-Protocol-Version": "2025-11-25",
	}
	message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
	return server.request(MCP_PATH, method="POST", body=message, headers=headers)[0]
