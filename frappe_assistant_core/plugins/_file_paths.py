"""The one place a file reference from a caller becomes a file of this site: `canonical_site_file`.

Whatever a tool is sent (a `file_url` as stored, typed, pasted from a browser or built to attack),
`canonical_site_file(reference)` either refuses or returns a frozen `SiteFile`: the real path
(symbolic links resolved, spelled as the directory stores it where the filesystem folds case or
Unicode forms), whether it lies in `private/files`, and the `file_url` Frappe stores for that path.
Percent-encoding is decoded until nothing changes (double encoding included), query strings and
fragments are cut, backslashes are slashes, repeated slashes and dot segments are removed before the
URL is mapped to a folder, an absolute URL counts only when it names this site, and the real path
must be a regular file strictly inside `public/files` or `private/files`. Checks and opens use the
result, never the caller's string; `open_site_file` opens it and proves the file is still that one.
Every refusal is `refuse()`: one text and one error class for "missing", "outside" and "not yours".
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import unicodedata
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import unquote, urlsplit

import frappe
from frappe import _
from frappe.utils import get_url

from frappe_assistant_core.exceptions import FileNotReadableError

PUBLIC_PREFIX = "/files/"
PRIVATE_PREFIX = "/private/files/"
#: Longer references are refused unread.
MAX_REFERENCE_CHARS = 2048
#: Rounds of percent-decoding tried; a reference still changing after them is refused.
MAX_DECODE_ROUNDS = 4
#: Characters of the caller's reference repeated in an error.
SHOWN_CHARS = 200
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class SiteFile:
	"""A regular file inside the site's files folders, identified by what the filesystem says."""

	#: Real path: absolute, no symbolic link in it, each name spelled as its directory stores it.
	path: str
	#: Whether the file lies in the site's private/files folder (decided by the path, never the URL).
	is_private: bool
	#: The URL Frappe stores for this path: /files/<name> or /private/files/<name>, not encoded.
	file_url: str
	#: st_dev and st_ino when it was resolved; open_site_file checks the file opened is still this one.
	device: int
	inode: int


def canonical_site_file(reference: object, argument: str = "file_url") -> SiteFile:
	"""The site file `reference` names; else `refuse()` with `argument` named in the error."""
	site_file = resolve(reference)
	if site_file is None:
		refuse(argument, reference)
	return site_file


def resolve(reference: object) -> SiteFile | None:
	"""`canonical_site_file` without the error: None for anything that is not a file of this site."""
	located = _url_location(reference)
	if located is None:
		return None
	folder, relative = located
	site = os.path.realpath(frappe.get_site_path())
	try:
		real = os.path.realpath(os.path.join(site, folder, "files", relative), strict=True)
	except (OSError, ValueError):
		return None
	holder = _files_folder(site, real)
	if holder is None:
		return None
	root, private = holder
	names = _stored_names(root, os.path.relpath(real, root).split(os.sep))
	path = os.path.join(root, *names)
	try:
		found = os.stat(path)
	except OSError:
		return None
	if not stat.S_ISREG(found.st_mode):
		return None
	prefix = PRIVATE_PREFIX if private else PUBLIC_PREFIX
	return SiteFile(path, private, prefix + "/".join(names), found.st_dev, found.st_ino)


def is_remote_url(reference: object) -> bool:
	"""Whether `reference` is a link to another host: Frappe takes it for a remote file (never read
	from disk) and, read the way `canonical_site_file` reads it, it names a host other than this site."""
	if not isinstance(reference, str) or not reference.startswith(("http://", "https://")):
		return False
	text = _normalised(reference)
	parts = _split_absolute(text) if text is not None else None
	return parts is not None and parts.scheme in ("http", "https") and not _names_this_site(parts)


def open_site_file(site_file: SiteFile, argument: str = "file_url", reference: object = None):
	"""The file opened for reading (a binary file object): no link followed at the last step, never
	blocking on a FIFO, and refused (naming the caller's `reference`) unless it is still the regular
	file that was resolved."""
	flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
	shown = site_file.file_url if reference is None else reference
	try:
		descriptor = os.open(site_file.path, flags)
	except OSError:
		refuse(argument, shown)
	found = os.fstat(descriptor)
	if not stat.S_ISREG(found.st_mode) or (found.st_dev, found.st_ino) != (site_file.device, site_file.inode):
		os.close(descriptor)
		refuse(argument, shown)
	os.set_blocking(descriptor, True)
	return os.fdopen(descriptor, "rb")


def refuse(argument: str, reference: object) -> NoReturn:
	"""The one answer for a file that is missing, outside the files folders or not the caller's."""
	frappe.throw(refusal_text(argument, reference), FileNotReadableError, title=_("File not found"))


def refusal_text(argument: str, reference: object) -> str:
	"""The text of `refuse()`: made of the argument's name and the caller's own reference only."""
	shown = reference if isinstance(reference, str) else repr(reference)
	cut = len(shown) > SHOWN_CHARS
	shown = "".join(char if char.isprintable() else "\ufffd" for char in shown[:SHOWN_CHARS])
	return _("{0}: there is no file {1} that you may read").format(argument, shown + ("…" if cut else ""))


def _url_location(reference: object) -> tuple[str, str] | None:
	"""('private' or 'public', the path below that files folder) of a reference, read as a URL."""
	text = _normalised(reference)
	if text is None:
		return None
	if _SCHEME.match(text):
		parts = _split_absolute(text)
		if parts is None or parts.scheme not in ("http", "https") or not _names_this_site(parts):
			return None
		text = parts.path
	path = posixpath.normpath(re.sub("/+", "/", "/" + text))  # no dot segment can climb above "/"
	for prefix, folder in ((PRIVATE_PREFIX, "private"), (PUBLIC_PREFIX, "public")):
		if path.startswith(prefix):
			return folder, path[len(prefix) :]
	return None


def _normalised(reference: object) -> str | None:
	"""The reference percent-decoded until it no longer changes, without query or fragment, with
	slashes for backslashes; None when it is too long, not text, or holds control characters."""
	if not isinstance(reference, str) or not reference or len(reference) > MAX_REFERENCE_CHARS:
		return None
	text = reference
	for _round in range(MAX_DECODE_ROUNDS + 1):
		text = re.split(r"[?#]", text, maxsplit=1)[0]
		try:
			decoded = unquote(text, errors="strict")
		except UnicodeDecodeError:
			return None
		if decoded == text:
			break
		text = decoded
	else:
		return None
	if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
		return None  # NUL and other control characters: no file of a site is named with them
	return text.replace("\\", "/")


def _split_absolute(text: str):
	if not _SCHEME.match(text):
		return None
	try:
		parts = urlsplit(text)
		parts.port  # noqa: B018 (raises ValueError for a malformed port)
	except ValueError:
		return None
	return parts


def _names_this_site(parts) -> bool:
	"""Whether an absolute URL's host is this site's (its URL or its name); port and scheme aside,
	since the URL is only ever mapped to a local file, never fetched."""
	host = (parts.hostname or "").rstrip(".")
	ours = {(urlsplit(get_url()).hostname or "").lower(), (frappe.local.site or "").lower()}
	return bool(host) and host.lower() in ours - {""}


def _files_folder(site: str, real: str) -> tuple[str, bool] | None:
	"""(the files folder strictly holding `real`, whether it is the private one): private first, so
	a file inside both (one folder linked into the other) counts as private."""
	for name in ("private", "public"):
		root = os.path.realpath(os.path.join(site, name, "files"))
		if real != root and os.path.commonpath([root, real]) == root:
			return root, name == "private"
	return None


def _stored_names(root: str, names: list[str]) -> list[str]:
	"""`names` (a path below `root`) as the directories store them: on a filesystem that folds case
	or Unicode forms, the spelling given may differ from the stored one while naming the same file."""
	stored, directory = [], root
	for name in names:
		name = _stored_name(directory, name)
		stored.append(name)
		directory = os.path.join(directory, name)
	return stored


def _stored_name(directory: str, name: str) -> str:
	try:
		given = os.lstat(os.path.join(directory, name))
	except OSError:
		return name
	variants = {name.swapcase(), unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)} - {
		name
	}
	folds = False
	for variant in variants:
		try:
			folds = os.path.samestat(given, os.lstat(os.path.join(directory, variant)))
		except OSError:
			continue
		if folds:
			break
	if not folds:
		return name  # no other spelling reaches this file: the name is stored as given
	key = _fold(name)
	with os.scandir(directory) as entries:
		for entry in entries:
			if _fold(entry.name) == key and os.path.samestat(given, entry.stat(follow_symlinks=False)):
				return entry.name
	return name


def _fold(name: str) -> str:
	return unicodedata.normalize("NFC", name).casefold()
