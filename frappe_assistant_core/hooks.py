app_name = "frappe_assistant_core"
app_title = "Frappe Assistant Core"
app_publisher = "Frappe Assistant Core contributors"
app_description = "Expose a Frappe site's capabilities to AI assistants as MCP tools, grouped into plugins"
app_email = "maintainers@frappe-assistant-core.invalid"
app_license = "agpl-3.0"

# The app's logo on the login page and the desk's navbar of a bench whose only other app is the
# framework (Frappe shows an app's app_logo_url when exactly two apps declare one).
app_logo_url = "/assets/frappe_assistant_core/images/logo.svg"

# The apps screen (/apps) and the landing page after login: an administrator opens the FAC Admin
# page; a bench with no other app sends them there straight after logging in.
add_to_apps_screen = [
	{
		"name": "frappe_assistant_core",
		"logo": "/assets/frappe_assistant_core/images/logo.svg",
		"title": "Assistant Core",
		"route": "/app/fac-admin",
		"has_permission": "frappe_assistant_core.api._gate.is_assistant_admin",
	}
]

after_install = "frappe_assistant_core.utils.migration_hooks.after_install"
after_migrate = "frappe_assistant_core.utils.migration_hooks.after_migrate"

# Other apps contribute tools by listing dotted BaseTool class paths under this hook.
assistant_tools = []

# bench clear-cache / frappe.clear_cache(): every worker reloads plugin and tool state.
clear_cache = "frappe_assistant_core.utils.cache.on_clear_cache"

# MCP clients must get WWW-Authenticate on every 401 of the endpoint, also when Frappe refuses
# wrong credentials before the endpoint runs.
after_request = [
	"frappe_assistant_core.mcp.auth.add_authenticate_header",
	# A body Frappe could not parse still gets a JSON-RPC parse error from the MCP endpoint.
	"frappe_assistant_core.mcp.guard.answer_unparsed_body",
]

# OAuth metadata documents are answered at the /.well-known/ locations MCP clients probe (every
# Frappe version routes those elsewhere). The MCP endpoint refuses a foreign Origin (DNS rebinding)
# before Frappe authenticates the request; the app's own endpoints answer without a traceback.
before_request = [
	"frappe_assistant_core.oauth.wellknown.serve",
	# Frappe's OAuth endpoints run with the MCP clients' rules (PKCE S256, loopback redirects, roles
	# that may authorize, RFC 8707 resource); an MCP client's token is refused outside the endpoint.
	"frappe_assistant_core.oauth.gate.before_request",
	"frappe_assistant_core.mcp.guard.reject_foreign_origin",
	"frappe_assistant_core.api.routing.before_request",
]

# Tool call log: queued records are written every scheduler tick, old rows deleted daily. A
# configuration write that bypassed the controllers reaches every worker within a minute.
scheduler_events = {
	"all": ["frappe_assistant_core.audit.store.write_pending"],
	"daily": ["frappe_assistant_core.audit.store.delete_expired"],
	"hourly": ["frappe_assistant_core.governance.decisions.expire_requests"],
	"cron": {"* * * * *": ["frappe_assistant_core.utils.plugin_manager.revalidate_registry"]},
}

# A dry run of a write tool (governance.rehearsal) notes the documents it changes; without one
# running on the request each handler returns at once.
doc_events = {
	"*": {
		"validate": "frappe_assistant_core.governance.rehearsal.note_saved",
		"before_cancel": "frappe_assistant_core.governance.rehearsal.note_cancelled",
		"before_update_after_submit": "frappe_assistant_core.governance.rehearsal.note_updated_after_submit",
		"on_trash": "frappe_assistant_core.governance.rehearsal.note_deleted",
	}
}

# An Assistant User reads only the log rows of their own tool calls.
# An approval request is read by its requester, and by deciders and admins who may read its target.
permission_query_conditions = {
	"FAC Tool Call Log": "frappe_assistant_core.assistant_core.doctype.fac_tool_call_log.fac_tool_call_log.get_permission_query_conditions",
	"FAC Approval Request": "frappe_assistant_core.assistant_core.doctype.fac_approval_request.fac_approval_request.get_permission_query_conditions",
}
has_permission = {
	"FAC Tool Call Log": "frappe_assistant_core.assistant_core.doctype.fac_tool_call_log.fac_tool_call_log.has_permission",
	"FAC Approval Request": "frappe_assistant_core.assistant_core.doctype.fac_approval_request.fac_approval_request.has_permission",
}

# A log row names the document and user of a call; it never stops them from being deleted.
ignore_links_on_delete = ["FAC Tool Call Log", "FAC Approval Request"]
