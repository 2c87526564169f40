"""The connection doctor's checks (see oauth/doctor.py): one small function each, taking the shared
Probe and returning a Check record with the fix in words an administrator can act on.

Claude's and ChatGPT's connectors call the site from their own servers, so they need a public https
URL; Claude Code and other local clients may use a loopback http URL (RFC 8252). Every client needs
the metadata documents, an issuer equal to the URL base, PKCE S256 and a way to register.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import frappe
from frappe import _

from frappe_assistant_core.oauth.doctor_records import FAIL, OK, WARN, Check, Probe, for_families, site
from frappe_assistant_core.oauth.doctor_settings import (
	consent,
	cors,
	origins,
	scheduler,
	server_switch,
	tracebacks,
)

_LOOPBACK = frozenset(("localhost", "127.0.0.1", "::1"))


def site_url(probe: Probe) -> Check:
	base = probe.urls["base"]
	parts = urlsplit(base)
	host = (parts.hostname or "").lower()
	loopback = host in _LOOPBACK or host.startswith("127.")
	port = f" on port {parts.port}" if parts.port else ""
	fix_public = _(
		"Serve the site over https on a name the internet reaches (a TLS proxy or bench setup lets-encrypt) "
		"and set host_name: bench --site {0} set-config host_name https://your.domain"
	).format(site())
	if parts.scheme == "https" and not loopback:
		return Check("site-url", _("Site URL"), OK, _("Clients reach {0}{1}").format(base, port))
	if loopback:
		return Check(
			"site-url",
			_("Site URL"),
			WARN,
			_(
				"{0} is a loopback address: clients on this machine can connect, Claude's and ChatGPT's "
				"connectors (which call from the internet) cannot"
			).format(base),
			fix_public,
			for_families(claude=FAIL, chatgpt=FAIL, n8n=WARN),
		)
	return Check(
		"site-url",
		_("Site URL"),
		FAIL,
		_(
			"{0} is plain http on a public name: OAuth clients refuse an authorization server without TLS"
		).format(base),
		fix_public,
	)


def host_name(probe: Probe) -> Check:
	configured = str(frappe.conf.get("host_name") or "").strip()
	base = probe.urls["base"]
	public = base if base.startswith("https://") else "https://your.domain"
	fix = _("bench --site {0} set-config host_name {1}").format(site(), public)
	if not configured:
		return Check(
			"host-name",
			_("host_name in site config"),
			WARN,
			_(
				"Not set: the URLs the site publishes follow each request's Host and X-Forwarded-* headers, "
				"so a proxy that does not send them makes the issuer differ from the URL clients use"
			),
			fix,
			for_families(claude=WARN, chatgpt=WARN, n8n=WARN),
		)
	if "://" not in configured:
		return Check(
			"host-name",
			_("host_name in site config"),
			WARN,
			_("{0} names no scheme: URLs take the request's scheme, http behind a TLS proxy").format(
				configured
			),
			fix,
			for_families(claude=WARN, chatgpt=WARN, n8n=WARN),
		)
	return Check("host-name", _("host_name in site config"), OK, configured)


def resource_metadata(probe: Probe) -> Check:
	doc = probe.document("resource")
	title = _("Protected resource metadata (RFC 9728)")
	if doc.body is None:
		return _missing(doc, "resource-metadata", title)
	endpoint, base = probe.urls["endpoint"], probe.urls["base"]
	if doc.body.get("resource") != endpoint or base not in (doc.body.get("authorization_servers") or []):
		return Check(
			"resource-metadata",
			title,
			FAIL,
			_("It names resource {0} and servers {1}; clients reach {2}").format(
				doc.body.get("resource"), doc.body.get("authorization_servers"), endpoint
			),
			_proxy_fix(),
		)
	return _published(doc, "resource-metadata", title)


def server_metadata(probe: Probe) -> Check:
	doc = probe.document("server")
	title = _("Authorization server metadata (RFC 8414) and issuer")
	if doc.body is None:
		return _missing(doc, "server-metadata", title)
	base = probe.urls["base"]
	if doc.body.get("issuer") != base:
		return Check(
			"server-metadata",
			title,
			FAIL,
			_(
				"Its issuer is {0}, but clients fetch it from {1}: they refuse metadata whose issuer differs"
			).format(doc.body.get("issuer"), base),
			_proxy_fix(),
		)
	return _published(doc, "server-metadata", title)


def _proxy_fix() -> str:
	return _("Set host_name to the public URL and make the proxy send X-Forwarded-Proto and X-Forwarded-Host")


def _missing(doc, check_id: str, title: str) -> Check:
	return Check(
		check_id,
		title,
		FAIL,
		_("Nothing at {0} ({1})").format(doc.url, doc.problem or _("not published")),
		_("Update Frappe Assistant Core, run bench migrate, and let the proxy pass /.well-known/ to Frappe"),
	)


def _published(doc, check_id: str, title: str) -> Check:
	if doc.how == "fetched":
		return Check(check_id, title, OK, _("Fetched from {0}").format(doc.url))
	if not doc.problem:
		return Check(check_id, title, OK, _("Rendered in this process (not fetched): {0}").format(doc.url))
	return Check(
		check_id,
		title,
		WARN,
		_("Could not fetch {0} from here ({1}); the document rendered in this process is right").format(
			doc.url, doc.problem
		),
		_(
			"Open {0} from outside: if it fails, the proxy or firewall does not pass /.well-known/ to Frappe"
		).format(doc.url),
	)


def pkce(probe: Probe) -> Check:
	methods = (probe.document("server").body or {}).get("code_challenge_methods_supported") or []
	if "S256" in methods:
		return Check("pkce", _("PKCE S256"), OK, _("Offered: {0}").format(", ".join(methods)))
	return Check(
		"pkce",
		_("PKCE S256"),
		FAIL,
		_("code_challenge_methods_supported does not list S256: MCP clients refuse to authorize"),
		_("Update Frappe Assistant Core and run bench migrate"),
	)


def registration(probe: Probe) -> Check:
	body = probe.document("server").body or {}
	dcr = bool(body.get("registration_endpoint"))
	cimd = bool(body.get("client_id_metadata_document_supported"))
	fix = _(
		"Assistant Core Settings: switch on Dynamic Client Registration (and Client ID Metadata Documents)"
	)
	title = _("Client registration")
	if dcr and cimd:
		return Check(
			"registration",
			title,
			OK,
			_("Dynamic Client Registration and Client ID Metadata Documents are on"),
		)
	if dcr:
		return Check("registration", title, OK, _("Dynamic Client Registration is on"))
	if cimd:
		return Check(
			"registration",
			title,
			WARN,
			_("Only Client ID Metadata Documents: clients that register dynamically cannot connect"),
			fix,
			for_families(chatgpt=FAIL, n8n=FAIL, ide=WARN),
		)
	return Check("registration", title, FAIL, _("Clients have no way to register"), fix)


#: Every check, in the order the doctor reports them.
# (the site's switches and settings are in doctor_settings)
CHECKS = (
	site_url,
	host_name,
	resource_metadata,
	server_metadata,
	pkce,
	registration,
	server_switch,
	cors,
	origins,
	tracebacks,
	scheduler,
	consent,
)
