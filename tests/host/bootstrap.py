"""Connect this process to the site under test: a real bench site, or a host site.

Real bench: FAC_TEST_SITE names the site and the process runs from the bench's `sites` folder
with the bench's Python, so `import frappe` is the real framework. Host: the environment made by
`config.site_env` is present (DB_NAME, FAC_HOST_SITE_DIR), and the shim aliases the host as frappe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def on_real_bench() -> bool:
	return bool(os.environ.get("FAC_TEST_SITE"))


def sites_path() -> str:
	"""The bench's `sites` folder (FAC_SITES_PATH, else the folder the suite was started from)."""
	return os.environ.get("FAC_SITES_PATH") or _STARTED_IN


_STARTED_IN = os.getcwd()


def child_process(**overrides) -> dict:
	"""`cwd` and `env` for a Python child process (`-m tests.support.x`) connected to the test site.

	On a real bench it runs from the sites folder, as bench's own processes do: Frappe v15 opens
	`../logs` relative to the working directory. The repository goes on PYTHONPATH there, so
	`tests` imports from anywhere.
	"""
	env = dict(os.environ)
	env.update(overrides)
	if not on_real_bench():
		return {"cwd": str(REPO), "env": env}
	env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
	return {"cwd": sites_path(), "env": env}


def activate() -> None:
	"""Make `import frappe` and `import frappe_assistant_core` resolve for this process."""
	for path in (str(REPO), str(REPO / "tests" / "host" / "apps" / "fac_test_tools")):
		if path not in sys.path:
			sys.path.insert(0, path)
	if not on_real_bench():
		import tests.host.shim  # noqa: F401


def connect(user: str = "Administrator") -> None:
	"""init + connect the framework for the configured site, as `user`."""
	activate()
	import frappe

	if on_real_bench():
		frappe.init(site=os.environ["FAC_TEST_SITE"], sites_path=sites_path())
	else:
		site_dir = Path(os.environ["FAC_HOST_SITE_DIR"])
		os.chdir(site_dir)
		frappe.init()
	frappe.connect()
	frappe.set_user(user)
