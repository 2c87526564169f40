"""What a tools/call would change, found without writing: the dry run of every write tool.

`preview()` runs the call inside a rehearsal (governance.rehearsal) as the calling user, with the
same checks the real call makes, and reads what it changed before everything is undone: each
document created (as it would be saved), changed (the fields that differ, child tables included),
submitted, cancelled or deleted. A tool that has its own dry-run switch (document_create's
`validate_only`) is run through it. Only tools that declare themselves `rehearsable` (every effect
a document change) are run: deleting a document removes its files from disk at once, and other
apps' tools may call other systems, which no rollback undoes; any other tool only has its
arguments and permissions checked. Only what the user may read is shown, at the permission levels
they may read; other documents are counted, never described. Errors the real call would raise (bad
arguments, permissions, validation) propagate; a change that cannot be rehearsed (one that
commits) gives a Preview that says why, and the call itself may still be approved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import frappe
from frappe import _

from frappe_assistant_core.core.dry_run import DryRunError
from frappe_assistant_core.governance.rehearsal import Notes, rehearse
from frappe_assistant_core.plugins.core._helpers import doc_payload
from frappe_assistant_core.utils.plugin_manager import ToolInfo

MAX_CHANGES = 50
MAX_TEXT_VALUE = 200
#: The change log of the change itself, not a change worth showing.
_SKIPPED_DOCTYPES = frozenset({"Version"})
#: Bookkeeping every save touches.
_META_FIELDS = frozenset(
	{
		"name",
		"owner",
		"creation",
		"modified",
		"modified_by",
		"idx",
		"doctype",
		"parent",
		"parentfield",
		"parenttype",
	}
)


@dataclass
class Preview:
	"""The changes a call would make, or why they could not be found out."""

	changes: list[dict] = field(default_factory=list)
	#: Documents changed that the user may not read (counted, not described).
	hidden: int = 0
	#: Why there is no preview (the change commits); None when the changes are known.
	unavailable: str | None = None

	def as_dict(self) -> dict:
		value: dict[str, Any] = {"changes": self.changes, "hidden": self.hidden}
		if self.unavailable:
			value["unavailable"] = self.unavailable
		return value

	def text(self) -> str:
		"""The changes for a person to read (an elicitation message, the approval form)."""
		if self.unavailable:
			return _("No preview: {0}").format(self.unavailable)
		lines = [line for change in self.changes for line in _change_lines(change)]
		if self.hidden:
			lines.append(_("… and {0} other documents you may not read").format(self.hidden))
		return "\n".join(lines) or _("No document would change.")


def preview(info: ToolInfo, arguments: dict | None) -> Preview:
	"""The Preview of calling `info` with `arguments` as the session user; nothing is kept. A tool
	that is not `rehearsable` is not run at all (its effects could outlive the rollback)."""
	if not info.instance.rehearsable:
		info.instance.check_permission()
		info.instance.parse_arguments(arguments)
		return Preview(
			unavailable=_(
				"{0} is not run to preview it, since not all of its effects stay in the database where "
				"they could be undone; the call is shown by its arguments"
			).format(info.name)
		)
	args = dict(arguments) if isinstance(arguments, dict) else arguments
	if isinstance(args, dict) and "validate_only" in info.instance.Arguments.model_fields:
		args["validate_only"] = True  # the tool's own dry-run path

	def run_and_show(notes: Notes) -> Preview:
		info.instance.run(args)
		return _preview_of(notes)  # read before the rollback: permissions see the rehearsed rows

	try:
		return rehearse(run_and_show)
	except DryRunError as exc:
		frappe.clear_messages()
		return Preview(unavailable=str(exc))


def _preview_of(notes: Notes) -> Preview:
	result = Preview()
	for (doctype, name), noted in notes.changed.items():
		if doctype in _SKIPPED_DOCTYPES:
			continue
		if len(result.changes) >= MAX_CHANGES or not _readable(noted.doc):
			result.hidden += 1
			continue
		after = doc_payload(noted.doc)
		change: dict[str, Any] = {"action": noted.action, "doctype": doctype, "name": name}
		if noted.action in ("insert", "delete"):
			change["document"] = _filled(after if noted.action == "insert" else _payload(noted.before, after))
		else:
			change["fields"] = _differences(_payload(noted.before, {}), after)
		result.changes.append(change)
	return result


def _readable(doc) -> bool:
	try:
		return bool(frappe.has_permission(doc.doctype, "read", doc=doc))
	except Exception:
		return False


def _payload(doc, default: dict) -> dict:
	return doc_payload(doc) if doc is not None else default


def _filled(document: dict) -> dict:
	"""The fields that hold something (a new document's empty fields say nothing)."""
	return {
		key: _without_meta(value)
		for key, value in document.items()
		if key not in _META_FIELDS and value not in (None, "", [], 0)
	}


def _differences(before: dict, after: dict) -> dict:
	"""{field: {"from": old, "to": new}} for every field whose value differs."""
	differences = {}
	for key in sorted(set(before) | set(after)):
		if key in _META_FIELDS:
			continue
		old, new = _without_meta(before.get(key)), _without_meta(after.get(key))
		if old != new:
			differences[key] = {"from": old, "to": new}
	return differences


def _without_meta(value):
	"""Child rows without their bookkeeping fields, so that only real edits differ."""
	if isinstance(value, list):
		return [
			{k: v for k, v in row.items() if k not in _META_FIELDS} if isinstance(row, dict) else row
			for row in value
		]
	return value


def _change_lines(change: dict) -> list[str]:
	doctype, name, action = _(change["doctype"]), change["name"], change["action"]
	if action == "insert":
		head = _("Create {0}:").format(doctype)  # its name is given when it is really created
		body = [f"  {key}: {_shown(value)}" for key, value in change["document"].items()]
	elif action == "delete":
		head, body = _("Delete {0} {1}").format(doctype, name), []
	else:
		heads = {"submit": _("Submit {0} {1}"), "cancel": _("Cancel {0} {1}")}
		head = heads.get(action, _("Change {0} {1}:")).format(doctype, name)
		body = [
			f"  {key}: {_shown(diff['from'])} → {_shown(diff['to'])}"
			for key, diff in change["fields"].items()
		]
	return [head, *body]


def _shown(value) -> str:
	text = json.dumps(value, ensure_ascii=False, default=str)
	return text if len(text) <= MAX_TEXT_VALUE else text[: MAX_TEXT_VALUE - 1] + "…"
