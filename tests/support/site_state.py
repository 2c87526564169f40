"""What a test session leaves on a site it did not create: recorded before, put back afterwards.

`record()` keeps the whole database of the site (each table's definition and rows: a test site is
a few MB), the files under the site folder, the cache keys Frappe keeps across a cache clear
(deferred inserts, the global search queue) and the ids of the site's queued background jobs.
`restore(state)` puts all of it back: tables the session created are dropped, changed tables get
their rows back (or, if their definition changed, their definition and rows), new files and jobs
are removed. It returns one line per thing it changed. MariaDB only, like the suite.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import frappe

#: Folders that the bench itself writes to while the suite runs: logs and locks at any depth,
#: and the site's backups.
SKIPPED_NAMES = ("logs", "locks")
SKIPPED_FOLDERS = (os.path.join("private", "backups"),)
#: Bigger files are fingerprinted (size, mtime) instead of kept; they cannot be put back.
MAX_KEPT_FILE_BYTES = 16 * 1024 * 1024
_CHUNK = 200


@dataclass
class Table:
	kind: str  # BASE TABLE or SEQUENCE
	ddl: str  # SHOW CREATE TABLE without its AUTO_INCREMENT counter
	auto_increment: int | None
	columns: tuple[str, ...]
	key: tuple[int, ...]  # positions of the primary key's columns; empty without one
	rows: Counter


@dataclass
class SiteState:
	tables: dict[str, Table]
	files: dict[str, tuple]
	site_path: str
	cache: dict[bytes, tuple[int, bytes]] = field(default_factory=dict)
	jobs: dict[str, set[str]] = field(default_factory=dict)


def record() -> SiteState:
	"""The state of the connected site, as `restore` needs it."""
	site_path = os.path.abspath(frappe.get_site_path())
	return SiteState(_tables(), _files(site_path), site_path, _kept_cache(), _queued_jobs())


def restore(before: SiteState) -> list[str]:
	"""Put the connected site back as `before` recorded it; one line per change made."""
	frappe.db.rollback()
	changes = _restore_tables(before.tables)
	frappe.db.commit()
	# The workers' caches describe the rows just replaced; clear_cache keeps only the keys below.
	frappe.clear_cache()
	changes += _restore_cache(before.cache)
	changes += _remove_new_jobs(before.jobs)
	changes += _restore_files(before.site_path, before.files)
	return changes


def _quote(name: str) -> str:
	return "`" + name.replace("`", "``") + "`"


def _tables() -> dict[str, Table]:
	keys: dict[str, list[str]] = defaultdict(list)
	for table, column in frappe.db.sql(
		"select table_name, column_name from information_schema.statistics where table_schema = database()"
		" and index_name = 'PRIMARY' order by table_name, seq_in_index"
	):
		keys[table].append(column)
	columns: dict[str, list[str]] = defaultdict(list)
	for table, column in frappe.db.sql(
		"select table_name, column_name from information_schema.columns where table_schema = database()"
		" order by table_name, ordinal_position"
	):
		columns[table].append(column)
	tables = {}
	for name, kind, auto_increment in frappe.db.sql(
		"select table_name, table_type, auto_increment from information_schema.tables"
		" where table_schema = database() and table_type in ('BASE TABLE', 'SEQUENCE')"
	):
		ddl = frappe.db.sql(f"show create table {_quote(name)}")[0][1]
		names = tuple(columns[name])
		tables[name] = Table(
			kind=kind,
			ddl=re.sub(r" AUTO_INCREMENT=\d+", "", ddl),
			auto_increment=auto_increment,
			columns=names,
			key=tuple(names.index(column) for column in keys[name]),
			rows=Counter(frappe.db.sql(f"select * from {_quote(name)}")),
		)
	return tables


def _restore_tables(before: dict[str, Table]) -> list[str]:
	changes = []
	after = _tables()
	for name in sorted(after.keys() - before.keys()):
		kind = "sequence" if after[name].kind == "SEQUENCE" else "table"
		frappe.db.sql_ddl(f"drop {kind} {_quote(name)}")
		changes.append(f"table {name}: dropped (created during the session)")
	for name, was in sorted(before.items()):
		now = after.get(name)
		if now is None or now.ddl != was.ddl:
			if now is not None:
				frappe.db.sql_ddl(f"drop {'sequence' if now.kind == 'SEQUENCE' else 'table'} {_quote(name)}")
			frappe.db.sql_ddl(was.ddl)
			if was.kind == "SEQUENCE":
				_restart_sequence(name, was)
			else:
				_insert(name, was.columns, list(was.rows.elements()))
			changes.append(f"table {name}: recreated with its {sum(was.rows.values())} rows")
		elif now.rows != was.rows:
			if was.kind == "SEQUENCE":
				_restart_sequence(name, was)
				changes.append(f"table {name}: sequence restarted")
			else:
				changes.append(_restore_rows(name, was, now))
		if was.auto_increment and (now is None or now.auto_increment != was.auto_increment):
			# The counter goes back only as far as the rows allow; InnoDB keeps it above them.
			frappe.db.sql_ddl(f"alter table {_quote(name)} auto_increment = {int(was.auto_increment)}")
		frappe.db.commit()
	return changes


def _restore_rows(name: str, was: Table, now: Table) -> str:
	extra, missing = now.rows - was.rows, was.rows - now.rows
	if not was.key:
		# Without a primary key a row can only be told by all its values, which text collations
		# compare loosely: the table gets exactly its old rows back.
		frappe.db.sql(f"delete from {_quote(name)}")
		_insert(name, was.columns, list(was.rows.elements()))
	else:
		# A changed row is in both: its new version is deleted by key, its old one inserted.
		_delete(name, was, list(extra))
		_insert(name, was.columns, list(missing.elements()))
	return f"table {name}: {sum(extra.values())} rows removed, {sum(missing.values())} put back"


def _delete(name: str, table: Table, rows: list[tuple]) -> None:
	columns = ", ".join(_quote(table.columns[i]) for i in table.key)
	row = "(" + ", ".join(["%s"] * len(table.key)) + ")"
	for start in range(0, len(rows), _CHUNK):
		chunk = rows[start : start + _CHUNK]
		values = [row_value[i] for row_value in chunk for i in table.key]
		placeholders = ", ".join([row] * len(chunk))
		frappe.db.sql(f"delete from {_quote(name)} where ({columns}) in ({placeholders})", values)


def _insert(name: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
	names = ", ".join(_quote(column) for column in columns)
	row = "(" + ", ".join(["%s"] * len(columns)) + ")"
	for start in range(0, len(rows), _CHUNK):
		chunk = rows[start : start + _CHUNK]
		values = [value for row_values in chunk for value in row_values]
		frappe.db.sql(f"insert into {_quote(name)} ({names}) values {', '.join([row] * len(chunk))}", values)


def _restart_sequence(name: str, was: Table) -> None:
	(state,) = list(was.rows)
	next_value = state[was.columns.index("next_not_cached_value")]
	frappe.db.sql_ddl(f"alter sequence {_quote(name)} restart with {int(next_value)}")


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
