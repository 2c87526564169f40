"""Which tools a site starts with switched on: those that only read.

ERPNext MCP servers ship every write off and let an administrator turn writes on; a fresh site
here does the same. A tool the site has never seen (the install's first sync, a tool a new app or
version adds later, or one a migrate has not reached yet) starts enabled only when its category
is read_only; write, read_write and privileged tools start disabled until an administrator
enables them. Plugins keep the guide's states (core always on, a new plugin enabled), and a row
an administrator has set is never changed by a migrate.
"""

from __future__ import annotations

READ_ONLY = "read_only"


def starts_enabled(category: str | None) -> bool:
	"""The switch of a tool without a configuration row yet."""
	return category == READ_ONLY
