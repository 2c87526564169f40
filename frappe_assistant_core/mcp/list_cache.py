"""The encoded tools/list result, built once per registry state and kind of caller, per process.

What tools/list answers is a function of the registry snapshot (named by its version token), the
negotiated protocol revision, the request language and the caller's `Access` (roles and readable
permission-gated DocTypes, core.tool_registry), nothing else: answers are kept under exactly that
key, so two users share an answer only when the visibility rule cannot tell them apart, and a
toggle, a role change or a permission change gives a new key. A steady-state request costs the
Access (cached role and permission data) plus a dictionary lookup; the bytes go out as they are.
Bounded: least recently used answers are dropped past MAX_ENTRIES or MAX_BYTES. Without a version
token (Redis unreachable) nothing is kept.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import frappe

from frappe_assistant_core.core.tool_registry import ToolRegistry
from frappe_assistant_core.utils.plugin_manager import ToolInfo
from frappe_assistant_core.wire.jsonrpc import EncodedResult

MAX_ENTRIES = 256
MAX_BYTES = 32 * 2**20  # a 1,000-tool answer is about 0.5 MB


class _Lru:
	"""A byte-bounded least-recently-used map from keys to encoded answers (thread-safe)."""

	def __init__(self, max_entries: int, max_bytes: int):
		self.max_entries, self.max_bytes = max_entries, max_bytes
		self._items: OrderedDict[Hashable, EncodedResult] = OrderedDict()
		self._bytes = 0
		self._lock = threading.Lock()

	def get(self, key: Hashable) -> EncodedResult | None:
		with self._lock:
			value = self._items.get(key)
			if value is not None:
				self._items.move_to_end(key)
			return value

	def put(self, key: Hashable, value: EncodedResult) -> None:
		if len(value) > self.max_bytes:
			return
		with self._lock:
			if (old := self._items.pop(key, None)) is not None:
				self._bytes -= len(old)
			self._items[key] = value
			self._bytes += len(value)
			while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
				_key, dropped = self._items.popitem(last=False)
				self._bytes -= len(dropped)

	def clear(self) -> None:
		with self._lock:
			self._items.clear()
			self._bytes = 0

	def __len__(self) -> int:
		return len(self._items)


_answers = _Lru(MAX_ENTRIES, MAX_BYTES)


def tools_list_result(
	registry: ToolRegistry, revision: str, build: Callable[[list[ToolInfo], str], dict]
) -> EncodedResult:
	"""The encoded result of tools/list for the session user: `build(visible tools, revision)`,
	encoded once and reused for every caller with the same key."""
	state = registry.manager.snapshot()
	access = registry.access_of(state)
	key = (registry.manager.site, state.version, revision, getattr(frappe.local, "lang", None), access)
	if state.version is not None and (cached := _answers.get(key)) is not None:
		return cached
	value = build(registry.visible_tools(state, access), revision)
	encoded = EncodedResult(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
	if state.version is not None:
		_answers.put(key, encoded)
	return encoded


def clear() -> None:
	"""Forget every kept answer of this process (tests; answers of old versions age out anyway)."""
	_answers.clear()
