app_name = "fac_test_tools"
app_title = "FAC Test Tools"
app_publisher = "tests"
app_description = "Contributes assistant tools for the test suite"
app_license = "agpl-3.0"

assistant_tools = [
	"fac_test_tools.tools.TestEcho",
	"fac_test_tools.tools.TestCreateTodo",
	"fac_test_tools.tools.TestSimpleText",
	"fac_test_tools.tools.TestErrorHandling",
	# Collides with the core plugin's tool of the same name: must be refused, never shadow it.
	"fac_test_tools.tools.ShadowDocumentGet",
]

# tests/test_dry_run.py: a FAC Test Order saved with the probe's remarks leaves one of each side
# effect a dry run must drop (jobs, a deferred insert, realtime, flags).
doc_events = {"FAC Test Order": {"on_update": "fac_test_tools.dry_run_probe.on_update"}}

# tests/test_endpoint_doors.py: a name another app maps onto the MCP endpoint.
override_whitelisted_methods = {
	"fac_test_tools.doors.mcp": "frappe_assistant_core.api.fac_endpoint.handle_mcp"
}
