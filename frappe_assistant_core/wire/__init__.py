"""What travels over the MCP connection, apart from how a request is handled.

jsonrpc: JSON-RPC envelopes, error codes and the exception table; revisions: the MCP protocol
revisions this server speaks and what differs between them; identity: serverInfo and the
instructions. The protocol (mcp/) and governance both build their answers from these.
"""
