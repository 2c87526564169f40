"""What a test session leaves on a site it did not create: recorded before, put back afterwards.

`record()` keeps the whole database of the site (each table's definition and rows: a test site is
a few MB), the files under the site folder, the cache keys Frappe keeps across a cache clear
(deferred inserts, the global search queue) and the ids of the site's queued background jobs.
`restore(state)` puts all of it back: tables the session created are dropped, changed tables get
their rows back (or, if their definition changed, their definition and rows), new files and jobs
are removed. It returns one line per thing it changed. The tables are tests/support/site_tables.py's
(MariaDB and PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import frappe

from tests.support import site_tables

#: Folders that the bench itself writes to while the suite runs: logs and locks at any depth,
#: and the site's backups.
SKIPPED_NAMES = ("logs", "locks")
SKIPPED_FOLDERS = (os.path.join("private", "backups"),)
#: Bigger files are fingerprinted (size, mtime) instead of kept; they cannot be put back.
MAX_KEPT_FILE_BYTES = 16 * 1024 * 1024


@dataclass
class SiteState:
	tables: dict[str, site_tables.Table]
	files: dict[str, tuple]
	site_path: str
	cache: dict[bytes, tuple[int, bytes]] = field(default_factory=dict)
	jobs: dict[str, set[str]] = field(default_factory=dict)


def record() -> SiteState:
	"""The state of the connected site, as `restore` needs it."""
	site_path = os.path.abspath(frappe.get_site_path())
	return SiteState(site_tables.record(), _files(site_path), site_path, _kept_cache(), _queued_jobs())


def restore(before: SiteState) -> list[str]:
	"""Put the connected site back as `before` recorded it; one line per change made."""
	frappe.db.rollback()
	changes = site_tables.restore(before.tables)
	frappe.db.commit()
	# The workers' caches describe the rows just replaced; clear_cache keeps only the keys below.
	frappe.clear_cache()
	changes += _restore_cache(before.cache)
	changes += _remove_new_jobs(before.jobs)
	changes += _restore_files(before.site_path, before.files)
	return changes


def _kept_cache() -> dict[bytes, tuple[int, bytes]]:
	"""Cache keys that survive clear_cache (hook persistent_cache_keys): dump and time to live."""
	kept = {}
	for pattern in frappe.get_hooks("persistent_cache_keys"):
		for key in frappe.cache.get_keys(pattern.rstrip("*")):
			value = frappe.cache.dump(key)
			if value is not None:
				kept[key] = (max(frappe.cache.pttl(key), 0), value)
	return kept


def _restore_cache(before: dict[bytes, tuple[int, bytes]]) -> list[str]:
	changes = []
	now = _kept_cache()
	for key in sorted(now.keys() - before.keys()):
		frappe.cache.delete(key)
		changes.append(f"cache {key.decode(errors='replace')}: deleted")
	for key, (ttl, value) in sorted(before.items()):
		if key not in now or now[key][1] != value:
			frappe.cache.restore(key, ttl, value, replace=True)
			changes.append(f"cache {key.decode(errors='replace')}: put back")
	return changes


def _queued_jobs() -> dict[str, set[str]]:
	from frappe.utils.background_jobs import get_queues

	return {queue.name: set(queue.job_ids) for queue in get_queues()}


def _remove_new_jobs(before: dict[str, set[str]]) -> list[str]:
	"""Jobs this site queued during the session (e.g. a new user's contact): nobody ran them."""
	from frappe.utils.background_jobs import get_queues

	changes = []
	for queue in get_queues():
		removed = 0
		for job_id in set(queue.job_ids) - before.get(queue.name, set()):
			job = queue.fetch_job(job_id)
			if job is not None and job.kwargs.get("site") == frappe.local.site:
				job.delete()
				removed += 1
		if removed:
			changes.append(f"queue {queue.name}: {removed} jobs removed")
	return changes


def _files(root: str) -> dict[str, tuple]:
	"""Every entry under the site folder: ("dir",), ("link", target) or ("file", content|fingerprint)."""
	entries: dict[str, tuple] = {}
	for folder, subfolders, names in os.walk(root):
		relative = os.path.relpath(folder, root)
		subfolders[:] = [name for name in subfolders if not _skipped(os.path.join(relative, name))]
		for name in subfolders + names:
			path = os.path.join(folder, name)
			key = os.path.normpath(os.path.join(relative, name))
			if os.path.islink(path):
				entries[key] = ("link", os.readlink(path))
			elif os.path.isdir(path):
				entries[key] = ("dir",)
			else:
				stat = os.stat(path)
				if stat.st_size > MAX_KEPT_FILE_BYTES:
					entries[key] = ("big", stat.st_size, stat.st_mtime_ns)
				else:
					entries[key] = ("file", Path(path).read_bytes())
	return entries


def _skipped(relative: str) -> bool:
	relative = os.path.normpath(relative)
	return os.path.basename(relative) in SKIPPED_NAMES or relative in SKIPPED_FOLDERS


def _restore_files(root: str, before: dict[str, tuple]) -> list[str]:
	changes = []
	now = _files(root)
	# Deepest first, so a folder is empty by the time it is removed.
	for key in sorted(now.keys() - before.keys(), key=lambda k: k.count(os.sep), reverse=True):
		path = os.path.join(root, key)
		if now[key] == ("dir",):
			shutil.rmtree(path, ignore_errors=True)
		else:
			os.unlink(path)
		changes.append(f"file {key}: removed")
	for key, was in sorted(before.items(), key=lambda item: item[0].count(os.sep)):
		if now.get(key) == was:
			continue
		path = os.path.join(root, key)
		if was[0] == "big":
			changes.append(f"file {key}: changed, too big to have been kept")
			continue
		if os.path.islink(path) or os.path.isfile(path):
			os.unlink(path)
		elif os.path.isdir(path) and was[0] != "dir":
			shutil.rmtree(path)
		if was[0] == "dir":
			os.makedirs(path, exist_ok=True)
		elif was[0] == "link":
			os.symlink(was[1], path)
		else:
			Path(path).write_bytes(was[1])
		changes.append(f"file {key}: put back")
	return changes
