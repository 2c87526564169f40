"""The FAC Admin page's Connected clients and Connection doctor, and the My Connections page, in the
real desk (Chromium through playwright-core against gunicorn): an admin revokes one user's grant and
runs the doctor, then that user revokes their own grant; each revoked token is refused over HTTP.
"""

from __future__ import annotations

import os

import frappe
import pytest
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
from tests.support.oauth_grants import drop_clients, make_client, make_token, tools_list_status
from tests.support.server import serve
from tests.support.site import make_user

CONNECTIONS_DRIVER = DRIVER.with_name("drive_connections.js")
DOCS_IMAGE = README_IMAGE.with_name("fac-admin-doctor.png")
USER = "fac-conn-desk-user@example.com"


def _ours(rows: list, *clients: str) -> set[tuple[str, str]]:
	"""(client, user) of the rows of `clients` (other modules' grants may be on the site)."""
	return {(client, user) for client, user, _text in rows if client in clients}


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
	claude, ide = make_client("Claude desk test"), make_client("IDE desk test")
	tokens = {
		"claude": make_token(claude, USER),
		"ide": make_token(ide, USER),
		"admin": make_token(claude, admin),
	}
	frappe.db.commit()
	image = (
		DOCS_IMAGE
		if os.environ.get("FAC_UPDATE_README_IMAGE") or not DOCS_IMAGE.exists()
		else ARTIFACT.with_name(DOCS_IMAGE.name)
	)
	try:
		with serve(workers=2) as server:
			assert {tools_list_status(server, t) for t in tokens.values()} == {200}
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
			refused = {name: tools_list_status(server, token) for name, token in tokens.items()}
		assert report["page_errors"] == [] and _console_errors(report, desk_site) == []
		assert report["native_dialogs"] == []
		assert report["steps"] == ["admin_revoke", "doctor", "connect_panel", "own_connections"]
		order = report["order"]
		assert order.index("fac-admin-connections") > order.index("fac-admin-usage")
		assert order.index("fac-admin-doctor") == order.index("fac-admin-connections") + 1
		assert _ours(report["admin_rows"], claude, ide) == {(claude, USER), (ide, USER), (claude, admin)}
		assert f"Revoke Claude desk test for {USER}?" in report["admin_question"]
		assert _ours(report["admin_rows_after"], claude, ide) == {(ide, USER), (claude, admin)}
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
		drop_clients(claude, ide)
