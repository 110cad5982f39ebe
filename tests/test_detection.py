"""The detection engine: each status and guard, the forecast, and its properties."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.detection import (
    INDUCTION,
    NO_BASELINE,
    NO_RECENT_DATA,
    NON_RESPONDER,
    RESPONDING,
    WEARING_OFF,
    Entry,
    Infusion,
    Settings,
    Tracker,
)
from jobs.replay import run_patient

D0 = dt.date(2026, 1, 1)
WOBBLE = (0, 1, -1, 0, 1, 0, -1, 1, 0, -1)  # deterministic day-to-day noise, ±1 point


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def entry(n: int, pain: float, support: float = 0.0, wobble: bool = True) -> Entry:
    """An entry on day n; `support` moves fatigue, mood and sleep with the relief state
    (0 = as relieved as pain allows, 1 = as bad as baseline)."""
    w = WOBBLE[n % len(WOBBLE)] if wobble else 0
    fatigue = 3 + 3 * support
    mood = 7 - 3 * support
    sleep = 7 - 3 * support
    clamp = lambda v: max(0, min(10, v))  # noqa: E731
    return Entry(day(n), clamp(pain + w), clamp(fatigue - w), clamp(mood + w), clamp(sleep))


def course(pain_by_day, support_by_day=None, skip=()):
    support_by_day = support_by_day or {}
    return [
        entry(n, p, support_by_day.get(n, 1.0 if p >= 6.5 else 0.0))
        for n, p in sorted(pain_by_day.items())
        if n not in skip
    ]


def relief_course(return_day: int | None, days: int = 80, flare=None, support=True):
    """Baseline pain 7 for two weeks, one booster on day 14, relief at 2 from day 17,
    and (optionally) a return to 7 over four days from `return_day`."""
    pain, supp = {}, {}
    for n in range(days):
        if n < 14:
            level, s = 7, 1.0
        elif n < 17:
            level, s = 4, 0.5
        elif return_day is None or n < return_day:
            level, s = 2, 0.0
        else:
            frac = min(1.0, (n - return_day + 1) / 4)
            level, s = 2 + 5 * frac, frac if support else 0.0
        if flare and flare[0] <= n <= flare[1]:
            level = level + 4
        pain[n], supp[n] = level, s
    return course(pain, supp)


def assess_all(entries, infusions, s: Settings | None = None):
    return list(run_patient(infusions, entries, s or Settings()))


def suggestions(results):
    return [(d, a.suggest) for d, a in results if a.suggest]


BOOSTER = [Infusion(day(14), "booster")]


def test_no_infusion_means_no_baseline():
    results = assess_all(course({n: 7 for n in range(20)}), [])
    assert {a.status for _, a in results} == {NO_BASELINE}


def test_infusion_without_earlier_entries_has_no_baseline():
    results = assess_all(course({n: 2 for n in range(15, 40)}), BOOSTER)
    assert {a.status for d, a in results if d >= day(20)} == {NO_BASELINE}
    assert suggestions(results) == []


def test_first_days_after_an_infusion_are_not_judged():
    results = dict(assess_all(relief_course(None), BOOSTER))
    for n in (14, 15, 16):
        assert results[day(n)].status == INDUCTION
    assert results[day(30)].status == RESPONDING


def test_induction_series_is_one_cycle_and_not_judged_while_it_runs():
    infusions = [Infusion(day(n), "induction") for n in (14, 16, 19, 21, 23, 26)]
    pain = {n: (7 if n < 14 else 6 if n < 26 else 2) for n in range(70)}
    results = dict(assess_all(course(pain), infusions))
    assert {results[day(n)].status for n in range(14, 31)} == {INDUCTION}
    assert {results[day(n)].cycle_start for n in range(14, 70)} == {day(14)}
    assert results[day(40)].status == RESPONDING


def test_stable_responder_gets_no_suggestion():
    results = assess_all(relief_course(None, days=120), BOOSTER)
    assert suggestions(results) == []
    assert results[-1][1].status == RESPONDING
    evidence = results[-1][1]
    assert evidence.baseline["pain"] == pytest.approx(7, abs=0.3)
    assert evidence.best["pain"] <= 2.5


def test_return_in_pain_and_supporting_metrics_is_caught_fast():
    results = assess_all(relief_course(45), BOOSTER)
    [(when, kind)] = suggestions(results)
    assert kind == "wearing_off"
    # The state passes halfway on day 46; a sustained return is flagged within three days.
    assert day(45) <= when <= day(49)
    flagged = dict(results)[when]
    assert flagged.status == WEARING_OFF and flagged.cycle_start == day(14)
    evidence = flagged.evidence()
    assert evidence["thresholds"]["pain_return_at"] == pytest.approx(
        evidence["best"]["pain"] + 2.5, abs=0.01
    )
    assert evidence["current"]["pain"] >= evidence["thresholds"]["pain_return_at"] - 1.0


@pytest.mark.parametrize("length", [1, 2, 3])
def test_short_pain_only_flare_raises_nothing(length):
    results = assess_all(relief_course(None, flare=(40, 40 + length - 1)), BOOSTER)
    assert suggestions(results) == []


def test_pain_alone_must_persist_before_it_counts():
    results = assess_all(relief_course(45, support=False), BOOSTER)
    [(when, kind)] = suggestions(results)
    s = Settings()
    assert kind == "wearing_off"
    assert when >= day(45 + s.unsupported_persist_days)


def test_non_responder_is_flagged_differently():
    pain = {n: (7 if n < 14 else 6) for n in range(60)}
    results = assess_all(course(pain, {n: 1.0 for n in range(60)}), BOOSTER)
    statuses = dict(results)
    assert statuses[day(30)].status == INDUCTION  # still within the response window
    assert statuses[day(14 + Settings().response_window_days)].status == NON_RESPONDER
    assert suggestions(results) == []


def test_missing_days_are_skipped_and_a_long_gap_is_no_recent_data():
    entries = [e for e in relief_course(None, days=70) if not 40 <= (e.date - D0).days < 50]
    results = dict(assess_all(entries, BOOSTER))
    assert results[day(48)].status == NO_RECENT_DATA
    assert results[day(55)].status == RESPONDING
    assert all(a.suggest is None for a in results.values())


def cycles_of(duration: int, n_cycles: int, censored_every: int = 0):
    """Boosters every cycle; relief lasts `duration` days after each booster then returns."""
    pain, supp, infusions = {}, {}, []
    start = 14
    for n in range(14):
        pain[n], supp[n] = 7, 1.0
    for k in range(n_cycles):
        infusions.append(Infusion(day(start), "booster"))
        cut = censored_every and (k + 1) % censored_every == 0
        length = duration - 5 if cut else duration + 8
        for n in range(start, start + length):
            off = n - start
            if off < 3:
                pain[n], supp[n] = 4, 0.5
            elif off < duration:
                pain[n], supp[n] = 2, 0.0
            else:
                frac = min(1.0, (off - duration + 1) / 3)
                pain[n], supp[n] = 2 + 5 * frac, frac
        start += length
    return course(pain, supp), infusions


def test_forecast_from_past_cycles_comes_before_the_wearing_off():
    entries, infusions = cycles_of(duration=25, n_cycles=4)
    results = assess_all(entries, infusions, Settings(booking_lead_days=7))
    third_start = infusions[2].date
    forecasts = [(d, a) for d, a in results if a.suggest == "forecast"]
    wearing = {a.cycle_start: d for d, a in results if a.suggest == "wearing_off"}
    assert forecasts, "a forecast is raised once two cycles are known"
    first_forecast_day, first = forecasts[0]
    assert first.cycle_start == third_start
    assert first.expected_wearing_off is not None
    assert first_forecast_day <= wearing[third_start] - dt.timedelta(days=5)
    assert (first.expected_wearing_off - first_forecast_day).days <= 7
    # No forecast in the first two cycles: not enough history.
    assert all(a.cycle_start >= third_start for _, a in forecasts)


def test_cycles_cut_short_by_a_booster_count_as_censored():
    entries, infusions = cycles_of(duration=25, n_cycles=4, censored_every=2)
    tracker = Tracker()
    by_day = {e.date: e for e in entries}
    by_infusion = {i.date: [i] for i in infusions}
    d = day(0)
    while d <= max(by_day):
        tracker.advance(d, by_day.get(d), by_infusion.get(d, ()))
        d += dt.timedelta(days=1)
    history = tracker.cycles_before
    assert [worn for _, worn in history] == [True, False, True]
    assert history[1][0] == 20  # cut short at day 20: censored time, not a duration


def test_settings_overrides_are_validated():
    assert Settings.from_mapping({"booking_lead_days": 10}).booking_lead_days == 10
    assert Settings.from_mapping(None) == Settings()
    with pytest.raises(ValueError, match="unknown detection setting"):
        Settings.from_mapping({"booking_lead": 10})
    with pytest.raises(ValueError, match="whole number"):
        Settings.from_mapping({"booking_lead_days": 2.5})
    with pytest.raises(ValueError, match="must be a number"):
        Settings.from_mapping({"return_fraction": "half"})
    with pytest.raises(ValueError, match="negative"):
        Settings.from_mapping({"guard_days": -1})


def test_days_must_be_fed_in_order():
    tracker = Tracker()
    tracker.advance(day(1), None)
    with pytest.raises(ValueError):
        tracker.advance(day(1), None)


# --- properties ---------------------------------------------------------------------------

score = st.integers(0, 10)
entries_strategy = st.lists(st.tuples(st.integers(0, 119), score, score, score, score), max_size=90)
infusions_strategy = st.lists(
    st.tuples(st.integers(0, 119), st.sampled_from(["induction", "booster", "maintenance"])),
    max_size=8,
)


def build(raw_entries, raw_infusions):
    by_day = {}
    for n, p, f, m, s in raw_entries:
        by_day[n] = Entry(day(n), p, f, m, s)
    infusions = [Infusion(day(n), kind) for n, kind in raw_infusions]
    return sorted(by_day.values(), key=lambda e: e.date), infusions


@settings(max_examples=60, deadline=None)
@given(raw_entries=entries_strategy, raw_infusions=infusions_strategy, cut=st.integers(0, 119))
def test_future_data_never_changes_a_past_decision(raw_entries, raw_infusions, cut):
    entries, infusions = build(raw_entries, raw_infusions)
    if not entries and not infusions:
        return
    full = {d: (a.status, a.suggest, a.cycle_start) for d, a in assess_all(entries, infusions)}
    prefix_entries = [e for e in entries if e.date <= day(cut)]
    prefix_infusions = [i for i in infusions if i.date <= day(cut)]
    if not prefix_entries and not prefix_infusions:
        return
    # Pad the prefix so that both runs start on the same first day.
    first = min([e.date for e in entries] + [i.date for i in infusions])
    past = {
        d: (a.status, a.suggest, a.cycle_start)
        for d, a in assess_all(
            prefix_entries + ([] if any(e.date == first for e in prefix_entries) else []),
            prefix_infusions,
        )
    }
    for d, decision in past.items():
        if d >= first:
            assert full[d] == decision, d


@settings(max_examples=60, deadline=None)
@given(raw_entries=entries_strategy, raw_infusions=infusions_strategy, lead=st.integers(0, 30))
def test_never_raises_and_is_deterministic(raw_entries, raw_infusions, lead):
    entries, infusions = build(raw_entries, raw_infusions)
    s = Settings(booking_lead_days=lead)
    first = [(d, a.status, a.suggest, a.state) for d, a in assess_all(entries, infusions, s)]
    second = [(d, a.status, a.suggest, a.state) for d, a in assess_all(entries, infusions, s)]
    assert first == second
    per_cycle = {}
    for d, a in assess_all(entries, infusions, s):
        assert a.status in {
            NO_BASELINE,
            NO_RECENT_DATA,
            INDUCTION,
            RESPONDING,
            NON_RESPONDER,
            WEARING_OFF,
        }
        if a.suggest:
            key = (a.cycle_start, a.suggest)
            assert key not in per_cycle, "at most one suggestion per cycle and kind"
            per_cycle[key] = d


@settings(max_examples=40, deadline=None)
@given(raw_entries=entries_strategy, raw_infusions=infusions_strategy, cut=st.integers(0, 118))
def test_a_tracker_resumed_from_a_pickle_decides_exactly_as_one_that_never_stopped(
    raw_entries, raw_infusions, cut
):
    entries, infusions = build(raw_entries, raw_infusions)
    if not entries and not infusions:
        return
    until = day(119)
    whole = [
        (d, a.status, a.suggest, a.state)
        for d, a in run_patient(infusions, entries, Settings(), until=until)
    ]
    first = Tracker(Settings())
    head = [
        (d, a.status, a.suggest, a.state)
        for d, a in run_patient(
            [i for i in infusions if i.date <= day(cut)],
            [e for e in entries if e.date <= day(cut)],
            Settings(),
            until=day(cut),
            tracker=first,
        )
    ]
    if first.last_day is None:
        return
    resumed = pickle.loads(pickle.dumps(first))
    tail = [
        (d, a.status, a.suggest, a.state)
        for d, a in run_patient(
            [i for i in infusions if i.date > first.last_day],
            [e for e in entries if e.date > first.last_day],
            Settings(),
            until=until,
            tracker=resumed,
        )
    ]
    assert head + tail == whole
