"""How fast `flask detection replay` runs over 10,000 patient-years, against the machine's own
ceiling in the same run (reading and JSON-decoding the same file, nothing else).

    python -m bench.replay_speed [--patients 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from jobs.cohort import make_cohort, write_cohort

OUT = Path(__file__).resolve().parent / "out"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000, help="one year each")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    cohort_path = OUT / f"cohort-{args.patients}.jsonl"
    if not cohort_path.exists():
        started = time.perf_counter()
        write_cohort(str(cohort_path), make_cohort(7, args.patients))
        print(f"generated {cohort_path.name} in {time.perf_counter() - started:.1f} s")
    size_mb = cohort_path.stat().st_size / 1e6

    started = time.perf_counter()
    with open(cohort_path) as lines:
        for line in lines:
            json.loads(line)
    ceiling = time.perf_counter() - started

    alerts = OUT / "alerts.jsonl"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "detection",
            "replay",
            str(cohort_path),
            "--out",
            str(alerts),
        ],
        check=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
        cwd=Path(__file__).resolve().parent.parent,
    )
    replay = time.perf_counter() - started
    count = sum(1 for _ in open(alerts))
    print(f"{args.patients} patient-years ({size_mb:.0f} MB), {os.cpu_count()} cores")
    print(f"  read + JSON-decode only (ceiling): {ceiling:6.1f} s")
    print(
        f"  flask detection replay:            {replay:6.1f} s "
        f"({replay / ceiling:.0f}x the ceiling; {count} suggestions)"
    )
    print("  target: under 60 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
