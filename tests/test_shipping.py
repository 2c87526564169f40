"""Nothing test-only reaches a bench: the paths `bench get-app` and `bench build` use hold the app alone.

bench get-app runs `yarn install` in the app's root when a package.json is there, and bench build
links the app's `public/` folder under sites/assets, where every file is served to anyone. So the
test-only npm packages (jsdom, playwright-core) live under tests/, and public/ holds only the desk
page's own CSS and JavaScript and the app's logo (login page, apps screen, desktop).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "frappe_assistant_core" / "public"
SHIPPED_SUFFIXES = {".js", ".css"}
#: The app's own images (hooks.py: app_logo_url, add_to_apps_screen), SVG only.
SHIPPED_IMAGES = "frappe_assistant_core/public/images/"


def _tracked(*paths: str) -> list[str]:
	done = subprocess.run(["git", "ls-files", *paths], cwd=ROOT, capture_output=True, text=True, check=True)
	return done.stdout.split()


def test_app_root_has_no_package_json_for_get_app_to_install():
	"""No package.json or lock file at the app's root, so get-app installs no npm package at all."""
	for name in ("package.json", "package-lock.json", "yarn.lock"):
		assert not (ROOT / name).exists(), f"{name} at the app root would be installed by bench get-app"


def test_test_only_npm_packages_are_declared_under_tests():
	"""The browser and JS unit tests still get their packages, from tests/package.json."""
	manifest = json.loads((ROOT / "tests" / "package.json").read_text())
	assert manifest.get("private") is True
	assert {"jsdom", "playwright-core"} <= set(manifest.get("devDependencies", {}))
	assert not manifest.get("dependencies"), "tests/package.json declares test-only devDependencies only"


def test_public_folder_serves_only_the_apps_own_assets():
	"""Every tracked file under public/ is the desk page's CSS or JS or an SVG image of the app; no
	node_modules, no tests."""
	files = _tracked("frappe_assistant_core/public")
	assert files, "the desk page's assets are tracked under public/"
	for path in files:
		image = path.startswith(SHIPPED_IMAGES) and Path(path).suffix == ".svg"
		assert image or Path(path).suffix in SHIPPED_SUFFIXES, f"{path} would be served by bench build"
		assert "node_modules" not in path and "test" not in Path(path).name
	assert not (PUBLIC / "node_modules").exists()


def test_install_and_build_leave_the_checkout_clean():
	"""What an npm install or a build writes in the checkout is ignored by git, so `bench update`
	finds no local changes to refuse."""
	probes = ["node_modules/x", "tests/node_modules/x", "yarn.lock", "frappe_assistant_core/public/dist/x.js"]
	done = subprocess.run(
		["git", "check-ignore", "--no-index", *probes], cwd=ROOT, capture_output=True, text=True, check=False
	)
	assert set(done.stdout.split()) == set(probes)
