"""Narrowed connection URLs: the endpoint with /readonly, /plugins/<names> or the same as a query
serves only that subset, refuses anything it does not recognise, and never shares a cached list."""

from __future__ import annotations

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frappe_assistant_core.governance import narrowed_url
from frappe_assistant_core.utils.plugin_manager import get_plugin_manager
from frappe_assistant_core.wire.jsonrpc import FORBIDDEN, INVALID_REQUEST
from tests.governance._mcp import PATH, call, listed, mcp

KNOWN = frozenset({"core", "data_science", "visualization", "websocket", "batch_processing", "external"})


def _plugin_of() -> dict[str, str]:
	return {name: info.plugin_name for name, info in get_plugin_manager().snapshot().tools.items()}


def _category_of() -> dict[str, str]:
	return {name: info.category for name, info in get_plugin_manager().snapshot().tools.items()}


@pytest.mark.parametrize(
	("path", "query"),
	[(f"{PATH}/readonly", ""), (f"{PATH}/readonly/", ""), (PATH, "readonly=1"), (PATH, "readonly=true")],
)
def test_a_read_only_url_lists_and_calls_only_read_only_tools(path, query):
	everything = listed()
	narrowed = listed(path=path, query=query)
	categories = _category_of()
	assert narrowed == [name for name in everything if categories[name] == "read_only"]
	_status, body = call(
		"document_create", {"doctype": "ToDo", "data": {"description": "x"}}, path=path, query=query
	)
	assert body["error"]["code"] == FORBIDDEN
	assert "this connection's URL is read-only" in body["error"]["message"]
	assert (
		call("document_list", {"doctype": "ToDo", "limit": 1}, path=path, query=query)[1]["result"]["isError"]
		is False
	)
	assert listed() == everything, "the narrowed answer was served to the full URL"


@pytest.mark.parametrize(
	("path", "query", "plugins", "read_only"),
	[
		(f"{PATH}/plugins/core", "", {"core"}, False),
		(f"{PATH}/plugins/external", "", {"external"}, False),
		(f"{PATH}/plugins/core,external/readonly", "", {"core", "external"}, True),
		(f"{PATH}/readonly/plugins/core", "", {"core"}, True),
		(PATH, "plugins=visualization,core&readonly=1", {"core", "visualization"}, True),
		(f"{PATH}/readonly", "plugins=external", {"external"}, True),
	],
)
def test_a_url_naming_plugins_serves_exactly_their_tools(path, query, plugins, read_only):
	plugin_of, categories = _plugin_of(), _category_of()
	expected = [
		name
		for name in listed()
		if plugin_of[name] in plugins and (not read_only or categories[name] == "read_only")
	]
	assert expected, "the subset is not empty"
	assert listed(path=path, query=query) == expected
	outside = next(
		name for name in plugin_of if plugin_of[name] not in plugins and categories[name] == "read_only"
	)
	_status, body = call(outside, {}, path=path, query=query)
	assert body["error"]["code"] == FORBIDDEN
	assert "this connection's URL does not serve" in body["error"]["message"]


@pytest.mark.parametrize(
	("path", "query", "named"),
	[
		(f"{PATH}/readonyl", "", "'readonyl'"),
		(f"{PATH}/ReadOnly", "", "'ReadOnly'"),
		(f"{PATH}/readonly/readonly", "", "'readonly'"),
		(f"{PATH}/plugins", "", "'plugins'"),
		(f"{PATH}/plugins/nope", "", "'nope'"),
		(f"{PATH}/plugins/core,", "", "''"),
		(PATH, "read_only=1", "'read_only'"),
		(PATH, "readonly=yes", "readonly must be"),
		(PATH, "plugins=core&plugins=external", "'plugins'"),
		(f"{PATH}/plugins/core", "plugins=external", "not in both"),
	],
)
def test_a_url_naming_anything_unknown_is_refused_400_never_served_in_full(path, query, named):
	status, body, _headers = mcp("tools/list", path=path, query=query)
	assert status == 400
	assert body["error"]["code"] == INVALID_REQUEST
	assert named in body["error"]["message"]


_SEGMENTS = st.one_of(
	st.sampled_from(
		[
			*("readonly", "ReadOnly", "READONLY", "read-only", "read_only", "plugins", "Plugins", "core"),
			*("core,visualization", "external", "nope", "", ".", "..", "readonly ", " readonly"),
			*("%72eadonly", "readonly;", "plugins=core", "core,", ",core", "core,,external", "\u0440eadonly"),
		]
	),
	st.text(max_size=12),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
	segments=st.lists(_SEGMENTS, max_size=5),
	query=st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)), max_size=3),
)
def test_any_spelling_after_the_endpoint_is_either_refused_or_narrower(segments, query):
	"""Property: whatever follows the endpoint, parsing refuses it or narrows the connection; only
	an empty suffix and query serve every tool, and `readonly` as a whole segment is never lost."""
	path = "/".join([PATH, *segments])
	try:
		result = narrowed_url.parse(path, query, KNOWN)
	except narrowed_url.NarrowedUrlError:
		return
	suffix = [s for s in segments if s]
	if suffix or query:
		assert result.read_only or result.plugins is not None, (segments, query, result)
	else:
		assert result == narrowed_url.Narrowing()
	if "readonly" in suffix:
		assert result.read_only
	if result.plugins is not None:
		assert result.plugins <= KNOWN


def test_the_rules_are_in_the_tools_list_cache_key():
	"""A full list, a read-only list and a plugin list of the same user, all committed state:
	three different answers, each served again unchanged."""
	frappe.db.commit()
	answers = [
		tuple(listed(path=p, query=q))
		for p, q in ((PATH, ""), (f"{PATH}/readonly", ""), (PATH, "plugins=core"))
	]
	assert len(set(answers)) == 3
	again = [
		tuple(listed(path=p, query=q))
		for p, q in ((PATH, ""), (f"{PATH}/readonly", ""), (PATH, "plugins=core"))
	]
	assert again == answers
