"""OAuth 2.1 for the MCP endpoint, on Frappe's own OAuth 2 provider (see docs/oauth.md)."""
