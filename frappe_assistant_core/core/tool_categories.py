"""Tool risk categories, detected from a tool's source code without importing it.

Detection reads the tool module with `ast` and looks at what the code asks permission for:
`ptype=` / `perm_type=` keywords and permission-type strings passed to has_permission /
check_permission / has_perm. What cannot be undone (deleting, cancelling a submitted document), raw
SQL, subprocesses, `frappe.only_for` and a `required_roles` gate make a tool privileged. The category drives MCP annotations (readOnlyHint / destructiveHint).
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from functools import lru_cache

CATEGORIES = ("read_only", "write", "read_write", "privileged")
#: How much a category lets a tool do: a hand-set category may be higher than the detected one, never lower.
CATEGORY_RANK = {"read_only": 0, "write": 1, "read_write": 1, "privileged": 2}
READ_PERMS = frozenset({"read", "select", "export", "print", "email", "report"})
WRITE_PERMS = frozenset({"write", "create", "submit", "cancel", "amend", "import", "share"})
#: Rights whose use cannot be undone: a tool that checks one is destructive.
DESTRUCTIVE_PERMS = frozenset({"delete", "cancel"})
_PERMISSION_CALLS = frozenset({"has_permission", "check_permission", "has_perm", "is_permitted"})
_PERMISSION_KEYWORDS = frozenset({"ptype", "perm_type", "permtype"})
# Calls that put a tool beyond document permissions altogether.
_PRIVILEGED_CALLS = frozenset({"only_for", "delete_doc", "sql", "multisql", "Popen", "run", "check_output"})
_PRIVILEGED_MODULES = frozenset({"subprocess", "db"})

CATEGORY_INFO = {
	"read_only": {"label": "Read Only", "color": "green", "icon": "fa-eye"},
	"write": {"label": "Write", "color": "yellow", "icon": "fa-edit"},
	"read_write": {"label": "Read & Write", "color": "blue", "icon": "fa-exchange-alt"},
	"privileged": {"label": "Privileged", "color": "orange", "icon": "fa-shield-alt"},
}


@dataclass(frozen=True)
class ToolSource:
	"""What the sync needs to know about a tool, read from its source file."""

	name: str
	class_name: str
	description: str
	category: str


def category_to_annotations(category: str | None) -> dict:
	"""MCP tool annotations for a category; unknown categories get none."""
	if category == "read_only":
		return {"readOnlyHint": True, "destructiveHint": False}
	if category in ("write", "read_write"):
		return {"readOnlyHint": False, "destructiveHint": False}
	if category == "privileged":
		return {"readOnlyHint": False, "destructiveHint": True}
	return {}


def categorize(perm_types: set[str], privileged: bool = False) -> str:
	"""The category implied by the permission types a tool checks."""
	if privileged or perm_types & DESTRUCTIVE_PERMS:
		return "privileged"
	writes, reads = perm_types & WRITE_PERMS, perm_types & READ_PERMS
	if writes and reads:
		return "read_write"
	if writes:
		return "write"
	if reads:
		return "read_only"
	return "read_write"  # nothing declared: assume the tool may change data


def read_tool_source(path: str, class_name: str | None = None) -> ToolSource | None:
	"""Describe the BaseTool subclass in the file at `path` (the named class, or the first one)."""
	return _read_tool_source(path, class_name)


def read_tool_class(dotted_path: str) -> ToolSource | None:
	"""Describe the class at `package.module.ClassName` without importing the module."""
	module_name, _, class_name = dotted_path.rpartition(".")
	try:
		spec = importlib.util.find_spec(module_name)
	except (ImportError, ValueError):
		return None
	if not spec or not spec.origin or not spec.origin.endswith(".py"):
		return None
	return read_tool_source(spec.origin, class_name)


@lru_cache(maxsize=4096)
def _read_tool_source(path: str, class_name: str | None) -> ToolSource | None:
	try:
		with open(path, encoding="utf-8") as handle:
			tree = ast.parse(handle.read(), filename=path)
	except (OSError, SyntaxError, ValueError):
		return None
	for node in tree.body:
		if not isinstance(node, ast.ClassDef):
			continue
		if class_name and node.name != class_name:
			continue
		if not class_name and not any(_base_name(b).endswith("Tool") for b in node.bases):
			continue
		attrs = _class_constants(node)
		if not attrs.get("name"):
			continue
		# The tool class and the module's functions; never other classes of the same module.
		scope = [node, *(n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
		perm_types, privileged = _scan_permissions(scope)
		return ToolSource(
			name=attrs["name"],
			class_name=node.name,
			description=" ".join(attrs.get("description", "").split()),
			category=categorize(perm_types, privileged),
		)
	return None


def _base_name(node: ast.expr) -> str:
	if isinstance(node, ast.Name):
		return node.id
	if isinstance(node, ast.Attribute):
		return node.attr
	return ""


def _is_role_gate(node: ast.AST) -> bool:
	"""`required_roles = ("System Manager", ...)`: a tool for some roles only."""
	return (
		isinstance(node, ast.Assign | ast.AnnAssign)
		and any(
			isinstance(t, ast.Name) and t.id == "required_roles"
			for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
		)
		and isinstance(node.value, ast.Tuple | ast.List | ast.Set)
		and bool(node.value.elts)
	)


def _class_constants(node: ast.ClassDef) -> dict[str, str]:
	out = {}
	for stmt in node.body:
		target = None
		if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
			target, value = stmt.targets[0], stmt.value
		elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
			target, value = stmt.target, stmt.value
		if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
			out[target.id] = value.value
	return out


def _scan_permissions(scope: list[ast.AST]) -> tuple[set[str], bool]:
	"""Permission types checked in `scope`, and whether it does privileged things."""
	perms: set[str] = set()
	privileged = False
	for node in (n for root in scope for n in ast.walk(root)):
		if _is_role_gate(node):
			privileged = True
		if not isinstance(node, ast.Call):
			continue
		func = node.func
		called = _base_name(func)
		owner = _base_name(func.value) if isinstance(func, ast.Attribute) else ""
		for kw in node.keywords:
			if kw.arg in _PERMISSION_KEYWORDS and isinstance(kw.value, ast.Constant):
				perms.add(str(kw.value.value))
		if called in _PERMISSION_CALLS:
			for arg in node.args:
				if isinstance(arg, ast.Constant) and arg.value in READ_PERMS | WRITE_PERMS | {"delete"}:
					perms.add(arg.value)
		if called in _PRIVILEGED_CALLS and (
			called in ("only_for", "delete_doc") or owner in _PRIVILEGED_MODULES
		):
			privileged = True
	return perms, privileged
