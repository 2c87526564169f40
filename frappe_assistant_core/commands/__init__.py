"""bench CLI: `bench --site SITE fac plugins|enable|disable|tools|tool ...|sync|usage|read-only`.

Each command runs the same code and rules as the admin API, as Administrator, and commits
(commands/_runner.py); the per-tool commands are in commands/tool_commands.py, `read-only` in
commands/governance_commands.py.
"""

from __future__ import annotations

import click
import frappe

from frappe_assistant_core.commands._runner import on_each_site as _on_each_site
from frappe_assistant_core.commands._runner import table as _table
from frappe_assistant_core.commands.doctor_command import doctor
from frappe_assistant_core.commands.tool_commands import tool


@click.group("fac")
def fac():
	"""Frappe Assistant Core plugins and tools."""


@fac.command("plugins")
@click.pass_context
def list_plugins(ctx):
	"""List plugins with their state and tool count."""

	def action():
		from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

		rows = [
			(
				p["name"],
				p["display_name"],
				"enabled" if p["loaded"] else "disabled",
				str(len(p["tools"])),
				p["validation_error"] or "",
			)
			for p in get_plugin_manager().get_discovered_plugins()
		]
		_table(("plugin", "display name", "state", "tools", "problem"), rows)

	_on_each_site(ctx, action)


@fac.command("enable")
@click.argument("plugin_name")
@click.pass_context
def enable(ctx, plugin_name):
	"""Enable a plugin."""
	_on_each_site(ctx, lambda: _toggle(plugin_name, True))


@fac.command("disable")
@click.argument("plugin_name")
@click.pass_context
def disable(ctx, plugin_name):
	"""Disable a plugin (core cannot be disabled)."""
	_on_each_site(ctx, lambda: _toggle(plugin_name, False))


@fac.command("tools")
@click.option("--plugin", "plugin_name", help="only the tools of this plugin")
@click.pass_context
def list_tools(ctx, plugin_name):
	"""List tools with plugin, category and state."""

	def action():
		from frappe_assistant_core.api.admin_tools import get_tool_configurations

		tools = get_tool_configurations()["tools"]
		if plugin_name:
			from frappe_assistant_core.utils.plugin_manager import get_plugin_manager

			if plugin_name != "external":
				get_plugin_manager().get_plugin(plugin_name)
			tools = [t for t in tools if t["plugin_name"] == plugin_name]
		rows = [
			(
				t["name"],
				t["plugin_name"],
				t["category"],
				"active" if t["effectively_enabled"] else ("enabled" if t["enabled"] else "disabled"),
				t["role_access_mode"],
			)
			for t in tools
		]
		_table(("tool", "plugin", "category", "state", "access"), rows)

	_on_each_site(ctx, action)


@fac.command("sync")
@click.pass_context
def sync(ctx):
	"""Create and delete configuration rows to match the code (what migrate does)."""

	def action():
		from frappe_assistant_core.utils.config_sync import sync_all

		sync_all()

	_on_each_site(ctx, action)


@fac.command("usage")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366), help="window in days")
@click.pass_context
def usage(ctx, days):
	"""Tool calls per tool and busiest users from the FAC Tool Call Log (queued calls written first)."""

	def action():
		from frappe_assistant_core.audit.store import write_pending
		from frappe_assistant_core.audit.usage import usage_stats

		write_pending()
		stats = usage_stats(days)
		click.echo(
			f"Tool calls in the last {days} days (since {stats['since']}): "
			f"{_counted(stats['total_calls'], 'call')}, "
			f"{stats['error_calls']} not successful ({_percent(stats['error_rate'])}), "
			f"{_counted(stats['user_count'], 'user')}, {_counted(stats['tool_count'], 'tool')}"
		)
		from frappe_assistant_core.governance.rate_limit import refusals

		if refused := refusals(days)["total"]:
			click.echo(f"Refused by rate limits (not logged): {refused} calls")
		if not stats["total_calls"]:
			return
		click.echo("")
		rows = [
			(
				t["tool"],
				t["plugin"] or "-",
				str(t["calls"]),
				str(t["errors"]),
				_percent(t["error_rate"]),
				_ms(t["p50_ms"]),
				_ms(t["p95_ms"]),
				t["last_call"][:19],
			)
			for t in stats["tools"]
		]
		_table(("tool", "plugin", "calls", "errors", "error rate", "p50 ms", "p95 ms", "last call"), rows)
		click.echo("")
		users = [(u["user"], str(u["calls"]), str(u["errors"])) for u in stats["users"]]
		_table(("user", "calls", "errors"), users)

	_on_each_site(ctx, action)


@fac.command("read-only")
@click.argument("state", required=False, type=click.Choice(["on", "off"]))
@click.option(
	"--role", help="switch read-only for this role only (Assistant Core Settings > Read-only Roles)"
)
@click.pass_context
def read_only(ctx, state, role):
	"""Show, or switch on or off, read-only mode for the site or for one role."""

	def action():
		from frappe_assistant_core.commands.governance_commands import read_only_mode

		frappe.set_user("Administrator")
		click.echo(read_only_mode(state, role))

	_on_each_site(ctx, action)


def _counted(count: int, noun: str) -> str:
	return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _percent(rate: float) -> str:
	return f"{rate * 100:.1f}%"


def _ms(value: float | None) -> str:
	return "-" if value is None else f"{value:.1f}"


def _toggle(plugin_name: str, enable: bool) -> None:
	from frappe_assistant_core.api.admin_plugins import toggle_plugin

	frappe.set_user("Administrator")
	click.echo(toggle_plugin(plugin_name, enable)["message"])


fac.add_command(tool)
# `fac doctor`, the connection doctor: commands/doctor_command.py.
fac.add_command(doctor)

commands = [fac]
