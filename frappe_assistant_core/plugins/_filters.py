"""The JSON shape of Frappe filters, typed so that tool input schemas have no untyped parts.

Frappe takes `{field: value}`, `{field: [operator, value]}` and `[[field, operator, value]]` (or
`[doctype, field, operator, value]`); a value is a scalar, or a list of scalars for operators
like `in` and `between`. Tools annotate their `filters` argument with `Filters`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Scalar = str | int | float | bool | None
#: A filter value, or an operand list such as ["in", ["Open", "Closed"]].
Operand = Scalar | list[Scalar]
#: [field, operator, value] or [doctype, field, operator, value].
Condition = Annotated[list[Operand], Field(min_length=2, max_length=4)]
Filters = dict[str, Operand | list[Operand]] | list[Condition]
