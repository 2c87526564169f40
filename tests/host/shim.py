"""Make the test host behave like a multi-app Frappe bench.

The host (`monoframe`, Frappe's own code renamed and cut down to one app) is imported under the
name `frappe`, and the few functions it hard-codes to a single app are replaced so that the apps
named in FAC_HOST_APPS are installed apps whose hooks, modules, DocTypes and patches the framework
loads with its own code. Each replacement below names the error or wrong behaviour it avoids.
Importing this module is idempotent; `tests.host.bootstrap` imports it before anything else.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import inspect
import os
import sys
import types

HOST = "monoframe"


class _AliasLoader(importlib.abc.Loader):
	"""Load `frappe.x` as the very same module object as `monoframe.x`."""

	def __init__(self, real_name: str):
		self.real_name = real_name
		self._real_spec = None

	def create_module(self, spec):
		module = importlib.import_module(self.real_name)
		self._real_spec = module.__spec__
		return module

	def exec_module(self, module):
		# importlib has just replaced __spec__ with the alias spec; give the module its own back,
		# or relative imports inside the framework resolve against `frappe` and load twice.
		module.__spec__ = self._real_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
	def find_spec(self, fullname, path, target=None):
		if fullname != "frappe" and not fullname.startswith("frappe."):
			return None
		real = HOST + fullname[len("frappe") :]
		if real in sys.modules:
			is_package = hasattr(sys.modules[real], "__path__")
		else:
			try:
				real_spec = importlib.util.find_spec(real)
			except ModuleNotFoundError:
				return None
			if real_spec is None:
				return None
			is_package = real_spec.submodule_search_locations is not None
		return importlib.util.spec_from_loader(fullname, _AliasLoader(real), is_package=is_package)


def installed_apps() -> list[str]:
	"""The apps of this host site, framework first (FAC_HOST_APPS, comma separated)."""
	extra = os.environ.get("FAC_HOST_APPS", "frappe_assistant_core")
	return [HOST, *[a.strip() for a in extra.split(",") if a.strip()]]


# The one list every replaced function reads; `framework_only` empties it for a while.
APPS: list[str] = installed_apps()


@contextlib.contextmanager
def framework_only():
	"""Act as a bench with no app but the framework (used while the framework installs itself)."""
	saved = APPS[:]
	APPS[:] = [HOST]
	try:
		yield
	finally:
		APPS[:] = saved


def _install() -> None:
	if any(isinstance(f, _AliasFinder) for f in sys.meta_path):
		return
	sys.meta_path.insert(0, _AliasFinder())

	# WORKAROUND: the wheel ships monoframe/tests/utils.py as a module, but the framework's
	# after_install imports `monoframe.tests.utils.generators` -> ModuleNotFoundError.
	generators = types.ModuleType(f"{HOST}.tests.utils.generators")
	generators._clear_test_log = lambda: None
	sys.modules.setdefault(generators.__name__, generators)

	# WORKAROUND: monoframe/testing/runner.py reads `warnings.DeprecationWarning` -> AttributeError.
	import warnings

	if not hasattr(warnings, "DeprecationWarning"):
		warnings.DeprecationWarning = DeprecationWarning

	host = importlib.import_module(HOST)

	# WORKAROUND: the host's init() takes no site (TypeError on `frappe.init(site=...)`, which bench
	# commands and real-bench code call) and never sets frappe.local.site; the site is the database.
	host_init = host.init

	def init(
		site: str | None = None, sites_path: str | None = None, new_site: bool = False, force: bool = False
	):
		host_init(force=force)
		host.local.site = host.local.conf.db_name
		host.local.sites_path = os.path.dirname(os.getcwd())

	host.init = init
	from monoframe.utils.caching import request_cache, site_cache

	apps = APPS

	# WORKAROUND: get_installed_apps / get_all_apps always answer ["monoframe"], so the framework
	# would never load our app's hooks and `migrate` would delete our DocType records as orphans.
	def get_installed_apps(*, _ensure_on_bench: bool = False) -> list[str]:
		if getattr(host.flags, "in_install_db", True):
			return []
		return list(apps)

	host.get_installed_apps = request_cache(get_installed_apps)
	host.get_all_apps = lambda with_internal_apps=True, sites_path=None: list(apps)

	# WORKAROUND: get_app_path ignores its app argument and always points into the framework.
	def get_app_path(app_name: str, *joins: str) -> str:
		return host.get_pymodule_path(app_name or HOST, *joins)

	host.get_app_path = get_app_path

	# WORKAROUND: hooks are read from monoframe.hooks only; Frappe merges every installed app's
	# hooks.py in app order (lists concatenated, dicts merged) and can load one app's alone.
	def _load_app_hooks(app_name: str | None = None) -> dict:
		hooks: dict = {}

		def _is_hook(obj) -> bool:
			return not isinstance(obj, types.ModuleType | types.FunctionType | type)

		for app in [app_name] if app_name else apps:
			module = importlib.import_module(f"{app}.hooks")
			for key, value in inspect.getmembers(module, predicate=_is_hook):
				if not key.startswith("_"):
					host.append_hook(hooks, key, value)
		return hooks

	host._load_app_hooks = _load_app_hooks
	host._request_cached_load_app_hooks = request_cache(_load_app_hooks)
	host._site_cached_load_app_hooks = site_cache(_load_app_hooks)

	# WORKAROUND: the module map only lists the framework's modules, so loading a controller of
	# our module fails with "Module Assistant Core not found".
	def setup_module_map(include_all_apps: bool = True) -> None:
		app_modules = {
			app: [host.scrub(m) for m in host.get_file_items(get_app_path(app, "modules.txt"))]
			for app in apps
		}
		host.local.app_modules = app_modules
		host.local.module_app = {m: app for app, modules in app_modules.items() for m in modules}

	host.setup_module_map = setup_module_map

	# WORKAROUND: the host renamed the CSRF header it checks (X-Monoframe-CSRF-Token); Frappe checks
	# X-Frappe-CSRF-Token, which is what the app's desk code sends with a fetch(). The host also reads
	# the token from form_dict, as Frappe does, so Frappe's header is handed over there.
	import monoframe.auth as host_auth

	host_validate_csrf_token = host_auth.HTTPRequest.validate_csrf_token

	def validate_csrf_token(self):
		token = host.get_request_header("X-Frappe-CSRF-Token")
		if token and not host.get_request_header("X-Monoframe-CSRF-Token"):
			host.form_dict.setdefault("csrf_token", token)
		return host_validate_csrf_token(self)

	host_auth.HTTPRequest.validate_csrf_token = validate_csrf_token

	# WORKAROUND: model.sync.sync_all syncs the framework's DocTypes only; Frappe syncs every app's.
	import monoframe.model.sync as model_sync
	from monoframe.installer import add_module_defs

	framework_sync_all = model_sync.sync_all

	def sync_all(force=0, reset_permissions=False):
		framework_sync_all(force, reset_permissions)
		for app in apps[1:]:
			add_module_defs(app, ignore_if_duplicate=True)
			model_sync.sync_for(app, force, reset_permissions=reset_permissions)
		host.clear_cache()

	model_sync.sync_all = sync_all

	# WORKAROUND: patches.get_all_patches reads the framework's patches.txt only, so an app's
	# patches would never run on migrate.
	import monoframe.patches as patches

	def get_all_patches(patch_type=None) -> list[str]:
		return [p for app in apps for p in patches.get_patches_from_app(app, patch_type=patch_type)]

	patches.get_all_patches = get_all_patches

	# WORKAROUND: the host's is_setup_complete() first checks table_exists("System Settings"), which
	# is False for a Single DocType (it has no table of its own), so the desk always opens the setup
	# wizard. Frappe reads the setup_complete flag.
	def is_setup_complete() -> bool:
		if not host.db.table_exists("Singles"):
			return False
		return bool(host.db.get_single_value("System Settings", "setup_complete"))

	host.is_setup_complete = request_cache(is_setup_complete)

	# WORKAROUND: the host caches assets.json in Redis under one key that is not per site
	# ("assets_json", shared=True), and this machine's Redis serves several checkouts whose builds
	# differ; a bench has a Redis of its own. Read the manifest of this process's site folder, once
	# per change of the file.
	import monoframe.sessions
	import monoframe.utils
	import monoframe.website.utils

	def get_assets_json() -> dict:
		path = os.path.join(os.getcwd(), "assets", "assets.json")
		try:
			mtime = os.path.getmtime(path)
		except OSError:
			return {}
		if _assets_json_cache.get("key") != (path, mtime):
			with open(path) as f:
				_assets_json_cache.update(key=(path, mtime), value=host.parse_json(f.read()))
		return _assets_json_cache["value"]

	for module in (monoframe.utils, monoframe.sessions, monoframe.website.utils):
		module.get_assets_json = get_assets_json

	from tests.host import shim_apps

	shim_apps.install(host, _load_app_hooks, apps)


_assets_json_cache: dict = {}


_install()
