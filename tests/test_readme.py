"""The README stays a short front page and every document link in it and in docs/ leads somewhere.

Links are checked as GitHub renders them: a relative link names a file of the checkout, and its
`#fragment` the slug GitHub gives one of that Markdown file's headings. Fenced code and inline code
are not Markdown links, so neither is read for links or headings.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
#: The issue's budget for the front page; everything longer belongs in docs/.
README_MAX_BYTES = 12 * 1024
#: The two commands a newcomer runs; the README names no other script.
SETUP_COMMANDS = ["./scripts/serve-dev-site", "./scripts/run-tests"]
#: SHA-256 of the GNU AGPL v3 as the FSF publishes it (https://www.gnu.org/licenses/agpl-3.0.txt).
AGPL_V3_SHA256 = "0d96a4ff68ad6d4b6f1f30f713b18d5184912ba8dd389f86aa7710db079abcb0"

_FENCE = re.compile(r"^```.*?^```[^\n]*$", re.DOTALL | re.MULTILINE)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(text: str) -> str:
	"""The Markdown outside fenced code blocks."""
	return _FENCE.sub("", text)


def _slug(heading: str) -> str:
	"""GitHub's anchor for a heading: its text, lower case, punctuation dropped, spaces as hyphens."""
	text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
	text = re.sub(r"[^\w\- ]", "", text.strip().lower())
	return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
	"""Every anchor GitHub makes for the headings of a Markdown file (repeats get -1, -2, ...)."""
	seen: dict[str, int] = {}
	anchors = set()
	for heading in _HEADING.findall(_prose(path.read_text())):
		slug = _slug(heading)
		count = seen.get(slug, 0)
		anchors.add(slug if count == 0 else f"{slug}-{count}")
		seen[slug] = count + 1
	return anchors


def _relative_links(text: str) -> list[str]:
	"""The relative link targets of Markdown prose (no scheme, no mail address)."""
	prose = _INLINE_CODE.sub("", _prose(text))
	return [target for target in _LINK.findall(prose) if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def _broken_links(path: Path, text: str | None = None) -> list[str]:
	"""The links of `path` (or of `text`, as if it were that file) that lead nowhere."""
	broken = []
	for target in _relative_links(path.read_text() if text is None else text):
		file_part, _, fragment = target.partition("#")
		linked = (path.parent / unquote(file_part)).resolve() if file_part else path
		if not linked.is_file() or ROOT not in linked.parents:
			broken.append(f"{target}: no such file in the checkout")
		elif fragment and linked.suffix == ".md" and unquote(fragment) not in _anchors(linked):
			broken.append(f"{target}: no heading with anchor #{fragment} in {linked.name}")
	return broken


def test_readme_is_at_most_12_kb():
	"""The front page stays short: details go to docs/."""
	size = len(README.read_bytes())
	assert size <= README_MAX_BYTES, f"README.md is {size} bytes, over {README_MAX_BYTES}"


def test_readme_names_exactly_the_two_setup_commands():
	"""One block holds the two commands, and no other script is named anywhere in the README."""
	text = README.read_text()
	scripts = set(re.findall(r"\./scripts/[\w.-]+", text))
	assert scripts == set(SETUP_COMMANDS)
	blocks = [block for block in _FENCE.findall(text) if "./scripts/" in block]
	commands = [
		[line.split("#")[0].split()[0] for line in block.splitlines()[1:-1] if line.strip()]
		for block in blocks
	]
	assert SETUP_COMMANDS in commands, f"no block runs exactly {SETUP_COMMANDS}: {commands}"


def test_every_relative_link_in_readme_and_docs_resolves():
	"""Each relative link names a file of the checkout and, for Markdown, a heading it has."""
	broken = {path.name: _broken_links(path) for path in [README, *DOCS]}
	assert not {name: links for name, links in broken.items() if links}


def test_broken_links_are_found():
	"""The checker itself: a missing file and a missing anchor are both reported."""
	page = ROOT / "docs" / "install.md"
	assert _slug("What `bench migrate` does") == "what-bench-migrate-does"
	assert _slug("6. Governance checks") == "6-governance-checks"
	assert "installing-into-a-bench" in _anchors(page)
	assert "the-scheduler" in _anchors(page)
	probe = "[a](install.md#the-scheduler) [b](install.md#nope) [c](nope.md) `[d](gone.md)`\n"
	assert _broken_links(ROOT / "docs" / "probe.md", probe) == [
		"install.md#nope: no heading with anchor #nope in install.md",
		"nope.md: no such file in the checkout",
	]


def test_readme_table_of_contents_links_every_doc():
	"""Every docs/ page is reachable from the README."""
	linked = {target.partition("#")[0] for target in _relative_links(README.read_text())}
	assert {f"docs/{path.name}" for path in DOCS} <= linked


def test_license_is_the_agpl_v3_that_hooks_declares():
	"""LICENSE is the verbatim GNU AGPL v3, the licence hooks.py's app_license names."""
	hooks = (ROOT / "frappe_assistant_core" / "hooks.py").read_text()
	assert re.search(r'^app_license = "agpl-3.0"$', hooks, re.MULTILINE)
	assert hashlib.sha256((ROOT / "LICENSE").read_bytes()).hexdigest() == AGPL_V3_SHA256
