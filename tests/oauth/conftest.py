"""Fixtures of the OAuth end-to-end tests (helpers: tests/oauth/support.py)."""

from __future__ import annotations

import pytest

from tests.support.server import serve


@pytest.fixture(scope="module")
def site():
	"""The site on two gunicorn workers."""
	with serve(workers=2) as server:
		yield server
