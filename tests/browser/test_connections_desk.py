"""The FAC Admin page's Connected clients and Connection doctor, and the My Connections page, in the
real desk (Chromium through playwright-core against gunicorn): an admin revokes one user's grant and
runs the doctor, then that user revokes their own grant; each revoked token is refused over HTTP.
"""

from __future__ import annotations

import os

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import update_password

from tests.browser.test_fac_admin_page import (
	ADMIN_PASSWORD,
	ARTIFACT,
	DRIVER,
	README_IMAGE,
	_console_errors,
	_desk_user,
	_run_driver,
	desk_site,  # noqa: F401 (a fixture)
)
from tests.support.server import serve
from tests.support.site import make_user

CONNECTIONS_DRIVER = DRIVER.with_name("drive_connections.js")
DOCS_IMAGE = README_IMAGE.with_name("fac-admin-doctor.png")
USER = "fac-conn-desk-user@example.com"
MCP_PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"


def _client(name: str) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "OAuth Client",
				"app_name": name,
				"scopes": "all openid mcp",
				"redirect_uris": "http://127.0.0.1/callback",
				"default_redirect_uri": "http://127.0.0.1/callback",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def _token(client: str, user: str) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "OAuth Bearer Token",
				"client": client,
				"user": user,
				"scopes": "mcp",
				"access_token": frappe.generate_hash(length=30),
				"refresh_token": frappe.generate_hash(length=30),
				"expires_in": 3600,
				"expiration_time": add_to_date(now_datetime(), hours=1),
				"status": "Active",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def _tools_list(server, token: str) -> int:
	headers = {
		"Authorization": f"Bearer {token}",
		"Accept": "application/json, text/event-stream",
		"MCP-Protocol-Version": "2025-11-25",
	}
	message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
	return server.request(MCP_PATH, method="POST", body=message, headers=headers)[0]


def test_my_connections_page_is_open_to_every_desk_user():
	"""Page fac-connections names no roles, so any signed-in user may open it (its API is per user)."""
	page = frappe.get_doc("Page", "fac-connections")
	assert (page.title, page.module, page.standard, page.roles) == (
		"My Connections",
		"Assistant Core",
		"Yes",
		[],
	)
	make_user(USER, ["Assistant User"])
	frappe.set_user(USER)
	assert page.is_permitted()


@pytest.mark.browser
def test_connected_clients_and_doctor_in_the_real_desk(desk_site):  # noqa: F811
	admin = _desk_user()
	make_user(USER, ["Assistant User"])
	update_password(USER, ADMIN_PASSWORD)
	claude, ide = _client("Claude desk test"), _client("IDE desk test")
	tokens = {"claude": _token(claude, USER), "ide": _token(ide, USER), "admin": _token(claude, admin)}
	frappe.db.commit()
	image = (
		DOCS_IMAGE
		if os.environ.get("FAC_UPDATE_README_IMAGE") or not DOCS_IMAGE.exists()
		else ARTIFACT.with_name(DOCS_IMAGE.name)
	)
	try:
		with serve(workers=2) as server:
			assert {_tools_list(server, t) for t in tokens.values()} == {200}
			scenario = {
				"base_url": server.url,
				"admin": admin,
				"user": USER,
				"password": ADMIN_PASSWORD,
				"admin_revokes": [claude, USER],
				"user_revokes": ide,
				"screenshot": str(image),
			}
			report = _run_driver(CONNECTIONS_DRIVER, scenario, timeout=600)
			refused = {name: _tools_list(server, token) for name, token in tokens.items()}
		assert report["page_errors"] == [] and _console_errors(report, desk_site) == []
		assert report["native_dialogs"] == []
		assert report["steps"] == ["admin_revoke", "doctor", "connect_panel", "own_connections"]
		order = report["order"]
		assert order.index("fac-admin-connections") > order.index("fac-admin-usage")
		assert order.index("fac-admin-doctor") == order.index("fac-admin-connections") + 1
		assert {(c, u) for c, u, _ in report["admin_rows"]} == {(claude, USER), (ide, USER), (claude, admin)}
		assert f"Revoke Claude desk test for {USER}?" in report["admin_question"]
		assert {(c, u) for c, u, _ in report["admin_rows_after"]} == {(ide, USER), (claude, admin)}
		checks = dict(report["checks"])
		assert {"site-url", "server-metadata", "registration", "server-switch"} <= set(checks)
		assert checks["server-switch"] == "ok" and checks["registration"] == "ok"
		assert checks["server-metadata"] == "ok", report["checks"]  # fetched through the served URL
		assert checks["site-url"] == "warn" and "loopback" in report["site_url_check"]
		families = {family: status for family, status, _ in report["families"]}
		assert (families["claude"], families["ide"]) == ("fail", "ok")
		assert "fac-doctor-run" in report["doctor_link_focus"]
		assert report["my_connections_link"] == "/app/fac-connections"
		assert report["user_heading"] == "My connections"
		assert [(c, u) for c, u, _ in report["user_rows"]] == [(ide, USER)]
		assert "You have not connected any app" in report["user_empty"]
		assert refused == {"claude": 401, "ide": 401, "admin": 200}
		assert image.stat().st_size > 10_000
	finally:
		frappe.db.rollback()
		for client in (claude, ide):
			frappe.db.delete("OAuth Bearer Token", {"client": client})
			frappe.delete_doc("OAuth Client", client, ignore_permissions=True, force=True)
		frappe.db.commit()
