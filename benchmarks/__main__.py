"""Run the benchmarks: `python -m benchmarks [tools_list] [tools_call] [toggle] [sync] [cold_start] [audit] [extract]
[governance]`.

Each benchmark runs in its own process on its own throwaway site, prints its table and writes
benchmarks/results/<name>.json; a summary of the targets follows. The exit status is 0 even when a
target is missed (the numbers are the result), and 1 when a benchmark fails to run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from benchmarks.harness import REPO, RESULTS_DIR

BENCHMARKS = {
	"tools_list": "benchmarks.bench_tools_list",
	"tools_call": "benchmarks.bench_tools_call",
	"toggle": "benchmarks.bench_toggle",
	"sync": "benchmarks.bench_sync",
	"cold_start": "benchmarks.bench_cold_start",
	"audit": "benchmarks.bench_audit",
	"extract": "benchmarks.bench_extract",
	"governance": "benchmarks.bench_governance",
}


def main(argv: list[str]) -> int:
	unknown = [name for name in argv if name not in BENCHMARKS]
	if unknown:
		print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
		return 2
	failed = []
	for name in argv or list(BENCHMARKS):
		print(f"\n=== {name} " + "=" * (70 - len(name)), flush=True)
		started = time.monotonic()
		done = subprocess.run([sys.executable, "-m", BENCHMARKS[name]], cwd=str(REPO))
		print(f"({name}: {time.monotonic() - started:.0f}s)", flush=True)
		if done.returncode:
			failed.append(name)
	print("\n=== targets " + "=" * 66)
	for name in argv or list(BENCHMARKS):
		path = RESULTS_DIR / f"{name}.json"
		if name in failed or not path.exists():
			print(f"{name:<11} did not run to completion")
			continue
		for target, met in json.loads(path.read_text()).get("target_met", {}).items():
			print(f"{name:<11} {target:<40} {'met' if met else 'NOT met'}")
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
