"""File references are decided on the canonical file, through every tool that takes one.

Generated spellings (hypothesis) of forbidden paths (another user's private file, the site's
config, `../` walks, links placed in the files folder) go through extract_file_content (by URL and
through a File pointing at them) and document_create / document_update; every one is refused with
exactly the answer a missing file gets. Equivalent spellings of a file the caller may read reach
exactly that file. The audit's findings are replayed one by one.
"""

from __future__ import annotations

import os
import string
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import frappe
import pytest
from frappe.utils import get_url
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frappe_assistant_core.exceptions import FileNotReadableError
from frappe_assistant_core.plugins import _file_access
from frappe_assistant_core.plugins._file_paths import canonical_site_file, refusal_text
from frappe_assistant_core.plugins.core.tools.document_create import DocumentCreate
from frappe_assistant_core.plugins.core.tools.document_update import DocumentUpdate
from tests.tools._fixtures import (
	OUTSIDER,
	ensure_file_store,
	ensure_probe,
	load_tool,
	make_file,
	pointer_file,
)

GENERATED = settings(
	max_examples=80,
	deadline=None,
	database=None,  # nothing written into the repository
	suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module", autouse=True)
def users_and_folders():
	ensure_probe()
	ensure_file_store()


def extract(**arguments) -> dict:
	return load_tool("data_science", "extract_file_content").run(arguments)


@pytest.fixture
def scene():
	"""Administrator's private file (the victim), the outsider's own private file, a secret beside
	the site's config, and links in both files folders pointing at the victim, the site folder and
	the secret. Links and the secret are removed afterwards; the Files go with the rollback."""
	tag = frappe.generate_hash(length=8)
	site = os.path.realpath(frappe.get_site_path())
	victim = make_file(f"fac-victim-{tag}.txt", f"victim secret {tag}".encode())
	frappe.set_user(OUTSIDER)
	own = make_file(f"fac-own {tag}.txt", f"outsider's own {tag}".encode())
	frappe.set_user("Administrator")
	secret = os.path.join(site, f"fac_secret_{tag}.json")
	with open(secret, "w") as out:
		out.write(f'{{"db_password": "fac-leak-{tag}"}}')
	victim_path = canonical_site_file(victim.file_url).path
	links = {
		("public", f"fac-sym-victim-{tag}.txt"): victim_path,
		("private", f"fac-sym-victim-{tag}.txt"): victim_path,
		("public", f"fac-sym-site-{tag}"): site,
		("public", f"fac-sym-secret-{tag}.json"): secret,
	}
	for (folder, name), target in links.items():
		os.symlink(target, os.path.join(site, folder, "files", name))
	forbidden = [
		victim.file_url,
		f"/files/fac-sym-victim-{tag}.txt",
		f"/private/files/fac-sym-victim-{tag}.txt",
		f"/files/../private/files/{os.path.basename(victim.file_url)}",
		f"/files/fac-sym-site-{tag}/private/files/{os.path.basename(victim.file_url)}",
		f"/files/fac-sym-site-{tag}/site_config.json",
		f"/files/fac-sym-secret-{tag}.json",
		"/private/files/../../site_config.json",
		"/files/../../site_config.json",
		f"/private/files/../../fac_secret_{tag}.json",
		"/files/../../../../../../../../etc/passwd",
		"/private/files/",
		"/api/method/frappe.client.get_list",
	]
	secrets = [f"victim secret {tag}", f"fac-leak-{tag}"]
	secrets += [v for v in (frappe.conf.get("db_password"), frappe.conf.get("encryption_key")) if v]
	yield SimpleNamespace(
		tag=tag, victim=victim, victim_path=victim_path, own=own, forbidden=forbidden, secrets=secrets
	)
	for folder, name in links:
		os.remove(os.path.join(site, folder, "files", name))
	os.remove(secret)


def _site_host() -> str:
	return urlsplit(get_url()).hostname


def _encode(text: str, upper: bool) -> str:
	return "".join(("%{:02X}" if upper else "%{:02x}").format(byte) for byte in text.encode())


@st.composite
def spellings(draw, bases: list[str], same_file: bool) -> str:
	"""A spelling of one of `bases`. same_file: only spellings that must name the very same file
	(slashes, backslashes, dot segments, percent and double-percent encoding, this site's absolute
	URL, a query or fragment); otherwise also case changes, NUL, trailing dots and spaces."""
	path = draw(st.sampled_from(bases))
	parts = path.split("/")
	separators = st.sampled_from(["/", "//", "\\", "/./", "\\.\\", "/fac-x/../", "/%2e/", "/%2E%2E/fac-y/"])
	joiners = draw(st.lists(separators, min_size=len(parts) - 1, max_size=len(parts) - 1))
	text = parts[0] + "".join(joiner + part for joiner, part in zip(joiners, parts[1:], strict=True))
	text = text.replace("/%2E%2E/fac-y/", "/fac-y/%2E%2E/")  # an encoded ".." climbing back out of fac-y
	damaged = not same_file and draw(st.booleans())
	if damaged and draw(st.booleans()):
		flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
		text = "".join(c.swapcase() if flip else c for c, flip in zip(text, flips, strict=True))
	prefix = draw(st.sampled_from(["", f"http://{_site_host()}", f"HTTPS://{_site_host().upper()}:8443"]))
	text = prefix + text
	if draw(st.booleans()):
		encode = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
		upper = draw(st.booleans())
		text = "".join(_encode(c, upper) if flag else c for c, flag in zip(text, encode, strict=True))
		if draw(st.booleans()):
			text = text.replace("%", "%25")  # double encoding
	suffixes = ["", "?download=1", "#page=2", "%3Fx%3D..%2F..%2F"]
	if damaged:
		suffixes += ["/", "/.", ".", " ", "%00", "\x00", "%2500", "%20", "::$DATA"]
		if draw(st.booleans()):
			cut = draw(st.integers(0, len(text)))
			text = text[:cut] + draw(st.sampled_from(["\x00", "%00", "%2500"])) + text[cut:]
	return text + draw(st.sampled_from(suffixes))


def _refused(call, argument: str, reference: str, secrets: list[str]) -> None:
	with pytest.raises(FileNotReadableError) as caught:
		call()
	assert str(caught.value) == refusal_text(argument, reference)
	assert not any(secret in str(caught.value) for secret in secrets)


def test_every_spelling_of_a_forbidden_path_is_refused_like_a_missing_file_by_every_tool(scene):
	"""extract_file_content by URL and through a File pointing there, document_create and
	document_update of a File: one error class and the missing-file text, for every spelling."""
	frappe.set_user(OUTSIDER)
	create, update = DocumentCreate(), DocumentUpdate()
	tried: set[str] = set()

	@settings(GENERATED, max_examples=200)
	@given(spelling=spellings(scene.forbidden, same_file=False), public_pointer=st.booleans())
	def check(spelling: str, public_pointer: bool) -> None:
		tried.add(spelling)
		_refused(lambda: extract(file_url=spelling), "file_url", spelling, scene.secrets)
		# Frappe grants read on any File with is_private 0: the URL, not the flag, must decide.
		pointer = pointer_file(spelling.replace("\x00", "%00"), OUTSIDER, is_private=int(not public_pointer))
		_refused(lambda: extract(file_name=pointer), "file_name", pointer, scene.secrets)
		files_before = frappe.db.count("File")
		_refused(
			lambda: create.run({"doctype": "File", "data": {"file_name": "x.txt", "file_url": spelling}}),
			"data.file_url",
			spelling,
			scene.secrets,
		)
		assert frappe.db.count("File") == files_before
		_refused(
			lambda: update.run({"doctype": "File", "name": scene.own.name, "data": {"file_url": spelling}}),
			"data.file_url",
			spelling,
			scene.secrets,
		)
		assert frappe.db.get_value("File", scene.own.name, "file_url") == scene.own.file_url

	check()
	assert len(tried) >= 150, len(tried)
	# Not only spelling noise: many spellings named a real file and were refused for its owner's sake.
	reached = [s for s in tried if (found := _file_access.resolve(s)) and found.path == scene.victim_path]
	assert len(reached) >= 20, len(reached)


def test_a_missing_file_gets_that_same_answer_from_every_tool(scene):
	"""The text the refusals above are held to is what a file that does not exist gets."""
	frappe.set_user(OUTSIDER)
	missing = f"/private/files/fac-no-such-file-{scene.tag}.txt"
	_refused(lambda: extract(file_url=missing), "file_url", missing, [])
	_refused(
		lambda: DocumentCreate().run(
			{"doctype": "File", "data": {"file_name": "x.txt", "file_url": missing}}
		),
		"data.file_url",
		missing,
		[],
	)
	for name in (f"fac-no-such-{scene.tag}", "fac\x00name", "fac\nname"):
		_refused(lambda name=name: extract(file_name=name), "file_name", name, [])
	assert refusal_text("file_url", missing) == f"file_url: there is no file {missing} that you may read"


def test_every_equivalent_spelling_of_a_readable_file_reaches_exactly_that_file(scene):
	"""The other side: the refusals are not spelling noise. Each equivalent spelling of the
	caller's own private file is that file, its content is read, and document_create stores the
	canonical URL Frappe itself stores."""
	own = canonical_site_file(scene.own.file_url)
	frappe.set_user(OUTSIDER)
	tried: set[str] = set()

	@GENERATED
	@given(spelling=spellings([scene.own.file_url], same_file=True))
	def check(spelling: str) -> None:
		tried.add(spelling)
		assert canonical_site_file(spelling) == own
		if len(tried) > 12:  # each read starts a sandbox: the first dozen spellings go all the way
			return
		result = extract(file_url=spelling)
		assert result["text"] == f"outsider's own {scene.tag}"
		assert (result["file"]["name"], result["file"]["file_url"]) == (scene.own.name, scene.own.file_url)

	check()
	assert len(tried) >= GENERATED.max_examples * 3 // 4, len(tried)
	created = DocumentCreate().run(
		{
			"doctype": "File",
			"data": {
				"file_name": "again.txt",
				"file_url": "/private//files/./fac-own%2520" + scene.tag + ".txt",
			},
		}
	)
	assert created["document"]["file_url"] == scene.own.file_url == f"/private/files/fac-own {scene.tag}.txt"


# The audit's findings, replayed -------------------------------------------------------------------


def test_a_different_spelling_of_another_users_private_file_is_not_read(scene):
	"""Finding 2: the checks compared file_url strings and the file was opened by its resolved path.
	A File of the outsider spelled `/private/files/./<victim>` was the first File with that URL,
	so it passed as the one that brought the content, and the victim's file was read through it."""
	for spelling in (
		scene.victim.file_url.replace("/files/", "/files/./"),
		scene.victim.file_url.replace("/files/", "/files/fac-x/../"),
		scene.victim.file_url.replace("/files/fac-", "/files/%66ac-"),
	):
		pointer = pointer_file(spelling, OUTSIDER)
		frappe.set_user(OUTSIDER)
		_refused(lambda: extract(file_name=pointer), "file_name", pointer, scene.secrets)  # noqa: B023
		_refused(lambda: extract(file_url=spelling), "file_url", spelling, scene.secrets)  # noqa: B023
		_refused(
			lambda: DocumentCreate().run(
				{"doctype": "File", "data": {"file_name": "x.txt", "file_url": spelling}}  # noqa: B023
			),
			"data.file_url",
			spelling,
			scene.secrets,
		)
		frappe.set_user("Administrator")


def test_whether_a_private_file_exists_cannot_be_told_from_the_answer(scene):
	"""Finding 2: "no file" (DoesNotExistError) and "you may not" (PermissionError) told apart a
	private name that exists from one that does not. Both answers are now the same."""
	frappe.set_user(OUTSIDER)
	answers = []
	for url in (scene.victim.file_url, scene.victim.file_url.replace("victim", "absent")):
		with pytest.raises(FileNotReadableError) as caught:
			extract(file_url=url)
		answers.append((type(caught.value), str(caught.value).replace(url, "URL")))
	for name in (scene.victim.name, "fac-no-such-file"):
		with pytest.raises(FileNotReadableError) as caught:
			extract(file_name=name)
		answers.append(
			(type(caught.value), str(caught.value).replace(name, "URL").replace("file_name", "file_url"))
		)
	assert len(set(answers)) == 1, answers


def test_a_canonically_spelled_pointer_made_later_does_not_inherit_content_a_differently_spelled_file_brought(
	scene,
):
	"""The File that brought some content may be stored under another spelling (legacy rows, other
	apps). A pointer with the canonical URL made after it is found to be the later one through the
	content hash both carry, so it grants nothing."""
	original = scene.victim
	frappe.db.set_value(
		"File",
		original.name,
		"file_url",
		original.file_url.replace("/files/", "/files/./"),
		update_modified=False,
	)
	pointer = pointer_file(original.file_url, OUTSIDER, content_hash=original.content_hash)
	assert frappe.db.get_value("File", pointer, "creation") > frappe.db.get_value(
		"File", original.name, "creation"
	)
	frappe.set_user(OUTSIDER)
	_refused(lambda: extract(file_name=pointer), "file_name", pointer, scene.secrets)
	_refused(lambda: extract(file_url=original.file_url), "file_url", original.file_url, scene.secrets)


def test_a_pointer_cannot_move_someone_elses_private_file_into_the_public_folder(scene):
	"""Frappe moves the content of a File whose is_private changes, for every File pointing at it.
	A pointer the outsider owns must not make Administrator's private file public."""
	pointer = pointer_file(scene.victim.file_url, OUTSIDER)
	victim_path = canonical_site_file(scene.victim.file_url).path
	frappe.set_user(OUTSIDER)
	_refused(
		lambda: DocumentUpdate().run({"doctype": "File", "name": pointer, "data": {"is_private": 0}}),
		"data.is_private",
		scene.victim.file_url,
		scene.secrets,
	)
	assert os.path.isfile(victim_path)
	assert not os.path.exists(frappe.get_site_path("public", "files", os.path.basename(victim_path)))


def test_a_link_in_the_files_folder_is_the_file_it_points_at(scene):
	"""Privacy follows the real path: a public-looking link to a private file is that private file,
	readable only by who may read it (here Administrator), and reported under its real URL."""
	link = f"/files/fac-sym-victim-{scene.tag}.txt"
	result = extract(file_url=link)
	assert result["text"] == f"victim secret {scene.tag}"
	assert (result["file"]["file_url"], result["file"]["is_private"]) == (scene.victim.file_url, 1)


def test_a_fifo_or_a_folder_in_the_files_folder_is_refused_without_waiting(scene):
	"""Only regular files are read: opening a FIFO would block the worker until someone writes."""
	fifo = frappe.get_site_path("private", "files", f"fac-fifo-{scene.tag}.txt")
	os.mkfifo(fifo)
	try:
		pointer_file(f"/private/files/fac-fifo-{scene.tag}.txt", "Administrator")
		started = time.monotonic()
		for url in (f"/private/files/fac-fifo-{scene.tag}.txt", "/private/files", "/files/"):
			_refused(lambda url=url: extract(file_url=url), "file_url", url, [])
		assert time.monotonic() - started < 5
	finally:
		os.remove(fifo)


def test_a_file_swapped_after_it_was_resolved_is_not_opened(scene):
	"""Between the check and the open the file is replaced, by another file or by a link to the
	victim's: the open proves it is still the file that was resolved, and refuses."""
	site_file = canonical_site_file(scene.own.file_url)
	kept = site_file.path + ".kept"
	os.replace(site_file.path, kept)
	try:
		for swap in ("file", "link"):
			if swap == "file":
				with open(site_file.path, "wb") as out:
					out.write(b"someone else's bytes")
			else:
				os.symlink(scene.victim_path, site_file.path)
			with pytest.raises(FileNotReadableError, match="there is no file x that you may read"):
				_file_access.open_site_file(site_file, "file_url", "x")
			os.remove(site_file.path)
	finally:
		os.replace(kept, site_file.path)
	with _file_access.open_site_file(site_file) as handle:
		assert handle.read() == f"outsider's own {scene.tag}".encode()


def test_other_hosts_are_links_and_never_read():
	"""An absolute URL of another host is a remote file: never fetched, never mapped to a path."""
	with pytest.raises(frappe.ValidationError, match="remote file"):
		extract(file_url="https://example.com/private/files/x.txt")
	assert _file_access.resolve("https://example.com/private/files/x.txt") is None
	assert _file_access.is_remote_url("https://example.com/files/x.txt")
	assert not _file_access.is_remote_url(f"http://{_site_host()}/files/x.txt")


@pytest.mark.parametrize(
	"reference",
	[
		None,
		"",
		42,
		"x" * 5000,
		"/files/" + "%25" * 10 + "41",
		"/files/%ff%fe.txt",
		"file:///etc/passwd",
		"c:/x",
	],
)
def test_references_that_are_no_site_file_are_refused(reference):
	with pytest.raises(FileNotReadableError):
		canonical_site_file(reference)


def test_control_characters_are_shown_harmlessly_in_the_answer():
	text = refusal_text("file_url", "/files/a\x00b\n" + string.ascii_letters * 10)
	assert "\x00" not in text and "\n" not in text and text.endswith("… that you may read")
