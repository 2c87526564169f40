"""The Model Context Protocol server of Frappe Assistant Core (SPEC §11).

protocol: JSON-RPC envelopes, error codes and the exception table; auth: who may call and the
server switch; server: Streamable HTTP verbs, version negotiation and method dispatch; tools:
tools/list and tools/call through core.tool_registry. The HTTP entry point is
frappe_assistant_core.api.fac_endpoint.handle_mcp.
"""
