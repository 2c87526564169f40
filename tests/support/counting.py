"""Count what is deterministic: SQL statements sent and Redis commands issued."""

from __future__ import annotations

from contextlib import contextmanager

import frappe


@contextmanager
def count_queries():
	"""Yield a list that collects every SQL statement run through frappe.db.sql in the block."""
	queries: list[str] = []
	db_class = type(frappe.local.db)
	original = db_class.sql

	def counting_sql(self, query, *args, **kwargs):
		queries.append(str(query))
		return original(self, query, *args, **kwargs)

	db_class.sql = counting_sql
	try:
		yield queries
	finally:
		db_class.sql = original


@contextmanager
def count_redis_commands():
	"""Yield a list of every Redis command sent in the block, as "NAME key" strings."""
	commands: list[str] = []
	cache_class = type(frappe.cache)
	if cache_class.__name__ == "LocalProxy":
		cache_class = type(frappe.cache._get_current_object())
	original = cache_class.execute_command

	def counting(self, *args, **kwargs):
		key = args[1].decode(errors="replace") if len(args) > 1 and isinstance(args[1], bytes) else args[1:2]
		commands.append(f"{args[0]} {key if isinstance(key, str) else (key[0] if key else '')}".strip())
		return original(self, *args, **kwargs)

	cache_class.execute_command = counting
	try:
		yield commands
	finally:
		cache_class.execute_command = original
