"""The connection doctor's checks of the site's switches and settings (see oauth/doctor.py): the
MCP server switch, CORS, Origin rules, tracebacks, the scheduler and Frappe's consent setting.

Most of these hit no client family's connection (their records say so); they are what an
administrator should know before letting outside clients in.
"""

from __future__ import annotations

import frappe
from frappe import _

from frappe_assistant_core.oauth.doctor_records import FAIL, OK, WARN, Check, Probe, for_families, site

SETTINGS = "Assistant Core Settings"


def server_switch(probe: Probe) -> Check:
	if frappe.db.get_single_value(SETTINGS, "server_enabled"):
		return Check("server-switch", _("MCP server switch"), OK, _("The MCP server is on"))
	return Check(
		"server-switch",
		_("MCP server switch"),
		FAIL,
		_("The MCP server is off: every client gets 503"),
		_("Assistant Core Settings > Enable MCP Server"),
	)


def cors(probe: Probe) -> Check:
	allowed = frappe.conf.get("allow_cors")
	title = _("CORS for browser-based clients")
	if allowed:
		return Check("cors", title, OK, _("allow_cors: {0}").format(allowed))
	return Check(
		"cors",
		title,
		WARN,
		_(
			"allow_cors is not set: the metadata documents allow every origin, but clients running in a "
			"browser page (MCP Inspector, web IDEs) cannot read the token endpoint's answer; Claude, "
			"ChatGPT, Claude Code and n8n are not affected"
		),
		_(
			"bench --site {0} set-config --parse allow_cors '[\"https://the-client-origin\"]' (or: allow_cors '*')"
		).format(site()),
		for_families(),
	)


def origins(probe: Probe) -> Check:
	listed = str(frappe.db.get_single_value(SETTINGS, "mcp_allowed_origins") or "").split()
	configured = frappe.conf.get("mcp_allowed_origins") or []
	listed += configured.split() if isinstance(configured, str) else list(configured)
	detail = _("Clients that send no Origin (Claude, ChatGPT, Claude Code, n8n) pass")
	if listed:
		detail += "; " + _("browser pages allowed: {0}").format(", ".join(listed))
	return Check("origins", _("Origin rules"), OK, detail)


def tracebacks(probe: Probe) -> list[Check]:
	found = []
	if frappe.get_system_settings("allow_error_traceback"):
		found.append(
			Check(
				"error-traceback",
				_("Allow Error Traceback"),
				WARN,
				_("On: clients receive server tracebacks with code and paths"),
				_("System Settings > Allow Error Traceback: off"),
				for_families(),
			)
		)
	else:
		found.append(Check("error-traceback", _("Allow Error Traceback"), OK, _("Off")))
	if frappe.conf.get("developer_mode"):
		found.append(
			Check(
				"developer-mode",
				_("Developer mode"),
				WARN,
				_("On: errors carry tracebacks; not for a site clients reach from outside"),
				_("bench --site {0} set-config developer_mode 0").format(site()),
				for_families(),
			)
		)
	return found


def scheduler(probe: Probe) -> Check:
	# What frappe.utils.scheduler.is_scheduler_inactive() reads, named so the fix can be exact.
	if frappe.conf.get("maintenance_mode") or frappe.conf.get("pause_scheduler"):
		fix = _("bench --site {0} set-config pause_scheduler 0 (and maintenance_mode 0)").format(site())
	elif frappe.conf.get("disable_scheduler") or not frappe.db.get_single_value(
		"System Settings", "enable_scheduler"
	):
		fix = _("bench --site {0} enable-scheduler").format(site())
	else:
		return Check("scheduler", _("Scheduler (tool call log)"), OK, _("Enabled"))
	return Check(
		"scheduler",
		_("Scheduler (tool call log)"),
		WARN,
		_("Inactive: tool calls are queued but never written to the FAC Tool Call Log"),
		fix,
		for_families(),
	)


def consent(probe: Probe) -> Check:
	mode = frappe.db.get_single_value("OAuth Provider Settings", "skip_authorization")
	if mode != "Auto":
		return Check("consent", _("Consent page"), OK, _("Every new client asks the user to allow it"))
	return Check(
		"consent",
		_("Consent page"),
		WARN,
		_("OAuth Provider Settings skips consent (Auto) for any client once the user holds any active token"),
		_("OAuth Provider Settings > Skip Authorization: Force"),
		for_families(),
	)
