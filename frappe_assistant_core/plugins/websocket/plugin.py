"""WebSocket: real-time communication with assistants (under development, no tools yet)."""

from frappe_assistant_core.plugins.base_plugin import BasePlugin


class WebSocketPlugin(BasePlugin):
	name = "websocket"
	display_name = "WebSocket"
	description = "Real-time communication (under development)"
	# Frappe's realtime layer pushes events through Redis pub/sub with this client.
	dependencies = ("redis",)
	requires_restart = True
