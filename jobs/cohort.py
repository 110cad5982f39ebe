"""Synthetic cohorts with known ground truth (bench/ evaluation and `flask demo seed`).

Each patient has an untreated level per metric, an induction series, then cycles of relief:
a plateau, a return ramp back to the untreated level, a wait for a chair, a booster. Truth is
a relief state s(t) (0 = full relief, 1 = untreated); every metric follows it with its own
gain, plus autocorrelated noise, rounded to whole scores as patients log them. Pain-only flares
of one to three days are added on top. Wearing-off onset = the first day the true state passes
0.5 (pain has half of its gained relief back).

Kinds: responders, non-responders, patients whose booster comes before relief fades (censored
cycles), long-relief patients, low adherence, and patients with gaps of several days.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import asdict, dataclass, field

START = dt.date(2025, 1, 6)
KINDS = {
    "responder": 40,
    "non_responder": 10,
    "early_booster": 12,
    "long_relief": 10,
    "low_adherence": 14,
    "gappy": 14,
}


@dataclass
class TrueCycle:
    cycle_start: str
    last_infusion: str
    prior_cycles: int
    ramp_start: str | None = None  # None: censored (next infusion came first) or no response
    onset: str | None = None


@dataclass
class Truth:
    patient: str
    kind: str
    noise_sd: float
    missing: float
    days: int
    cycles: list[TrueCycle] = field(default_factory=list)
    flares: list[tuple[str, str]] = field(default_factory=list)


def _ar_noise(rng: random.Random, n: int, sd: float, rho: float) -> list[float]:
    out, e = [], rng.gauss(0, sd)
    scale = math.sqrt(1 - rho * rho)
    for _ in range(n):
        e = rho * e + scale * rng.gauss(0, sd)
        out.append(e)
    return out


def make_patient(
    rng: random.Random, pid: str, days: int = 365, kind: str | None = None
) -> tuple[dict, Truth]:
    kind = kind or rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
    noise_sd = rng.uniform(0.8, 1.8)
    rho = rng.uniform(0.2, 0.6)
    missing = rng.uniform(0.4, 0.6) if kind == "low_adherence" else 0.2
    # Untreated levels on the higher-is-worse scale: pain, fatigue, 10-mood, 10-sleep.
    base = [
        rng.uniform(5.5, 8.5),
        rng.uniform(5.0, 8.0),
        rng.uniform(5.0, 8.0),
        rng.uniform(4.5, 7.5),
    ]
    if kind == "non_responder":
        depth = rng.uniform(0.0, 0.2)
    else:
        depth = rng.uniform(0.35, 0.7)
    gains = [max(2.2, depth * base[0]) if kind != "non_responder" else depth * base[0]]
    gains += [depth * rng.uniform(0.4, 1.0) * b for b in base[1:]]
    mean_plateau = rng.uniform(60, 120) if kind == "long_relief" else rng.uniform(8, 35)
    ramp = rng.uniform(4, 12)

    state = [1.0] * days
    infusions: list[tuple[int, str]] = []
    truth = Truth(pid, kind, round(noise_sd, 2), missing, days)

    # Induction: six infusions, every 2–3 days, after three weeks of baseline logging.
    day = 21
    series = []
    for _ in range(6):
        series.append(day)
        day += rng.choice((2, 3))
    infusions += [(d, "induction") for d in series]
    cycle_start, last = series[0], series[-1]
    for d in range(series[0], min(days, last + 3)):
        state[d] = max(0.0, 1.0 - (d - series[0] + 1) / (last + 3 - series[0]))
    prior = 0
    while True:
        if kind == "non_responder":
            truth.cycles.append(TrueCycle(_iso(cycle_start), _iso(last), prior))
            for d in range(last + 3, days):
                state[d] = 1.0
            break
        plateau = max(5, round(mean_plateau * math.exp(rng.gauss(0, 0.2))))
        ramp_start = last + 3 + plateau
        early = kind == "early_booster" and rng.random() < 0.7
        if early:
            next_infusion = ramp_start - rng.randint(2, 8)
        else:
            onset_offset = math.ceil(ramp / 2)
            next_infusion = ramp_start + onset_offset + rng.randint(5, 14)
        for d in range(last + 3, min(days, next_infusion)):
            if d < ramp_start:
                state[d] = 0.0
            else:
                state[d] = min(1.0, (d - ramp_start + 1) / ramp)
        cycle = TrueCycle(_iso(cycle_start), _iso(last), prior)
        if not early:
            onset = next(
                (d for d in range(ramp_start, min(days, next_infusion)) if state[d] >= 0.5), None
            )
            if onset is not None:
                cycle.ramp_start, cycle.onset = _iso(ramp_start), _iso(onset)
        if next_infusion >= days - 3:
            if cycle.onset is not None and dt.date.fromisoformat(cycle.onset) > _date(days - 1):
                cycle.onset = cycle.ramp_start = None
            truth.cycles.append(cycle)
            break
        truth.cycles.append(cycle)
        prior += 1
        # The booster: relief comes back within two days.
        infusions.append((next_infusion, "booster"))
        before = state[next_infusion - 1]
        cycle_start = last = next_infusion
        for d in range(next_infusion, min(days, next_infusion + 3)):
            state[d] = max(0.0, before * (1 - (d - next_infusion + 1) / 2))

    # Flares: pain only, one to three days.
    flare = [0.0] * days
    d = 0
    while d < days:
        if rng.random() < 1 / 45:
            length = rng.randint(1, 3)
            size = rng.uniform(2.0, 4.0)
            for k in range(d, min(days, d + length)):
                flare[k] = size
            truth.flares.append((_iso(d), _iso(min(days - 1, d + length - 1))))
            d += length + 3
        else:
            d += 1

    logged = [rng.random() >= missing for _ in range(days)]
    for d in range(21):  # most patients log their baseline weeks reasonably well
        logged[d] = rng.random() >= missing / 2
    if kind == "gappy":
        for _ in range(3):
            start = rng.randint(30, days - 15)
            for k in range(start, start + rng.randint(4, 10)):
                logged[k] = False
    noises = [_ar_noise(rng, days, noise_sd * rng.uniform(0.85, 1.15), rho) for _ in range(4)]
    entries = []
    for d in range(days):
        if not logged[d]:
            continue
        values = []
        for m in range(4):
            level = base[m] - gains[m] * (1 - state[d]) + (flare[d] if m == 0 else 0.0)
            values.append(min(10, max(0, round(level + noises[m][d]))))
        entries.append(
            {
                "date": _iso(d),
                "pain": values[0],
                "fatigue": values[1],
                "mood": 10 - values[2],
                "sleep_quality": 10 - values[3],
            }
        )
    record = {
        "patient": pid,
        "timezone": "Europe/Berlin",
        "infusions": [{"date": _iso(d), "kind": k} for d, k in infusions if d < days],
        "entries": entries,
    }
    return record, truth


def _date(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


def _iso(offset: int) -> str:
    return _date(offset).isoformat()


def make_cohort(seed: int, patients: int, days: int = 365) -> list[tuple[dict, Truth]]:
    rng = random.Random(seed)
    return [make_patient(rng, f"s{seed}-p{n}", days) for n in range(patients)]


def write_cohort(path: str, cohort: list[tuple[dict, Truth]]) -> None:
    with open(path, "w") as out:
        for record, _truth in cohort:
            out.write(json.dumps(record) + "\n")


def truth_as_dict(truth: Truth) -> dict:
    return asdict(truth)


def shift(record: dict, truth: Truth, end: dt.date, cut: dt.date | None = None) -> dict:
    """The record moved in time so that its last day (or `cut`) falls on `end`."""
    last = cut or max(dt.date.fromisoformat(e["date"]) for e in record["entries"])
    offset = end - last

    def move(text: str) -> str:
        return (dt.date.fromisoformat(text) + offset).isoformat()

    return {
        **record,
        "entries": [
            {**e, "date": move(e["date"])}
            for e in record["entries"]
            if dt.date.fromisoformat(e["date"]) <= last
        ],
        "infusions": [
            {**i, "date": move(i["date"])}
            for i in record["infusions"]
            if dt.date.fromisoformat(i["date"]) <= last
        ],
    }


def demo_patients(end: dt.date, seed: int = 2026) -> list[tuple[str, dict]]:
    """A dozen varied histories ending on `end` for the demo clinic: (kind, record)."""
    rng = random.Random(seed)
    plan = [
        "responder",
        "responder",
        "responder",
        "long_relief",
        "early_booster",
        "non_responder",
        "gappy",
        "low_adherence",
        "responder",
        "responder",
        "gappy",
    ]
    out = []
    for n, kind in enumerate(plan):
        record, truth = make_patient(rng, f"demo-{n}", days=200, kind=kind)
        out.append((kind, shift(record, truth, end)))
    # One whose relief is fading right now: cut three days after a cycle's onset.
    while True:
        record, truth = make_patient(rng, "demo-fading", days=240, kind="responder")
        onsets = [dt.date.fromisoformat(c.onset) for c in truth.cycles if c.onset]
        if len(onsets) >= 3:
            break
    cut = onsets[-2] + dt.timedelta(days=3)
    out.append(("fading_now", shift(record, truth, end, cut)))
    return out
