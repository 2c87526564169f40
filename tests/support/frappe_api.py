"""Find the app's calls into Frappe by reading its source, and check them against recorded API facts.

The facts (tests/data/frappe_api/v15.json, v16.json; written by tests/support/frappe_api_facts.py)
list, per Frappe module, each public name with its parameters, and the members of the classes the
app calls methods on (Document, BaseDocument, Database, RedisWrapper, Meta, File). `find_calls`
resolves names through imports and a little local type inference: `frappe.x`, `frappe.utils.x`,
`from frappe.x import y` then `y(...)`, `frappe.db.*`, `frappe.cache.*` and `frappe.cache().*`,
and methods on values known to be documents (`frappe.get_doc`/`new_doc`/`get_cached_doc`/... results,
`self` in a Document subclass, parameters annotated `Document`, the app's own functions that return
one), metas (`frappe.get_meta`) and files (`frappe.get_doc("File", ...)`). A call inside
`try: ... except (ImportError | AttributeError)` or under an `if` on a version (`__version__`, a
name containing "version", `hasattr(...)`) is a deliberate fallback and is not checked.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "frappe_assistant_core"
FACTS_DIR = ROOT / "tests" / "data" / "frappe_api"
VERSIONS = ("v15", "v16")

# The classes whose members the facts record, by the short name used in the facts files.
CLASSES = {
	"Document": "frappe.model.document.Document",
	"BaseDocument": "frappe.model.base_document.BaseDocument",
	"Database": "frappe.database.mariadb.database.MariaDBDatabase",
	"RedisWrapper": "frappe.utils.redis_wrapper.RedisWrapper",
	"Meta": "frappe.model.meta.Meta",
	"File": "frappe.core.doctype.file.file.File",
}
_CLASS_BY_PATH = {path: short for short, path in CLASSES.items()}
_CLASS_BY_PATH["frappe.database.database.Database"] = "Database"
# Module functions whose result is a document (of the DocType named by a literal first argument).
_DOC_FACTORIES = {"get_doc", "new_doc", "get_cached_doc", "get_last_doc", "copy_doc", "get_single"}
# Document methods that return the document itself.
_RETURNS_SELF = {"insert", "save", "submit", "cancel", "reload"}
# Facts class key prefix for a DocType's controller class ("doctype:Report").
DOCTYPE = "doctype:"
_GUARD_EXCEPTIONS = {"ImportError", "ModuleNotFoundError", "AttributeError"}


@dataclass(frozen=True)
class Call:
	"""One reference into Frappe: a module member or a class member, with the arguments passed."""

	file: str
	line: int
	owner: str  # a module ("frappe.utils") or a class short name ("Document")
	name: str
	is_class: bool
	called: bool  # False for a plain reference (`from frappe.x import y`, `frappe.local`)
	positional: int | None = None  # None when a *starred argument makes the count unknown
	keywords: tuple[str, ...] = ()

	@property
	def where(self) -> str:
		return f"{self.file}:{self.line}"

	@property
	def target(self) -> str:
		return f"{self.owner}.{self.name}"


# -- what a name or expression stands for ------------------------------------------------------------
# ("module", "frappe.utils") | ("member", module, name) | ("instance", class short name)
# | ("appfunc", qualified name) | None (not Frappe's, or unknown)


@dataclass
class _Scope:
	names: dict[str, tuple] = field(default_factory=dict)
	# Methods a Document subclass defines itself: `self.x()` for these is app code.
	own_methods: frozenset[str] = frozenset()


class _Facts:
	"""What the analyzer needs from the facts: which dotted names are modules, what a class holds."""

	def __init__(self, modules: Iterable[str]):
		self.modules = set(modules)

	def is_module(self, dotted: str) -> bool:
		return dotted in self.modules


class _Analyzer(ast.NodeVisitor):
	def __init__(self, path: str, module: str, facts: _Facts, app_returns: dict[str, tuple]):
		self.path = path
		self.module = module
		self.facts = facts
		self.app_returns = app_returns
		self.scopes = [_Scope()]
		self.guard_depth = 0
		self.calls: list[Call] = []
		self.returns: dict[str, tuple] = {}
		self._function: list[tuple[str, list]] = []

	# -- scopes and imports -------------------------------------------------------------------------
	def lookup(self, name: str):
		for scope in reversed(self.scopes):
			if name in scope.names:
				return scope.names[name]
		return None

	def bind(self, name: str, meaning) -> None:
		if meaning is None:
			self.scopes[-1].names.pop(name, None)
		else:
			self.scopes[-1].names[name] = meaning

	def visit_Import(self, node: ast.Import) -> None:
		for alias in node.names:
			if alias.name != "frappe" and not alias.name.startswith("frappe."):
				continue
			if alias.asname:
				self.bind(alias.asname, ("module", alias.name))
			else:
				self.bind("frappe", ("module", "frappe"))
			self.reference(node, ("module", alias.name))

	def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
		source = self.absolute(node)
		for alias in node.names:
			local = alias.asname or alias.name
			if self.guard_depth:
				self.bind(local, None)  # bound by a guarded import: its uses sit behind the fallback
			elif source == "frappe" or source.startswith("frappe."):
				dotted = f"{source}.{alias.name}"
				if dotted in CLASSES.values() or dotted in _CLASS_BY_PATH:
					meaning = ("class", _CLASS_BY_PATH[dotted])
				elif self.facts.is_module(dotted):
					meaning = ("module", dotted)
				else:
					meaning = ("member", source, alias.name)
				self.bind(local, meaning)
				self.reference(node, ("member", source, alias.name), called=False)
			elif source.startswith("frappe_assistant_core"):
				self.bind(local, ("appfunc", f"{source}.{alias.name}"))

	def absolute(self, node: ast.ImportFrom) -> str:
		if not node.level:
			return node.module or ""
		package = self.module.split(".")[: -node.level]
		return ".".join([*package, *([node.module] if node.module else [])])

	# -- resolution ---------------------------------------------------------------------------------
	def resolve(self, node: ast.AST):
		if isinstance(node, ast.Name):
			return self.lookup(node.id)
		if isinstance(node, ast.Attribute):
			base = self.resolve(node.value)
			if base is None:
				return None
			kind = base[0]
			if kind == "module":
				dotted = f"{base[1]}.{node.attr}"
				if self.facts.is_module(dotted):
					return ("module", dotted)
				if base[1] == "frappe" and node.attr == "db":
					return ("instance", "Database")
				if base[1] == "frappe" and node.attr == "cache":
					return ("cache",)
				return ("member", base[1], node.attr)
			if kind in ("instance", "cache"):
				cls = "RedisWrapper" if kind == "cache" else base[1]
				if _is_document(cls) and node.attr == "meta":
					return ("instance", "Meta")
				return ("attr", cls, node.attr)
			return None
		if isinstance(node, ast.Call):
			return self.result_of(node)
		if isinstance(node, ast.Await):
			return None
		return None

	def result_of(self, node: ast.Call):
		func = self.resolve(node.func)
		if func is None:
			return None
		if func[0] == "member" and func[1] == "frappe":
			if func[2] in _DOC_FACTORIES:
				# A DocType named literally has its controller's methods too (Report.get_data).
				first = node.args[0] if node.args else None
				if isinstance(first, ast.Constant) and isinstance(first.value, str):
					return ("instance", "File" if first.value == "File" else f"{DOCTYPE}{first.value}")
				return ("instance", "Document")
			if func[2] == "get_meta":
				return ("instance", "Meta")
		if func[0] == "cache":
			return ("instance", "RedisWrapper")
		if func[0] == "attr" and _is_document(func[1]) and func[2] in _RETURNS_SELF:
			return ("instance", func[1])
		if func[0] == "appfunc":
			return self.app_returns.get(func[1])
		return None

	def annotation(self, node: ast.AST | None):
		"""The instance type an annotation names (`Document`, `"Meta"`, `Document | None`)."""
		if node is None:
			return None
		if isinstance(node, ast.Constant) and isinstance(node.value, str):
			try:
				node = ast.parse(node.value, mode="eval").body
			except SyntaxError:
				return None
		if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
			found = {self.annotation(node.left), self.annotation(node.right)} - {None}
			return found.pop() if len(found) == 1 else None
		meaning = self.resolve(node)
		if meaning and meaning[0] == "class":
			return ("instance", meaning[1])
		if meaning and meaning[0] == "member" and f"{meaning[1]}.{meaning[2]}" in _CLASS_BY_PATH:
			return ("instance", _CLASS_BY_PATH[f"{meaning[1]}.{meaning[2]}"])
		return None

	# -- recording ----------------------------------------------------------------------------------
	def reference(self, node: ast.AST, meaning, called: bool = False, call: ast.Call | None = None):
		if self.guard_depth or meaning is None:
			return
		if meaning[0] == "member":
			owner, name, is_class = meaning[1], meaning[2], False
		elif meaning[0] == "attr":
			owner, name, is_class = meaning[1], meaning[2], True
		elif meaning[0] == "module":
			owner, name, is_class = meaning[1], "", False
		else:
			return
		positional, keywords = None, ()
		if call is not None:
			if not any(isinstance(arg, ast.Starred) for arg in call.args):
				positional = len(call.args)
			keywords = tuple(kw.arg for kw in call.keywords if kw.arg)
		self.calls.append(Call(self.path, node.lineno, owner, name, is_class, called, positional, keywords))

	def visit_Call(self, node: ast.Call) -> None:
		func = self.resolve(node.func)
		if func and func[0] == "attr" and func[2] in self.scopes[-1].own_methods and self.is_self(node.func):
			func = None
		if func and func[0] in ("member", "attr"):
			self.reference(node, func, called=True, call=node)
			self.visit_children_except_func(node)
			return
		self.generic_visit(node)

	def is_self(self, node: ast.AST) -> bool:
		return (
			isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
		)

	def visit_children_except_func(self, node: ast.Call) -> None:
		# The callee's own chain (`frappe.db` in `frappe.db.get_value`) may hold calls to check too.
		target = node.func
		if isinstance(target, ast.Attribute):
			self.visit(target.value)
		for arg in node.args:
			self.visit(arg)
		for kw in node.keywords:
			self.visit(kw.value)

	def visit_Attribute(self, node: ast.Attribute) -> None:
		meaning = self.resolve(node)
		if meaning and meaning[0] in ("member", "module") and isinstance(node.ctx, ast.Load):
			self.reference(node, meaning)
			return
		self.generic_visit(node)

	# -- flow: guards, assignments, functions, classes ----------------------------------------------
	def visit_Try(self, node: ast.Try) -> None:
		guarded = any(_catches(handler.type) for handler in node.handlers)
		self.guard_depth += guarded
		for stmt in node.body:
			self.visit(stmt)
		self.guard_depth -= guarded
		for part in (node.handlers, node.orelse, node.finalbody):
			for stmt in part:
				self.visit(stmt)

	visit_TryStar = visit_Try

	def visit_If(self, node: ast.If) -> None:
		guarded = _is_version_check(node.test)
		self.guard_depth += guarded
		self.generic_visit(node)
		self.guard_depth -= guarded

	def visit_IfExp(self, node: ast.IfExp) -> None:
		self.visit_If(node)

	def visit_Assign(self, node: ast.Assign) -> None:
		self.visit(node.value)
		meaning = self.value_meaning(node.value)
		for target in node.targets:
			if isinstance(target, ast.Name):
				self.bind(target.id, meaning)
			else:
				self.visit(target)

	def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
		if node.value is not None:
			self.visit(node.value)
		if isinstance(node.target, ast.Name):
			meaning = self.annotation(node.annotation) or (
				self.value_meaning(node.value) if node.value is not None else None
			)
			self.bind(node.target.id, meaning)

	def value_meaning(self, value: ast.AST):
		if isinstance(value, ast.IfExp):
			found = {self.value_meaning(value.body), self.value_meaning(value.orelse)} - {None}
			return found.pop() if len(found) == 1 else None
		meaning = self.resolve(value)
		return meaning if meaning and meaning[0] in ("instance", "module", "member", "appfunc") else None

	def visit_Return(self, node: ast.Return) -> None:
		if node.value is not None:
			self.visit(node.value)
			if self._function:
				self._function[-1][1].append(self.value_meaning(node.value))

	def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
		for decorator in node.decorator_list:
			self.visit(decorator)
		for default in [*node.args.defaults, *node.args.kw_defaults]:
			if default is not None:
				self.visit(default)
		scope = _Scope(own_methods=self.scopes[-1].own_methods)
		params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
		self_type = self.scopes[-1].names.get("<self>")
		for index, arg in enumerate(params):
			meaning = self.annotation(arg.annotation)
			if index == 0 and arg.arg == "self" and self_type:
				meaning = self_type
			if meaning:
				scope.names[arg.arg] = meaning
		self.scopes.append(scope)
		self._function.append((node.name, []))
		for stmt in node.body:
			self.visit(stmt)
		_, returned = self._function.pop()
		self.scopes.pop()
		if len(self.scopes) == 1:
			declared = self.annotation(node.returns)
			kinds = set(returned)
			inferred = kinds.pop() if len(kinds) == 1 else None
			meaning = declared or (inferred if inferred and inferred[0] == "instance" else None)
			if meaning:
				self.returns[f"{self.module}.{node.name}"] = meaning
			self.bind(node.name, ("appfunc", f"{self.module}.{node.name}"))
		else:
			self.bind(node.name, None)

	visit_AsyncFunctionDef = visit_FunctionDef

	def visit_Lambda(self, node: ast.Lambda) -> None:
		self.visit(node.body)

	def visit_ClassDef(self, node: ast.ClassDef) -> None:
		for base in node.bases:
			self.visit(base)
		base_types = [self.resolve(base) for base in node.bases]
		is_document = any(meaning and meaning[0] == "class" for meaning in base_types)
		doc_type = next((m[1] for m in base_types if m and m[0] == "class"), None)
		own = frozenset(
			stmt.name for stmt in node.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
		)
		scope = _Scope(own_methods=own if is_document else frozenset())
		if is_document:
			scope.names["<self>"] = ("instance", doc_type)
		self.scopes.append(scope)
		for stmt in node.body:
			self.visit(stmt)
		self.scopes.pop()
		self.bind(node.name, None)


def _is_document(cls: str) -> bool:
	return cls in ("Document", "File") or cls.startswith(DOCTYPE)


def _catches(handler_type: ast.AST | None) -> bool:
	if handler_type is None:
		return False
	names = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
	return any(isinstance(n, ast.Name) and n.id in _GUARD_EXCEPTIONS for n in names)


def _is_version_check(test: ast.AST) -> bool:
	for node in ast.walk(test):
		name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
		if "version" in name.lower():
			return True
		if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr":
			return True
	return False


# -- running the analysis over source ----------------------------------------------------------------


def _module_name(path: Path, root: Path) -> str:
	parts = list(path.relative_to(root).with_suffix("").parts)
	if parts[-1] == "__init__":
		parts.pop()
	return ".".join(parts)


def app_sources(app: Path = APP) -> Iterator[tuple[str, str, str]]:
	"""(path relative to the repository, dotted module, source) for every Python file of the app."""
	for path in sorted(app.rglob("*.py")):
		yield str(path.relative_to(app.parent)), _module_name(path, app.parent), path.read_text()


def find_calls(sources: Iterable[tuple[str, str, str]], modules: Iterable[str]) -> list[Call]:
	"""Every reference into Frappe in `sources`; `modules` are the dotted names that are modules."""
	sources = list(sources)
	facts = _Facts(modules)
	returns: dict[str, tuple] = {}
	# Two rounds, so a helper returning a document is known wherever it is imported.
	for _ in range(2):
		found: dict[str, tuple] = {}
		calls: list[Call] = []
		for path, module, text in sources:
			analyzer = _Analyzer(path, module, facts, returns)
			analyzer.visit(ast.parse(text, filename=path))
			found.update(analyzer.returns)
			calls += analyzer.calls
		returns = found
	return calls


# -- the facts and the check -------------------------------------------------------------------------


def load_facts(version: str) -> dict:
	return json.loads((FACTS_DIR / f"{version}.json").read_text())


def known_modules(*all_facts: dict) -> set[str]:
	modules: set[str] = set()
	for facts in all_facts:
		modules |= set(facts["modules"])
		for module, members in facts["modules"].items():
			modules |= {f"{module}.{name}" for name, kind in members.items() if kind == "module"}
	return modules


def problems(calls: Iterable[Call], facts: dict, label: str) -> list[str]:
	"""What `calls` use that the Frappe described by `facts` lacks, one line each."""
	found = []
	for call in calls:
		table = facts["classes"] if call.is_class else facts["modules"]
		if call.owner not in table:
			found.append(f"{call.where}: {call.owner} is not recorded in the {label} facts (regenerate them)")
			continue
		members = table[call.owner]
		if not call.name:
			continue  # the module itself: recorded, so it exists
		if call.name not in members:
			found.append(f"{call.where}: Frappe {label} has no {call.target}")
			continue
		params = members[call.name]
		if call.called and isinstance(params, list):
			found += [
				f"{call.where}: {call.target}() on Frappe {label}: {why}" for why in _mismatch(call, params)
			]
	return found


def _mismatch(call: Call, params: list[str]) -> list[str]:
	"""Why the arguments of `call` do not fit `params` (names, "/", "*", "*args", "**kwargs")."""
	why = []
	if not any(p.startswith("**") for p in params):
		named = set()
		for p in params:
			if p == "/":
				named.clear()  # positional-only parameters cannot be passed by name
			elif not p.startswith("*"):
				named.add(p)
		why += [f"no keyword argument {kw!r}" for kw in call.keywords if kw not in named]
	has_varargs = any(p.startswith("*") and not p.startswith("**") and p != "*" for p in params)
	if call.positional is not None and not has_varargs:
		slots = 0
		for p in params:
			if p.startswith("*"):
				break
			slots += p != "/"
		if call.positional > slots:
			why.append(f"{call.positional} positional arguments, takes at most {slots}")
	return why
