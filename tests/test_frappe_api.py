"""Every Frappe API the app calls exists, with the arguments it passes, on Frappe v15 and v16.

The app's source is parsed (tests/support/frappe_api.py) and each reference into Frappe is checked
against tests/data/frappe_api/v15.json (Frappe 15.44.2) and v16.json (the test host's framework).
A call under a version check or inside a `try` that catches ImportError/AttributeError is a
deliberate fallback and is left alone. tests/support/frappe_api_facts.py regenerates the facts.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.support import frappe_api

FACTS = {version: frappe_api.load_facts(version) for version in frappe_api.VERSIONS}
MODULES = frappe_api.known_modules(*FACTS.values())


def _problems(source: str) -> list[str]:
	snippet = [("snippet.py", "frappe_assistant_core.snippet", textwrap.dedent(source))]
	calls = frappe_api.find_calls(snippet, MODULES)
	return [
		line
		for version in frappe_api.VERSIONS
		for line in frappe_api.problems(calls, FACTS[version], version)
	]


def test_app_calls_only_what_frappe_v15_and_v16_both_have():
	"""No name or keyword argument the app passes to Frappe is missing from either version."""
	calls = frappe_api.find_calls(frappe_api.app_sources(), MODULES)
	found = [
		line
		for version in frappe_api.VERSIONS
		for line in frappe_api.problems(calls, FACTS[version], version)
	]
	assert not found, "\n".join(found)


def test_analysis_sees_the_app_calls_into_frappe():
	"""The analysis reaches each kind of call the app makes, so a clean result means something."""
	calls = frappe_api.find_calls(frappe_api.app_sources(), MODULES)
	seen = {(call.owner, call.name) for call in calls if call.called}
	for expected in [
		("frappe", "get_doc"),
		("frappe", "throw"),
		("Database", "exists"),
		("RedisWrapper", "make_key"),
		("Document", "insert"),
		("Document", "save"),
		("Meta", "get_field"),
		("frappe.utils", "now_datetime"),
		("frappe.model.workflow", "apply_workflow"),
	]:
		assert expected in seen, f"the analysis found no call of {expected[0]}.{expected[1]}"
	assert len(calls) > 300


@pytest.mark.parametrize(
	("source", "expected"),
	[
		(
			"""
			import frappe
			doc = frappe.get_doc(doctype, "x")
			doc.as_dict(no_private_properties=True)
			""",
			"snippet.py:4: Document.as_dict() on Frappe v15: no keyword argument 'no_private_properties'",
		),
		(
			"""
			from frappe.model.document import Document
			class Thing(Document):
				def validate(self):
					return self.as_dict(no_private_properties=True)
			""",
			"snippet.py:5: Document.as_dict() on Frappe v15: no keyword argument 'no_private_properties'",
		),
		(
			"""
			import frappe
			frappe.db.get_value("ToDo", "x", "status", no_such_option=1)
			""",
			"snippet.py:3: Database.get_value() on Frappe v15: no keyword argument 'no_such_option'",
		),
		(
			"""
			import frappe
			frappe.cache().hget_all_the_things("k")
			""",
			"snippet.py:3: Frappe v15 has no RedisWrapper.hget_all_the_things",
		),
		(
			"""
			from frappe.utils import now_datetime_in_mars
			""",
			"snippet.py:2: Frappe v15 has no frappe.utils.now_datetime_in_mars",
		),
		(
			"""
			import frappe
			frappe.utils.cint("1", 0, 2)
			""",
			"snippet.py:3: frappe.utils.cint() on Frappe v15: 3 positional arguments, takes at most 2",
		),
		(
			"""
			import frappe
			from frappe.model.document import Document
			def load(doctype, name) -> "Document | None":
				return frappe.get_cached_doc(doctype, name)
			def use():
				load("ToDo", "x").insert(ignore_everything=True)
			""",
			"snippet.py:7: Document.insert() on Frappe v15: no keyword argument 'ignore_everything'",
		),
		(
			"""
			import frappe
			frappe.get_meta("ToDo").get_field("x", strict=True)
			""",
			"snippet.py:3: Meta.get_field() on Frappe v15: no keyword argument 'strict'",
		),
	],
)
def test_a_call_that_frappe_lacks_is_reported(source, expected):
	"""The check fails on a missing name, keyword or positional slot, wherever the object came from."""
	assert expected in _problems(source)


def test_v16_only_keyword_is_reported_for_v15_only():
	"""`no_private_properties` exists on v16 (the host): only the v15 line is reported."""
	found = _problems("import frappe\nfrappe.new_doc(doctype).as_dict(no_private_properties=True)\n")
	assert [line.split(" on ")[1].split(":")[0] for line in found] == ["Frappe v15"]


@pytest.mark.parametrize(
	"source",
	[
		"""
		import frappe
		try:
			frappe.new_doc(doctype).as_dict(no_private_properties=True)
		except AttributeError:
			pass
		""",
		"""
		try:
			from frappe.utils import now_datetime_in_mars
		except ImportError:
			now_datetime_in_mars = None
		""",
		"""
		import frappe
		if int(frappe.__version__.split(".")[0]) >= 16:
			frappe.new_doc(doctype).as_dict(no_private_properties=True)
		""",
		"""
		def metadata_url():
			try:
				from frappe.integrations.oauth2 import get_resource_url
			except ImportError:
				return None
			return get_resource_url(everything=True)
		""",
		"""
		import frappe
		if hasattr(frappe.db, "get_everything"):
			frappe.db.get_everything()
		""",
	],
)
def test_guarded_fallbacks_are_not_reported(source):
	"""A call under a version check or an ImportError/AttributeError fallback is the app's choice."""
	assert _problems(source) == []
