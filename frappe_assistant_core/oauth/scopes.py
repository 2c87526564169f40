"""The OAuth scopes of the MCP endpoint and what each lets a token reach.

Scopes rank tools by their risk category (utils.tool_categories): `mcp:read` reaches read-only
tools, `mcp:write` adds tools that create or change documents, `mcp:privileged` adds privileged
tools (deleting, cancelling, raw SQL, code); `mcp` is every tool the user may use. A token holds
the highest rank among its MCP scopes; a token with none of them is refused by the endpoint. The
user's own roles and every other connection rule still apply: scopes only ever take tools away.
"""

from __future__ import annotations

MCP = "mcp"
READ = "mcp:read"
WRITE = "mcp:write"
PRIVILEGED = "mcp:privileged"

#: Every MCP scope, broadest first (published as scopes_supported; offline_access is not one).
ALL = (MCP, READ, WRITE, PRIVILEGED)
#: The scope a client asks for when it knows nothing better (the 401 challenge names it).
DEFAULT = MCP

#: How far each scope reaches, in tool_categories.CATEGORY_RANK terms.
RANK = {READ: 0, WRITE: 1, PRIVILEGED: 2, MCP: 2}
#: The narrowest scope that reaches a tool of each category (unknown categories: privileged).
NEEDED = {"read_only": READ, "write": WRITE, "read_write": WRITE, "privileged": PRIVILEGED}


def parse(scope: str | None) -> tuple[str, ...]:
	"""The scopes of a space-separated scope string (OAuth's syntax), in order, each once."""
	return tuple(dict.fromkeys((scope or "").split()))


def mcp_rank(scopes: tuple[str, ...] | list[str]) -> int | None:
	"""The highest rank among `scopes`' MCP scopes; None when there is no MCP scope."""
	ranks = [RANK[scope] for scope in scopes if scope in RANK]
	return max(ranks) if ranks else None


def needed_for(category: str | None) -> str:
	"""The narrowest scope that reaches a tool of `category`."""
	return NEEDED.get(category or "", PRIVILEGED)


def reaches(scopes: tuple[str, ...] | list[str], category: str | None) -> bool:
	"""Whether a token holding `scopes` may reach a tool of `category`."""
	rank = mcp_rank(scopes)
	return rank is not None and rank >= RANK[needed_for(category)]
