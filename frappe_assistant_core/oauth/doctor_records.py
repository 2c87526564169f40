"""What the connection doctor's checks return and share: statuses, client families, the `Check`
record and the `Probe` (public URLs and metadata documents, fetched once). oauth.doctor runs the
checks of oauth.doctor_checks and oauth.doctor_settings, which build on these."""

from __future__ import annotations

from dataclasses import dataclass, field

import frappe

from frappe_assistant_core.oauth.doctor_fetch import Document, fetch_metadata, public_urls

OK, WARN, FAIL = "ok", "warn", "fail"
_RANK = {OK: 0, WARN: 1, FAIL: 2}
#: The client families the doctor speaks for, and how each connects.
FAMILIES = {
	"claude": "Claude (claude.ai, Desktop, mobile connectors)",
	"chatgpt": "ChatGPT (developer mode connectors)",
	"ide": "Claude Code, Cursor, VS Code and other local clients",
	"n8n": "n8n (MCP Client Tool)",
}


def for_families(**statuses: str) -> dict[str, str]:
	"""A finding's meaning per family: the named ones as given, every other family unaffected."""
	return {family: statuses.get(family, OK) for family in FAMILIES}


def site() -> str:
	"""The site's name, for the bench commands a fix spells out."""
	return frappe.local.site


@dataclass
class Check:
	id: str  # stable, kebab-case: what the check is about
	title: str  # one line, what was checked
	status: str  # ok, warn or fail
	detail: str  # what was found
	fix: str = ""  # what to do about it (empty when ok)
	# Family -> status this finding means for it, when not the check's own status.
	families: dict[str, str] = field(default_factory=dict)


@dataclass
class Probe:
	"""What the checks share: the public URLs and the metadata documents, each fetched once."""

	fetch: bool = True  # False: render the documents in-process, no HTTP
	urls: dict = field(default_factory=public_urls)
	_documents: dict = field(default_factory=dict)

	def document(self, kind: str) -> Document:
		"""The "resource" (RFC 9728) or "server" (RFC 8414) metadata document."""
		if kind not in self._documents:
			url = self.urls["resource_metadata" if kind == "resource" else "server_metadata"]
			self._documents[kind] = fetch_metadata(url, kind, self.fetch)
		return self._documents[kind]
