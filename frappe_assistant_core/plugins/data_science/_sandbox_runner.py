"""Child side of execute_python_code; run as `python -I _sandbox_runner.py CPU_S MEMORY_B FILE_B RESULT`.

Standalone on purpose: it imports nothing from Frappe or this app. It first limits its own CPU time,
address space, file size and core dumps (before any user code, so the code cannot raise them back),
then reads {code, data, return_variables, with_dataframe} as JSON from stdin, runs the code with
`data` (and `pd`/`df` when asked and pandas is installed) in its namespace, and writes
{error, variables, missing, unserialisable} as JSON to RESULT. The code's own output goes to this
process's stdout/stderr, which the parent captured in files.
"""

from __future__ import annotations

import datetime
import decimal
import json
import linecache
import math
import resource
import sys
import traceback

SOURCE_NAME = "<code>"
MAX_VARIABLE_CHARS = 200_000


def main(argv: list[str]) -> None:
	cpu_seconds, memory_bytes, file_bytes = (int(v) for v in argv[1:4])
	result_path = argv[4]
	resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
	resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
	resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
	resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
	for stream in (sys.stdout, sys.stderr):
		stream.reconfigure(encoding="utf-8", errors="backslashreplace")

	payload = json.load(sys.stdin)
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
	sys.stdout.flush()
	sys.stderr.flush()

	result = {"error": error, "variables": {}, "missing": [], "unserialisable": {}}
	for name in payload.get("return_variables", []):
		if name not in namespace:
			result["missing"].append(name)
			continue
		try:
			text = json.dumps(_plain(namespace[name]), allow_nan=False)
		except (TypeError, ValueError) as exc:
			result["unserialisable"][name] = f"{type(namespace[name]).__name__}: {exc}"
			continue
		if len(text) > MAX_VARIABLE_CHARS:
			result["unserialisable"][name] = f"larger than {MAX_VARIABLE_CHARS} characters as JSON"
			continue
		result["variables"][name] = json.loads(text)
	with open(result_path, "w", encoding="utf-8") as out:
		json.dump(result, out)


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
