"""execute_python_code: run Python in an OS-level sandbox that sees nothing of the site or the host.

The tool (System Manager only) first reads the optional `data_query` as the calling user with
frappe.get_list, then hands code and records as JSON to data_science/_sandbox.py, which runs them
under bubblewrap and seccomp as an unprivileged user without network, sockets, new processes, site
files or environment, with CPU, memory, file-size and wall-time limits. The answer comes back on a
pipe with a byte cap and is re-checked here, since the code could have written it. When the
sandbox cannot start on this server the tool refuses to run and says why; it never runs unconfined.
"""

from __future__ import annotations

import json
import signal
from typing import Any, Literal

from frappe import _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from frappe_assistant_core.core import timeouts
from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.exceptions import ToolDependencyError
from frappe_assistant_core.plugins._doctype_access import doctype_meta, require_permission
from frappe_assistant_core.plugins._filters import Filters
from frappe_assistant_core.plugins._output_types import Absent, sometimes
from frappe_assistant_core.plugins.data_science import _sandbox
from frappe_assistant_core.plugins.data_science._records import fetch_records

MAX_OUTPUT_CHARS = 20_000
MAX_VARIABLE_CHARS = 200_000
#: The runner's whole answer (every returned variable together); more is discarded, not cut.
MAX_RESULT_BYTES = 1_000_000


class DataQuery(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType to read records from.")
	fields: list[str] = Field(default_factory=lambda: ["name"], description="Fields to read (default: name).")
	filters: Filters | None = Field(
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
		default=30,
		ge=1,
		le=300,
		description=(
			"Limit in seconds, both of wall-clock time and of CPU time; never more than the site's web "
			"request timeout allows (usually 110 s)."
		),
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


class RunError(BaseModel):
	model_config = ConfigDict(extra="forbid")

	type: str = Field(
		description="The exception's class name, or Timeout, CPUTimeLimit, ResultTooLarge, Crashed."
	)
	message: str = Field(description="What went wrong.")
	traceback: str | Absent = sometimes("Traceback of the code's exception (status error).")


class Truncated(BaseModel):
	model_config = ConfigDict(extra="forbid")

	stdout: bool = Field(description=f"Whether stdout was cut at {MAX_OUTPUT_CHARS} characters.")
	stderr: bool = Field(description=f"Whether stderr was cut at {MAX_OUTPUT_CHARS} characters.")


class AppliedLimits(BaseModel):
	model_config = ConfigDict(extra="forbid")

	timeout_seconds: int = Field(description="Wall-clock and CPU time limit applied, in seconds.")
	memory_limit_mb: int = Field(description="Address-space limit applied, in MiB.")


class ExecutePythonCodeOutput(BaseModel):
	model_config = ConfigDict(extra="forbid")

	success: bool = Field(description="Whether the code ran to its end without an exception.")
	status: Literal["ok", "error", "timeout", "cpu_limit", "too_large", "crashed"] = Field(
		description=(
			"ok; error: the code raised; timeout / cpu_limit: stopped at the time limit; too_large: "
			"the returned variables were too large, or /tmp held too many files; crashed: the process ended without a result."
		)
	)
	stdout: str = Field(description="What the code printed.")
	stderr: str = Field(description="What the code wrote to stderr.")
	error: RunError | None = Field(description="Why the run failed (None when status is ok).")
	variables: dict[str, Any] = Field(description="The requested variables that could be returned, as JSON.")
	missing_variables: list[str] = Field(description="Requested variables the code did not define.")
	unserialisable_variables: dict[str, str] = Field(
		description="Requested variables that could not be returned, each with the reason."
	)
	truncated: Truncated = Field(description="Which outputs were cut.")
	exit_code: int | None = Field(description="Exit code of the sandboxed process (negative: a signal).")
	execution_time: float = Field(description="Wall-clock time of the run, in seconds.")
	limits: AppliedLimits = Field(description="The limits the code ran under.")
	rows_passed: int = Field(description="Records of data_query handed to the code.")


class ExecutePythonCode(BaseTool):
	name = "execute_python_code"
	title = "Run Python in a sandbox"
	Output = ExecutePythonCodeOutput
	description = (
		"Run Python 3 code in an isolated sandbox (no network, no files of the site, no database, "
		"no new processes) with time and memory limits. "
		"Optional `data_query` records arrive as `data` (list of dicts) and `df` (pandas DataFrame). "
		"Returns stdout, stderr, the error if the code failed, and the requested `return_variables`. "
		"System Manager only."
	)
	Arguments = ExecutePythonCodeArguments
	required_roles = ("System Manager",)
	dependencies = ("pyseccomp",)

	def execute(self, args: ExecutePythonCodeArguments) -> dict:
		if reason := _sandbox.problem():
			raise ToolDependencyError(_("execute_python_code is unavailable: {0}").format(reason))
		data = self._read_data(args.data_query) if args.data_query else []
		payload = {
			"code": args.code,
			"data": data,
			"with_dataframe": args.data_query is not None,
			"return_variables": args.return_variables,
		}
		result = _run_sandboxed(json.dumps(payload, default=str).encode(), args)
		result["rows_passed"] = len(data)
		return result

	def _read_data(self, query: DataQuery) -> list[dict]:
		meta = doctype_meta(query.doctype, "data_query.doctype")
		require_permission(query.doctype, ptype="read", argument="data_query.doctype")
		return fetch_records(meta, query.fields, query.filters, query.limit, prefix="data_query.")


def _run_sandboxed(payload: bytes, args: ExecutePythonCodeArguments) -> dict:
	timeout = timeouts.clamp(args.timeout)
	limits = _sandbox.Limits(
		wall_seconds=timeout,
		cpu_seconds=timeout,
		memory_bytes=args.memory_limit_mb * 1024 * 1024,
		max_output_bytes=MAX_OUTPUT_CHARS * 4,
		max_result_bytes=MAX_RESULT_BYTES,
		max_variable_chars=MAX_VARIABLE_CHARS,
	)
	outcome = _sandbox.run(payload, limits)
	stdout, stdout_cut = _text(outcome.stdout, "stdout" in outcome.overflow)
	stderr, stderr_cut = _text(outcome.stderr, "stderr" in outcome.overflow)
	child = None if "result" in outcome.overflow else _checked_result(outcome.result, args.return_variables)
	status, error = _status(outcome, child, timeout)
	return {
		"success": status == "ok",
		"status": status,
		"stdout": stdout,
		"stderr": stderr,
		"error": error,
		"variables": child["variables"] if child else {},
		"missing_variables": child["missing"] if child else [],
		"unserialisable_variables": child["unserialisable"] if child else {},
		"truncated": {"stdout": stdout_cut, "stderr": stderr_cut},
		"exit_code": outcome.returncode,
		"execution_time": outcome.elapsed,
		"limits": {"timeout_seconds": timeout, "memory_limit_mb": args.memory_limit_mb},
	}


def _text(raw: bytes, cut: bool) -> tuple[str, bool]:
	text = raw.decode("utf-8", errors="replace")
	return text[:MAX_OUTPUT_CHARS], cut or len(text) > MAX_OUTPUT_CHARS


def _checked_result(raw: bytes, requested: list[str]) -> dict | None:
	"""The runner's answer, re-checked: the code shares its process and can write anything there,
	so only requested names, JSON values within the size limit and short strings are kept."""
	try:
		child = json.loads(raw)
	except ValueError:
		return None
	if not isinstance(child, dict):
		return None
	variables = child.get("variables") if isinstance(child.get("variables"), dict) else {}
	unserialisable = child.get("unserialisable") if isinstance(child.get("unserialisable"), dict) else {}
	missing = child.get("missing") if isinstance(child.get("missing"), list) else []
	checked = {
		"error": _checked_error(child.get("error")),
		"variables": {},
		"missing": [],
		"unserialisable": {},
	}
	for name in requested:
		if name in variables:
			if len(json.dumps(variables[name])) <= MAX_VARIABLE_CHARS:
				checked["variables"][name] = variables[name]
			else:
				checked["unserialisable"][name] = f"larger than {MAX_VARIABLE_CHARS} characters as JSON"
		elif name in unserialisable:
			checked["unserialisable"][name] = str(unserialisable[name])[:500]
		elif name in missing:
			checked["missing"].append(name)
	return checked


def _checked_error(error) -> dict | None:
	if not error:
		return None
	if not isinstance(error, dict):
		return {"type": "Error", "message": str(error)[:MAX_OUTPUT_CHARS], "traceback": ""}
	return {key: str(error.get(key) or "")[:MAX_OUTPUT_CHARS] for key in ("type", "message", "traceback")}


def _status(outcome: _sandbox.Outcome, child: dict | None, timeout: int) -> tuple[str, dict | None]:
	"""(status, error) of a finished run: ok, error, timeout, cpu_limit, too_large or crashed."""
	if outcome.timed_out:
		message = _("Stopped after {0} seconds of wall-clock time").format(timeout)
		return "timeout", {"type": "Timeout", "message": message}
	if "scratch" in outcome.overflow:
		message = _("Stopped: the code made more than {0} files and folders in /tmp").format(
			_sandbox.MAX_SCRATCH_FILES
		)
		return "too_large", {"type": "ScratchTooLarge", "message": message}
	if outcome.returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGKILL):
		message = _("Stopped after {0} seconds of CPU time").format(timeout)
		return "cpu_limit", {"type": "CPUTimeLimit", "message": message}
	if "result" in outcome.overflow:
		message = _("The result was larger than {0} bytes and was discarded").format(MAX_RESULT_BYTES)
		return "too_large", {"type": "ResultTooLarge", "message": message}
	if child is None:
		message = _("The process ended without a result (exit code {0})").format(outcome.returncode)
		return "crashed", {"type": "Crashed", "message": message}
	if child["error"]:
		return "error", child["error"]
	return "ok", None
