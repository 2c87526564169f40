"""WSGI entry for gunicorn: the framework's own application, for the site in the environment.

WORKAROUND: the host's app module calls load_dotenv() with no path, which searches from
site-packages; the site's environment is set by `python -m tests.host serve` instead.
"""

from tests.host import bootstrap

bootstrap.activate()

from frappe.app import application  # noqa: E402

__all__ = ["application"]
