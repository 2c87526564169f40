"""The audit trail of MCP tool calls: recording (request path), writing, retention and usage stats.

`recorder` builds one FAC Tool Call Log record per tools/call and queues it, `redaction` shapes the
arguments that go into it, `store` writes queued records and applies the retention setting, and
`usage` aggregates the rows for the admin page, the admin API and the bench CLI.
"""
