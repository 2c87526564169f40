"""Admission check for query_and_analyze: exactly one read-only SELECT, or a ValidationError.

The statement is scanned once into a skeleton in which string literals become `?` and quoted
identifiers are set aside, so keywords hidden in literals neither pass nor fail a check. Refused:
anything but SELECT/WITH at the start, a second statement (`;`), comments of any kind (they can
hide MariaDB executable comments), writing words (INSERT, UPDATE, INTO OUTFILE, FOR UPDATE, LOCK
IN SHARE MODE, ...), side-effect functions (SLEEP, BENCHMARK, LOAD_FILE, GET_LOCK, NEXTVAL, ...),
variables, and the password table and system schemas. The caller still runs it inside a savepoint.
"""

from __future__ import annotations

import re

import frappe
from frappe import _

FORBIDDEN_WORDS = frozenset(
	"""insert update delete replace merge upsert create alter drop truncate rename grant revoke
	lock unlock call do handler load set into outfile dumpfile execute prepare deallocate shutdown
	kill flush reset purge install uninstall analyze optimize repair begin commit rollback savepoint
	release xa use procedure signal resignal declare""".split()
)
FORBIDDEN_FUNCTIONS = frozenset(
	"""sleep benchmark load_file get_lock release_lock release_all_locks is_free_lock is_used_lock
	master_pos_wait master_gtid_wait source_pos_wait nextval setval lastval sys_exec sys_eval""".split()
)
# __Auth holds password hashes and encrypted secrets; the others belong to the server, not the site.
RESTRICTED_NAMES = frozenset({"__auth", "mysql", "performance_schema", "sys"})
_WORD = re.compile(r"[a-z_][a-z0-9_$]*")
_CALL = re.compile(r"([a-z_][a-z0-9_$]*)\s*\(")
_TRAILING_LIMIT = re.compile(r"\blimit\s+\d+(\s*,\s*\d+|\s+offset\s+\d+)?\s*$")


def check_select(query: str) -> str:
	"""The statement (one trailing `;` removed) when it is a single read-only SELECT; else throw."""
	statement = query.strip()
	if statement.endswith(";"):
		statement = statement[:-1].rstrip()
	skeleton, identifiers = _skeleton(statement)
	if ";" in skeleton:
		_refuse(_("only one statement is allowed (found ';')"))
	for marker in ("--", "#", "/*", "*/"):
		if marker in skeleton:
			_refuse(_("comments are not allowed (found {0})").format(marker))
	words = _WORD.findall(skeleton)
	if (
		not words
		or words[0] not in ("select", "with")
		or not skeleton.lstrip("( \t\r\n").startswith(words[0])
	):
		_refuse(_("the statement must start with SELECT or WITH"))
	if found := sorted(set(words) & FORBIDDEN_WORDS):
		_refuse(_("not allowed in a read-only query: {0}").format(", ".join(w.upper() for w in found)))
	if found := sorted(set(_CALL.findall(skeleton)) & FORBIDDEN_FUNCTIONS):
		_refuse(
			_("function {0} is not allowed (it waits, locks or reads files)").format(
				", ".join(f.upper() for f in found)
			)
		)
	if "@" in skeleton or ":=" in skeleton:
		_refuse(_("variables (@name, @@name, :=) are not allowed"))
	if found := sorted((set(words) | identifiers) & RESTRICTED_NAMES):
		_refuse(_("{0} may not be queried").format(", ".join(found)))
	return statement


def has_trailing_limit(statement: str) -> bool:
	"""Whether the statement ends with its own top-level LIMIT clause."""
	return bool(_TRAILING_LIMIT.search(_skeleton(statement)[0]))


def _skeleton(statement: str) -> tuple[str, set[str]]:
	"""Lower-cased statement with literals as `?` and quoted identifiers as `q` (unless called), plus
	the quoted identifiers."""
	out: list[str] = []
	identifiers: set[str] = set()
	i, n = 0, len(statement)
	while i < n:
		char = statement[i]
		if char not in "'\"`":
			out.append(char.lower())
			i += 1
			continue
		end, text = _quoted(statement, i)
		if char == "`":
			identifiers.add(text.lower())
			# MariaDB resolves `sleep`(1) to the built-in: a quoted name that is called stays visible.
			called = statement[end:].lstrip().startswith("(")
			out.append(f" {text.lower()} " if called else " q ")
		else:
			out.append(" ? ")
		i = end
	return "".join(out), identifiers


def _quoted(statement: str, start: int) -> tuple[int, str]:
	"""(index after the closing quote, content) of the quoted text opening at `start`."""
	quote, i, text = statement[start], start + 1, []
	while i < len(statement):
		char = statement[i]
		if char == "\\" and quote != "`" and i + 1 < len(statement):
			text.append(statement[i + 1])
			i += 2
		elif char == quote and statement[i + 1 : i + 2] == quote:
			text.append(quote)
			i += 2
		elif char == quote:
			return i + 1, "".join(text)
		else:
			text.append(char)
			i += 1
	_refuse(_("unterminated quoted text"))


def _refuse(reason: str) -> None:
	frappe.throw(_("query: {0}").format(reason), frappe.ValidationError, title=_("Query not allowed"))
