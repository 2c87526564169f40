"""analyze_frappe_data when no record matches (issue 22, item 2): every analysis answers, none crashes.

Frappe's ToDo, Event and Note have date and datetime fields, whose empty columns pandas cannot sum;
the quality analysis summed them and failed with an internal error.
"""

from __future__ import annotations

import pytest

from tests.tools._fixtures import PROBE, ensure_probe, load_tool

NOTHING = {"name": "fac-no-such-record"}


pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module", autouse=True)
def probe(test_site):
	ensure_probe()


@pytest.mark.parametrize("doctype", ["ToDo", "Event", "Note", PROBE])
def test_quality_of_no_records_is_an_empty_report(doctype):
	out = load_tool("data_science", "analyze_frappe_data").run(
		{"doctype": doctype, "analysis_type": "quality", "filters": NOTHING}
	)
	result = out["result"]
	assert (out["row_count"], result["row_count"], result["duplicate_rows"]) == (0, 0, 0)
	assert result["overall_completeness_percent"] is None and result["incomplete_fields"] == []
	assert result["columns"] and all(
		column == {"filled": 0, "missing": 0, "blank_strings": 0, "completeness_percent": None}
		for column in result["columns"].values()
	)


@pytest.mark.parametrize("analysis_type", ["profile", "statistics", "trends", "correlations"])
def test_other_analyses_of_no_records_answer_too(analysis_type):
	out = load_tool("data_science", "analyze_frappe_data").run(
		{"doctype": PROBE, "analysis_type": analysis_type, "filters": NOTHING}
	)
	assert out["row_count"] == 0 and out["result"] is not None
