"""Answers a `before_request` hook gives at once: an HTTP exception carrying the response.

Raising is the one way a hook can answer on every Frappe version (older ones return the exception
as the response, newer ones send its `get_response()`).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response


class Answer(HTTPException):
	"""An HTTP answer given from a hook (werkzeug sends `response` as it is)."""


def json_answer(status: int, body: dict, headers: dict | None = None) -> Answer:
	response = Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)
	response.headers.setdefault("Cache-Control", "no-store")
	return Answer(response=response)


def oauth_error(status: int, error: str, description: str, headers: dict | None = None) -> Answer:
	"""An OAuth 2 error body (RFC 6749 section 5.2)."""
	return json_answer(status, {"error": error, "error_description": description}, headers)


def redirect_error(redirect_uri: str, error: str, description: str, state: str | None) -> Answer:
	"""Send the user back to the client with an authorization error (RFC 6749 section 4.1.2.1)."""
	params = {"error": error, "error_description": description}
	if state:
		params["state"] = state
	separator = "&" if "?" in redirect_uri else "?"
	response = Response(status=302, headers={"Location": redirect_uri + separator + urlencode(params)})
	return Answer(response=response)


def login_first(request) -> Answer:
	"""Send a guest to the login page and back to this same URL, named by its path: the browser
	resolves it against the URL it is on, so a TLS proxy in front (where Frappe may see plain HTTP
	and its own port) is kept."""
	back = request.full_path.rstrip("?")
	response = Response(status=302, headers={"Location": "/login?" + urlencode({"redirect-to": back})})
	response.headers["Cache-Control"] = "no-store"
	return Answer(response=response)
