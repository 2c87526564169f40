"""Tool arguments and output as stored in the FAC Tool Call Log: secrets redacted, size bounded.

Secrets go by key and by value (audit.secrets): a key that names a secret (password, secret,
token, api_key, ...) or a Password field of a DocType the call names keeps its key and loses its
value at any depth; so does the value of a filter `[field, operator, value]` on such a field; and
every string, the output included, is searched for secrets by what they look like (the request's
own credentials, key shapes, `password=...` in SQL, code and prose, random-looking tokens).
Strings are searched before they are cut, so a secret straddling the cut never leaves half of
itself behind.

Sizes: strings are cut at MAX_STRING characters, except the code of `execute_python_code`
(MAX_CODE); lists at MAX_ITEMS items; the whole arguments JSON at MAX_JSON characters and the
output at MAX_OUTPUT, each cut marked with its full length. Values are only ever shortened or
redacted, never parsed or evaluated.
"""

from __future__ import annotations

import json
from typing import Any

from frappe_assistant_core.audit.secrets import REDACTED, Secrets, is_secret_key

__all__ = [
	"MAX_JSON",
	"MAX_OUTPUT",
	"REDACTED",
	"arguments_json",
	"bounded_text",
	"cap",
	"is_secret_key",
	"output_text",
]

MAX_STRING = 1000
MAX_CODE = 4000
MAX_ITEMS = 100
MAX_DEPTH = 12
MAX_JSON = 32000
MAX_OUTPUT = 16000
# How far past a cut a string is still searched: a secret that begins before the cut is found whole.
_SEARCH_MARGIN = 4096
# (tool, argument) pairs whose text is kept up to MAX_CODE characters.
LONG_TEXT = frozenset({("execute_python_code", "code")})
_NO_SECRETS = Secrets()


def arguments_json(tool: str, arguments: Any, secrets: Secrets = _NO_SECRETS) -> str:
	"""The arguments of one call as the JSON text stored in the log."""
	shaped = _shape(arguments, tool, None, 0, secrets)
	return cap(json.dumps(shaped, ensure_ascii=False, default=str), MAX_JSON)


def output_text(text: str, secrets: Secrets = _NO_SECRETS) -> str:
	"""The text a client got, as stored in the log: secrets redacted, cut at MAX_OUTPUT."""
	return bounded_text(text, MAX_OUTPUT, secrets)


def cap(text: str, limit: int) -> str:
	"""`text` cut to `limit` characters, saying how long it was."""
	return text if len(text) <= limit else text[:limit] + _cut_marker(len(text))


def _shape(value: Any, tool: str, key: str | None, depth: int, secrets: Secrets) -> Any:
	if isinstance(value, dict):
		if depth >= MAX_DEPTH:
			return "[nested too deep]"
		return {
			str(k): REDACTED if secrets.is_secret_key(str(k)) else _shape(v, tool, str(k), depth + 1, secrets)
			for k, v in value.items()
		}
	if isinstance(value, list | tuple):
		if depth >= MAX_DEPTH:
			return "[nested too deep]"
		items = [_shape(v, tool, key, depth + 1, secrets) for v in value[:MAX_ITEMS]]
		if _filters_a_secret_field(value, secrets):
			items[-1] = REDACTED
		if len(value) > MAX_ITEMS:
			items.append(f"[{len(value) - MAX_ITEMS} more items]")
		return items
	if isinstance(value, str):
		limit = MAX_CODE if depth == 1 and (tool, key) in LONG_TEXT else MAX_STRING
		return bounded_text(value, limit, secrets)
	return value


def _filters_a_secret_field(value: list | tuple, secrets: Secrets) -> bool:
	"""A Frappe filter `[field, operator, value]` or `[doctype, field, operator, value]` on a
	field that holds a secret."""
	if len(value) not in (3, 4) or not all(isinstance(v, str) for v in value[:-1]):
		return False
	return secrets.is_secret_key(value[-3])


def bounded_text(text: str, limit: int, secrets: Secrets = _NO_SECRETS) -> str:
	"""`text` with its secrets redacted, then cut at `limit` characters (marked with its length)."""
	redacted = secrets.redact(text[: limit + _SEARCH_MARGIN])
	if len(text) <= limit + _SEARCH_MARGIN and len(redacted) <= limit:
		return redacted
	return redacted[:limit] + _cut_marker(len(text))


def _cut_marker(length: int) -> str:
	return f"… [cut, {length} characters in all]"
