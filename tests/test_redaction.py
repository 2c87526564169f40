"""Redaction by value (issue #19, finding 4): secrets are found by what they look like, wherever
they sit in a call's arguments or output, and a logged row has a size bound.

Property-based (hypothesis): every kind of secret, generated many times, embedded in every kind of
place (a plain value, a nested value, a list, a filter, SQL, code, prose, across the cut of a long
string) is never stored; ordinary values are stored as they came. Over real HTTP: the caller's own
API secret sent back through a tool is in neither the stored arguments nor the stored output.
"""

from __future__ import annotations

import base64
import json
import random
import string

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from frappe_assistant_core.audit import redaction, store
from frappe_assistant_core.audit.recorder import DOCTYPE, named_doctypes
from frappe_assistant_core.audit.secrets import Secrets
from tests.support.server import serve
from tests.support.site import ASSISTANT_USER, api_credentials, make_user

PROBE_DOCTYPE = "FAC Redaction Probe"
SETTINGS = "Assistant Core Settings"
MCP = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp"
EXAMPLES = settings(
	max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# -- generators of secrets: (the text put in the call, the part that must never be stored) ------------


def _chars(seed: int, alphabet: str, size: int) -> str:
	# Random-looking whatever the seed: hypothesis shrinks seeds, not the characters themselves.
	return "".join(random.Random(seed).choices(alphabet, k=size))


seeds = st.integers(min_value=0, max_value=2**64)
HEX = "0123456789abcdef"
B64URL = string.ascii_letters + string.digits + "-_"


@st.composite
def secrets_of_every_kind(draw) -> tuple[str, str]:
	seed = draw(seeds)
	kind = draw(st.sampled_from(KINDS))
	return kind(seed, draw)


def _frappe_pair(seed, draw):
	secret = _chars(seed, HEX, 15)
	return f"{_chars(seed + 1, HEX, 15)}:{secret}", secret


def _token_header(seed, draw):
	scheme = draw(st.sampled_from(["token", "Token", "Bearer", "bearer", "Basic"]))
	credential = _chars(seed, B64URL, draw(st.integers(12, 60))) + draw(st.sampled_from("0123456789"))
	return f"Authorization: {scheme} {credential}", credential


def _jwt(seed, draw):
	def part(value):
		return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

	claims = {"sub": _chars(seed, string.ascii_lowercase, 8), "exp": seed % 10**9}
	token = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{_chars(seed, B64URL, 43)}"
	return token, token


def _private_key(seed, draw):
	body = "\n".join(_chars(seed + i, string.ascii_letters + string.digits + "+/", 64) for i in range(4))
	kind = draw(st.sampled_from(["", "RSA ", "EC ", "OPENSSH "]))
	ending = draw(st.sampled_from([f"\n-----END {kind}PRIVATE KEY-----", ""]))  # also a cut-off key
	return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}{ending}", body.splitlines()[0]


def _url_password(seed, draw):
	password = _chars(seed, string.ascii_letters + string.digits + "!$%*", draw(st.integers(6, 30)))
	scheme = draw(st.sampled_from(["https", "postgres", "mysql", "redis", "ftp"]))
	return f"{scheme}://admin:{password}@db.example.com:5432/site", password


def _assignment(seed, draw):
	value = _chars(seed, string.ascii_letters + string.digits, draw(st.integers(6, 30)))
	name = draw(
		st.sampled_from(["password", "db_password", "api_key", "client_secret", "access_token", "pwd"])
	)
	form = draw(
		st.sampled_from(["{n} = '{v}'", '{n}="{v}"', "{n}: {v}", '"{n}": "{v}"', "{n} is {v}", "{n}=>{v}"])
	)
	return form.format(n=name, v=value), value


def _positional(seed, draw):
	"""The secret as the quoted argument after its quoted name, in code: `set_value(dt, dn,
	'new_password', 'x')`, a filter `['api_secret', '=', 'x']` written out (a Frappe API secret is
	15 hex characters, too short and too plain for any shape)."""
	value = _chars(seed, "0123456789abcdef", 15)
	name = draw(st.sampled_from(["new_password", "api_secret", "pwd", "client_secret", "db_password"]))
	quote = draw(st.sampled_from(["'", '"']))
	form = draw(
		st.sampled_from(
			[
				"frappe.db.set_value('User', 'x', {q}{n}{q}, {q}{v}{q})",
				"frappe.get_all('User', filters=[[{q}{n}{q}, {q}={q}, {q}{v}{q}]])",
				"check({q}{n}{q},{q}like{q},{q}{v}{q})",
			]
		)
	)
	return form.format(n=name, v=value, q=quote), value


def _random_token(seed, draw):
	token = _chars(seed, B64URL, draw(st.integers(40, 80))) + str(seed % 10) + "k"
	return token, token


def _vendor_key(seed, draw):
	key = draw(
		st.sampled_from(
			[
				"AKIA" + _chars(seed, string.ascii_uppercase + string.digits, 16),
				"ghp_" + _chars(seed, string.ascii_letters + string.digits, 36),
				"xoxb-" + _chars(seed, string.digits, 12) + "-" + _chars(seed, string.ascii_letters, 24),
				"sk-" + _chars(seed, B64URL, 40),
			]
		)
	)
	return key, key


KINDS = (
	_frappe_pair,
	_token_header,
	_jwt,
	_private_key,
	_url_password,
	_assignment,
	_positional,
	_random_token,
	_vendor_key,
)
SEPARATORS = [" ", "\n", "'", '"', "(", ", ", " = "]
words = st.lists(
	st.sampled_from(["order", "total", "for", "customer", "Acme", "due", "2024", "ok"]), max_size=8
)


def places(secret: str, before: str, after: str, sep: str) -> dict:
	"""The secret in every kind of place a tool call can carry it."""
	text = f"{before}{sep}{secret}{sep}{after}"
	return {
		"doctype": "ToDo",
		"note": text,
		"nested": {"deeper": {"value": text}},
		"rows": ["a", text, 3],
		"filters": [["description", "like", f"%{secret}%"], ["ToDo", "description", "=", text]],
		"query": f"select name from `tabToDo` where description = '{secret}' and status = 'Open'",
		"code": f"value = {json.dumps(secret)}\nprint(value)",
		"long": "x " * (redaction.MAX_STRING // 2 - 3) + secret,  # straddles the 1,000-character cut
	}


def stored_strings(text: str) -> str:
	"""Every string of the stored JSON (decoded: an escaped secret would hide from a plain search)."""
	found = []

	def walk(value):
		if isinstance(value, dict):
			found.extend(value)
			for item in value.values():
				walk(item)
		elif isinstance(value, list):
			for item in value:
				walk(item)
		elif isinstance(value, str):
			found.append(value)

	if "[cut," in text:  # cut JSON does not parse: search it as it is
		return text
	walk(json.loads(text))
	return "\n".join(found)


@EXAMPLES
@given(secrets_of_every_kind(), words, words, st.sampled_from(SEPARATORS))
def test_no_secret_of_any_kind_is_stored_wherever_it_sits(secret, before, after, sep):
	text, core = secret
	for tool in ("document_list", "execute_python_code"):
		stored = stored_strings(
			redaction.arguments_json(tool, places(text, " ".join(before), " ".join(after), sep))
		)
		assert core not in stored, (tool, text)
		assert core[:12] not in stored or len(core) < 16, (tool, text)  # nor a half left at the cut
	assert core not in redaction.output_text(f"{' '.join(before)}{sep}{text}")


@EXAMPLES
@given(seeds, st.sampled_from(["token", "Bearer", "Basic"]), words)
def test_the_callers_own_credentials_are_redacted_even_alone(seed, scheme, prose):
	"""The request's API secret (or bearer token) and session id, as bare text glued inside words."""
	key, secret, sid = _chars(seed, HEX, 15), _chars(seed + 1, HEX, 15), _chars(seed + 2, HEX, 56)
	credential = (
		base64.b64encode(f"{key}:{secret}".encode()).decode() if scheme == "Basic" else f"{key}:{secret}"
	)
	if scheme == "Bearer":
		credential = secret = _chars(seed, string.ascii_letters, 20)
	environ = EnvironBuilder(
		path=MCP, headers={"Authorization": f"{scheme} {credential}", "Cookie": f"sid={sid}"}
	).get_environ()
	previous = getattr(frappe.local, "request", None)
	frappe.local.request = Request(environ)
	try:
		secrets = Secrets.of_request()
	finally:
		frappe.local.request = previous
	glued = f"{' '.join(prose)} x{secret}y and {sid[:56]}!"
	stored = stored_strings(redaction.arguments_json("test_echo", {"message": glued}, secrets))
	assert secret not in stored and sid not in stored


@EXAMPLES
@given(
	st.lists(
		st.one_of(
			words.map(" ".join),
			st.sampled_from(
				["SINV-2024-00001", "ACC-PAY-2024-0042", "fac-user@example.com", "2024-03-31 12:00:00"]
			),
			st.sampled_from(
				["550e8400-e29b-41d4-a716-446655440000", "Stores - ACME", "Net Total", "frappe.client"]
			),
		),
		max_size=6,
	)
)
def test_ordinary_values_are_stored_as_they_came(values):
	arguments = {"values": values, "filters": [["status", "=", "Open"]], "doctype": "Sales Invoice"}
	assert json.loads(redaction.arguments_json("document_list", arguments)) == arguments


json_values = st.recursive(
	st.none()
	| st.booleans()
	| st.integers()
	| st.tuples(st.text(max_size=30), st.integers(1, 100)).map(lambda t: t[0] * t[1]),
	lambda children: st.lists(children, max_size=150)
	| st.dictionaries(st.text(max_size=50), children, max_size=40),
	max_leaves=400,
)


@settings(max_examples=40, deadline=None)
@given(
	st.dictionaries(st.text(max_size=40), json_values, max_size=30),
	st.tuples(st.text(max_size=500), st.integers(1, 200)).map(lambda t: t[0] * t[1]),
)
def test_a_logged_row_is_bounded_in_size(arguments, output):
	"""Arguments and output each have a cap, marked when they are cut, whatever they hold."""
	stored = redaction.arguments_json("document_list", arguments)
	assert len(stored) <= redaction.MAX_JSON + 60
	if len(stored) > redaction.MAX_JSON:
		assert stored.endswith(" characters in all]")
	text = redaction.output_text(output)
	assert len(text) <= redaction.MAX_OUTPUT + 60
	if len(text) > redaction.MAX_OUTPUT:
		assert text.endswith(f"[cut, {len(output)} characters in all]")


# -- Password fields of the DocTypes a call names -------------------------------------------------


@pytest.fixture(scope="module")
def probe_doctype():
	if not frappe.db.exists("DocType", PROBE_DOCTYPE):
		frappe.get_doc(
			{
				"doctype": "DocType",
				"name": PROBE_DOCTYPE,
				"module": "Assistant Core",
				"custom": 1,
				"autoname": "hash",
				"fields": [
					{"fieldname": "title", "fieldtype": "Data", "label": "Title"},
					{"fieldname": "door_code", "fieldtype": "Password", "label": "Door Code"},
				],
				"permissions": [{"role": "System Manager", "read": 1, "write": 1, "create": 1}],
			}
		).insert()
		frappe.db.commit()
	return PROBE_DOCTYPE


@EXAMPLES
@given(seeds)
def test_values_of_password_fields_of_a_named_doctype_are_redacted(probe_doctype, seed):
	"""`door_code` is no secret-looking name: it is redacted because it is a Password field."""
	code = _chars(seed, string.ascii_lowercase, 7)
	arguments = {
		"doctype": probe_doctype,
		"data": {"title": "Main gate", "door_code": code},
		"filters": [["door_code", "=", code], [probe_doctype, "door_code", "like", code]],
		"sql": f"select name from `tab{probe_doctype}` where door_code = '{code}'",
	}
	secrets = Secrets.of_request(named_doctypes(arguments))
	stored = redaction.arguments_json("document_update", arguments, secrets)
	assert code not in stored_strings(stored)
	assert json.loads(stored)["data"]["title"] == "Main gate"


# -- over HTTP: the caller's own secret, through a real call ---------------------------------------


def test_a_callers_own_api_secret_is_in_neither_the_stored_arguments_nor_the_output():
	user = make_user(ASSISTANT_USER, ["Assistant User"])
	token = api_credentials(user)
	secret = token.split(":")[1]
	settings_doc = frappe.get_doc(SETTINGS)
	settings_doc.log_tool_output = 1
	settings_doc.save()
	frappe.db.commit()
	store.write_pending()
	frappe.db.delete(DOCTYPE, {"user": user})
	frappe.db.commit()
	try:
		with serve(workers=1) as server:
			message = {"message": f"my note: {secret} (from the settings page)"}
			body = {
				"jsonrpc": "2.0",
				"id": 1,
				"method": "tools/call",
				"params": {"name": "test_echo", "arguments": message},
			}
			status, _h, raw = server.request(
				MCP, method="POST", body=body, auth=token, headers={"MCP-Protocol-Version": "2025-06-18"}
			)
			assert status == 200 and secret in raw.decode()  # the client itself gets its answer
	finally:
		settings_doc.reload()
		settings_doc.log_tool_output = 0
		settings_doc.save()
		frappe.db.commit()
	frappe.db.rollback()
	store.write_pending()
	[row] = frappe.get_all(DOCTYPE, filters={"user": user}, fields=["arguments", "output", "status"])
	assert row.status == "Success"
	assert secret not in row.arguments and secret not in row.output
	assert "my note: [redacted] (from the settings page)" in json.loads(row.arguments)["message"]


def test_a_pwd_key_is_a_secrets_key():
	"""Frappe's own name for a password (its login form's `pwd`), as a key at any depth."""
	stored = json.loads(redaction.arguments_json("document_create", {"data": {"pwd": "hunter2xx"}}))
	assert stored == {"data": {"pwd": redaction.REDACTED}}
