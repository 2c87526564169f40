"""The safe fetch of Client ID Metadata Documents, with the shipped address policy.

Loopback, private, link-local and other non-public addresses are refused before any connection;
with an address admitted for the test (tests/support/fetch_policy.py, in this process only) the
other limits still hold: TLS verified, no redirects, size cap, JSON objects only.
"""

from __future__ import annotations

import pytest

from frappe_assistant_core.oauth import safe_fetch
from tests.support import fetch_policy
from tests.support.tls_documents import DocumentServer


@pytest.fixture(scope="module")
def documents():
	with DocumentServer() as documents:
		documents.documents["/ok.json"] = {"client_id": "x"}
		documents.documents["/big.json"] = b'{"pad": "' + b"a" * (safe_fetch.MAX_BYTES + 10) + b'"}'
		documents.documents["/list.json"] = [1, 2]
		documents.documents["/text.json"] = b"<html>"
		documents.documents["/moved.json"] = (302, {"Location": "https://10.0.0.1/metadata.json"})
		yield documents


@pytest.fixture
def loopback_admitted(monkeypatch, documents):
	monkeypatch.setattr(safe_fetch, "address_allowed", safe_fetch.address_allowed)
	monkeypatch.setenv("SSL_CERT_FILE", str(documents.ca_file))
	fetch_policy.install(["127.0.0.1"])


def test_only_public_addresses_are_allowed():
	refused = [
		"127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
		"100.64.0.1", "0.0.0.0", "224.0.0.1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
		"240.0.0.1", "not an address",
	]  # fmt: skip
	for address in refused:
		assert not safe_fetch.address_allowed(address), address
	for address in ("8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"):
		assert safe_fetch.address_allowed(address), address


def test_document_on_loopback_is_refused_before_connecting(documents):
	with pytest.raises(safe_fetch.FetchError, match="not public"):
		safe_fetch.fetch_json(documents.url("/ok.json"))
	assert documents.hits["/ok.json"] == 0


def test_only_https_urls_are_fetched():
	for url in (
		"http://8.8.8.8/x.json",
		"ftp://8.8.8.8/x",
		"https://user:pw@8.8.8.8/x",
		"https:///x",
		"nonsense",
	):
		with pytest.raises(safe_fetch.FetchError):
			safe_fetch.fetch_json(url)


def test_admitted_address_still_verifies_tls(monkeypatch, documents):
	monkeypatch.setattr(safe_fetch, "address_allowed", safe_fetch.address_allowed)
	fetch_policy.install(["127.0.0.1"])
	monkeypatch.delenv("SSL_CERT_FILE", raising=False)
	with pytest.raises(safe_fetch.FetchError):
		safe_fetch.fetch_json(documents.url("/ok.json"))


def test_admitted_address_serves_a_json_object(loopback_admitted, documents):
	assert safe_fetch.fetch_json(documents.url("/ok.json")) == {"client_id": "x"}


def test_redirects_large_and_malformed_documents_are_refused(loopback_admitted, documents):
	for path, reason in (
		("/moved.json", "redirect"),
		("/big.json", "larger than"),
		("/list.json", "not a JSON object"),
		("/text.json", "not JSON"),
		("/missing.json", "HTTP 404"),
	):
		with pytest.raises(safe_fetch.FetchError, match=reason):
			safe_fetch.fetch_json(documents.url(path))
