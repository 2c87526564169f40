"""document_get: one document by DocType and name, with its child tables, as the calling user sees it.

Fields above the user's permission level are removed (Frappe's field-level read permissions).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.core.base_tool import BaseTool
from frappe_assistant_core.plugins._output_types import DocName
from frappe_assistant_core.plugins.core._access import permitted_doc
from frappe_assistant_core.plugins.core._helpers import doc_payload


class Arguments(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(min_length=1, description="DocType of the document, e.g. 'Sales Invoice'.")
	name: str = Field(min_length=1, description="Name (ID) of the document, e.g. 'SINV-0001'.")


class Output(BaseModel):
	model_config = ConfigDict(extra="forbid")

	doctype: str = Field(description="DocType of the document.")
	name: DocName = Field(description="Name (ID) of the document.")
	document: dict[str, Any] = Field(
		description=(
			"The document, {fieldname: value}; a table field holds a list of row objects. Fields the "
			"user may not read are left out."
		)
	)


class DocumentGet(BaseTool):
	name = "document_get"
	title = "Get a document"
	Output = Output
	description = (
		"Get one document (all fields the user may read, child tables included) by DocType and name."
	)
	Arguments = Arguments

	def execute(self, args: Arguments) -> dict:
		doc = permitted_doc(args.doctype, args.name, ptype="read")
		return {"doctype": doc.doctype, "name": doc.name, "document": doc_payload(doc)}
