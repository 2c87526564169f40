"""Child side of the sandbox, run by bubblewrap inside it (see _sandbox.py): one job per run.

Standalone on purpose: it imports nothing from Frappe or this app and is bind-mounted into the
sandbox with, for the file jobs, the parsers of _extractors.py beside it. Called as
`python -I -S runner.py LIMITS_JSON`. Before anything else it lowers its resource limits (CPU,
address space, file size, processes, open files, core dumps), drops to the unprivileged uid/gid it
is given when it starts as root (and checks that no capability is left), closes every inherited
descriptor but 0, 1, 2 and the result pipe, and adds the library paths to sys.path. Then the job:

- python (execute_python_code): reads {code, data, return_variables, with_dataframe} as JSON from
  stdin, runs the code, writes {error, variables, missing, unserialisable} as JSON to the result pipe;
- extract (extract_file_content): reads the file's bytes from stdin, parses them, writes
  {result} or {error: {code, params}} as JSON to the result pipe;
- ocr: becomes the tesseract program (execve keeps the limits, the uid and the seccomp filter),
  which reads the image from stdin and writes its text to stdout.

The parent never trusts an answer: it caps and re-checks it.
"""

from __future__ import annotations

import datetime
import decimal
import json
import linecache
import math
import os
import resource
import sys
import traceback

SOURCE_NAME = "<code>"


#: Where _sandbox.py binds _extractors.py inside the sandbox.
EXTRACTORS_FOLDER = "/fac/lib"


def main(argv: list[str]) -> None:
	limits = json.loads(argv[1])
	_confine(limits)
	job = limits.get("job", "python")
	if job == "ocr":
		options = limits["options"]
		os.execv(options["program"], ["tesseract", "stdin", "stdout", "-l", options["language"]])
	for stream in (sys.stdout, sys.stderr):
		stream.reconfigure(encoding="utf-8", errors="backslashreplace")
	sys.path.extend(limits["paths"])
	if job == "extract":
		result = _extract(limits["options"])
	else:
		result = _run(json.load(sys.stdin), limits["max_variable_chars"])
	sys.stdout.flush()
	sys.stderr.flush()
	with os.fdopen(limits["result_fd"], "w", encoding="utf-8") as out:
		json.dump(result, out)


def _extract(options: dict) -> dict:
	"""The file on stdin parsed by _extractors.extract, or why it could not be."""
	sys.modules["numpy"] = None  # openpyxl loads numpy when it can; a parser has no use for it
	sys.path.insert(0, EXTRACTORS_FOLDER)
	import _extractors

	try:
		content = sys.stdin.buffer.read()
		return {"result": _extractors.extract(options["kind"], content, **options["limits"])}
	except _extractors.ExtractionError as exc:
		return {"error": {"code": exc.code, "params": exc.params}}
	except MemoryError:
		return {"error": {"code": "memory", "params": []}}
	except RecursionError:
		return {"error": {"code": "too_deep", "params": []}}
	except Exception as exc:  # whatever a parser raises on a malformed file
		return {"error": {"code": "unreadable", "params": [type(exc).__name__, str(exc)[:300]]}}


def _confine(limits: dict) -> None:
	"""Limits first (lowering needs no privilege), then the uid drop, then the descriptor sweep."""
	cpu = limits["cpu_seconds"]
	for which, soft, hard in (
		(resource.RLIMIT_CORE, 0, 0),
		(resource.RLIMIT_CPU, cpu, cpu + 1),
		(resource.RLIMIT_AS, limits["memory_bytes"], limits["memory_bytes"]),
		(resource.RLIMIT_FSIZE, limits["file_bytes"], limits["file_bytes"]),
		(resource.RLIMIT_NPROC, limits["processes"], limits["processes"]),
		(resource.RLIMIT_NOFILE, limits["open_files"], limits["open_files"]),
	):
		resource.setrlimit(which, (soft, hard))
	if os.getuid() == 0:
		uid, gid = limits["uid"], limits["gid"]
		os.setgroups([])
		os.setresgid(gid, gid, gid)
		os.setresuid(uid, uid, uid)
	with open("/proc/self/status") as status:
		effective = next(line for line in status if line.startswith("CapEff:")).split()[1]
	if os.getuid() == 0 or int(effective, 16):
		raise SystemExit("sandbox: refusing to run code with root or capabilities")
	keep = limits["result_fd"]
	os.closerange(3, keep)
	os.closerange(keep + 1, limits["open_files"])


def _run(payload: dict, max_variable_chars: int) -> dict:
	code = payload["code"]
	namespace = {"__name__": "__main__", "__builtins__": __builtins__, "data": payload["data"]}
	if payload.get("with_dataframe"):
		try:
			import pandas as pd
		except ImportError:
			pass
		else:
			namespace.update(pd=pd, df=pd.DataFrame(payload["data"]))

	linecache.cache[SOURCE_NAME] = (len(code), None, code.splitlines(True), SOURCE_NAME)
	error = None
	try:
		exec(compile(code, SOURCE_NAME, "exec"), namespace)
	except SystemExit as exc:
		if exc.code not in (None, 0):
			error = _describe(exc)
	except BaseException as exc:  # the user's failure is the result, whatever it is
		error = _describe(exc)

	result = {"error": error, "variables": {}, "missing": [], "unserialisable": {}}
	for name in payload.get("return_variables", []):
		if name not in namespace:
			result["missing"].append(name)
			continue
		try:
			text = json.dumps(_plain(namespace[name]), allow_nan=False)
		except (TypeError, ValueError, RecursionError) as exc:
			result["unserialisable"][name] = f"{type(namespace[name]).__name__}: {exc}"
			continue
		if len(text) > max_variable_chars:
			result["unserialisable"][name] = f"larger than {max_variable_chars} characters as JSON"
			continue
		result["variables"][name] = json.loads(text)
	return result


def _describe(exc: BaseException) -> dict:
	"""The exception with a traceback of the user's own frames only."""
	frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SOURCE_NAME]
	lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
	return {"type": type(exc).__name__, "message": str(exc), "traceback": "".join(lines)}


def _plain(value):
	"""JSON-ready form of common data values (pandas, numpy, dates, decimals); NaN becomes None."""
	if hasattr(value, "to_dict") and hasattr(value, "columns"):  # DataFrame
		return _plain(value.to_dict(orient="records"))
	if hasattr(value, "to_dict"):  # Series
		return _plain(value.to_dict())
	if hasattr(value, "tolist"):  # numpy array or scalar
		return _plain(value.tolist())
	if isinstance(value, dict):
		return {str(k): _plain(v) for k, v in value.items()}
	if isinstance(value, list | tuple | set | frozenset):
		return [_plain(v) for v in value]
	if isinstance(value, float) and not math.isfinite(value):
		return None
	if isinstance(value, datetime.date | datetime.time):
		return value.isoformat()
	if isinstance(value, decimal.Decimal):
		return float(value)
	return value


if __name__ == "__main__":
	main(sys.argv)
