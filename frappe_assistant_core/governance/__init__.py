"""Governance: what an administrator lets assistants do beyond which tools exist.

Read-only mode and narrowed connection URLs (connection, narrowed_url: rules on top of a user's
access, through core.connection_rules), rate limits (rate_limit), dry runs of write tools
(rehearsal, preview) and approvals (approvals: the user confirms in an MCP 2026-07-28 client
through elicitation, request_state; or an approver decides in the desk, parking, decisions).
Settings live in Assistant Core Settings and FAC Tool Configuration and reach every request
through the plugin manager's snapshot (utils.governance_settings), so a check costs no query.
"""
