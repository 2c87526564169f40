"""Tool arguments as stored in the FAC Tool Call Log: secrets redacted, long values cut.

A key that names a secret (password, secret, token, api_key, ...) keeps its key and loses its
value, at any depth. Strings are cut at MAX_STRING characters, except the code of
`execute_python_code`, which is worth keeping longer (MAX_CODE); lists at MAX_ITEMS items, and the
whole JSON at MAX_JSON characters. Values are only ever shortened, never parsed or evaluated.
"""

from __future__ import annotations

import json
import re
from typing import Any

REDACTED = "[redacted]"
MAX_STRING = 1000
MAX_CODE = 4000
MAX_ITEMS = 100
MAX_DEPTH = 12
MAX_JSON = 32000
# (tool, argument) pairs whose text is kept up to MAX_CODE characters.
LONG_TEXT = frozenset({("execute_python_code", "code")})
# Matched anywhere in a key, case-insensitively: "db_password", "X-Api-Key", "accessToken", ...
_SECRET_KEY = re.compile(
	r"pass(word|wd|phrase)?|secret|token|api[_-]?key|authori[sz]ation|credential|private[_-]?key|cookie|signature",
	re.IGNORECASE,
)


def arguments_json(tool: str, arguments: Any) -> str:
	"""The arguments of one call as the JSON text stored in the log."""
	shaped = _shape(arguments, tool, None, 0)
	text = json.dumps(shaped, ensure_ascii=False, default=str)
	if len(text) > MAX_JSON:
		text = text[:MAX_JSON] + _cut_marker(len(text))
	return text


def is_secret_key(key: str) -> bool:
	return bool(_SECRET_KEY.search(key))


def cap(text: str, limit: int) -> str:
	"""`text` cut to `limit` characters, saying how long it was."""
	return text if len(text) <= limit else text[:limit] + _cut_marker(len(text))


def _shape(value: Any, tool: str, key: str | None, depth: int) -> Any:
	if isinstance(value, dict):
		if depth >= MAX_DEPTH:
			return "[nested too deep]"
		return {
			str(k): REDACTED if is_secret_key(str(k)) else _shape(v, tool, str(k), depth + 1)
			for k, v in value.items()
		}
	if isinstance(value, list | tuple):
		if depth >= MAX_DEPTH:
			return "[nested too deep]"
		items = [_shape(v, tool, key, depth + 1) for v in value[:MAX_ITEMS]]
		if len(value) > MAX_ITEMS:
			items.append(f"[{len(value) - MAX_ITEMS} more items]")
		return items
	if isinstance(value, str):
		limit = MAX_CODE if depth == 1 and (tool, key) in LONG_TEXT else MAX_STRING
		return cap(value, limit)
	return value


def _cut_marker(length: int) -> str:
	return f"… [cut, {length} characters in all]"
