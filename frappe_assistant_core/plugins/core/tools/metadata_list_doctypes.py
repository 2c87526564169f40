"""metadata_list_doctypes: DocTypes of the site, filtered by module, custom, child-table and single flags.

Lists DocType records through the permission-aware frappe.get_list, exactly as the REST API
/api/resource/DocType would for the calling user (Frappe grants read on DocType to System Managers).
"""

from __future__ import annotations

import frappe
from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins.core._access import check_access

_FLAGS = ("custom", "istable", "issingle", "is_submittable")


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	module: str | None = Field(default=None, description="Only DocTypes of this module, e.g. 'Accounts'.")
	custom: bool | None = Field(
		default=None, description="true: only custom DocTypes; false: only standard ones."
	)
	istable: bool | None = Field(default=None, description="true: only child tables; false: no child tables.")
	issingle: bool | None = Field(default=None, description="true: only Single DocTypes; false: no Singles.")
	is_submittable: bool | None = Field(default=None, description="true: only submittable DocTypes.")
	search: str | None = Field(
		default=None, min_length=1, description="Only DocTypes whose name contains this text."
	)
	limit: int = Field(default=100, ge=1, le=1000, description="Maximum number of DocTypes (1-1000).")


class DoctypeSummary(BaseModel):
	model_config = ConfigDict(extra="forbid")

	name: str = Field(description="Name of the DocType.")
	module: str = Field(description="Module it belongs to.")
	custom: bool = Field(description="Whether it is a custom DocType.")
	istable: bool = Field(description="Whether it is a child table.")
	issingle: bool = Field(description="Whether it is a Single.")
	is_submittable: bool = Field(description="Whether its documents can be submitted.")
	is_tree: bool = Field(description="Whether its documents form a tree.")
	description: str | None = Field(description="Description of the DocType.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	count: int = Field(description="Number of DocTypes listed.")
	doctypes: list[DoctypeSummary] = Field(description="The DocTypes, by name.")


class MetadataListDoctypes(BaseTool):
	name = "metadata_list_doctypes"
	title = "List DocTypes"
	Output = Output
	description = (
		"List the DocTypes of the site with module and flags; filter by module, custom, child "
		"table (istable), single and submittable, or by text in the name."
	)
	Arguments = Arguments
	requires_permission = "DocType"

	def execute(self, args: Arguments) -> dict:
		check_access("DocType", ptype="read")
		filters: dict = {flag: int(value) for flag in _FLAGS if (value := getattr(args, flag)) is not None}
		if args.module:
			filters["module"] = args.module
		if args.search:
			filters["name"] = ["like", f"%{args.search}%"]
		rows = frappe.get_list(
			"DocType",
			filters=filters,
			fields=["name", "module", *_FLAGS, "is_tree", "description"],
			order_by="name asc",
			limit_page_length=args.limit,
		)
		doctypes = [{**row, **{flag: bool(row[flag]) for flag in (*_FLAGS, "is_tree")}} for row in rows]
		return {"count": len(doctypes), "doctypes": doctypes}
