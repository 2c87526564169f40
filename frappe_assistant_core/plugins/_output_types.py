"""Building blocks of the tools' Output models, from which their MCP outputSchema is generated.

An Output model describes exactly what a tool's execute() returns. A key that only some results
carry is declared `key: T | Absent = sometimes("...")`: not required, and without a `default`
in the schema, since a missing key is missing, not null. `DocName` is a document name as the
database returns it.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

#: The type of a key that some results leave out (only ever missing, never null).
Absent = SkipJsonSchema[None]

#: A document name read from the database: text, or a number for DocTypes named by autoincrement.
DocName = str | int

#: A spreadsheet or report cell.
Cell = str | int | float | bool | None


def sometimes(description: str) -> Any:
	"""A field of an Output model that some results leave out; `description` says when it is there."""
	return Field(default=None, description=description, json_schema_extra=_without_default)


def _without_default(schema: dict) -> None:
	schema.pop("default", None)
