"""execute_python_code: run Python in a separate, resource-limited process that has no site access.

The tool (System Manager only) first reads the optional `data_query` as the calling user with
frappe.get_list, then starts `python -I data_science/_sandbox_runner.py` in a fresh temporary
directory, with a minimal environment (no database host, user, password, site or API secrets),
its own process group, and CPU-time, address-space, file-size and wall-time limits. The records
reach the child as JSON on stdin; the child never gets a database connection or credentials.

What it does NOT protect against (why only System Managers may run it): the child runs as the
bench's OS user, so it can read any file that user can (including a bench's site_config.json with
the database password, and the app's source), open network connections, start processes (no
process-count limit; the whole process group is killed when the run ends) and import any
installed module. It limits damage by resources and by what it is handed; it is not a jail.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import frappe
from frappe import _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._doctype_access import doctype_meta, require_permission
from frappe_assistant_core.plugins.data_science._records import fetch_records

RUNNER = Path(__file__).resolve().parent.parent / "_sandbox_runner.py"
MAX_OUTPUT_CHARS = 20_000
MAX_FILE_BYTES = 16 * 1024 * 1024
# Non-secret variables the child may inherit: locale, time zone, and the BLAS settings some CPUs
# need for numpy to compute correctly.
INHERITED_ENV = ("LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


class DataQuery(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType to read records from.")
	fields: list[str] = Field(default_factory=lambda: ["name"], description="Fields to read (default: name).")
	filters: dict | list | None = Field(
		default=None, description="Frappe filters: {field: value} or [[field, operator, value]]."
	)
	limit: int = Field(default=100, ge=1, le=10000, description="Most recent records to read, at most 10000.")


class ExecutePythonCodeArguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	code: str = Field(min_length=1, max_length=100_000, description="Python 3 source to run.")
	data_query: DataQuery | None = Field(
		default=None,
		description=(
			"Records to hand to the code, read with your permissions. The code sees them as `data` "
			"(a list of dicts) and, when pandas is installed, as the DataFrame `df` (pandas as `pd`)."
		),
	)
	timeout: int = Field(
		default=30, ge=1, le=300, description="Limit in seconds, both of wall-clock time and of CPU time."
	)
	memory_limit_mb: int = Field(
		default=512, ge=128, le=4096, description="Address-space limit of the process, in MiB."
	)
	return_variables: list[str] = Field(
		default_factory=list,
		max_length=20,
		description="Names of variables whose values (JSON-serialisable, or pandas/numpy) to return.",
	)

	@field_validator("return_variables")
	@classmethod
	def _identifiers(cls, names: list[str]) -> list[str]:
		for name in names:
			if not name.isidentifier():
				raise ValueError(f"{name!r} is not a Python identifier")
		return names


class ExecutePythonCode(BaseTool):
	name = "execute_python_code"
	description = (
		"Run Python 3 code in a separate process with time and memory limits and no database access. "
		"Optional `data_query` records arrive as `data` (list of dicts) and `df` (pandas DataFrame). "
		"Returns stdout, stderr, the error if the code failed, and the requested `return_variables`. "
		"System Manager only."
	)
	Arguments = ExecutePythonCodeArguments

	def execute(self, args: ExecutePythonCodeArguments) -> dict:
		frappe.only_for("System Manager", message=True)
		data = self._read_data(args.data_query) if args.data_query else []
		payload = {
			"code": args.code,
			"data": data,
			"with_dataframe": args.data_query is not None,
			"return_variables": args.return_variables,
		}
		result = _run_child(json.dumps(payload, default=str).encode(), args)
		result["rows_passed"] = len(data)
		return result

	def _read_data(self, query: DataQuery) -> list[dict]:
		meta = doctype_meta(query.doctype, "data_query.doctype")
		require_permission(query.doctype, ptype="read", argument="data_query.doctype")
		return fetch_records(meta, query.fields, query.filters, query.limit, prefix="data_query.")


def _run_child(payload: bytes, args: ExecutePythonCodeArguments) -> dict:
	with tempfile.TemporaryDirectory(prefix="fac-python-", ignore_cleanup_errors=True) as workdir:
		result_path = os.path.join(workdir, ".result.json")
		stdout_path, stderr_path = os.path.join(workdir, ".stdout"), os.path.join(workdir, ".stderr")
		command = [
			sys.executable,
			"-I",
			str(RUNNER),
			str(args.timeout),
			str(args.memory_limit_mb * 1024 * 1024),
			str(MAX_FILE_BYTES),
			result_path,
		]
		started = time.monotonic()
		with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
			process = subprocess.Popen(
				command,
				stdin=subprocess.PIPE,
				stdout=out,
				stderr=err,
				cwd=workdir,
				env=_child_env(workdir),
				start_new_session=True,  # its own process group, killed as a whole below
			)
			timed_out = False
			try:
				process.communicate(payload, timeout=args.timeout)
			except subprocess.TimeoutExpired:
				timed_out = True
			finally:
				_kill_group(process.pid)
				process.wait()
				_close(process.stdin)
		elapsed = round(time.monotonic() - started, 3)
		stdout, stdout_cut = _read_text(stdout_path)
		stderr, stderr_cut = _read_text(stderr_path)
		child = _read_result(result_path)

	status, error = _status(process.returncode, timed_out, child, args.timeout)
	return {
		"success": status == "ok",
		"status": status,
		"stdout": stdout,
		"stderr": stderr,
		"error": error,
		"variables": child.get("variables", {}) if child else {},
		"missing_variables": child.get("missing", []) if child else [],
		"unserialisable_variables": child.get("unserialisable", {}) if child else {},
		"truncated": {"stdout": stdout_cut, "stderr": stderr_cut},
		"exit_code": process.returncode,
		"execution_time": elapsed,
		"limits": {"timeout_seconds": args.timeout, "memory_limit_mb": args.memory_limit_mb},
	}


def _child_env(workdir: str) -> dict[str, str]:
	env = {"PATH": os.defpath, "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8"}
	env.update({k: os.environ[k] for k in INHERITED_ENV if k in os.environ})
	# One thread per numeric library: an address-space limit counts every thread's stack.
	env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
	return env


def _kill_group(pid: int) -> None:
	try:
		os.killpg(pid, signal.SIGKILL)
	except (ProcessLookupError, PermissionError):
		pass


def _close(stream) -> None:
	try:
		stream.close()
	except OSError:  # unread input left in the pipe of a killed process
		pass


def _read_text(path: str) -> tuple[str, bool]:
	with open(path, "rb") as handle:
		raw = handle.read(MAX_OUTPUT_CHARS * 4 + 1)
	text = raw.decode("utf-8", errors="replace")
	cut = len(text) > MAX_OUTPUT_CHARS or len(raw) > MAX_OUTPUT_CHARS * 4
	return text[:MAX_OUTPUT_CHARS], cut


def _read_result(path: str) -> dict | None:
	try:
		with open(path, encoding="utf-8") as handle:
			return json.load(handle)
	except (OSError, ValueError):
		return None


def _status(returncode: int, timed_out: bool, child: dict | None, timeout: int) -> tuple[str, dict | None]:
	"""(status, error) of a finished run: ok, error, timeout, cpu_limit or crashed."""
	if timed_out:
		message = _("Stopped after {0} seconds of wall-clock time").format(timeout)
		return "timeout", {"type": "Timeout", "message": message}
	if returncode == -signal.SIGXCPU:
		message = _("Stopped after {0} seconds of CPU time").format(timeout)
		return "cpu_limit", {"type": "CPUTimeLimit", "message": message}
	if child is None:
		message = _("The process ended without a result (exit code {0})").format(returncode)
		return "crashed", {"type": "Crashed", "message": message}
	if child.get("error"):
		return "error", child["error"]
	return "ok", None
