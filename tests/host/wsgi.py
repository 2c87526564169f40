"""WSGI entry for gunicorn: the framework's own application, for the site in the environment.

Static files (/assets/ from the site folder's assets link, /files/) are served by the framework's
own static middleware, as `bench serve` does; gunicorn runs in the site folder.

WORKAROUND: the host's app module calls load_dotenv() with no path, which searches from
site-packages; the site's environment is set by `python -m tests.host serve` instead.
"""

from tests.host import bootstrap

bootstrap.activate()

from frappe.app import application_with_statics  # noqa: E402

from tests.support import fetch_policy  # noqa: E402

fetch_policy.install_from_environment()

application = application_with_statics()

__all__ = ["application"]
