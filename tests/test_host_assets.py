"""The test host's asset build (tests/host/assets/build.js), what `bench build` does on a bench.

It bundles the framework's and the apps' `*.bundle.*` files with esbuild (Vue SFCs, SCSS through
Dart Sass, `.html` templates into frappe.templates), writes the assets.json manifest the framework
reads, rebuilds only when an input changed, and the served desk pages use what it built.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.host import bootstrap, config
from tests.support.server import serve
from tests.support.site import api_credentials, make_user

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "tests" / "host" / "assets" / "build.js"

pytestmark = pytest.mark.skipif(bootstrap.on_real_bench(), reason="a real bench builds with `bench build`")


def _build(out: Path, *apps: tuple[str, Path]) -> str:
	args = ["node", str(BUILD), "--out", str(out)]
	for name, public in apps:
		args += ["--app", f"{name}={public}"]
	done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
	assert done.returncode == 0, done.stdout + done.stderr
	return done.stdout


def _manifest(out: Path) -> dict[str, str]:
	return json.loads((out / "assets.json").read_text())


def _built_file(out: Path, url: str) -> Path:
	assert url.startswith("/assets/"), url
	return out / url[len("/assets/") :]


@pytest.fixture
def sample_app(tmp_path: Path) -> Path:
	"""An app's public folder with one bundle of each kind the build handles."""
	public = tmp_path / "sample_app" / "public"
	(public / "js" / "parts").mkdir(parents=True)
	(public / "scss").mkdir()
	(public / "js" / "sample.bundle.js").write_text(
		'import "./parts/card.html";\nimport Widget from "./parts/Widget.vue";\nwindow.sample_widget = Widget;\n'
	)
	(public / "js" / "parts" / "card.html").write_text('<div class="card">`{{ title }}` ${not_js}\\n</div>\n')
	(public / "js" / "parts" / "Widget.vue").write_text(
		'<template><p class="widget">{{ label }}</p></template>\n'
		'<script>\nexport default { data() { return { label: "hello" }; } };\n</script>\n'
		'<style scoped lang="scss">$gap: 3px; .widget { margin: $gap * 2; }</style>\n'
	)
	(public / "scss" / "_colours.scss").write_text("$brand: #123456;\n")
	(public / "scss" / "sample.bundle.scss").write_text(
		'@import "colours";\n@import "~bootstrap/scss/functions";\n.brand { color: $brand; .inner { width: 10px + 5px; } }\n'
	)
	return public


def test_build_writes_the_manifest_bench_build_writes(sample_app: Path, tmp_path: Path):
	"""Each bundle becomes <app>/dist/{js,css}/<name>.bundle.<hash>.<ext>, listed in assets.json
	under the name templates ask for (sample.bundle.scss as sample.bundle.css)."""
	out = tmp_path / "assets"
	_build(out, ("sample_app", sample_app))
	manifest = _manifest(out)
	assert set(manifest) == {"sample.bundle.js", "sample.bundle.css"}
	assert re.fullmatch(
		r"/assets/sample_app/dist/js/sample\.bundle\.[A-Z0-9]+\.js", manifest["sample.bundle.js"]
	)
	assert re.fullmatch(
		r"/assets/sample_app/dist/css/sample\.bundle\.[A-Z0-9]+\.css", manifest["sample.bundle.css"]
	)
	# The app's public files are served beside the build, as bench links them.
	assert (out / "sample_app" / "js" / "parts" / "card.html").read_text().startswith('<div class="card">')


# Runs a built bundle in node with the few browser globals it touches; prints what it left behind.
_RUN_BUNDLE = """
const styles = [];
globalThis.window = globalThis;
globalThis.frappe = { templates: {} };
globalThis.document = { createElement: () => ({}), head: { appendChild: (s) => styles.push(s.textContent) } };
require(process.argv[1]);
const widget = window.sample_widget;
console.log(JSON.stringify({
	templates: frappe.templates,
	styles,
	scope_id: widget.__scopeId,
	render: typeof widget.render,
	data: widget.data(),
}));
"""


def test_html_templates_vue_and_scss_are_compiled(sample_app: Path, tmp_path: Path):
	"""An .html import sets frappe.templates[name] to the file's exact text; a .vue file becomes a
	component with its template compiled and its scoped SCSS injected; SCSS entries compile."""
	out = tmp_path / "assets"
	_build(out, ("sample_app", sample_app))
	manifest = _manifest(out)
	bundle = _built_file(out, manifest["sample.bundle.js"])
	done = subprocess.run(
		["node", "-e", _RUN_BUNDLE, str(bundle)], capture_output=True, text=True, timeout=60, check=True
	)
	ran = json.loads(done.stdout)
	assert ran["templates"] == {"card": (sample_app / "js" / "parts" / "card.html").read_text()}
	assert ran["render"] == "function" and ran["data"] == {"label": "hello"}
	assert re.fullmatch(r"data-v-[0-9a-f]{8}", ran["scope_id"])
	[style] = ran["styles"]
	assert re.search(rf"\.widget\[{ran['scope_id']}\]\s*\{{\s*margin:\s*6px", style), style
	css = _built_file(out, manifest["sample.bundle.css"]).read_text()
	assert re.search(r"\.brand\s*\{\s*color:\s*#123456", css)
	assert re.search(r"\.brand \.inner\s*\{\s*width:\s*15px", css)


def test_build_is_skipped_until_an_input_changes(sample_app: Path, tmp_path: Path):
	"""A second run with the same inputs builds nothing; editing a source file rebuilds it."""
	out = tmp_path / "assets"
	assert "built 2 bundles" in _build(out, ("sample_app", sample_app))
	first = _manifest(out)
	assert "up to date" in _build(out, ("sample_app", sample_app))
	assert _manifest(out) == first
	(sample_app / "js" / "parts" / "card.html").write_text("<div>changed</div>\n")
	assert "built 2 bundles" in _build(out, ("sample_app", sample_app))
	changed = _manifest(out)
	assert changed["sample.bundle.js"] != first["sample.bundle.js"], "a new content hash"
	assert changed["sample.bundle.css"] == first["sample.bundle.css"]
	assert not _built_file(out, first["sample.bundle.js"]).exists(), "the old build is gone"


def test_the_framework_bundles_the_desk_includes_are_built():
	"""setup.sh built every bundle the installed apps' hooks and the framework's pages include."""
	import frappe

	manifest = _manifest(config.ASSETS_DIR)
	wanted = [
		*frappe.get_hooks("app_include_js"),
		*frappe.get_hooks("app_include_css"),
		"login.bundle.css",
		"website.bundle.css",
		f"{frappe.__name__}-web.bundle.js",  # templates/base.html
	]
	for name in wanted:
		assert name in manifest, name
		assert _built_file(config.ASSETS_DIR, manifest[name]).stat().st_size > 0, name
	assert not (REPO / "frappe_assistant_core" / "public" / "dist").exists(), "nothing built into the app"


def test_served_desk_pages_use_the_built_bundles():
	"""/login and /app render (they failed with a 500 before there was a build) and every bundle
	they name is served from /assets/."""
	token = api_credentials(make_user("fac-host-assets@example.com", ["System Manager"]))
	with serve(workers=1) as server:
		for route, bundles in (
			("/login", ["login.bundle.css"]),
			("/desk", ["desk.bundle.js", "libs.bundle.js"]),
		):
			status, _, body = server.request(route, auth=token)
			assert status == 200, (route, body[-2000:])
			page = body.decode()
			manifest = _manifest(config.ASSETS_DIR)
			for bundle in bundles:
				assert manifest[bundle] in page, (route, bundle)
				status, headers, content = server.request(manifest[bundle])
				assert status == 200 and content, (bundle, status)
				kind = "text/css" if bundle.endswith(".css") else "javascript"
				assert kind in headers["Content-Type"], headers


def test_build_outputs_and_packages_stay_out_of_git():
	"""The build's packages and outputs are ignored, so a run leaves the checkout clean."""
	probes = ["tests/host/assets/node_modules/x", ".host/assets/assets.json"]
	done = subprocess.run(
		["git", "check-ignore", "--no-index", *probes], cwd=REPO, capture_output=True, text=True, check=False
	)
	assert set(done.stdout.split()) == set(probes)
	assert shutil.which("node"), "node runs the build"
