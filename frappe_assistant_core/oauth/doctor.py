"""The connection doctor: what an outside MCP client will see of this site, check by check.

`run()` calls each small check of oauth/doctor_checks.py on one shared `Probe` (the site's public
URLs and its metadata documents, fetched once) and returns plain records: id, title, status (ok,
warn, fail), what was found, the fix, and the client families the problem hits. `families()` turns
them into one verdict per family (Claude, ChatGPT, Claude Code / IDEs, n8n). The bench command
`fac doctor` and the FAC Admin page's Doctor button print the same records.
"""

from __future__ import annotations

from dataclasses import asdict

from frappe_assistant_core.oauth.doctor_checks import CHECKS
from frappe_assistant_core.oauth.doctor_records import _RANK, FAIL, FAMILIES, OK, WARN, Check, Probe

__all__ = ["FAIL", "FAMILIES", "OK", "WARN", "Check", "Probe", "families", "lines", "report", "run"]


def run(fetch: bool = True) -> list[dict]:
	"""Every check's record, in the order of doctor_checks.CHECKS."""
	probe = Probe(fetch=fetch)
	records = []
	for check in CHECKS:
		found = check(probe)
		records.extend(asdict(record) for record in (found if isinstance(found, list) else [found]))
	return records


def families(records: list[dict]) -> list[dict]:
	"""Per client family: the worst status any check means for it and the checks behind it."""
	verdicts = []
	for family, label in FAMILIES.items():
		problems = []
		for record in records:
			status = record["families"].get(family, record["status"])
			if status != OK:
				problems.append({"id": record["id"], "status": status, "fix": record["fix"]})
		worst = max((p["status"] for p in problems), key=_RANK.__getitem__, default=OK)
		verdicts.append({"family": family, "label": label, "status": worst, "problems": problems})
	return verdicts


def report(fetch: bool = True) -> dict:
	"""The records, the family verdicts and the overall status (the worst check's)."""
	records = run(fetch)
	worst = max((r["status"] for r in records), key=_RANK.__getitem__, default=OK)
	return {"status": worst, "checks": records, "families": families(records)}


def lines(result: dict) -> list[str]:
	"""The report as text: one line per check (status, id, detail, fix), then one per family."""
	out = []
	for record in result["checks"]:
		line = f"{record['status']:<5} {record['id']:<20} {record['detail']}"
		if record["fix"]:
			line += f" Fix: {record['fix']}"
		out.append(line)
	out.append("")
	for verdict in result["families"]:
		if verdict["status"] == OK:
			out.append(f"{verdict['status']:<5} {verdict['label']}: nothing in the way")
			continue
		failing = ", ".join(p["id"] for p in verdict["problems"] if p["status"] == FAIL)
		warned = ", ".join(p["id"] for p in verdict["problems"] if p["status"] != FAIL)
		parts = [
			f"will fail ({failing})" if failing else "",
			f"may have trouble ({warned})" if warned else "",
		]
		out.append(f"{verdict['status']:<5} {verdict['label']}: {'; '.join(p for p in parts if p)}")
	return out
