"""Batch Processing: background bulk operations (under development, no tools yet)."""

from frappe_assistant_core.plugins.base_plugin import BasePlugin


class BatchProcessingPlugin(BasePlugin):
	name = "batch_processing"
	display_name = "Batch Processing"
	description = "Background bulk operations (under development)"
	# Bulk jobs run on Frappe's background workers, which are RQ workers.
	dependencies = ("rq",)
