"""The Model Context Protocol server of Frappe Assistant Core (SPEC §11).

auth: who may call and the server switch; guard: what is refused before a message is read; server: Streamable HTTP verbs, version negotiation and method dispatch; tools:
tools/list and tools/call through core.tool_registry. The HTTP entry point is
frappe_assistant_core.api.fac_endpoint.handle_mcp. The messages themselves (JSON-RPC envelopes,
revisions, server identity) are in wire/; `protocol` re-exports the JSON-RPC names.
"""
