"""What every `bench fac` command shares: run an action on each site, print a table.

An action runs as Administrator with the site connected and commits; a refusal of the admin API
(validation, unknown name, permission) rolls back and prints one line `SITE: message`, and the
command then exits 1.
"""

from __future__ import annotations

from collections.abc import Callable

import click
import frappe


def sites(ctx: click.Context) -> list[str]:
	obj = ctx.obj or {}
	found = getattr(obj, "sites", None) or (obj.get("sites") if isinstance(obj, dict) else None)
	if not found:
		raise click.UsageError("Pass the site: bench --site SITE fac ...")
	return list(found)


def on_each_site(ctx: click.Context, action: Callable[[], None]) -> None:
	failed = False
	for site in sites(ctx):
		frappe.init(site=site)
		frappe.connect()
		try:
			frappe.set_user("Administrator")
			action()
			frappe.db.commit()
		except (frappe.ValidationError, frappe.DoesNotExistError, frappe.PermissionError) as exc:
			frappe.db.rollback()
			click.secho(f"{site}: {_one_line(exc)}", fg="red", err=True)
			failed = True
		finally:
			frappe.destroy()
	if failed:
		raise click.exceptions.Exit(1)


def table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
	widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
	for row in (headers, *rows):
		click.echo(
			"  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
		)


def _one_line(exc: Exception) -> str:
	return " ".join(frappe.utils.strip_html(str(exc)).split())


class OneLineUsage(click.Command):
	"""A command whose bad input (a missing argument, an unknown option) is reported on one line,
	`Error: ...`, without the usage block click prints above it."""

	def make_context(self, info_name, args, parent=None, **extra):
		try:
			return super().make_context(info_name, args, parent=parent, **extra)
		except click.UsageError as exc:
			exc.ctx = None
			raise

	def invoke(self, ctx):
		try:
			return super().invoke(ctx)
		except click.UsageError as exc:
			exc.ctx = None
			raise
