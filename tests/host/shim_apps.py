"""Each installed app's own entry on the apps screen and the desktop, as on a Frappe bench.

Frappe reads `add_to_apps_screen` and `app_title` of one app at a time (`get_hooks(..., app_name=app)`)
for the apps screen, the landing page after login and the desktop's app icons. The host knows one
app and reads the hooks of all apps merged, so every app would get every app's tile and the first
app's title. Each replacement below does what Frappe does with the app's own hooks; `install` is
called by tests.host.shim once the framework is imported.
"""

from __future__ import annotations

import types


def install(host: types.ModuleType, app_hooks, apps: list[str]) -> None:
	"""Replace the host's apps-screen and desktop-icon functions; `app_hooks(app)` reads one app's hooks."""
	import monoframe.apps as apps_module
	from monoframe.desk.doctype.desktop_icon import desktop_icon
	from monoframe.utils.caching import request_cache

	def screen_entries(app: str) -> list[dict]:
		return app_hooks(app).get("add_to_apps_screen") or []

	# WORKAROUND: get_apps lists the merged add_to_apps_screen of all apps under each app, so the
	# landing page after login is /apps or /desk, never the app's own route.
	def get_apps() -> list[dict]:
		listed = []
		for app in apps[1:]:
			for entry in screen_entries(app):
				permission = entry.get("has_permission")
				if permission and not host.get_attr(permission)():
					continue
				listed.append(
					{
						"name": app,
						"logo": entry.get("logo"),
						"title": host._(entry.get("title")),
						"route": entry.get("route"),
					}
				)
		return listed

	def get_route(app_name: str) -> str:
		entry = next(iter(screen_entries(app_name)), None) if app_name in apps else None
		return (entry and entry.get("route")) or "/apps"

	apps_module.get_apps = host.whitelist()(request_cache(get_apps))
	apps_module.get_route = get_route

	# WORKAROUND: the desktop's app icons are made with the first app's title and tile for every
	# app, so an app's icon is never created (its label exists already).
	def create_desktop_icons_from_installed_apps() -> None:
		for index, app in enumerate(apps):
			entries = screen_entries(app)
			titles = app_hooks(app).get("app_title") or []
			if not entries or not titles:
				continue
			if host.db.exists("Desktop Icon", {"icon_type": "App", "app": app}):
				continue
			if host.db.exists("Desktop Icon", {"label": titles[0], "icon_type": "App"}):
				continue
			icon = host.new_doc("Desktop Icon")
			icon.update(
				{
					"label": titles[0],
					"link_type": "External",
					"idx": index,
					"icon_type": "App",
					"app": app,
					"link": entries[0]["route"],
					"logo_url": entries[0]["logo"],
				}
			)
			icon.save()

	desktop_icon.create_desktop_icons_from_installed_apps = create_desktop_icons_from_installed_apps
