"""The numbers behind analyze_frappe_data and query_and_analyze, computed with pandas.

Each function takes a DataFrame whose columns were already chosen and permission-checked by the
calling tool and returns plain JSON data (floats rounded, NaN as None). The tools import this
module inside execute(), after BaseTool.run() has checked that pandas is installed, so loading a
tool never loads pandas and a bench without it gets the tool's clear dependency error.
"""

from __future__ import annotations

import json
import math
from typing import Any

import frappe
import pandas as pd
from frappe import _

from frappe_assistant_core.exceptions import ToolArgumentError

#: pandas period codes for the trend intervals the desk also offers.
PERIODS = {"Daily": "D", "Weekly": "W", "Monthly": "M", "Quarterly": "Q", "Yearly": "Y"}
STRONG_CORRELATION = 0.7
TOP_VALUES = 5


def frame(records: list[dict], fields: list[str], numeric: list[str], dates: list[str]) -> pd.DataFrame:
	"""A DataFrame of `records` with numeric and date columns converted (bad values become NaN/NaT)."""
	df = pd.DataFrame.from_records(records, columns=fields)
	for column in numeric:
		df[column] = pd.to_numeric(df[column], errors="coerce")
	for column in dates:
		df[column] = pd.to_datetime(df[column], errors="coerce")
	return df


def profile(df: pd.DataFrame, types: dict[str, str]) -> dict:
	"""Per column: type, filled and missing counts, distinct values, and a numeric or top-values summary."""
	columns = {}
	for column in df.columns:
		series = df[column]
		info = {"type": types.get(column), **_counts(series)}
		if pd.api.types.is_numeric_dtype(series):
			info.update(
				min=_num(series.min()),
				max=_num(series.max()),
				mean=_num(series.mean()),
				sum=_num(series.sum()),
			)
		elif pd.api.types.is_datetime64_any_dtype(series):
			info.update(earliest=_when(series.min()), latest=_when(series.max()))
		else:
			top = series.dropna().astype(str).value_counts().head(TOP_VALUES)
			info["top_values"] = [{"value": value, "count": int(count)} for value, count in top.items()]
		columns[column] = info
	return {"row_count": len(df), "columns": columns}


def statistics(df: pd.DataFrame, numeric: list[str]) -> dict:
	"""Descriptive statistics of each numeric column."""
	out = {}
	for column in numeric:
		series = df[column].dropna()
		out[column] = {
			"count": int(series.count()),
			"sum": _num(series.sum()),
			"mean": _num(series.mean()),
			"std": _num(series.std()),
			"min": _num(series.min()),
			"p25": _num(series.quantile(0.25)),
			"median": _num(series.median()),
			"p75": _num(series.quantile(0.75)),
			"max": _num(series.max()),
		}
	return out


def trends(df: pd.DataFrame, date_field: str, numeric: list[str], interval: str) -> dict:
	"""Record count and numeric totals per period of `date_field`, with the last period's growth."""
	dated = df.dropna(subset=[date_field])
	periods = dated[date_field].dt.to_period(PERIODS[interval])
	grouped = dated.groupby(periods)
	counts = grouped.size()
	sums = grouped[numeric].sum() if numeric else None
	rows = []
	for period, count in counts.items():
		row = {"period": str(period), "count": int(count)}
		for column in numeric:
			row[f"{column}_sum"] = _num(sums.loc[period, column])
		rows.append(row)
	growth = None
	if len(rows) >= 2 and rows[-2]["count"]:
		growth = _num((rows[-1]["count"] - rows[-2]["count"]) * 100.0 / rows[-2]["count"])
	return {
		"date_field": date_field,
		"interval": interval,
		"undated_rows": len(df) - len(dated),
		"periods": rows,
		"count_growth_percent": growth,
	}


def quality(df: pd.DataFrame, key: str = "name") -> dict:
	"""Completeness per column, blank strings, duplicate rows (ignoring `key`) and an overall score."""
	values = df.drop(columns=[key], errors="ignore")
	columns = {}
	for column in values.columns:
		series = values[column]
		blank = sum(1 for v in series if isinstance(v, str) and not v.strip())
		filled = int(series.notna().sum()) - blank
		columns[column] = {
			"filled": filled,
			"missing": len(series) - filled,
			"blank_strings": blank,
			"completeness_percent": _num(filled * 100.0 / len(series)) if len(series) else None,
		}
	scores = [c["completeness_percent"] for c in columns.values() if c["completeness_percent"] is not None]
	return {
		"row_count": len(df),
		"duplicate_rows": int(values.duplicated().sum()) if len(values.columns) else 0,
		"overall_completeness_percent": _num(sum(scores) / len(scores)) if scores else None,
		"columns": columns,
		"incomplete_fields": sorted(c for c, info in columns.items() if info["missing"]),
	}


def correlations(df: pd.DataFrame, numeric: list[str]) -> dict:
	"""Pearson correlation matrix of the numeric columns and the strongly correlated pairs."""
	if len(numeric) < 2:
		frappe.throw(
			_("fields: correlations need at least two numeric fields; got {0}").format(
				", ".join(numeric) or "none"
			),
			ToolArgumentError,
		)
	matrix = df[numeric].corr(method="pearson")
	pairs = []
	for i, left in enumerate(numeric):
		for right in numeric[i + 1 :]:
			value = _num(matrix.loc[left, right])
			if value is not None and abs(value) >= STRONG_CORRELATION:
				pairs.append({"fields": [left, right], "correlation": value})
	return {
		"matrix": {row: {col: _num(matrix.loc[row, col]) for col in numeric} for row in numeric},
		"strong_pairs": pairs,
	}


def summarize_rows(rows: list[dict], with_statistics: bool) -> dict:
	"""Column summary of a query result; descriptive statistics of its numeric columns on request."""
	df = pd.DataFrame.from_records(rows)
	numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and df[c].dtype != bool]
	summary = {
		"columns": {
			column: {"kind": "numeric" if column in numeric else "text", **_counts(df[column])}
			for column in df.columns
		}
	}
	if with_statistics:
		summary["statistics"] = statistics(df, numeric)
	return summary


def _counts(series: pd.Series) -> dict:
	return {
		"filled": int(series.notna().sum()),
		"missing": int(series.isna().sum()),
		"distinct": int(series.map(_hashable).nunique(dropna=True)),
	}


def _hashable(value: Any) -> Any:
	"""`value`, or for a list or dict (a binary or JSON value of a query's result) its JSON text."""
	return json.dumps(value, sort_keys=True, default=str) if isinstance(value, list | dict) else value


def _num(value: Any) -> float | int | None:
	"""A JSON number: None for NaN/inf, ints kept whole, floats rounded to 6 decimals."""
	if value is None or pd.isna(value):
		return None
	value = value.item() if hasattr(value, "item") else value
	if isinstance(value, bool):
		return int(value)
	if isinstance(value, int):
		return value
	value = float(value)
	return None if math.isinf(value) else round(value, 6)


def _when(value: Any) -> str | None:
	return None if pd.isna(value) else value.isoformat()
