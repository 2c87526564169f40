"""Narrowed connection URLs: the MCP endpoint reached with a path or query naming a subset.

Claude and ChatGPT connectors take a URL and nothing else (no custom headers), so a second
connector with a narrower URL is how one site is added twice, read-only and full. Frappe routes
`/api/method/<method>/<anything>` (and `/api/v1/method/...`) to the method, keeping the path, so:

	.../handle_mcp/readonly                      only read-only tools
	.../handle_mcp/plugins/core,visualization    only the tools of these plugins
	.../handle_mcp/plugins/core/readonly         both (any order)
	.../handle_mcp?readonly=1&plugins=core       the same as a query string

Parsing is strict: an unknown segment, key or plugin name, an option given twice or plugins named
in both the path and the query is refused, never read as "no limit", so a typo cannot widen a
connection. The result is a `Narrowing` value; governance.connection turns it into rules.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from frappe import _

METHOD_SEGMENT = "frappe_assistant_core.api.fac_endpoint.handle_mcp"
READ_ONLY = "readonly"
PLUGINS = "plugins"
_TRUE = frozenset({"", "1", "true"})
_FALSE = frozenset({"0", "false"})


@dataclass(frozen=True)
class Narrowing:
	"""What a URL asks for: read-only tools only, and/or only the tools of some plugins."""

	read_only: bool = False
	#: Plugin names (and "external" for other apps' tools); None: every plugin.
	plugins: frozenset[str] | None = None


class NarrowedUrlError(ValueError):
	"""The URL names something this endpoint does not know; the message says what and why."""


def parse(path: str, query: Iterable[tuple[str, str]], known_plugins: Collection[str]) -> Narrowing:
	"""The narrowing `path` (after the method segment) and `query` (key, value pairs) ask for.

	:param known_plugins: names a URL may list (discovered plugins and "external")
	:raises NarrowedUrlError: anything not exactly one of the documented shapes
	"""
	read_only, plugins = _from_path(_suffix(path), known_plugins)
	query_read_only, query_plugins = _from_query(list(query), known_plugins)
	if plugins is not None and query_plugins is not None:
		raise NarrowedUrlError(_("Name the plugins in the path or in the query, not in both"))
	return Narrowing(read_only or query_read_only, plugins if plugins is not None else query_plugins)


def _suffix(path: str) -> list[str]:
	segments = path.split("/")
	if METHOD_SEGMENT not in segments:
		return []
	return [s for s in segments[segments.index(METHOD_SEGMENT) + 1 :] if s]


def _from_path(segments: list[str], known: Collection[str]) -> tuple[bool, frozenset[str] | None]:
	read_only, plugins = False, None
	position = 0
	while position < len(segments):
		segment = segments[position]
		if segment == READ_ONLY and not read_only:
			read_only = True
		elif segment == PLUGINS and plugins is None and position + 1 < len(segments):
			position += 1
			plugins = _plugin_names(segments[position], known)
		else:
			raise NarrowedUrlError(
				_(
					"This MCP URL has an unknown or repeated part {0}: after the endpoint it may name {1} and {2}"
				).format(repr(segment[:60]), READ_ONLY, f"{PLUGINS}/<plugin>,<plugin>")
			)
		position += 1
	return read_only, plugins


def _from_query(pairs: list[tuple[str, str]], known: Collection[str]) -> tuple[bool, frozenset[str] | None]:
	keys = [key for key, _value in pairs]
	for key in keys:
		if key not in (READ_ONLY, PLUGINS) or keys.count(key) > 1:
			raise NarrowedUrlError(
				_(
					"This MCP URL has an unknown or repeated query parameter {0}: it may name {1} and {2}"
				).format(repr(key[:60]), READ_ONLY, PLUGINS)
			)
	values = dict(pairs)
	read_only = values.get(READ_ONLY)
	if read_only is not None and read_only.lower() not in _TRUE | _FALSE:
		raise NarrowedUrlError(
			_("readonly must be 1 or true (or 0 / false), not {0}").format(repr(read_only[:20]))
		)
	plugins = values.get(PLUGINS)
	return (
		read_only is not None and read_only.lower() in _TRUE,
		_plugin_names(plugins, known) if plugins is not None else None,
	)


def _plugin_names(value: str, known: Collection[str]) -> frozenset[str]:
	names = value.split(",")
	for name in names:
		if name not in known:
			raise NarrowedUrlError(
				_("This MCP URL names {0}, which is not a plugin of this site (known: {1})").format(
					repr(name[:60]), ", ".join(sorted(known))
				)
			)
	return frozenset(names)
