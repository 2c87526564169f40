"""The app's structure: its import contracts hold, nothing imports itself back, modules stay short.

docs/architecture.md says which way the layers point; the contracts in pyproject.toml
(`[tool.importlinter]`) hold it, checked here by import-linter as `lint-imports` checks it. The
cycle checks read the same import graph (grimp, which import-linter builds it with): no module
reaches itself back through others, and no two folders import each other, each DocType's folder
counted as a folder of its own. Imports under `if TYPE_CHECKING:` name types and are not counted.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.host import bootstrap

if bootstrap.on_real_bench():
	# A bench's env has the app's requirements only; these two are pinned for the test host.
	pytest.skip("import-linter and grimp are test-host requirements", allow_module_level=True)

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
APP = "frappe_assistant_core"
CONFIG = ROOT / "pyproject.toml"
MAX_LINES = 300


def _graph() -> grimp.ImportGraph:
	return grimp.build_graph(APP, exclude_type_checking_imports=True, cache_dir=None)


def _folder(module: str) -> str:
	"""The folder a module belongs to: its top-level package, or its DocType's (or page's) folder."""
	parts = module.split(".")
	if len(parts) > 3 and parts[1] == "assistant_core":
		return ".".join(parts[1:4])
	return parts[1] if len(parts) > 1 else module


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
	"""The strongly connected components with more than one node (Tarjan), each sorted."""
	index: dict[str, int] = {}
	low: dict[str, int] = {}
	stack: list[str] = []
	on_stack: set[str] = set()
	found: list[list[str]] = []

	def visit(node: str) -> None:
		index[node] = low[node] = len(index)
		stack.append(node)
		on_stack.add(node)
		for target in sorted(edges.get(node, ())):
			if target not in index:
				visit(target)
				low[node] = min(low[node], low[target])
			elif target in on_stack:
				low[node] = min(low[node], index[target])
		if low[node] == index[node]:
			component = []
			while True:
				member = stack.pop()
				on_stack.discard(member)
				component.append(member)
				if member == node:
					break
			if len(component) > 1:
				found.append(sorted(component))

	for node in sorted(edges):
		if node not in index:
			visit(node)
	return found


def _module_edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
	return {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}


def _folder_edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
	edges: dict[str, set[str]] = {}
	for module, targets in _module_edges(graph).items():
		source = _folder(module)
		edges.setdefault(source, set()).update(_folder(t) for t in targets if _folder(t) != source)
	return edges


def _lint_in(root: Path) -> tuple[int, str]:
	"""lint-imports with pyproject.toml's contracts on the copy of the app under `root`."""
	script = (
		"import sys; from importlinter.cli import lint_imports; "
		f"sys.exit(lint_imports(config_filename={str(CONFIG)!r}, no_cache=True, no_logo=True))"
	)
	done = subprocess.run(
		[sys.executable, "-c", script],
		cwd=root,
		env={**os.environ, "PYTHONPATH": str(root)},
		capture_output=True,
		text=True,
		timeout=300,
	)
	return done.returncode, done.stdout + done.stderr


def test_import_contracts_hold():
	"""Every contract in pyproject.toml is kept (the report of lint-imports says which is not)."""
	report = io.StringIO()
	with contextlib.redirect_stdout(report):
		status = lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True)
	assert status == 0, report.getvalue()
	assert "0 broken" in report.getvalue()


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
	"""The contracts catch what they are for: a tool-level module importing an endpoint module."""
	shutil.copytree(ROOT / APP, tmp_path / APP, ignore=shutil.ignore_patterns("__pycache__", "public"))
	base_tool = tmp_path / APP / "core" / "base_tool.py"
	base_tool.write_text(base_tool.read_text() + "\nfrom frappe_assistant_core.api import _gate  # noqa\n")
	status, report = _lint_in(tmp_path)
	assert status == 1, report
	assert "frappe_assistant_core.core.base_tool -> frappe_assistant_core.api._gate" in report, report


def test_no_module_imports_itself_back():
	"""No import cycle between modules, however long."""
	assert _cycles(_module_edges(_graph())) == []


def test_no_two_folders_import_each_other():
	"""No cycle between the app's folders (each DocType's folder its own), e.g. core/ and utils/."""
	assert _cycles(_folder_edges(_graph())) == []


def test_cycle_finder_reports_a_planted_cycle():
	"""The cycle checks above can fail: a three-module loop and a two-folder loop are found."""
	graph = grimp.ImportGraph()
	for importer, imported in (
		(f"{APP}.core.a", f"{APP}.utils.b"),
		(f"{APP}.utils.b", f"{APP}.utils.c"),
		(f"{APP}.utils.c", f"{APP}.core.a"),
		(f"{APP}.utils.c", f"{APP}.exceptions"),
	):
		graph.add_import(importer=importer, imported=imported)
	assert _cycles(_module_edges(graph)) == [[f"{APP}.core.a", f"{APP}.utils.b", f"{APP}.utils.c"]]
	assert _cycles(_folder_edges(graph)) == [["core", "utils"]]


def test_no_module_is_over_300_lines():
	"""Every .py file of the app has at most 300 lines (split a longer one at its second noun)."""
	sizes = {
		str(path.relative_to(ROOT)): len(path.read_text().splitlines()) for path in (ROOT / APP).rglob("*.py")
	}
	assert len(sizes) > 100  # the app's modules were found
	assert {path: lines for path, lines in sizes.items() if lines > MAX_LINES} == {}
