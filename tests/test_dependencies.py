"""The app's requirements fit inside the pins of every Frappe it supports.

`bench pip install frappe_assistant_core[data_science]` must never upgrade or downgrade a package that
Frappe pins: each of our ranges must admit the version Frappe's own pin starts at, on v15 and v16
(tests/data/frappe_pins.json), and every range needs an upper bound so that a new major release of a
dependency cannot drag Frappe's pinned packages along with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PINS = json.loads((ROOT / "tests" / "data" / "frappe_pins.json").read_text())
FRAMEWORKS = ("v15", "v16")


def _app_requirements() -> list[tuple[str, Requirement]]:
	project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
	found = [("dependencies", Requirement(spec)) for spec in project.get("dependencies", [])]
	for extra, specs in project.get("optional-dependencies", {}).items():
		found += [(f"[{extra}]", Requirement(spec)) for spec in specs]
	return found


def _frappe_pins(framework: str) -> dict[str, Requirement]:
	pins = (Requirement(spec) for spec in PINS[framework]["dependencies"])
	return {canonicalize_name(pin.name): pin for pin in pins if pin.marker is None or pin.marker.evaluate()}


def _floor(pin: Requirement) -> Version | None:
	"""The lowest version a Frappe pin admits (`~=3.17.0`, `==1.1.1`, `>=4.6.1,<5` start there)."""
	floors = [Version(s.version) for s in pin.specifier if s.operator in ("~=", "==", ">=")]
	return max(floors) if floors else None


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_requirements_admit_the_versions_frappe_pins(framework):
	"""Each requirement Frappe also pins admits Frappe's pinned version, so pip keeps Frappe's."""
	pins = _frappe_pins(framework)
	checked = 0
	for where, requirement in _app_requirements():
		pin = pins.get(canonicalize_name(requirement.name))
		if pin is None or (floor := _floor(pin)) is None:
			continue
		checked += 1
		assert requirement.specifier.contains(floor, prereleases=True), (
			f"{where} {requirement} refuses {requirement.name} {floor}, which Frappe {framework} pins ({pin})"
		)
	# pydantic, pypdf and openpyxl are pinned by both frameworks: the check must have run on them.
	assert checked >= 3


def test_every_requirement_has_an_upper_bound():
	"""An unbounded range lets pip take a new major release that moves Frappe's pins (pandas 3 →
	python-dateutil past v15's ~=2.8.2)."""
	for where, requirement in _app_requirements():
		bounded = any(s.operator in ("<", "<=", "==", "~=") for s in requirement.specifier)
		assert bounded, f"{where} {requirement} has no upper bound"


def test_the_check_refuses_the_ranges_that_broke_v15():
	"""The rule catches what `bench pip install` did on v15.44.2: pypdf>=4.0 against pypdf~=3.17.0."""
	pin = _frappe_pins("v15")["pypdf"]
	assert not Requirement("pypdf>=4.0").specifier.contains(_floor(pin))
	assert Requirement("pypdf>=3.17,<7").specifier.contains(_floor(pin))
