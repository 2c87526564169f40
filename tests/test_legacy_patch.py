"""The v2.2 patch: legacy enabled_plugins_list JSON -> one FAC Plugin Configuration row each."""

from __future__ import annotations

import json

import frappe
import pytest

from frappe_assistant_core.patches.v2_2 import migrate_plugin_settings_to_doctype as patch

PATCH = "frappe_assistant_core.patches.v2_2.migrate_plugin_settings_to_doctype"


def _legacy(value) -> None:
	frappe.db.set_single_value("Assistant Core Settings", "enabled_plugins_list", value)


def _rows() -> dict[str, int]:
	return dict(frappe.get_all("FAC Plugin Configuration", fields=["plugin_name", "enabled"], as_list=True))


@pytest.fixture
def pre_v22_site():
	"""A site as it was before v2.2: no plugin rows yet (rolled back after the test)."""
	frappe.db.delete("FAC Plugin Configuration")


def test_patch_is_registered_after_the_schema_sync():
	try:  # Frappe v15 and v16
		from frappe.modules.patch_handler import PatchType, get_patches_from_app
	except ImportError:  # the test host keeps them in frappe.patches
		from frappe.patches import PatchType, get_patches_from_app

	assert PATCH in get_patches_from_app("frappe_assistant_core", PatchType.post_model_sync)


def test_legacy_states_become_rows_and_the_field_is_kept(pre_v22_site):
	_legacy(json.dumps(["core", "visualization"]))
	patch.execute()
	assert _rows() == {
		"core": 1,
		"visualization": 1,
		"data_science": 0,
		"websocket": 0,
		"batch_processing": 0,
	}
	stored = frappe.db.get_singles_dict("Assistant Core Settings")["enabled_plugins_list"]
	assert json.loads(stored) == ["core", "visualization"]


def test_rerun_changes_nothing(pre_v22_site):
	_legacy(json.dumps(["data_science"]))
	patch.execute()
	first = frappe.get_all(
		"FAC Plugin Configuration", fields=["name", "enabled", "modified"], order_by="name"
	)
	_legacy(json.dumps(["visualization"]))
	patch.execute()
	assert (
		frappe.get_all("FAC Plugin Configuration", fields=["name", "enabled", "modified"], order_by="name")
		== first
	)


def test_unknown_names_and_non_strings_are_ignored(pre_v22_site):
	_legacy(json.dumps(["ghost_plugin", 42, None, "websocket"]))
	patch.execute()
	rows = _rows()
	assert "ghost_plugin" not in rows
	assert rows["websocket"] == 1 and rows["core"] == 1 and rows["visualization"] == 0


@pytest.mark.parametrize("value", ["{not json", json.dumps({"core": True}), "", None])
def test_malformed_or_missing_json_migrates_nothing(pre_v22_site, value):
	_legacy(value)
	patch.execute()
	assert _rows() == {}


def test_empty_legacy_list_keeps_only_core_enabled(pre_v22_site):
	_legacy("[]")
	patch.execute()
	assert _rows() == {
		"core": 1,
		"visualization": 0,
		"data_science": 0,
		"websocket": 0,
		"batch_processing": 0,
	}
