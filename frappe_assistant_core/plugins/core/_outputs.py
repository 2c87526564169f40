"""Parts of the core tools' Output models that several tools share (their outputSchema).

FieldInfo and FieldDetail describe what _helpers.describe_field returns; ReportFilter what
_helpers.report_filters returns; ReportColumn a column as report_details and report_execute give it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class FieldInfo(BaseModel):
	"""A field of a DocType."""

	model_config = ConfigDict(extra="forbid")

	fieldname: str = Field(description="Name of the field, the key of its value in a document.")
	label: str | None = Field(description="Label shown in the form.")
	fieldtype: str = Field(description="Field type, e.g. Data, Link, Select, Table, Date, Currency.")
	options: str | None = Field(
		description="Link/Table: the target DocType; Select: the choices, one per line; else type-specific."
	)
	reqd: bool = Field(description="Whether the field is mandatory.")


class FieldDetail(FieldInfo):
	"""A field of a DocType in full detail."""

	read_only: bool = Field(description="Whether the field cannot be set by the user.")
	hidden: bool = Field(description="Whether the field is hidden in the form.")
	unique: bool = Field(description="Whether values must be unique.")
	allow_on_submit: bool = Field(description="Whether it may change on a submitted document.")
	in_list_view: bool = Field(description="Whether it is a column of the list view.")
	in_standard_filter: bool = Field(description="Whether it is a standard filter of the list view.")
	default: str | None = Field(description="Default value.")
	description: str | None = Field(description="Help text of the field.")
	depends_on: str | None = Field(description="Condition under which the field is shown.")
	mandatory_depends_on: str | None = Field(description="Condition under which it is mandatory.")
	fetch_from: str | None = Field(description="link_field.fieldname its value is fetched from.")
	permlevel: int = Field(description="Permission level (0: basic; higher levels need extra rights).")


ReportType = Literal["Report Builder", "Query Report", "Script Report", "Custom Report"]


class ReportFilter(BaseModel):
	model_config = ConfigDict(extra="forbid")

	fieldname: str = Field(description="Key of the filter in report_execute's filters.")
	label: str | None = Field(description="Label of the filter.")
	fieldtype: str = Field(description="Field type of its value, e.g. Link, Date, Select.")
	options: str | None = Field(description="Link: the DocType; Select: the choices, one per line.")
	reqd: bool = Field(description="Whether report_execute needs a value for it.")
	default: str | int | float | bool | None = Field(
		description="Literal default, filled in when no value is given (computed defaults are left out)."
	)


class ReportColumn(BaseModel):
	model_config = ConfigDict(extra="forbid")

	fieldname: str = Field(description="Key of the column's value in each row.")
	label: str | None = Field(description="Column heading.")
	fieldtype: str | None = Field(description="Field type of its values, e.g. Currency, Link.")
	options: str | None = Field(description="Link: the DocType; Currency: the currency field.")
