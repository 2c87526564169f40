"""Core: document CRUD, search, metadata, reports and workflows. Always enabled."""

from frappe_assistant_core.plugins.base_plugin import BasePlugin


class CorePlugin(BasePlugin):
	name = "core"
	display_name = "Core"
	description = "Essential Frappe operations: documents, search, metadata, reports and workflows"
	always_enabled = True
	tools = (
		"document_create",
		"document_get",
		"document_update",
		"document_list",
		"document_delete",
		"search_global",
		"search_doctype",
		"search_link",
		"metadata_doctype",
		"metadata_list_doctypes",
		"metadata_doctype_fields",
		"metadata_permissions",
		"metadata_workflow",
		"report_execute",
		"report_list",
		"report_details",
		"workflow_action",
		"workflow_list",
		"workflow_status",
	)
