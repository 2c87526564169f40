"""The MariaDB template site the test sites are copied from, kept between runs while the code is the same.

Installing a site (the framework's ~350 DocTypes, then each app) is most of a test run's set-up
time; copying one is seconds. The template is a site installed by `new-site` like any other, named
after a digest of everything an install reads (the app, the test app, the host's code and pins, the
apps installed), so a change to any of them makes a new template and drops the old one. Its
Redis keys are dropped as soon as it is made (a copy starts with a cold cache, as a new site does).
`python -m tests.host drop-site fac_tpl_<digest>` removes it by hand.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from filelock import FileLock

from tests.host import config

#: What a site's install reads: a change to any file here makes a new template.
INPUTS = ("frappe_assistant_core", "tests/host")
SKIPPED = {"__pycache__", "node_modules", "assets"}
TEMPLATES = config.STATE_DIR / "templates"


def digest(apps: str) -> str:
	"""A digest of every file an install reads, of the apps installed and of this checkout's state
	folder (another checkout on the same MariaDB keeps a template of its own)."""
	sha = hashlib.sha256(f"{apps}\n{config.STATE_DIR.resolve()}".encode())
	for root in INPUTS:
		for folder, subfolders, files in sorted(os.walk(config.REPO / root)):
			subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED)
			for name in sorted(files):
				path = Path(folder, name)
				sha.update(str(path.relative_to(config.REPO)).encode())
				sha.update(path.read_bytes())
	return sha.hexdigest()[:12]


def ensure(apps: str, install) -> str | None:
	"""The name of the current template, made with `install(name, why)` (None on success, else what
	failed) when there is none; stale templates are dropped. Returns None if the install failed."""
	from tests.host import site as host_site
	from tests.host import site_redis

	TEMPLATES.mkdir(parents=True, exist_ok=True)
	name = f"fac_tpl_{digest(apps)}"
	with FileLock(str(TEMPLATES / ".lock")):  # two runs of one checkout make it once
		ready = TEMPLATES / name
		if ready.exists() and config.site_dir(name).is_dir():
			return name
		stale = list(TEMPLATES.glob("fac_tpl_*"))
		for old in stale:
			host_site.drop_site(old.name)
			old.unlink()
		if install(name, "the code changed since the last one" if stale else "none yet") is not None:
			host_site.drop_site(name)
			return None
		site_redis.drop_site_keys(name)
		ready.touch()
	return name
