"""Create, install into, migrate and drop host sites, with the framework's own code.

`create_site` does what `bench new-site` + `bench install-app` do; `migrate` is `bench migrate`.
Each runs in a fresh process (see __main__) because they re-initialise the framework's globals.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from tests.host import config, shim, site_redis


def _prepare_dirs(db_name: str) -> None:
	site_dir = config.site_dir(db_name)
	site_dir.mkdir(parents=True, exist_ok=True)
	# WORKAROUND: the host's logger writes to ../logs/*.log relative to the site folder and fails
	# with FileNotFoundError when that folder is missing.
	(site_dir.parent / "logs").mkdir(parents=True, exist_ok=True)
	# ... and, once frappe.local.site is set (see shim.init), to <site>/logs/ as on a bench.
	(site_dir / db_name / "logs").mkdir(parents=True, exist_ok=True)
	# The framework reads assets/assets.json and serves /assets/ from its working directory, which
	# on a bench is sites/ with the built assets/ in it.
	assets = site_dir / "assets"
	if not assets.is_symlink():
		assets.symlink_to(config.ASSETS_DIR, target_is_directory=True)
	os.chdir(site_dir)


def create_site(db_name: str, admin_password: str = "admin") -> float:
	"""Create the database of a new site, install the framework, then every app. Returns seconds."""
	started = time.monotonic()
	_prepare_dirs(db_name)
	(config.site_dir(db_name) / "db_type").write_text(os.environ["DB_TYPE"])
	import frappe
	from frappe.installer import install_app as install_framework
	from frappe.installer import install_db

	frappe.init()
	postgres = os.environ["DB_TYPE"] == "postgres"
	install_db(
		root_login=config.PG_ROOT_USER if postgres else config.DB_ROOT_USER,
		root_password=config.PG_ROOT_PASSWORD if postgres else config.DB_ROOT_PASSWORD,
		db_name=db_name,
		db_user=db_name,
		db_password=os.environ["DB_PASSWORD"],
		db_host=os.environ["DB_HOST"],
		db_port=int(os.environ["DB_PORT"]),
		admin_password=admin_password,
		verbose=False,
		force=True,
		# Any host: MariaDB sees TCP clients on 127.0.0.1 as 'localhost' or '127.0.0.1' by config.
		mariadb_user_host_login_scope="%",
	)
	import frappe.installer as installer

	# WORKAROUND: the framework's doc_events fire during its own install and fail with
	# "Table 'tabWorkflow' doesn't exist"; Frappe loads none while installing itself.
	doc_hooks, frappe.get_doc_hooks = frappe.get_doc_hooks, lambda: {}
	# WORKAROUND: add_module_defs for the framework fails with "'Meta' object has no attribute
	# 'istable'"; Frappe skips it for the framework app.
	module_defs, installer.add_module_defs = installer.add_module_defs, lambda *a, **k: None
	try:
		# WORKAROUND: the host's install_app runs the after_install hooks of *every* installed app,
		# so our app's hooks would run before its DocTypes exist: install the framework alone.
		with shim.framework_only():
			# WORKAROUND: force=True, because the host reports the framework as installed already.
			install_framework(frappe.__name__, verbose=False, set_as_patched=True, force=True)
	finally:
		frappe.get_doc_hooks = doc_hooks
		installer.add_module_defs = module_defs
	from frappe.utils import scheduler

	scheduler.toggle_scheduler(False)
	# With no time zone the framework assumes Asia/Kolkata; a site made by the setup wizard has one.
	frappe.db.set_single_value("System Settings", "time_zone", "UTC")
	# ... where the framework's install left Asia/Kolkata in the defaults and on Administrator, which
	# the desk would show beside every time (the setup wizard sets both).
	frappe.db.set_default("time_zone", "UTC")
	frappe.db.set_value("User", "Administrator", "time_zone", "UTC", update_modified=False)
	_mark_setup_complete()
	frappe.db.commit()
	for app in frappe.get_installed_apps()[1:]:
		install_app(app)
	frappe.destroy()
	return time.monotonic() - started


def clone_site(source: str, db_name: str) -> float:
	"""A new MariaDB site as a copy of the site `source`, just created by create_site in this run:
	its own database (mariadb-dump of the source), user, password and folder. What create_site
	spends a minute of CPU on takes seconds; the copy is the same as a site the same code made.
	Returns seconds."""
	started = time.monotonic()
	_prepare_dirs(db_name)
	folder = config.site_dir(db_name)
	(folder / "db_type").write_text("mariadb")
	for files in ("public/files", "private/files"):
		(folder / files).mkdir(parents=True, exist_ok=True)
	_mariadb_root(f"DROP DATABASE IF EXISTS `{db_name}`")
	_mariadb_root(f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	# The user as install_db makes it (mariadb_user_host_login_scope="%"), with the site's password.
	_mariadb_root(
		f"CREATE USER IF NOT EXISTS '{db_name}'@'%%' IDENTIFIED BY %s", (os.environ["DB_PASSWORD"],)
	)
	_mariadb_root(f"GRANT ALL PRIVILEGES ON `{db_name}`.* TO '{db_name}'@'%'")
	login = folder / "admin.cnf"  # the admin's credentials for the two clients, removed at once
	with open(os.open(login, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
		out.write(
			f"[client]\nuser={config.DB_ROOT_USER}\npassword={config.DB_ROOT_PASSWORD}\n"
			f"host={config.DB_HOST}\nport={config.DB_PORT}\n"
		)
	try:
		options = [f"--defaults-extra-file={login}"]
		dump = subprocess.Popen(
			["mariadb-dump", *options, "--single-transaction", "--routines", "--triggers", source],
			stdout=subprocess.PIPE,
		)
		subprocess.run(["mariadb", *options, db_name], stdin=dump.stdout, check=True)
		dump.stdout.close()
		if dump.wait():
			raise RuntimeError(f"mariadb-dump of {source} failed with exit status {dump.returncode}")
	finally:
		login.unlink()
	return time.monotonic() - started


def _mark_setup_complete() -> None:
	"""A bench's new site is finished in the browser by the setup wizard; the host's wizard is not
	usable (its page_js names public/js/monoframe/setup_wizard.js, which the host does not ship), so
	mark the setup done as the wizard's last step does, or the desk opens /app/setup-wizard."""
	from tests.support.site import mark_setup_complete

	mark_setup_complete()


def complete_setup() -> None:
	"""Mark the setup of the site of this process's environment done (sites made before the host
	did it when creating them)."""
	_prepare_dirs(os.environ["DB_NAME"])
	import frappe

	frappe.init()
	frappe.connect()
	try:
		if not frappe.db.get_single_value("System Settings", "setup_complete"):
			_mark_setup_complete()
			frappe.db.commit()
	finally:
		frappe.destroy()


def configure_dev_site() -> None:
	"""What a bench site in use has: the scheduler on (new sites start with it off, as on a bench,
	where `bench enable-scheduler` turns it on) and the site named after the app it serves, so the
	login page and the desk say Frappe Assistant Core rather than the host's own name."""
	_prepare_dirs(os.environ["DB_NAME"])
	import frappe
	from frappe.utils import scheduler

	from frappe_assistant_core.hooks import app_title

	frappe.init()
	frappe.connect()
	try:
		scheduler.enable_scheduler()
		# The login page reads Website Settings first, where the host's install wrote its own name.
		frappe.db.set_single_value("System Settings", "app_name", app_title)
		frappe.db.set_single_value("Website Settings", "app_name", app_title)
		frappe.db.commit()
	finally:
		frappe.destroy()


def install_app(app: str) -> None:
	"""What Frappe's install_app does for an app on a bench (the host only supports itself)."""
	import frappe
	from frappe.core.doctype.scheduled_job_type.scheduled_job_type import sync_jobs
	from frappe.installer import add_module_defs, set_all_patches_as_completed
	from frappe.model.module_utils import sync_customizations
	from frappe.model.sync import sync_for
	from frappe.utils.dashboard import sync_dashboards
	from frappe.utils.fixtures import sync_fixtures

	frappe.flags.in_install = app
	frappe.clear_cache()
	app_hooks = frappe._load_app_hooks(app)
	for fn in app_hooks.get("before_install", []):
		frappe.get_attr(fn)()
	add_module_defs(app, ignore_if_duplicate=True)
	sync_for(app, force=True, reset_permissions=True)
	set_all_patches_as_completed(app)
	for fn in app_hooks.get("after_install", []):
		frappe.get_attr(fn)()
	# Every app's after_app_install (the framework's makes the app's desktop icon).
	for fn in frappe.get_hooks("after_app_install"):
		frappe.get_attr(fn)(app)
	sync_jobs()
	sync_fixtures(app)
	sync_customizations(app)
	sync_dashboards(app)
	frappe.db.commit()
	frappe.clear_cache()
	frappe.flags.in_install = False


def migrate() -> None:
	"""`bench migrate` for the site of this process's environment."""
	_prepare_dirs(os.environ["DB_NAME"])
	from frappe.migrate import SiteMigration

	SiteMigration(skip_search_index=True).run(site=os.environ["DB_NAME"])


def site_exists(db_name: str) -> bool:
	"""The site's database exists and has been installed (its DocType table is there)."""
	if os.environ.get("DB_TYPE") == "postgres":
		found = _postgres_root("postgres", "select 1 from pg_database where datname = %s", (db_name,))
		return bool(found) and bool(
			_postgres_root(db_name, "select to_regclass('public.\"tabDocType\"') is not null")[0][0]
		)
	rows = _mariadb_root(
		"select count(*) from information_schema.tables where table_schema=%s and table_name='tabDocType'",
		(db_name,),
	)
	return bool(rows[0][0])


def drop_site(db_name: str) -> None:
	"""Drop the site's database and user, its Redis keys and its folder. Safe to call twice."""
	if (config.recorded_db_type(db_name) or os.environ.get("DB_TYPE")) == "postgres":
		# A worker a test started may still hold a connection: DROP DATABASE waits for none.
		_postgres_root(
			"postgres",
			"select pg_terminate_backend(pid) from pg_stat_activity where datname = %s",
			(db_name,),
		)
		_postgres_root("postgres", f'DROP DATABASE IF EXISTS "{db_name}"')
		_postgres_root("postgres", f'DROP ROLE IF EXISTS "{db_name}"')
	else:
		_mariadb_root(f"DROP DATABASE IF EXISTS `{db_name}`")
		for host in ("%", "localhost"):
			_mariadb_root(f"DROP USER IF EXISTS '{db_name}'@'{host}'")
	site_redis.drop_site_keys(db_name)
	shutil.rmtree(config.site_dir(db_name), ignore_errors=True)


def _mariadb_root(sql: str, values: tuple = ()) -> tuple:
	import MySQLdb

	conn = MySQLdb.connect(
		host=config.DB_HOST, port=config.DB_PORT, user=config.DB_ROOT_USER, password=config.DB_ROOT_PASSWORD
	)
	try:
		cur = conn.cursor()
		cur.execute(sql, values or None)
		return cur.fetchall()
	finally:
		conn.close()


def _postgres_root(database: str, sql: str, values: tuple = ()) -> list:
	"""Run `sql` as the PostgreSQL superuser in `database`, outside a transaction (DROP DATABASE)."""
	import psycopg2

	conn = psycopg2.connect(
		host=config.PG_HOST,
		port=config.PG_PORT,
		user=config.PG_ROOT_USER,
		password=config.PG_ROOT_PASSWORD,
		dbname=database,
	)
	try:
		conn.autocommit = True
		cur = conn.cursor()
		cur.execute(sql, values or None)
		return cur.fetchall() if cur.description else []
	finally:
		conn.close()
