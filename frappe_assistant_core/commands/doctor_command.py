"""`bench --site SITE fac doctor`: the connection doctor (oauth/doctor.py) on the command line.

One line per check (ok / warn / fail, what was found, the fix), then one verdict per client family;
the command exits 1 when any check fails on any site.
"""

from __future__ import annotations

import click

from frappe_assistant_core.commands._runner import on_each_site

_COLORS = {"ok": "green", "warn": "yellow", "fail": "red"}


@click.command("doctor")
@click.option(
	"--no-fetch",
	is_flag=True,
	help="render the metadata documents in this process instead of fetching them from the site's URL",
)
@click.pass_context
def doctor(ctx, no_fetch):
	"""Check what an outside MCP client (Claude, ChatGPT, Claude Code, n8n) will see of the site."""
	failed = []

	def action():
		from frappe_assistant_core.oauth.doctor import FAIL, lines, report

		result = report(fetch=not no_fetch)
		for line in lines(result):
			click.secho(line, fg=_COLORS.get(line.split(" ", 1)[0]))
		if result["status"] == FAIL:
			failed.append(True)

	on_each_site(ctx, action)
	if failed:
		raise click.exceptions.Exit(1)
