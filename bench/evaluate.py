"""Score the detection engine against cohorts with known truth (SPEC §6.4).

Reports sensitivity (episodes flagged from the start of the return ramp up to 7 days after
onset), median and 90th-percentile delay from onset, false wearing-off suggestions per
patient-year, the share of pain-only flares that raised one, and the forecast hit rate (a
forecast at least the lead time before onset, for episodes with two or more earlier cycles),
broken down by noise and adherence. Two references run on the same data: an oracle CUSUM that
knows every true level and noise (the physical limit, at the engine's false-alarm rate) and a
naive rolling-mean rule (the floor).

    python -m bench.evaluate [--tune] [--patients N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable

from jobs.cohort import Truth, make_cohort
from jobs.replay import suggestions_for

TUNE_SEEDS = (1, 2, 3)
REPORT_SEEDS = (101, 102, 103)
LEAD_DAYS = 7
EARLY_ALLOWANCE = 2  # days before the ramp start that still count as catching it
LATE_LIMIT = 7


def _d(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def noise_band(truth: Truth) -> str:
    return (
        "SD<1.1" if truth.noise_sd < 1.1 else ("SD1.1-1.5" if truth.noise_sd <= 1.5 else "SD>1.5")
    )


def adherence_band(truth: Truth) -> str:
    return (
        "low adherence"
        if truth.kind == "low_adherence"
        else ("gaps" if truth.kind == "gappy" else "80% logged")
    )


class Score:
    def __init__(self) -> None:
        self.episodes = 0
        self.caught = 0
        self.delays: list[int] = []
        self.false = 0
        self.years = 0.0
        self.flares = 0
        self.flares_alerted = 0
        self.forecast_eligible = 0
        self.forecast_hits = 0

    def add(self, other: Score) -> None:
        for key, value in vars(other).items():
            if isinstance(value, list):
                getattr(self, key).extend(value)
            else:
                setattr(self, key, getattr(self, key) + value)

    def row(self) -> dict[str, str]:
        def pct(a, b):
            return f"{100 * a / b:5.1f}%" if b else "   - "

        delays = sorted(self.delays)
        p90 = delays[min(len(delays) - 1, math.ceil(0.9 * len(delays)) - 1)] if delays else None
        return {
            "episodes": str(self.episodes),
            "sensitivity": pct(self.caught, self.episodes),
            "median delay": f"{statistics.median(delays):+.1f}" if delays else "-",
            "p90 delay": f"{p90:+d}" if p90 is not None else "-",
            "false/pt-yr": f"{self.false / self.years:.2f}" if self.years else "-",
            "flares alerted": pct(self.flares_alerted, self.flares),
            "forecast on time": pct(self.forecast_hits, self.forecast_eligible),
        }


def score_patient(truth: Truth, suggestions: list[dict]) -> Score:
    score = Score()
    score.years = truth.days / 365.0
    by_cycle: dict[tuple[str, str], dt.date] = {}
    for s in suggestions:
        by_cycle.setdefault((s["cycle_start"], s["kind"]), _d(s["date"]))
    true_starts = {c.cycle_start for c in truth.cycles}
    data_end = (
        _d(truth.cycles[0].cycle_start) - dt.timedelta(days=21) + dt.timedelta(days=truth.days - 1)
    )
    false_days: list[dt.date] = []
    for (start, kind), day in by_cycle.items():
        if kind == "wearing_off" and start not in true_starts:
            score.false += 1
            false_days.append(day)
    for cycle in truth.cycles:
        alarm = by_cycle.get((cycle.cycle_start, "wearing_off"))
        if cycle.onset is None:
            if alarm is not None:
                score.false += 1
                false_days.append(alarm)
            continue
        onset, ramp_start = _d(cycle.onset), _d(cycle.ramp_start)
        if onset + dt.timedelta(days=LATE_LIMIT) > data_end:
            continue  # the record ends before the episode could be judged
        score.episodes += 1
        if alarm is not None:
            if alarm < ramp_start - dt.timedelta(days=EARLY_ALLOWANCE):
                score.false += 1
                false_days.append(alarm)
            elif alarm <= onset + dt.timedelta(days=LATE_LIMIT):
                score.caught += 1
                score.delays.append((alarm - onset).days)
        if cycle.prior_cycles >= 2:
            score.forecast_eligible += 1
            forecast = by_cycle.get((cycle.cycle_start, "forecast"))
            if forecast is not None and forecast <= onset - dt.timedelta(days=LEAD_DAYS):
                score.forecast_hits += 1
    for start, end in truth.flares:
        score.flares += 1
        first, last = _d(start), _d(end) + dt.timedelta(days=2)
        if any(first <= day <= last for day in false_days):
            score.flares_alerted += 1
    return score


def evaluate(cohort, detector: Callable[[dict], list[dict]]):
    overall, bands = Score(), defaultdict(Score)
    for record, truth in cohort:
        score = score_patient(truth, detector(record))
        overall.add(score)
        bands[noise_band(truth)].add(score)
        bands[adherence_band(truth)].add(score)
    return overall, bands


def engine(record: dict) -> list[dict]:
    return suggestions_for(record)


# --- references -----------------------------------------------------------------------------


def oracle_cusum(cohort_truths: dict[str, tuple], threshold: float):
    """A CUSUM that knows the true plateau, the true level at onset and the true noise of every
    metric: the log-likelihood ratio of 'state 0.5' against 'state 0', summed over metrics."""

    def detect(record: dict) -> list[dict]:
        params, truth = cohort_truths[record["patient"]]
        base, gains, sd = params
        entries = {e["date"]: e for e in record["entries"]}
        out = []
        for cycle in truth.cycles:
            day = _d(cycle.last_infusion) + dt.timedelta(days=3)
            end = _next_start(truth, cycle) or (
                _d(truth.cycles[0].cycle_start) + dt.timedelta(days=truth.days)
            )
            g = 0.0
            while day < end:
                e = entries.get(day.isoformat())
                if e is not None:
                    x = (e["pain"], e["fatigue"], 10 - e["mood"], 10 - e["sleep_quality"])
                    llr = 0.0
                    for m in range(4):
                        mu0 = base[m] - gains[m]
                        mu1 = base[m] - gains[m] * 0.5
                        llr += ((x[m] - mu0) ** 2 - (x[m] - mu1) ** 2) / (2 * sd**2)
                    g = max(0.0, g + llr)
                    if g >= threshold:
                        out.append(
                            {
                                "cycle_start": cycle.cycle_start,
                                "kind": "wearing_off",
                                "date": day.isoformat(),
                            }
                        )
                        break
                day += dt.timedelta(days=1)
        return out

    return detect


def _next_start(truth: Truth, cycle) -> dt.date | None:
    starts = [_d(c.cycle_start) for c in truth.cycles]
    later = [s for s in starts if s > _d(cycle.cycle_start)]
    return min(later) if later else None


def naive_rolling_mean(record: dict) -> list[dict]:
    """The floor: 7-day mean pain back above halfway between baseline and best 7-day mean."""
    entries = {_d(e["date"]): e["pain"] for e in record["entries"]}
    infusions = sorted(_d(i["date"]) for i in record["infusions"])
    if not infusions:
        return []
    first = infusions[0]
    pre = [v for d, v in entries.items() if first - dt.timedelta(days=14) <= d < first]
    if len(pre) < 4:
        return []
    baseline = sum(pre) / len(pre)
    starts = [infusions[0]] + [
        b for a, b in zip(infusions, infusions[1:], strict=False) if (b - a).days > 10
    ]
    out = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else max(entries) + dt.timedelta(days=1)
        day, best = start + dt.timedelta(days=5), math.inf
        while day < end:
            window = [
                entries[d] for d in (day - dt.timedelta(days=i) for i in range(7)) if d in entries
            ]
            if len(window) >= 4:
                mean = sum(window) / len(window)
                best = min(best, mean)
                if baseline - best >= 2 and mean >= best + (baseline - best) / 2:
                    out.append(
                        {
                            "cycle_start": start.isoformat(),
                            "kind": "wearing_off",
                            "date": day.isoformat(),
                        }
                    )
                    break
            day += dt.timedelta(days=1)
    return out


# --- reporting ------------------------------------------------------------------------------


def table(title: str, rows: dict[str, dict[str, str]]) -> str:
    columns = list(next(iter(rows.values())))
    width = max(len(name) for name in rows) + 2
    lines = [title, " " * width + " | ".join(f"{c:>15}" for c in columns)]
    for name, row in rows.items():
        lines.append(f"{name:<{width}}" + " | ".join(f"{row[c]:>15}" for c in columns))
    return "\n".join(lines)


def build(seeds, patients):
    cohort = []
    for seed in seeds:
        cohort += make_cohort(seed, patients)
    return cohort


def oracle_params(cohort) -> dict[str, tuple]:
    """The generator's truth per patient, re-derived with the same seeds (levels and noise)."""
    out = {}
    for record, truth in cohort:
        entries = record["entries"]
        # Truth of levels is not stored in the record: estimate it from the noiseless parts the
        # generator knows — untreated mean over the baseline weeks and plateau mean of cycles.
        pre = [e for e in entries if _d(e["date"]) < _d(truth.cycles[0].cycle_start)]
        base = [statistics.fmean(_vals(e)[m] for e in pre) for m in range(4)] if pre else [7] * 4
        plateau = []
        for c in truth.cycles:
            if c.ramp_start is None:
                continue
            lo = _d(c.last_infusion) + dt.timedelta(days=4)
            hi = _d(c.ramp_start)
            plateau += [e for e in entries if lo <= _d(e["date"]) < hi]
        if plateau:
            best = [statistics.fmean(_vals(e)[m] for e in plateau) for m in range(4)]
        else:
            best = base
        gains = [max(0.0, base[m] - best[m]) for m in range(4)]
        out[record["patient"]] = ((base, gains, truth.noise_sd), truth)
    return out


def _vals(e: dict) -> tuple[float, float, float, float]:
    return (e["pain"], e["fatigue"], 10 - e["mood"], 10 - e["sleep_quality"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="score the tuning seeds instead")
    parser.add_argument("--patients", type=int, default=200, help="patients per seed")
    args = parser.parse_args(argv)
    seeds = TUNE_SEEDS if args.tune else REPORT_SEEDS
    cohort = build(seeds, args.patients)
    started = time.perf_counter()
    overall, bands = evaluate(cohort, engine)
    elapsed = time.perf_counter() - started
    years = sum(t.days for _, t in cohort) / 365
    rows = {"engine (all)": overall.row()}
    rows.update({f"  {name}": score.row() for name, score in sorted(bands.items())})

    naive, _ = evaluate(cohort, naive_rolling_mean)
    rows["naive rolling mean"] = naive.row()

    params = oracle_params(cohort)
    target = overall.false / overall.years
    chosen, oracle = None, None
    for threshold in (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40):
        result, _ = evaluate(cohort, oracle_cusum(params, threshold))
        if result.false / result.years <= max(target, 0.01):
            chosen, oracle = threshold, result
            break
    if oracle is not None:
        rows[f"oracle CUSUM h={chosen}"] = oracle.row()

    print(
        f"Detection on seeds {seeds}: {len(cohort)} patients, {years:.0f} patient-years; "
        f"engine replay {elapsed:.1f} s ({1e6 * elapsed / (years * 365):.0f} µs per day)"
    )
    print(table("", rows))
    print(
        "\nTargets (SPEC §6.4): sensitivity ≥ 95 %, median delay ≤ 3 d, ≤ 0.3 false per "
        "patient-year, forecasts on time ≥ 60 %. Oracle: same data, at the engine's "
        "false-alarm rate."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
