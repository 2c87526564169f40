"""The shapes of what _analysis.py computes, as pydantic models for the tools' outputSchema.

One model per _analysis function result; analyze_frappe_data and query_and_analyze build their
Output models from them. Kept apart from _analysis.py so that loading a tool never loads pandas.
Every statistic is a JSON number, or None where pandas gives NaN or infinity.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from frappe_assistant_core.plugins._output_types import Absent, sometimes

Interval = Literal["Daily", "Weekly", "Monthly", "Quarterly", "Yearly"]


class Counts(BaseModel):
	model_config = ConfigDict(extra="forbid")

	filled: int = Field(description="Values that are set.")
	missing: int = Field(description="Values that are not set (None/NaN).")
	distinct: int = Field(description="Different values among those set.")


class TopValue(BaseModel):
	model_config = ConfigDict(extra="forbid")

	value: str = Field(description="A value, as text.")
	count: int = Field(description="Records with that value.")


class ColumnProfile(Counts):
	"""One field's profile: counts, and a summary by kind of field."""

	type: str | None = Field(description="Field type of the field, e.g. Currency, Select, Date.")
	min: float | None = sometimes("Numeric fields: smallest value.")
	max: float | None = sometimes("Numeric fields: largest value.")
	mean: float | None = sometimes("Numeric fields: mean.")
	sum: float | None = sometimes("Numeric fields: total.")
	earliest: str | None = sometimes("Date fields: earliest value (ISO 8601).")
	latest: str | None = sometimes("Date fields: latest value (ISO 8601).")
	top_values: list[TopValue] | Absent = sometimes("Other fields: the most frequent values.")


class Profile(BaseModel):
	"""analysis_type profile."""

	model_config = ConfigDict(extra="forbid")

	row_count: int = Field(description="Records profiled.")
	columns: dict[str, ColumnProfile] = Field(description="Profile of each field, by fieldname.")


class NumericStatistics(BaseModel):
	"""Descriptive statistics of one numeric field or column (values that are set)."""

	model_config = ConfigDict(extra="forbid")

	count: int = Field(description="Values that are set.")
	sum: float | None = Field(description="Total.")
	mean: float | None = Field(description="Mean.")
	std: float | None = Field(description="Sample standard deviation.")
	min: float | None = Field(description="Smallest value.")
	p25: float | None = Field(description="First quartile.")
	median: float | None = Field(description="Median.")
	p75: float | None = Field(description="Third quartile.")
	max: float | None = Field(description="Largest value.")


class TrendPeriod(BaseModel):
	"""One period; besides period and count, `<field>_sum` holds the total of each numeric field."""

	model_config = ConfigDict(extra="allow")
	__pydantic_extra__: dict[str, float | None]

	period: str = Field(description="The period, e.g. 2024-03 (Monthly) or 2024Q1 (Quarterly).")
	count: int = Field(description="Records dated in the period.")


class Trends(BaseModel):
	"""analysis_type trends."""

	model_config = ConfigDict(extra="forbid")

	date_field: str = Field(description="The date field records were grouped by.")
	interval: Interval = Field(description="Length of a period.")
	undated_rows: int = Field(description="Records without a date, left out.")
	periods: list[TrendPeriod] = Field(description="Periods with records, oldest first.")
	count_growth_percent: float | None = Field(
		description="Change of the record count from the second-last to the last period, in percent."
	)


class ColumnQuality(BaseModel):
	model_config = ConfigDict(extra="forbid")

	filled: int = Field(description="Values that are set and not blank.")
	missing: int = Field(description="Values not set or blank.")
	blank_strings: int = Field(description="Values that are only whitespace.")
	completeness_percent: float | None = Field(description="filled in percent of the records.")


class Quality(BaseModel):
	"""analysis_type quality."""

	model_config = ConfigDict(extra="forbid")

	row_count: int = Field(description="Records checked.")
	duplicate_rows: int = Field(description="Records equal to an earlier one in every field but name.")
	overall_completeness_percent: float | None = Field(description="Mean completeness of the fields.")
	columns: dict[str, ColumnQuality] = Field(description="Completeness of each field, by fieldname.")
	incomplete_fields: list[str] = Field(description="Fields with a missing value, sorted.")


class StrongPair(BaseModel):
	model_config = ConfigDict(extra="forbid")

	fields: list[str] = Field(min_length=2, max_length=2, description="The two fields.")
	correlation: float = Field(description="Their Pearson correlation (|r| >= 0.7).")


class Correlations(BaseModel):
	"""analysis_type correlations."""

	model_config = ConfigDict(extra="forbid")

	matrix: dict[str, dict[str, float | None]] = Field(
		description="Pearson correlation of each pair of fields, matrix[field][other field]."
	)
	strong_pairs: list[StrongPair] = Field(description="Pairs of fields that correlate strongly.")


class ColumnSummary(Counts):
	kind: Literal["numeric", "text"] = Field(description="numeric: a number column; text: anything else.")


class RowsSummary(BaseModel):
	"""Summary of query rows (summarize_rows)."""

	model_config = ConfigDict(extra="forbid")

	columns: dict[str, ColumnSummary] = Field(description="Counts of each column, by column name.")
	statistics: dict[str, NumericStatistics] | Absent = sometimes(
		"analysis_type statistical: statistics of each numeric column."
	)
