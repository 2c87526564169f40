"""Tool risk categories, at the import path the specification names (§1).

The detection lives in core.tool_categories, beside the tool catalog that uses it; this module
re-exports its public names so that `frappe_assistant_core.utils.tool_categories` keeps working.
"""

from __future__ import annotations

from frappe_assistant_core.core.tool_categories import (
	CATEGORIES,
	CATEGORY_INFO,
	CATEGORY_RANK,
	DESTRUCTIVE_PERMS,
	READ_PERMS,
	WRITE_PERMS,
	ToolSource,
	categorize,
	category_to_annotations,
	read_tool_class,
	read_tool_source,
)

__all__ = [
	"CATEGORIES",
	"CATEGORY_INFO",
	"CATEGORY_RANK",
	"DESTRUCTIVE_PERMS",
	"READ_PERMS",
	"WRITE_PERMS",
	"ToolSource",
	"categorize",
	"category_to_annotations",
	"read_tool_class",
	"read_tool_source",
]
