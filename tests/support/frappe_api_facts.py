"""Write tests/data/frappe_api/<label>.json: the Frappe API facts tests/test_frappe_api.py checks against.

Run it with a Python where `import frappe` is the framework to describe (no site needed):

    .venv/bin/python -m tests.support.frappe_api_facts v16            # the test host's framework
    ~/frappe-bench/env/bin/python -m tests.support.frappe_api_facts v15 \\
        --reference ../shared/reference/frappe-api/frappe-15.44.2.json    # from a v15 bench

It records every module the app refers to (found with tests/support/frappe_api.py) with all of its
names, and the members of the classes in `frappe_api.CLASSES`. Callables are stored as parameter
lists (`"/"` and `"*"` markers, `"*args"`, `"**kwargs"`, `self` dropped), everything else as its kind.
With --reference, signatures the reference lists are taken from it (names it leaves out, such as
`frappe._` or `frappe.local`, come from the running framework) and disagreements are printed.
The test reads only the JSON; it never needs this script or a Frappe of that version.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import re
import sys
from pathlib import Path

from tests.support import frappe_api


def _import_frappe():
	try:
		import frappe
	except ModuleNotFoundError:
		from tests.host import bootstrap

		bootstrap.activate()
		import frappe
	return frappe


def _params(signature: inspect.Signature, drop_self: bool) -> list[str]:
	out: list[str] = []
	parameters = list(signature.parameters.values())
	if drop_self and parameters and parameters[0].name == "self":
		parameters = parameters[1:]
	star = False
	for index, p in enumerate(parameters):
		if p.kind is p.VAR_POSITIONAL:
			out.append(f"*{p.name}")
			star = True
		elif p.kind is p.VAR_KEYWORD:
			out.append(f"**{p.name}")
		else:
			if p.kind is p.KEYWORD_ONLY and not star:
				out.append("*")
				star = True
			out.append(p.name)
			following = parameters[index + 1] if index + 1 < len(parameters) else None
			if p.kind is p.POSITIONAL_ONLY and (following is None or following.kind is not p.POSITIONAL_ONLY):
				out.append("/")
	return out


def _describe(value, drop_self: bool = False):
	if type(value).__name__ in ("LocalProxy", "Local"):
		return "attribute"
	if inspect.ismodule(value):
		return "module"
	if isinstance(value, (property, staticmethod, classmethod)) or type(value).__name__ == "cached_property":
		return "property" if not isinstance(value, (staticmethod, classmethod)) else _describe(value.__func__)
	if not callable(value):
		return "attribute"
	try:
		return _params(inspect.signature(value), drop_self)
	except (TypeError, ValueError):
		return "class" if inspect.isclass(value) else "callable"


def _module_table(module) -> dict:
	return {
		name: _describe(value) for name, value in sorted(vars(module).items()) if not name.startswith("__")
	}


def _class_table(cls) -> dict:
	table = {}
	for name in sorted(dir(cls)):
		if name.startswith("__"):
			continue
		raw = inspect.getattr_static(cls, name)
		if isinstance(raw, classmethod):
			table[name] = _describe(getattr(cls, name))
		elif isinstance(raw, staticmethod):
			table[name] = _describe(raw.__func__)
		elif inspect.isfunction(raw):
			table[name] = _describe(raw, drop_self=True)
		else:
			table[name] = _describe(raw)
	return table


def _controller(frappe, doctype: str):
	"""The controller class of one of Frappe's own DocTypes, found on disk (no site needed)."""
	scrubbed = doctype.lower().replace(" ", "_")
	root = Path(frappe.__file__).parent
	for path in root.glob(f"*/doctype/{scrubbed}/{scrubbed}.py"):
		dotted = ".".join(["frappe", *path.relative_to(root).with_suffix("").parts])
		return getattr(importlib.import_module(dotted), doctype.replace(" ", ""))
	sys.exit(f"no controller for DocType {doctype!r} in {root}")


def _needed_modules() -> dict:
	"""The modules the app refers to, each with its table, grown until every owner is recorded."""
	tables: dict[str, dict] = {}
	wanted = {"frappe"}
	for _, _, text in frappe_api.app_sources():
		for node in ast.walk(ast.parse(text)):
			names = []
			if isinstance(node, ast.Import):
				names = [alias.name for alias in node.names]
			elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
				names = [node.module]
			for name in names:
				if name == "frappe" or name.startswith("frappe."):
					parts = name.split(".")
					wanted |= {".".join(parts[: i + 1]) for i in range(len(parts))}
	while True:
		for name in sorted(wanted - set(tables)):
			tables[name] = _module_table(importlib.import_module(name))
		known = frappe_api.known_modules({"modules": tables})
		calls = frappe_api.find_calls(frappe_api.app_sources(), known)
		missing = {c.owner for c in calls if not c.is_class and c.owner not in tables}
		missing |= {f"{c.owner}.{c.name}" for c in calls if not c.is_class and f"{c.owner}.{c.name}" in known}
		missing -= set(tables)
		if not missing:
			return tables
		wanted |= missing


def _parse_reference_signature(text: str | None):
	"""A signature string of the reference file (`(self, a, b=1, *, c) -> X`, `class(x)`) as params."""
	if text is None:
		return "attribute"
	if text.startswith("module "):
		return "module"
	if text in ("property", "class"):
		return text
	if text.startswith("class"):
		text = text[len("class") :]
	depth, current, items, quote = 0, "", [], ""
	for char in text[1:]:
		if quote:
			quote = "" if char == quote else quote
		elif char in "'\"":
			quote = char
		elif char in "([{":
			depth += 1
		elif char in ")]}":
			if depth == 0:
				break
			depth -= 1
		elif char == "," and depth == 0:
			items.append(current)
			current = ""
			continue
		current += char
	items.append(current)
	params = [item.split(":")[0].split("=")[0].strip() for item in items]
	params = [p for p in params if p]
	return params[1:] if params[:1] == ["self"] else params


def _overlay_reference(facts: dict, path: str) -> None:
	reference = json.loads(open(path).read())
	if reference["frappe_version"] != facts["frappe_version"]:
		sys.exit(f"the reference describes {reference['frappe_version']}, this is {facts['frappe_version']}")
	tables = [(facts["modules"], reference["modules"], m, m) for m in facts["modules"]]
	tables += [
		(facts["classes"], reference["classes"], short, path) for short, path in frappe_api.CLASSES.items()
	]
	for ours, theirs, key, ref_key in tables:
		for name, text in theirs.get(ref_key, {}).items():
			parsed = _parse_reference_signature(text)
			live = ours[key].get(name)
			if live is not None and live != parsed and isinstance(parsed, list):
				print(
					f"{key}.{name}: reference {parsed} differs from the running framework {live}",
					file=sys.stderr,
				)
			ours[key][name] = parsed
	facts["sources"].insert(0, f"signatures listed in {path.rsplit('/', 1)[-1]}")


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("label", choices=frappe_api.VERSIONS)
	parser.add_argument("--reference", help="a frappe-api reference JSON of the same Frappe version")
	args = parser.parse_args()
	frappe = _import_frappe()
	facts = {
		"frappe_version": frappe.__version__,
		"sources": [f"introspection of the installed framework ({frappe.__version__})"],
		"modules": _needed_modules(),
		"classes": {},
	}
	for short, path in frappe_api.CLASSES.items():
		module, _, name = path.rpartition(".")
		facts["classes"][short] = _class_table(getattr(importlib.import_module(module), name))
	calls = frappe_api.find_calls(frappe_api.app_sources(), frappe_api.known_modules(facts))
	for doctype in sorted({c.owner for c in calls if c.is_class and c.owner.startswith(frappe_api.DOCTYPE)}):
		facts["classes"][doctype] = _class_table(_controller(frappe, doctype[len(frappe_api.DOCTYPE) :]))
	if args.reference:
		_overlay_reference(facts, args.reference)
	out = frappe_api.FACTS_DIR / f"{args.label}.json"
	out.parent.mkdir(parents=True, exist_ok=True)
	text = json.dumps(facts, indent=1, sort_keys=True)
	# One line per name: parameter lists on the line of their name.
	text = re.sub(
		r"\[\s+([^\[\]]*?)\s+\]", lambda m: "[" + ", ".join(re.split(r",\s+", m.group(1))) + "]", text
	)
	out.write_text(text + "\n")
	print(
		f"wrote {out.relative_to(frappe_api.ROOT)}: {len(facts['modules'])} modules, Frappe {frappe.__version__}"
	)


if __name__ == "__main__":
	main()
