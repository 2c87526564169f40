"""The Assistant Core workspace: shipped as Frappe apps ship workspaces, installed and updated by
migrate, valid on Frappe v15 and v16, and never overwriting what an administrator changed.

The Workspace JSON lives in the module (assistant_core/workspace/assistant_core/), which both
versions import; v16's workspace sidebar and desktop icon live in the app-level folders v16 imports
(workspace_sidebar/, desktop_icon/) and v15 never reads. The v15 schema facts come from Frappe
v15.44.2's own DocType JSON (tests/data/frappe_schema/v15_workspace.json); the v16 ones from the
running framework's meta.
"""

from __future__ import annotations

import json
from pathlib import Path

import frappe
import pytest

from tests.support.site import run_migrate

APP = Path(__file__).resolve().parents[1] / "frappe_assistant_core"
WORKSPACE_JSON = APP / "assistant_core" / "workspace" / "assistant_core" / "assistant_core.json"
SIDEBAR_JSON = APP / "workspace_sidebar" / "assistant_core.json"
ICON_JSON = APP / "desktop_icon" / "assistant_core.json"
V15 = json.loads((Path(__file__).parent / "data" / "frappe_schema" / "v15_workspace.json").read_text())
NAME = "Assistant Core"
# Keys of a document dict that are not fields: every DocType has them.
STANDARD_KEYS = {
	"doctype",
	"name",
	"owner",
	"creation",
	"modified",
	"modified_by",
	"docstatus",
	"idx",
	"parent",
	"parentfield",
	"parenttype",
}
# Workspace fields that v16 added and v15's import leaves out (it writes only its own columns).
V16_ONLY_WORKSPACE_FIELDS = {"app", "type"}
# What an administrator finds from the workspace: (link type, target).
TARGETS = {
	("Page", "fac-admin"),
	("DocType", "FAC Plugin Configuration"),
	("DocType", "FAC Tool Configuration"),
	("DocType", "FAC Tool Call Log"),
	("DocType", "Assistant Core Settings"),
}
ROLES = {"System Manager", "Assistant Admin", "Assistant User"}
SHORTCUT_LABELS = [
	"FAC Admin",
	"Plugin Configuration",
	"Tool Configuration",
	"Tool Call Log",
	"Assistant Core Settings",
]


def _shipped(path: Path) -> dict:
	return json.loads(path.read_text())


def _v16_desk() -> bool:
	"""Whether this Frappe has v16's workspace sidebars and desktop icons."""
	return bool(
		frappe.db.exists("DocType", "Workspace Sidebar") and frappe.db.exists("DocType", "Desktop Icon")
	)


def _fields(doctype: str) -> dict[str, frappe._dict]:
	return {df.fieldname: df for df in frappe.get_meta(doctype).fields}


def _options(df) -> list[str]:
	return (df.options or "").split("\n")


def _check_rows_fit(rows: list[dict], doctype: str) -> None:
	"""Each row's keys are fields of `doctype` on v15 and on this Frappe; Select values are options of both."""
	v15 = V15["doctypes"][doctype]["fields"]
	here = _fields(doctype)
	for row in rows:
		for key, value in row.items():
			if key in STANDARD_KEYS:
				continue
			assert key in v15, f"{doctype}.{key} is not a field on Frappe v15"
			assert key in here, f"{doctype}.{key} is not a field on this Frappe"
			if v15[key]["fieldtype"] == "Select" and value not in (None, ""):
				assert value in v15[key]["options"], f"{doctype}.{key}={value!r} is not an option on v15"
				assert value in _options(here[key]), f"{doctype}.{key}={value!r} is not an option here"


def test_workspace_json_fits_the_workspace_schema_of_v15_and_this_frappe():
	"""Every key of the shipped Workspace (and of its shortcut, link and role rows) is a field on
	Frappe v15.44.2 and on the running Frappe, except v16's own app/type, which v15 ignores."""
	doc = _shipped(WORKSPACE_JSON)
	assert (doc["doctype"], doc["name"], doc["label"], doc["title"], doc["module"]) == (
		"Workspace",
		*[NAME] * 4,
	)
	v15 = V15["doctypes"]["Workspace"]["fields"]
	here = _fields("Workspace")
	for key in doc:
		if key in STANDARD_KEYS:
			continue
		assert key in v15 or key in V16_ONLY_WORKSPACE_FIELDS, f"Workspace.{key} is not a field on v15"
		assert key in here or (key in V16_ONLY_WORKSPACE_FIELDS and not _v16_desk()), key
	_check_rows_fit(doc["shortcuts"], "Workspace Shortcut")
	_check_rows_fit(doc["links"], "Workspace Link")
	_check_rows_fit(doc["roles"], "Has Role")


def test_workspace_content_blocks_refer_to_its_own_shortcuts_and_cards():
	"""The page layout (content) uses block types both versions draw, and every shortcut or card
	block names a shortcut or a card of the workspace; each card counts exactly its links."""
	doc = _shipped(WORKSPACE_JSON)
	blocks = json.loads(doc["content"])
	assert {b["type"] for b in blocks} <= set(V15["workspace_block_types"])
	assert len({b["id"] for b in blocks}) == len(blocks)
	shortcuts = {s["label"] for s in doc["shortcuts"]}
	cards = {}
	current = None
	for link in doc["links"]:
		if link["type"] == "Card Break":
			current = link["label"]
			cards[current] = {"declared": link["link_count"], "links": 0}
		else:
			cards[current]["links"] += 1
	assert all(c["declared"] == c["links"] for c in cards.values()), cards
	assert {b["data"]["shortcut_name"] for b in blocks if b["type"] == "shortcut"} == shortcuts
	assert {b["data"]["card_name"] for b in blocks if b["type"] == "card"} == set(cards)


def test_installed_workspace_leads_to_the_page_lists_and_settings():
	"""After install the workspace exists, public, for the app's roles, and its shortcuts and links
	lead to the FAC Admin page, both configuration lists, the Tool Call Log and the settings, all of
	which exist on the site."""
	workspace = frappe.get_doc("Workspace", NAME)
	assert (workspace.module, workspace.public, workspace.is_hidden) == (NAME, 1, 0)
	assert {row.role for row in workspace.roles} == ROLES
	assert {(s.type, s.link_to) for s in workspace.shortcuts} == TARGETS
	assert {(link.link_type, link.link_to) for link in workspace.links if link.type == "Link"} == TARGETS
	for link_type, target in TARGETS:
		assert frappe.db.exists(link_type, target), (link_type, target)


def test_v16_sidebar_and_desktop_icon_lead_to_the_same_places():
	"""On v16 the sidebar lists the workspace and the same five places, and a desktop icon opens
	it, for the app's roles; the JSON of both uses only fields of this Frappe."""
	if not _v16_desk():
		pytest.skip("Frappe v15 has no workspace sidebars or desktop icons (their folders are not read)")
	sidebar, icon = _shipped(SIDEBAR_JSON), _shipped(ICON_JSON)
	for doc, doctype in ((sidebar, "Workspace Sidebar"), (icon, "Desktop Icon")):
		assert set(doc) - STANDARD_KEYS - {"items", "roles"} <= set(_fields(doctype)), doctype
	for item in sidebar["items"]:
		assert set(item) - STANDARD_KEYS <= set(_fields("Workspace Sidebar Item"))
	stored = frappe.get_doc("Workspace Sidebar", NAME)
	assert stored.app == "frappe_assistant_core"
	assert {(i.link_type, i.link_to) for i in stored.items} == {("Workspace", NAME), *TARGETS}
	stored_icon = frappe.get_doc("Desktop Icon", NAME)
	assert (stored_icon.link_type, stored_icon.link_to, stored_icon.hidden) == ("Workspace Sidebar", NAME, 0)
	assert {row.role for row in stored_icon.roles} == ROLES


def test_migrate_installs_a_missing_workspace_and_keeps_an_administrators_changes():
	"""A site that predates the workspace gets it (and, on v16, its sidebar and icon) from migrate;
	a workspace an administrator then changed keeps the change through the next migrate, as
	Frappe keeps every app workspace a site saved after the app's file was written."""
	v16 = _v16_desk()
	frappe.delete_doc("Workspace", NAME, force=True, ignore_permissions=True)
	if v16:
		frappe.delete_doc("Desktop Icon", NAME, force=True, ignore_permissions=True)
		frappe.delete_doc("Workspace Sidebar", NAME, force=True, ignore_permissions=True)
	frappe.db.commit()
	run_migrate()
	workspace = frappe.get_doc("Workspace", NAME)
	assert {(s.type, s.link_to) for s in workspace.shortcuts} == TARGETS
	if v16:
		assert frappe.db.exists("Workspace Sidebar", NAME) and frappe.db.exists("Desktop Icon", NAME)

	workspace.append(
		"shortcuts", {"type": "DocType", "link_to": "ToDo", "label": "My ToDos", "doc_view": "List"}
	)
	workspace.sequence_id = 7
	workspace.save(ignore_permissions=True)
	frappe.db.commit()
	changed_at = frappe.db.get_value("Workspace", NAME, "modified")
	try:
		run_migrate()
		kept = frappe.get_doc("Workspace", NAME)
		assert "My ToDos" in {s.label for s in kept.shortcuts}
		assert kept.sequence_id == 7
		assert kept.modified == changed_at, "migrate did not write the workspace again"
	finally:
		_put_back_as_shipped()


def _put_back_as_shipped() -> None:
	"""The workspace as the app ships it, with the file's timestamp (what an import leaves)."""
	shipped = _shipped(WORKSPACE_JSON)
	frappe.delete_doc("Workspace", NAME, force=True, ignore_permissions=True)
	frappe.get_doc(shipped).insert(ignore_permissions=True)
	frappe.db.set_value("Workspace", NAME, "modified", shipped["modified"], update_modified=False)
	frappe.db.commit()


def test_each_role_sees_only_the_places_it_may_open():
	"""What desk draws for the workspace (frappe.desk.desktop.get_desktop_page, as the user): an
	Assistant Admin gets all five places, an Assistant User the two lists and the log only."""
	from frappe.desk.desktop import get_desktop_page

	from tests.support.site import make_user

	page = json.dumps({"name": NAME, "title": NAME, "public": 1})
	expected = {
		"fac-ws-admin@example.com": (["Assistant Admin"], set(SHORTCUT_LABELS)),
		"fac-ws-user@example.com": (
			["Assistant User"],
			{"Plugin Configuration", "Tool Configuration", "Tool Call Log"},
		),
	}
	try:
		for email, (roles, labels) in expected.items():
			frappe.set_user(make_user(email, roles))
			drawn = get_desktop_page(page)
			assert {s["label"] for s in drawn["shortcuts"]["items"]} == labels, email
			links = {link["label"] for card in drawn["cards"]["items"] for link in card["links"]}
			assert links == labels, email
	finally:
		frappe.set_user("Administrator")
