"""The wearing-off detection engine: pure functions over plain data (no database, no Flask).

Per patient and day, using only what was known on that day, it decides the current infusion
cycle, the symptom baseline, the best relief reached, whether the patient responded, and
whether relief is wearing off — and, from the patient's own past cycles, forecasts when it
will. The daily scan and `flask detection replay` both drive the same `Tracker`, one day at a
time, so a replay shows exactly what the scan would have done.

How it decides (all thresholds are `Settings`, overridable per clinic):
- Every metric is turned so that higher is worse (mood and sleep quality become 10 − value).
- Baseline: the mean of the days logged in the `baseline_window_days` before the first
  infusion on record; falling back to the days before the current cycle, then to the cycle
  before. Fewer than `baseline_min_entries` days → `no_baseline`.
- Noise: each metric's own day-to-day variability (the larger of the baseline spread and the
  spread of consecutive-day differences), so thresholds scale to the patient.
- Best relief: the lowest trailing mean of `smooth_days` days reached since the infusion.
- Response (IMMPACT): pain improved by at least `response_min_points` and
  `response_min_fraction` of baseline. Not reached `response_window_days` after the last
  infusion → `non_responder` (never a wearing-off suggestion).
- Wearing off: each logged day, every metric that improved says how much of its gain has come
  back (0 = best relief, 1 = baseline); these are pooled, weighted by gain over noise, into one
  estimate of the relief state. A one-sided CUSUM on that estimate, in units of its own noise,
  crosses `cusum_threshold` when a sustained return shows. It also needs pain itself to be back
  by `return_fraction` of its gain and at least `return_min_points`. When the supporting metrics
  have not moved, pain alone must stay back for `unsupported_persist_days` logged days, so a
  one- to three-day flare of pain alone does not raise a suggestion.
- Forecast: with `forecast_min_cycles` earlier cycles, the typical relief duration is the
  censored-exponential estimate (total time on test over wear-offs seen), pulled toward
  `prior_duration_days` with weight `prior_weight_cycles`, shortened by the variability seen;
  a rising state shortens it further. A forecast is suggested once the expected date is within
  `booking_lead_days`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

METRICS = ("pain", "fatigue", "mood", "sleep_quality")
HIGHER_IS_BETTER = frozenset({"mood", "sleep_quality"})

# Statuses of an assessment.
NO_BASELINE = "no_baseline"
NO_RECENT_DATA = "no_recent_data"
INDUCTION = "induction"
RESPONDING = "responding"
NON_RESPONDER = "non_responder"
WEARING_OFF = "wearing_off"
STATUSES = (NO_BASELINE, NO_RECENT_DATA, INDUCTION, RESPONDING, NON_RESPONDER, WEARING_OFF)


@dataclass(frozen=True)
class Settings:
    """Detection defaults; a clinic may override any of them. Sources in brackets."""

    # [IMMPACT, Dworkin 2008] a clinically meaningful pain improvement is ≥30 % and ≥2 points.
    response_min_points: float = 2.0
    response_min_fraction: float = 0.30
    # [SPEC §6.1] wearing off = half of the gained improvement back, at least 2 pain points.
    return_fraction: float = 0.5
    return_min_points: float = 2.0
    # Baseline: the two weeks before treatment, at least 4 logged days.
    baseline_window_days: int = 14
    baseline_min_entries: int = 4
    # No judgement in the first days after an infusion (acute and dissociative effects), nor
    # during an induction series (infusions of kind induction within series_gap_days).
    guard_days: int = 3
    induction_guard_days: int = 5
    series_gap_days: int = 10
    # Days after the last infusion to reach a response before calling a non-responder.
    response_window_days: int = 21
    # Fewer than recent_min_entries logged days in recent_window_days → no_recent_data.
    recent_window_days: int = 7
    recent_min_entries: int = 2
    # Trailing windows (days, minimum logged days) of the current level and of best relief;
    # best relief averages longer, since the minimum of short noisy means is biased low.
    smooth_days: int = 5
    smooth_min_entries: int = 3
    best_days: int = 10
    best_min_entries: int = 4
    # A supporting metric counts only if it improved by at least this many points.
    support_min_gain: float = 1.0
    # Relief state pooled over metrics: CUSUM reference (0 = best relief, 1 = baseline),
    # threshold in noise units, and the persistence needed when only pain has moved.
    cusum_reference: float = 0.5
    cusum_threshold: float = 4.0
    support_confirm_state: float = 0.4
    # Pain must be back by the threshold within this many standard errors of its 3-day mean.
    pain_tolerance_se: float = 1.0
    pain_min_entries: int = 2
    unsupported_persist_days: int = 7
    noise_floor: float = 0.5
    noise_prior: float = 1.2
    # Forecast [SPEC §6.2].
    booking_lead_days: int = 7
    forecast_min_cycles: int = 2
    prior_duration_days: float = 21.0
    prior_weight_cycles: float = 1.0
    forecast_safety_sd: float = 1.0

    @classmethod
    def for_clinic(cls, detection_settings: Mapping[str, Any] | None, lead_days: int) -> Settings:
        """A clinic's settings; if what is stored no longer validates, the defaults."""
        try:
            return cls.from_mapping({**(detection_settings or {}), "booking_lead_days": lead_days})
        except ValueError:
            return cls(booking_lead_days=lead_days)

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any] | None) -> Settings:
        """Defaults with a clinic's overrides; unknown names or bad values raise ValueError."""
        if not overrides:
            return cls()
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in known:
                raise ValueError(f"unknown detection setting {name!r}")
            kind = known[name].type
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"detection setting {name!r} must be a number")
            if kind == "int" and value != int(value):
                raise ValueError(f"detection setting {name!r} must be a whole number")
            if value < 0:
                raise ValueError(f"detection setting {name!r} must not be negative")
            values[name] = int(value) if kind == "int" else float(value)
        return cls(**values)


@dataclass(frozen=True)
class Infusion:
    date: dt.date
    kind: str = "booster"


@dataclass(frozen=True)
class Entry:
    date: dt.date
    pain: float
    fatigue: float
    mood: float
    sleep_quality: float

    def worse_is_higher(self) -> tuple[float, float, float, float]:
        return (self.pain, self.fatigue, 10.0 - self.mood, 10.0 - self.sleep_quality)


@dataclass
class Assessment:
    """What the engine concluded for one patient on one day."""

    day: dt.date
    status: str
    cycle_start: dt.date | None = None
    last_infusion: dt.date | None = None
    days_since_infusion: int | None = None
    baseline: dict[str, float] | None = None
    best: dict[str, float] | None = None
    current: dict[str, float] | None = None
    thresholds: dict[str, float] | None = None
    state: float | None = None
    expected_wearing_off: dt.date | None = None
    typical_relief_days: float | None = None  # median relief of earlier cycles that wore off
    suggest: str | None = None  # "wearing_off" | "forecast" | None

    def evidence(self) -> dict[str, Any]:
        """The evidence stored with a suggestion: numbers, dates and the rule's thresholds."""

        def rounded(values: dict[str, float] | None) -> dict[str, float] | None:
            return None if values is None else {k: round(v, 2) for k, v in values.items()}

        return {
            "status": self.status,
            "cycle_start": _iso(self.cycle_start),
            "last_infusion": _iso(self.last_infusion),
            "days_since_infusion": self.days_since_infusion,
            "baseline": rounded(self.baseline),
            "best": rounded(self.best),
            "current": rounded(self.current),
            "thresholds": rounded(self.thresholds),
            "relief_state": None if self.state is None else round(self.state, 3),
            "expected_wearing_off": _iso(self.expected_wearing_off),
            "typical_relief_days": self.typical_relief_days,
        }


def _mean(rows: list[tuple[float, ...]]) -> list[float]:
    n = len(rows)
    return [sum(r[i] for r in rows) / n for i in range(4)]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _oriented(values: tuple[float, ...]) -> dict[str, float]:
    """Back from the internal higher-is-worse scale to the metrics as logged."""
    return {
        m: (10.0 - v if m in HIGHER_IS_BETTER else v) for m, v in zip(METRICS, values, strict=True)
    }


@dataclass
class _Cycle:
    start: dt.date
    last_infusion: dt.date
    last_kind: str
    baseline: tuple[float, ...] | None
    noise: tuple[float, ...] | None
    best: list[float] = field(default_factory=lambda: [math.inf] * 4)
    responded: bool = False
    cusum: float = 0.0
    pain_cusum: float = 0.0
    unsupported_run: int = 0
    worn_off_on: dt.date | None = None
    suggested: set[str] = field(default_factory=set)
    recent_states: deque = field(default_factory=lambda: deque(maxlen=7))
    support_hist: deque = field(default_factory=lambda: deque(maxlen=3))
    support_state: float = 0.0


class Tracker:
    """One patient's detection, fed one day at a time in date order.

    `advance(day, entry, infusions)` takes what happened on `day` (an entry or None, the
    infusions given that day) and returns that day's assessment. It never looks ahead.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.s = settings or Settings()
        self.cycle: _Cycle | None = None
        # Entries kept for baselines and smoothing: (ordinal, values), newest last.
        self.window: deque[tuple[int, tuple[float, ...]]] = deque()
        self.keep_days = (
            max(
                self.s.baseline_window_days,
                self.s.recent_window_days,
                self.s.smooth_days,
                self.s.best_days,
            )
            + 1
        )
        self.first_baseline: tuple[tuple[float, ...], tuple[float, ...]] | None = None
        self.cycles_before: list[tuple[int, bool]] = []  # (duration days, wore off?)
        self.prev_entry: tuple[int, tuple[float, ...]] | None = None
        self.diff_abs = [0.0] * 4
        self.diff_n = 0
        self.last_day: dt.date | None = None

    # --- feeding ------------------------------------------------------------------------

    def advance(
        self, day: dt.date, entry: Entry | None, infusions: Iterable[Infusion] = ()
    ) -> Assessment:
        if self.last_day is not None and day <= self.last_day:
            raise ValueError("days must be fed in increasing order")
        self.last_day = day
        ordinal = day.toordinal()
        while self.window and self.window[0][0] <= ordinal - self.keep_days:
            self.window.popleft()
        for infusion in sorted(infusions, key=lambda i: i.kind):
            self._infuse(day, infusion.kind)
        if entry is not None:
            values = entry.worse_is_higher()
            if self.prev_entry is not None and self.prev_entry[0] == ordinal - 1:
                prev = self.prev_entry[1]
                for i in range(4):
                    self.diff_abs[i] += abs(values[i] - prev[i])
                self.diff_n += 1
            self.prev_entry = (ordinal, values)
            self.window.append((ordinal, values))
        return self._assess(day, ordinal, entry is not None)

    def _infuse(self, day: dt.date, kind: str) -> None:
        s, cycle = self.s, self.cycle
        continues_series = (
            cycle is not None
            and kind == "induction"
            and cycle.last_kind == "induction"
            and (day - cycle.last_infusion).days <= s.series_gap_days
        )
        if cycle is not None and continues_series:
            cycle.last_infusion, cycle.last_kind = day, kind
            cycle.cusum, cycle.pain_cusum, cycle.unsupported_run = 0.0, 0.0, 0
            return
        if cycle is not None and (day - cycle.start).days > 0:
            duration = (
                (cycle.worn_off_on - cycle.last_infusion).days
                if cycle.worn_off_on is not None
                else (day - cycle.last_infusion).days
            )
            if cycle.responded:
                self.cycles_before.append((duration, cycle.worn_off_on is not None))
        pre = self._window_stats(day.toordinal(), s.baseline_window_days)
        if self.first_baseline is None and cycle is None and pre is not None:
            self.first_baseline = pre
        chosen = (
            self.first_baseline
            or pre
            or ((cycle.baseline, cycle.noise) if cycle and cycle.baseline else None)
        )
        self.cycle = _Cycle(
            start=day,
            last_infusion=day,
            last_kind=kind,
            baseline=chosen[0] if chosen else None,
            noise=chosen[1] if chosen else None,
        )

    def _window_stats(self, ordinal: int, days: int):
        rows = [v for o, v in self.window if ordinal - days <= o < ordinal]
        if len(rows) < self.s.baseline_min_entries:
            return None
        n = len(rows)
        means = tuple(sum(r[i] for r in rows) / n for i in range(4))
        sds = tuple(
            math.sqrt(sum((r[i] - means[i]) ** 2 for r in rows) / (n - 1)) for i in range(4)
        )
        return means, sds

    # --- judging ------------------------------------------------------------------------

    def _noise(self, cycle: _Cycle) -> list[float]:
        s = self.s
        out = []
        for i in range(4):
            base_sd = cycle.noise[i] if cycle.noise else s.noise_prior
            diff_sd = (
                self.diff_abs[i] / self.diff_n * math.sqrt(math.pi) / 2 if self.diff_n else 0.0
            )
            n = self.diff_n
            blended = (n * diff_sd + 5 * s.noise_prior) / (n + 5)
            out.append(max(s.noise_floor, base_sd, blended))
        return out

    def _assess(self, day: dt.date, ordinal: int, logged: bool) -> Assessment:
        s, cycle = self.s, self.cycle
        if cycle is None:
            return Assessment(day, NO_BASELINE)
        since = (day - cycle.last_infusion).days
        worn = sorted(d for d, wore_off in self.cycles_before if wore_off)
        result = Assessment(
            day,
            INDUCTION,
            typical_relief_days=float(worn[len(worn) // 2]) if worn else None,
            cycle_start=cycle.start,
            last_infusion=cycle.last_infusion,
            days_since_infusion=since,
        )
        if cycle.baseline is None:
            result.status = NO_BASELINE
            return result
        baseline = cycle.baseline
        result.baseline = _oriented(baseline)
        guard = s.induction_guard_days if cycle.last_kind == "induction" else s.guard_days
        if since < guard:
            return result
        recent = [v for o, v in self.window if o > ordinal - s.recent_window_days]
        if len(recent) < s.recent_min_entries:
            result.status = NO_RECENT_DATA
            return result
        smooth = [v for o, v in self.window if o > ordinal - s.smooth_days]
        level = _mean(smooth) if len(smooth) >= s.smooth_min_entries else None
        longer = [v for o, v in self.window if o > ordinal - s.best_days]
        if len(longer) >= s.best_min_entries:
            best_level = _mean(longer)
            for i in range(4):
                if best_level[i] < cycle.best[i]:
                    cycle.best[i] = best_level[i]
        if cycle.best[0] == math.inf:
            return result
        best = cycle.best
        gains = [baseline[i] - best[i] for i in range(4)]
        result.best = _oriented(tuple(best))
        if level is not None:
            result.current = _oriented(tuple(level))
        needed = max(s.return_min_points, s.return_fraction * gains[0])
        result.thresholds = {
            "pain_return_at": best[0] + needed,
            "response_min_gain": max(s.response_min_points, s.response_min_fraction * baseline[0]),
        }
        if not cycle.responded:
            if gains[0] >= result.thresholds["response_min_gain"]:
                cycle.responded = True
            else:
                result.status = NON_RESPONDER if since >= s.response_window_days else INDUCTION
                return result
        result.status = RESPONDING
        if logged:
            self._update_state(cycle, gains)
        result.state = cycle.recent_states[-1] if cycle.recent_states else None
        last3 = [v[0] for o, v in list(self.window)[-3:] if o > ordinal - s.recent_window_days]
        pain_back = False
        if len(last3) >= s.pain_min_entries:
            slack = s.pain_tolerance_se * self._noise(cycle)[0] / math.sqrt(len(last3))
            pain_back = sum(last3) / len(last3) - best[0] >= needed - slack
        if cycle.worn_off_on is None and logged and pain_back:
            supported = cycle.support_state >= s.support_confirm_state
            cycle.unsupported_run = 0 if supported else cycle.unsupported_run + 1
            if (supported and cycle.cusum >= s.cusum_threshold) or (
                cycle.unsupported_run >= s.unsupported_persist_days
                and max(cycle.cusum, cycle.pain_cusum) >= s.cusum_threshold
            ):
                cycle.worn_off_on = day
        elif logged and not pain_back:
            cycle.unsupported_run = 0
        if cycle.worn_off_on is not None:
            result.status = WEARING_OFF
            if "wearing_off" not in cycle.suggested:
                cycle.suggested.add("wearing_off")
                result.suggest = "wearing_off"
            return result
        result.expected_wearing_off = self._forecast(cycle, day)
        if (
            result.expected_wearing_off is not None
            and "forecast" not in cycle.suggested
            and (result.expected_wearing_off - day).days <= s.booking_lead_days
        ):
            cycle.suggested.add("forecast")
            result.suggest = "forecast"
        return result

    def _update_state(self, cycle: _Cycle, gains: list[float]) -> None:
        """Pool today's metrics into one relief state and advance the CUSUM."""
        s = self.s
        values = self.window[-1][1]
        noise = self._noise(cycle)
        total_w = weighted = support_w = support_sum = 0.0
        for i in range(4):
            gain = gains[i]
            if gain < (s.response_min_points if i == 0 else s.support_min_gain):
                continue
            fraction = (values[i] - cycle.best[i]) / gain
            weight = (gain / noise[i]) ** 2
            total_w += weight
            weighted += weight * fraction
            if i:
                support_w += weight
                support_sum += weight * fraction
        state = weighted / total_w
        state_sd = 1.0 / math.sqrt(total_w)
        cycle.cusum = max(0.0, cycle.cusum + (state - s.cusum_reference) / state_sd)
        # Pain on its own, for a return the supporting metrics do not share.
        pain_fraction = (values[0] - cycle.best[0]) / gains[0]
        pain_sd = noise[0] / gains[0]
        cycle.pain_cusum = max(
            0.0, cycle.pain_cusum + (pain_fraction - s.cusum_reference) / pain_sd
        )
        cycle.recent_states.append(state)
        support_today = support_sum / support_w if support_w else 0.0
        cycle.support_hist.append(support_today)
        cycle.support_state = sum(cycle.support_hist) / len(cycle.support_hist)

    def _forecast(self, cycle: _Cycle, day: dt.date) -> dt.date | None:
        s = self.s
        if len(self.cycles_before) < s.forecast_min_cycles:
            return None
        exposure = sum(d for d, _ in self.cycles_before)
        events = sum(1 for _, worn in self.cycles_before if worn)
        mean = (exposure + s.prior_weight_cycles * s.prior_duration_days) / (
            events + s.prior_weight_cycles
        )
        observed = [d for d, worn in self.cycles_before if worn]
        if len(observed) >= 2:
            m = sum(observed) / len(observed)
            sd = math.sqrt(sum((d - m) ** 2 for d in observed) / (len(observed) - 1))
            mean -= s.forecast_safety_sd * sd
        expected = cycle.last_infusion + dt.timedelta(days=max(1, round(mean)))
        states = list(cycle.recent_states)
        if len(states) >= 4 and states[-1] > 0.2:
            slope = (states[-1] - states[0]) / (len(states) - 1)
            if slope > 0.02:
                by_trend = day + dt.timedelta(days=max(0, round((0.5 - states[-1]) / slope)))
                expected = min(expected, by_trend)
        return expected
