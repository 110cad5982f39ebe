"""Grid search of detection settings on the tuning seeds only (never the report seeds).

    python -m bench.tune [--patients N]
Prints each setting with its sensitivity, delay and false rate, best first.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import statistics

from bench.evaluate import TUNE_SEEDS, evaluate
from jobs.cohort import make_cohort
from jobs.detection import Settings
from jobs.replay import parse_patient, run_patient

GRID = {
    "cusum_reference": (0.45, 0.5),
    "cusum_threshold": (4.0, 5.0),
    "unsupported_persist_days": (5, 6, 7),
    "support_confirm_state": (0.4, 0.5),
}

_cohort = None


def _init(patients):
    global _cohort
    _cohort = []
    for seed in TUNE_SEEDS:
        _cohort += make_cohort(seed, patients)


def _run(values):
    settings = Settings(**values)

    def detector(record):
        _, infusions, entries, _ = parse_patient(record)
        out = []
        for day, a in run_patient(infusions, entries, settings):
            if a.suggest:
                out.append(
                    {
                        "cycle_start": a.cycle_start.isoformat(),
                        "kind": a.suggest,
                        "date": day.isoformat(),
                    }
                )
        return out

    score, _ = evaluate(_cohort, detector)
    sens = score.caught / score.episodes
    false = score.false / score.years
    delay = statistics.median(score.delays) if score.delays else 99
    return values, sens, delay, false


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=60)
    args = parser.parse_args()
    combos = [dict(zip(GRID, v, strict=True)) for v in itertools.product(*GRID.values())]
    with multiprocessing.Pool(2, initializer=_init, initargs=(args.patients,)) as pool:
        results = pool.map(_run, combos)
    results.sort(key=lambda r: (r[3] > 0.3, -r[1], r[3]))
    for values, sens, delay, false in results[:25]:
        print(f"sens {100 * sens:5.1f}%  delay {delay:+.1f}  false {false:.2f}  {values}")


if __name__ == "__main__":
    main()
