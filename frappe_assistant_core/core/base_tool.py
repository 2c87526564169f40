"""The contract every MCP tool implements, built-in or contributed by another app.

A tool declares a pydantic `Arguments` model (its MCP inputSchema is generated from it) and an
`execute(args)` that does real work as the calling user. `run()` is the single entry point used
by the registry: dependency check, `requires_permission` check, argument validation, execute.
The tool's category (and so its MCP annotations) is detected from its source by
`utils.tool_categories`, never declared by hand.
"""

from __future__ import annotations

import importlib.util
from typing import Any, ClassVar

import frappe
from frappe import _
from pydantic import BaseModel, ConfigDict, ValidationError

from frappe_assistant_core.exceptions import ToolArgumentError, ToolDependencyError

# Generated schemas by Arguments model: tools/list sends them on every request.
_SCHEMAS: dict[type[BaseModel], dict] = {}


class NoArguments(BaseModel):
	"""Arguments of a tool that takes none."""

	model_config = ConfigDict(extra="forbid")


class BaseTool:
	"""Subclass, set the class attributes, implement `execute`."""

	#: MCP tool name; equal to the tool's module name inside its plugin's tools/ folder.
	name: ClassVar[str] = ""
	#: What the tool does and when to use it; sent to the model verbatim.
	description: ClassVar[str] = ""
	#: pydantic model of the arguments (extra="forbid", every field with a description).
	Arguments: ClassVar[type[BaseModel]] = NoArguments
	#: Human-readable name shown by MCP clients (Tool.title); derived from `name` when empty.
	title: ClassVar[str] = ""
	#: pydantic model of the result, for tools whose result has a stable shape: its schema is
	#: the MCP outputSchema, and what execute() returns must validate against it.
	Output: ClassVar[type[BaseModel] | None] = None
	#: A DocType the user must be able to read to see the tool at all (None: no such gate).
	requires_permission: ClassVar[str | None] = None
	#: Roles of which the user needs one to see and call the tool (empty: no such gate). An
	#: administrator's role restriction can narrow this further, never widen it.
	required_roles: ClassVar[tuple[str, ...]] = ()
	#: Importable module names the tool needs at run time (checked without importing them).
	dependencies: ClassVar[tuple[str, ...]] = ()
	#: Whether every effect of the tool stays in the database through Frappe's document API, so that
	#: a dry run (governance.rehearsal) can run it and undo it all. A tool that deletes files, calls
	#: other systems or sends mail at once leaves this False: it is never run before an approval.
	rehearsable: ClassVar[bool] = False
	#: App that ships the tool (set by the registry for tools from the assistant_tools hook).
	source_app: str = "frappe_assistant_core"

	def execute(self, args: BaseModel) -> Any:
		"""Do the work as `frappe.session.user`; return JSON-serialisable data or raise."""
		raise NotImplementedError

	@classmethod
	def input_schema(cls) -> dict:
		"""JSON Schema of the arguments, as MCP's tools/list wants it (built once per class)."""
		schema = _SCHEMAS.get(cls.Arguments)
		if schema is None:
			schema = cls.Arguments.model_json_schema()
			schema.pop("title", None)
			schema.setdefault("properties", {})
			schema = _SCHEMAS[cls.Arguments] = _strip_titles(schema)
		return schema

	@classmethod
	def output_schema(cls) -> dict | None:
		"""JSON Schema of the result (MCP outputSchema), or None for a free-form result."""
		if cls.Output is None:
			return None
		schema = _SCHEMAS.get(cls.Output)
		if schema is None:
			schema = cls.Output.model_json_schema(mode="serialization")
			schema.pop("title", None)
			schema = _SCHEMAS[cls.Output] = _strip_titles(schema)
		return schema

	@classmethod
	def display_title(cls) -> str:
		return cls.title or cls.name.replace("_", " ").capitalize()

	@classmethod
	def missing_dependencies(cls) -> list[str]:
		return [dep for dep in cls.dependencies if importlib.util.find_spec(dep) is None]

	def parse_arguments(self, arguments: dict | None) -> BaseModel:
		"""Validate raw arguments; a failure names every bad field in one clear message."""
		if arguments is not None and not isinstance(arguments, dict):
			raise ToolArgumentError(_("Arguments of {0} must be a JSON object").format(self.name))
		try:
			return self.Arguments.model_validate(arguments or {})
		except ValidationError as exc:
			errors = [
				{"field": ".".join(str(p) for p in err["loc"]) or "(arguments)", "message": err["msg"]}
				for err in exc.errors()
			]
			detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
			raise ToolArgumentError(
				_("Invalid arguments for {0}: {1}").format(self.name, detail), errors=errors
			) from None

	def check_permission(self) -> None:
		if self.required_roles and not set(self.required_roles) & set(frappe.get_roles()):
			frappe.throw(
				_("{0} is only for users with the role {1}").format(
					self.name, _(" or ").join(_(role) for role in self.required_roles)
				),
				frappe.PermissionError,
			)
		if self.requires_permission and not frappe.has_permission(self.requires_permission, "read"):
			frappe.throw(
				_("You need read access to {0} to use {1}").format(_(self.requires_permission), self.name),
				frappe.PermissionError,
			)

	def run(self, arguments: dict | None) -> Any:
		"""Check, validate and execute; raises Frappe exceptions on any failure."""
		if missing := self.missing_dependencies():
			raise ToolDependencyError(
				_("{0} needs these Python packages, which are not installed: {1}").format(
					self.name, ", ".join(missing)
				)
			)
		self.check_permission()
		return self.execute(self.parse_arguments(arguments))


def _strip_titles(node: Any) -> Any:
	"""pydantic adds a "title" to every property; MCP clients show the description instead."""
	if isinstance(node, dict):
		return {k: _strip_titles(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
	if isinstance(node, list):
		return [_strip_titles(v) for v in node]
	return node
