"""bench CLI for one tool: `bench --site SITE fac tool show|enable|disable|category|roles ...`.

Each command calls the admin API function the FAC Admin page calls (api/admin_tools.py), so the
same rules hold: an unknown tool or role is refused, a category can be raised above the detected
one but never lowered below it, a role restriction names desk roles. A refusal is one line and exit
status 1; nothing is changed.
"""

from __future__ import annotations

import click

from frappe_assistant_core.commands._runner import OneLineUsage, on_each_site


@click.group("tool")
def tool():
	"""One tool: its switch, category and role access."""


@tool.command("show", cls=OneLineUsage)
@click.argument("tool_name")
@click.pass_context
def show(ctx, tool_name):
	"""Show a tool's plugin, state, category and role access."""
	on_each_site(ctx, lambda: _show(tool_name))


@tool.command("enable", cls=OneLineUsage)
@click.argument("tool_names", nargs=-1, required=True)
@click.pass_context
def enable(ctx, tool_names):
	"""Switch tools on (all names are checked before any changes)."""
	on_each_site(ctx, lambda: _toggle(tool_names, True))


@tool.command("disable", cls=OneLineUsage)
@click.argument("tool_names", nargs=-1, required=True)
@click.pass_context
def disable(ctx, tool_names):
	"""Switch tools off: they leave MCP tools/list at once."""
	on_each_site(ctx, lambda: _toggle(tool_names, False))


@tool.command("category", cls=OneLineUsage)
@click.argument("tool_name")
@click.argument("category", required=False)
@click.option("--detected", is_flag=True, help="drop the override: back to the detected category")
@click.pass_context
def category(ctx, tool_name, category, detected):
	"""Set a tool's category (read_only, write, read_write, privileged), never below the detected one."""
	if bool(category) == detected:
		raise click.UsageError("Give a CATEGORY, or --detected to go back to the detected one")
	on_each_site(ctx, lambda: _category(tool_name, category, detected))


@tool.command("roles", cls=OneLineUsage)
@click.argument("tool_name")
@click.argument("roles", nargs=-1)
@click.option("--all", "allow_all", is_flag=True, help="every user who may use the assistant")
@click.pass_context
def roles(ctx, tool_name, roles, allow_all):
	"""Restrict a tool to these roles (System Managers keep it), or --all to allow every user."""
	if bool(roles) == allow_all:
		raise click.UsageError("Give one or more ROLES, or --all to allow every user")
	on_each_site(ctx, lambda: _roles(tool_name, list(roles), allow_all))


def _toggle(names: tuple[str, ...], enable: bool) -> None:
	from frappe_assistant_core.api.admin_tools import bulk_toggle_tools, toggle_tool

	if len(names) == 1:
		click.echo(toggle_tool(tool_name=names[0], enable=enable)["message"])
	else:
		click.echo(bulk_toggle_tools(tool_names=list(names), enable=enable)["message"])


def _category(tool_name: str, category: str | None, detected: bool) -> None:
	from frappe_assistant_core.api.admin_tools import update_tool_category

	if detected:
		result = update_tool_category(tool_name=tool_name, override=False)
	else:
		result = update_tool_category(tool_name=tool_name, category=category, override=True)
	click.echo(result["message"])


def _roles(tool_name: str, roles: list[str], allow_all: bool) -> None:
	from frappe_assistant_core.api.admin_tools import update_tool_role_access
	from frappe_assistant_core.utils.plugin_persistence import RESTRICTED

	mode = "Allow All" if allow_all else RESTRICTED
	click.echo(update_tool_role_access(tool_name=tool_name, role_access_mode=mode, roles=roles)["message"])
	_print_access(_configuration(tool_name))


def _show(tool_name: str) -> None:
	config = _configuration(tool_name)
	state = "active" if config["effectively_enabled"] else ("enabled" if config["enabled"] else "disabled")
	if config["enabled"] and not config["plugin_enabled"]:
		state += f" (plugin {config['plugin_name']} is disabled)"
	detected = config["auto_detected_category"]
	category = config["category"] + (
		f" (override; detected {detected})" if config["category_override"] else ""
	)
	for label, value in (
		("tool", config["name"]),
		("plugin", config["plugin_name"]),
		("source app", config["source_app"]),
		("state", state),
		("category", category),
	):
		click.echo(f"{label + ':':<13}{value}")
	_print_access(config)
	click.echo(f"{'description:':<13}{config['description']}")


def _print_access(config: dict) -> None:
	allowed = [row["role"] for row in config["roles"] if row["allow_access"]]
	access = config["role_access_mode"] + (f": {', '.join(allowed)}" if allowed else "")
	click.echo(f"{'access:':<13}{access}")


def _configuration(tool_name: str) -> dict:
	"""The tool's entry of get_tool_configurations (ToolNotFoundError for an unknown name)."""
	import frappe
	from frappe import _

	from frappe_assistant_core.api._gate import parse_name
	from frappe_assistant_core.api.admin_tools import get_tool_configurations
	from frappe_assistant_core.exceptions import ToolNotFoundError

	name = parse_name(tool_name, "tool_name")
	found = next((t for t in get_tool_configurations()["tools"] if t["name"] == name), None)
	if found is None:
		frappe.throw(
			_("Tool {0} not found").format(frappe.bold(name)), ToolNotFoundError, title=_("Unknown tool")
		)
	return found
