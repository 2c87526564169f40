"""The MCP protocol revisions this server speaks, and what differs between them.

One endpoint serves every revision below. 2026-07-28 is stateless ("modern"): each request
names its revision in `params._meta`, there is no initialize handshake, and results carry
`resultType`. The earlier ones ("legacy") negotiate a revision with `initialize`; their tool and
result shapes grew over time (annotations in 2025-03-26; title, outputSchema and
structuredContent in 2025-06-18). Everything that depends on the revision is read from the
`Revision` record here, so each difference lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

MODERN = "2026-07-28"
# Newest first; the first one is the server's preferred revision.
SUPPORTED_VERSIONS = (MODERN, "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
LEGACY_VERSIONS = SUPPORTED_VERSIONS[1:]
# Streamable HTTP (2025-06-18 on): a request without MCP-Protocol-Version is taken to speak
# 2025-03-26, the revision that introduced the transport and did not define the header.
ASSUMED_VERSION = "2025-03-26"

# Per-request `_meta` keys of 2026-07-28 (basic/index, "Per-request protocol fields").
META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion"
META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"
META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo"
META_SERVER_INFO = "io.modelcontextprotocol/serverInfo"


@dataclass(frozen=True)
class Revision:
	"""What one protocol revision lets the server send."""

	version: str
	#: 2026-07-28 and later: per-request _meta, resultType, cacheable list results.
	modern: bool
	#: Tool.annotations (2025-03-26 on).
	annotations: bool
	#: Tool.title, Implementation.title, Tool.outputSchema and CallToolResult.structuredContent
	#: (2025-06-18 on).
	structured: bool


REVISIONS = {
	version: Revision(
		version=version,
		modern=version >= MODERN,
		annotations=version >= "2025-03-26",
		structured=version >= "2025-06-18",
	)
	for version in SUPPORTED_VERSIONS
}


def negotiate(requested: object) -> str:
	"""The revision initialize answers: the client's when it is a legacy one we speak, else the
	newest legacy revision (2026-07-28 has no initialize, so it is never the answer)."""
	return requested if requested in LEGACY_VERSIONS else LEGACY_VERSIONS[0]
