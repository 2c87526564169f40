"""Command line of the test host: `python -m tests.host COMMAND SITE [...]`.

new-site, migrate, drop-site, serve, worker, schedule and bench mirror `bench new-site` +
`install-app`, `bench migrate`, `bench drop-site`, `bench serve`, `bench worker`, `bench schedule`
and `bench --site SITE <app command>`.
Every command runs with the site's environment (tests.host.config.site_env); `--db-type postgres`
makes a new site on PostgreSQL, and an existing site stays on the database it was created on.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.host import config  # noqa: E402


def _enter_site(site: str, apps: str | None, db_type: str | None) -> None:
	apps = apps or os.environ.get("FAC_HOST_APPS", "frappe_assistant_core")
	os.environ.update(config.site_env(site, apps, db_type))
	from tests.host import bootstrap

	bootstrap.activate()


def main(argv: list[str] | None = None) -> int:
	parser = argparse.ArgumentParser(prog="python -m tests.host")
	parser.add_argument("--apps", help="comma separated apps to install (default: frappe_assistant_core)")
	parser.add_argument(
		"--db-type",
		choices=("mariadb", "postgres"),
		help="database of a new site (default: FAC_TEST_DB_TYPE, else mariadb); an existing site keeps its own",
	)
	sub = parser.add_subparsers(dest="command", required=True)
	for name in ("new-site", "migrate", "drop-site", "schedule"):
		sub.add_parser(name).add_argument("site")
	clone = sub.add_parser("clone-site", help="a new MariaDB site as a copy of SOURCE (a fresh site)")
	clone.add_argument("source")
	clone.add_argument("site")
	ensure = sub.add_parser("ensure-site", help="create the site, or migrate it if it exists")
	ensure.add_argument("site")
	ensure.add_argument(
		"--dev", action="store_true", help="then turn its scheduler on and name it after the app"
	)
	worker = sub.add_parser("worker")
	worker.add_argument("site")
	worker.add_argument("--queue", default="short,default,long")
	serve = sub.add_parser("serve")
	serve.add_argument("site")
	serve.add_argument("--host", default="127.0.0.1")
	serve.add_argument("--port", type=int, default=8000)
	serve.add_argument("--workers", type=int, default=2)
	bench = sub.add_parser("bench", help="run an app's bench command: bench SITE fac plugins")
	bench.add_argument("site")
	bench.add_argument("args", nargs=argparse.REMAINDER)
	args = parser.parse_args(argv)

	if (
		args.command in ("migrate", "serve", "bench", "worker", "schedule")
		and not config.site_dir(args.site).is_dir()
	):
		parser.exit(2, f"{parser.prog}: no host site {args.site} (create it with `new-site {args.site}`)\n")
	_enter_site(args.site, args.apps, args.db_type)
	from tests.host import site as host_site

	if args.command == "new-site":
		seconds = host_site.create_site(args.site)
		print(f"Site {args.site} created with apps {os.environ['FAC_HOST_APPS']} in {seconds:.1f}s")
	elif args.command == "clone-site":
		seconds = host_site.clone_site(args.source, args.site)
		print(f"Site {args.site} copied from {args.source} in {seconds:.1f}s")
	elif args.command == "migrate":
		host_site.migrate()
	elif args.command == "drop-site":
		host_site.drop_site(args.site)
	elif args.command == "ensure-site":
		if host_site.site_exists(args.site):
			host_site.migrate()
			host_site.complete_setup()
			print(f"Site {args.site} exists: migrated")
		else:
			seconds = host_site.create_site(args.site)
			print(f"Site {args.site} created in {seconds:.1f}s")
		if args.dev:
			host_site.configure_dev_site()
	elif args.command in ("worker", "schedule"):
		from tests.host import processes

		if args.command == "worker":
			return processes.run_worker(args.site, args.queue)
		return processes.run_scheduler(args.site)
	elif args.command == "serve":
		return _serve(args)
	elif args.command == "bench":
		return _bench(args.site, args.args)
	return 0


def _serve(args) -> int:
	"""Serve the site with gunicorn, several worker processes, bound to loopback only."""
	site_dir = config.site_dir(args.site)
	argv = [
		sys.executable, "-m", "gunicorn",
		"--workers", str(args.workers),
		"--bind", f"{args.host}:{args.port}",
		# gunicorn 27 otherwise creates ~/.gunicorn/gunicorn.ctl
		"--no-control-socket",
		"--chdir", str(site_dir),
		"--pythonpath", str(REPO),
		"--timeout", "120",
		"tests.host.wsgi:application",
	]  # fmt: skip
	os.execv(sys.executable, argv)


def _bench(site: str, args: list[str]) -> int:
	"""Invoke the apps' click commands as bench does, with the site in the context object."""
	import click
	import frappe

	from tests.host import shim

	commands = []
	for app in shim.APPS[1:]:
		try:
			module = __import__(f"{app}.commands", fromlist=["commands"])
		except ModuleNotFoundError:
			continue
		commands.extend(getattr(module, "commands", []))
	group = click.Group("bench", commands={c.name: c for c in commands})
	os.chdir(config.site_dir(site))
	try:
		return (
			group.main(args=args, prog_name="bench", obj=frappe._dict(sites=[site]), standalone_mode=False)
			or 0
		)
	except click.ClickException as error:  # a bad option or argument: one line, no traceback
		ctx = getattr(error, "ctx", None)
		hint = f" (see `{ctx.command_path} --help`)" if ctx else ""
		click.echo(f"Error: {error.format_message()}{hint}", err=True)
		return error.exit_code
	except click.Abort:
		click.echo("Aborted!", err=True)
		return 1


if __name__ == "__main__":
	sys.exit(main())
