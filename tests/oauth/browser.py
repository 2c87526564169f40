"""A scripted browser for Frappe's OAuth pages, as a person at a real browser uses them.

`Browser.authorize(url)` opens an authorization URL as a guest: the site sends it to its login
page, it logs in there (the login page's own call, /api/method/login), comes back to the authorize
URL, answers the consent page (Allow or Deny, the URLs its buttons open) and returns the address
the site finally redirects to: the client's redirect URI with `code` and `state`, or `error`.
Run as a command (`python browser.py [--deliver] URL`), it is the BROWSER of clients that open one
(mcp-remote) or the person the conformance suite asks to visit a URL: with --deliver it also opens
that last address, the client's loopback callback. Standard library only: it runs in any Python.

Command environment: FAC_OAUTH_USER, FAC_OAUTH_PASSWORD, FAC_OAUTH_CA (a CA file to trust for
https), FAC_OAUTH_DENY=1 (press Deny). Test-only.
"""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

#: The consent page's buttons: `window.location.replace("<url>")` for #allow, then #deny.
_BUTTON_TARGET = re.compile(r"""\$\('#(allow|deny)'\).*?window\.location\.replace\("([^"]+)"\)""", re.S)


class AuthorizeError(Exception):
	"""The site answered the flow with something a browser would show as an error."""

	def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
		super().__init__(f"{message} (HTTP {status}): {body[:600]}" if status else message)
		self.status = status
		self.body = body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
	def redirect_request(self, *args, **kwargs):
		return None


class Browser:
	"""One browser profile (its own cookies) of `user` with `password`."""

	def __init__(self, user: str, password: str, *, ca: str | None = None) -> None:
		self.user = user
		self.password = password
		self.cookies = http.cookiejar.CookieJar()
		context = ssl.create_default_context(cafile=ca) if ca else None
		self._opener = urllib.request.build_opener(
			urllib.request.HTTPCookieProcessor(self.cookies),
			urllib.request.HTTPSHandler(context=context),
			_NoRedirect(),
		)
		#: Every URL the browser opened, in order.
		self.visited: list[str] = []

	def open(self, url: str, data: dict | None = None) -> tuple[int, dict, str]:
		"""(status, headers, body) of one request; redirects are not followed."""
		body = urllib.parse.urlencode(data).encode() if data is not None else None
		request = urllib.request.Request(url, data=body, headers={"Accept": "text/html,application/json"})
		self.visited.append(url)
		try:
			with self._opener.open(request, timeout=60) as response:
				return response.status, dict(response.headers), response.read().decode(errors="replace")
		except urllib.error.HTTPError as error:
			return error.code, dict(error.headers), error.read().decode(errors="replace")

	def authorize(self, url: str, *, approve: bool = True) -> str:
		"""The URL the site sends the browser to at the end of the flow (the client's redirect URI)."""
		site = _origin(url)
		for _ in range(10):
			status, headers, body = self.open(url)
			if status in (301, 302, 303, 307, 308):
				target = urllib.parse.urljoin(url, headers.get("Location") or headers.get("location") or "")
				if _origin(target) != site:
					return target
				if urllib.parse.urlsplit(target).path == "/login":
					self.login(target)
					target = _query(target).get("redirect-to") or target
				url = urllib.parse.urljoin(site, target)
				continue
			if status != 200:
				raise AuthorizeError(f"the site refused {url}", status, body)
			buttons = {name: html.unescape(target) for name, target in _BUTTON_TARGET.findall(body)}
			if not buttons:
				raise AuthorizeError(f"no consent page at {url}", status, body)
			choice = buttons.get("allow" if approve else "deny")
			target = urllib.parse.urljoin(site, choice)
			if _origin(target) != site:
				return target  # Deny goes straight back to the client
			url = target
		raise AuthorizeError(f"too many redirects from {url}")

	def login(self, login_url: str) -> None:
		"""Log in on the site's login page (it posts the user and password to /api/method/login)."""
		site = _origin(login_url)
		status, _, body = self.open(login_url)
		if status != 200:
			raise AuthorizeError("no login page", status, body)
		status, _, body = self.open(f"{site}/api/method/login", {"usr": self.user, "pwd": self.password})
		if status != 200:
			raise AuthorizeError(f"login as {self.user} failed", status, body)

	def deliver(self, url: str) -> tuple[int, str]:
		"""Open the client's redirect URI, as the browser does after the site's last redirect."""
		status, _, body = self.open(url)
		return status, body


def _origin(url: str) -> str:
	parts = urllib.parse.urlsplit(url)
	return f"{parts.scheme}://{parts.netloc}"


def _query(url: str) -> dict[str, str]:
	return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def main(argv: list[str]) -> int:
	deliver = "--deliver" in argv
	urls = [arg for arg in argv if not arg.startswith("--")]
	if len(urls) != 1:
		print("usage: browser.py [--deliver] AUTHORIZE_URL", file=sys.stderr)
		return 2
	browser = Browser(
		os.environ["FAC_OAUTH_USER"], os.environ["FAC_OAUTH_PASSWORD"], ca=os.environ.get("FAC_OAUTH_CA")
	)
	target = browser.authorize(urls[0], approve=os.environ.get("FAC_OAUTH_DENY") != "1")
	print(target, flush=True)
	if deliver:
		status, _ = browser.deliver(target)
		print(f"callback answered {status}", file=sys.stderr)
		return 0 if status < 400 else 1
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
