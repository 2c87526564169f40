"""Finding secrets by what they look like, wherever they sit in a tool call's text.

A secret reaches a tool call's arguments or output in many places a key-based rule never looks:
inside a filter list, a SQL statement, a piece of code, a URL or a sentence. `Secrets.redact()`
replaces, in any text:

- the calling request's own credentials: the API secret or bearer token it authenticated with
  and its session id (`Secrets.of_request()`), as literal text wherever they appear;
- known shapes: PEM private keys (also cut ones), JWTs, `user:password@` in URLs,
  `Bearer` / `token` / `Basic` credentials, Frappe `key:secret` pairs, a few vendors' key
  prefixes, and `name = value` (also `:`, `=>`, `is`) or a quoted name followed by its value as the
  next quoted argument (`'new_password', 'x'`, `'api_secret', '=', 'x'`), where the name is a
  secret's or one of the Password fields of the DocTypes the call names;
- long high-entropy tokens (32+ characters of letters and digits) that look random.

Redaction only ever removes text; it never parses or evaluates what it reads.
"""

from __future__ import annotations

import base64
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import frappe

REDACTED = "[redacted]"
# Matched anywhere in a key, case-insensitively: "db_password", "X-Api-Key", "accessToken", ...
_SECRET_KEY = re.compile(
	r"pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|authori[sz]ation|credential|private[_-]?key|cookie"
	r"|signature",
	re.IGNORECASE,
)
# In text, the name before `=`, `:`, `=>` or `is` (stricter than a key: "pass" alone is a word).
_SECRET_NAME = (
	r"pass(?:word|wd|phrase)|pwd|secret|token|api[_-]?key|access[_-]?key|authori[sz]ation|credential"
	r"|private[_-]?key|cookie|signature"
)
# Literal secrets shorter than this are not searched for: they would match ordinary text.
_MIN_LITERAL = 8
_TOKEN_MIN = 32

_PATTERNS = (
	# A PEM private key, also one cut off before its END line.
	re.compile(r"-----BEGIN[A-Z ]*PRIVATE KEY-----.*?(?:-----END[A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL),
	# A JWT: base64url header and payload (both JSON objects, so "eyJ"), then a signature.
	re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
	# Frappe's API key:secret pair (hex), with or without the `token` scheme.
	re.compile(r"\b[0-9a-f]{10,}:[0-9a-f]{10,}\b"),
	# AWS access key ids, GitHub, Slack, OpenAI-style and Google API keys.
	re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
	re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
	re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
	re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"),
	re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"),
)
# `scheme://user:password@host`: the password goes, the rest stays readable.
_URL_PASSWORD = re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+(?=@)")
# `Authorization: Bearer x`, `token key:secret`, `Basic xyz`: the scheme stays.
# The credential must hold a digit, so that prose ("token validation") is left alone.
_AUTH_SCHEME = re.compile(
	r"(?P<keep>\b(?:bearer|token|basic)\s+)(?=[A-Za-z._~+/=:-]*\d)[\w.~+/=:-]{8,}", re.IGNORECASE
)
_TOKEN = re.compile(rf"[A-Za-z0-9+/_=-]{{{_TOKEN_MIN},}}")
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")


@dataclass(frozen=True)
class Secrets:
	"""What to look for in one call's text: the request's own credentials (literal values) and
	the names of Password fields of the DocTypes it names."""

	literals: frozenset[str] = frozenset()
	password_fields: frozenset[str] = frozenset()
	_assignment: re.Pattern = field(init=False, repr=False, compare=False)
	_positional: re.Pattern = field(init=False, repr=False, compare=False)

	def __post_init__(self):
		names = _SECRET_NAME
		if self.password_fields:
			names += "|" + "|".join(re.escape(f) for f in sorted(self.password_fields, key=len, reverse=True))
		# Bounded name affixes keep the search linear on long runs of word characters; the name's
		# closing quote may be escaped (JSON or a string literal inside code).
		assignment = re.compile(
			rf"(?P<keep>[\w.-]{{0,40}}(?:{names})[\w.-]{{0,40}}(?:\\?[\"'])?\s*(?:=>|:=|=|:|\bis\b)\s*)"
			r"(?:\"[^\"]*\"?|'[^']*'?|[^\s,;)\]}]+)",
			re.IGNORECASE,
		)
		object.__setattr__(self, "_assignment", assignment)
		# A quoted name, then its value as the next quoted argument, perhaps after a short quoted
		# operator: set_value(dt, dn, 'new_password', 'x'), ['api_secret', '=', 'x'] in code.
		positional = re.compile(
			rf"(?P<keep>(?P<q>[\"'])[\w.-]{{0,40}}(?:{names})[\w.-]{{0,40}}\\?(?P=q)\s*,\s*"
			r"(?:\\?(?P<o>[\"'])[^\"'\n]{0,12}\\?(?P=o)\s*,\s*)?)\\?(?:\"[^\"]*\"?|'[^']*'?)",
			re.IGNORECASE,
		)
		object.__setattr__(self, "_positional", positional)

	@classmethod
	def of_request(cls, doctypes: Iterable[str] = ()) -> Secrets:
		"""The secrets of the current request, and the Password fields of `doctypes`."""
		return cls(frozenset(_request_credentials()), frozenset(_password_fields(doctypes)))

	def is_secret_key(self, key: str) -> bool:
		return is_secret_key(key) or key in self.password_fields

	def redact(self, text: str) -> str:
		"""`text` with every secret found in it replaced by [redacted]."""
		for literal in sorted(self.literals, key=len, reverse=True):
			if literal in text:
				text = text.replace(literal, REDACTED)
		for pattern in _PATTERNS:
			text = pattern.sub(REDACTED, text)
		text = _URL_PASSWORD.sub(_keep_then_redact, text)
		text = _AUTH_SCHEME.sub(_keep_then_redact, text)
		text = self._assignment.sub(_keep_then_redact, text)
		text = self._positional.sub(_keep_then_redact, text)
		return _TOKEN.sub(_random_token_redacted, text)


def is_secret_key(key: str) -> bool:
	return bool(_SECRET_KEY.search(key))


def _keep_then_redact(match: re.Match) -> str:
	return match.group("keep") + REDACTED


def _random_token_redacted(match: re.Match) -> str:
	token = match.group(0)
	return REDACTED if looks_random(token) else token


def looks_random(token: str) -> bool:
	"""A long run of letters and digits that reads like a key rather than a word or a name: both
	letters and digits, and either all hex (keys, hashes) or close to the entropy of random
	characters (4 bits a character; 4.5 for a path-like token, which may hold '/'). Long ids that
	mix letters and digits freely may be taken for keys too: in a log, that errs the safe way."""
	if len(token) < _TOKEN_MIN or _UUID.fullmatch(token):
		return False
	if not (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)):
		return False
	if _HEX.fullmatch(token):
		return True
	counts = Counter(token)
	entropy = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
	return entropy >= (4.5 if "/" in token else 4.0)


def _request_credentials() -> set[str]:
	"""The API secret or bearer token the current request authenticated with, and its session id."""
	found: set[str] = set()
	request = getattr(frappe.local, "request", None)
	if request is None:
		return found
	header = frappe.get_request_header("Authorization") or ""
	scheme, _space, credential = header.strip().partition(" ")
	credential = credential.strip()
	if scheme.lower() == "basic":
		try:
			credential = base64.b64decode(credential).decode()
		except (ValueError, UnicodeDecodeError):
			credential = ""
	if scheme.lower() in ("token", "basic") and ":" in credential:
		found.add(credential.split(":", 1)[1])
	elif scheme.lower() == "bearer":
		found.add(credential)
	sid = request.cookies.get("sid") if request.cookies else None
	if sid and sid != "Guest":
		found.add(sid)
	return {value for value in found if len(value) >= _MIN_LITERAL}


def _password_fields(doctypes: Iterable[str]) -> set[str]:
	"""Fieldnames of Password fields of these DocTypes and of their child tables."""
	from frappe_assistant_core.plugins._doctype_access import cached_meta

	names: set[str] = set()
	for doctype in {d for d in doctypes if isinstance(d, str) and d}:
		meta = cached_meta(doctype)
		if meta is None:
			continue
		metas = [meta, *(cached_meta(df.options) for df in meta.get_table_fields())]
		names |= {df.fieldname for m in metas if m for df in m.fields if df.fieldtype == "Password"}
	return names
