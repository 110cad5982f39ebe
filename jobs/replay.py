"""Replay of the detection engine over a cohort file (SPEC §6.3), exactly as the daily scan.

Input: JSON Lines, one patient a line:
  {"patient": "p1", "timezone": "Europe/Berlin", "infusions": [{"date": "…", "kind": "…"}],
   "entries": [{"date": "…", "pain": 7, "fatigue": 6, "mood": 3, "sleep_quality": 4}, …],
   "settings": {"booking_lead_days": 7}}   (settings optional; other extra keys ignored)
Output: one suggestion a line:
  {"patient": "p1", "date": "…", "kind": "wearing_off"|"forecast", "cycle_start": "…",
   "evidence": {…}}
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from collections.abc import Iterable, Iterator
from typing import Any

from jobs.detection import METRICS, Entry, Infusion, Settings, Tracker

INFUSION_KINDS = ("induction", "booster", "maintenance")


class CohortError(ValueError):
    """A line of the cohort file that cannot be used; the message names the line."""


def _date(value: Any, where: str) -> dt.date:
    if not isinstance(value, str):
        raise ValueError(f"{where}: date must be a YYYY-MM-DD string")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a YYYY-MM-DD date") from None


def _score(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
        raise ValueError(f"{where}: must be a number from 0 to 10")
    return float(value)


def parse_patient(record: Any) -> tuple[str, list[Infusion], list[Entry], Settings]:
    if not isinstance(record, dict):
        raise ValueError("a line must be a JSON object")
    patient = record.get("patient")
    if not isinstance(patient, str | int) or isinstance(patient, bool) or patient == "":
        raise ValueError("'patient' must be a non-empty string")
    infusions = []
    for n, item in enumerate(record.get("infusions") or []):
        if not isinstance(item, dict):
            raise ValueError(f"infusions[{n}] must be an object")
        kind = item.get("kind", "booster")
        if kind not in INFUSION_KINDS:
            raise ValueError(f"infusions[{n}].kind must be one of {', '.join(INFUSION_KINDS)}")
        infusions.append(Infusion(_date(item.get("date"), f"infusions[{n}].date"), kind))
    entries: dict[dt.date, Entry] = {}
    for n, item in enumerate(record.get("entries") or []):
        if not isinstance(item, dict):
            raise ValueError(f"entries[{n}] must be an object")
        day = _date(item.get("date"), f"entries[{n}].date")
        if day in entries:
            raise ValueError(f"entries[{n}]: a second entry for {day}")
        scores = {m: _score(item.get(m), f"entries[{n}].{m}") for m in METRICS}
        entries[day] = Entry(day, **scores)
    try:
        settings = Settings.from_mapping(record.get("settings"))
    except (ValueError, TypeError) as error:
        raise ValueError(f"settings: {error}") from None
    return str(patient), infusions, sorted(entries.values(), key=lambda e: e.date), settings


def run_patient(
    infusions: list[Infusion],
    entries: list[Entry],
    settings: Settings,
    *,
    until: dt.date | None = None,
    tracker: Tracker | None = None,
    start: dt.date | None = None,
) -> Iterator[tuple[dt.date, Any]]:
    """Feed a tracker every day from the first record (or `start`) to the last record (or
    `until`, if later); yield (day, assessment). A `tracker` resumed from a checkpoint continues
    from the day after the one it last saw."""
    dates = [e.date for e in entries] + [i.date for i in infusions]
    tracker = tracker or Tracker(settings)
    if tracker.last_day is not None:
        day = start or tracker.last_day + dt.timedelta(days=1)
    elif dates:
        day = start or min(dates)
    else:
        return
    last = max([*dates, until] if until else dates) if (dates or until) else day
    by_day = {e.date: e for e in entries}
    infused: dict[dt.date, list[Infusion]] = {}
    for infusion in infusions:
        infused.setdefault(infusion.date, []).append(infusion)
    one = dt.timedelta(days=1)
    while day <= last:
        yield day, tracker.advance(day, by_day.get(day), infused.get(day, ()))
        day += one


def suggestions_for(record: Any) -> list[dict[str, Any]]:
    patient, infusions, entries, settings = parse_patient(record)
    out = []
    for day, assessment in run_patient(infusions, entries, settings):
        if assessment.suggest:
            out.append(
                {
                    "patient": patient,
                    "date": day.isoformat(),
                    "kind": assessment.suggest,
                    "cycle_start": assessment.cycle_start.isoformat(),
                    "evidence": assessment.evidence(),
                }
            )
    return out


def replay_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Suggestions for every patient line; a bad line raises CohortError naming it."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise CohortError(f"line {number}: not valid JSON ({error.msg})") from None
        try:
            yield from suggestions_for(record)
        except ValueError as error:
            raise CohortError(f"line {number}: {error}") from None


def _replay_line(numbered: tuple[int, str]) -> tuple[int, list[dict[str, Any]] | str]:
    number, line = numbered
    if not line.strip():
        return number, []
    try:
        return number, suggestions_for(json.loads(line))
    except json.JSONDecodeError as error:
        return number, f"line {number}: not valid JSON ({error.msg})"
    except ValueError as error:
        return number, f"line {number}: {error}"


def replay_parallel(lines: Iterable[str], workers: int) -> Iterator[dict[str, Any]]:
    """Like replay_lines, spread over `workers` processes; output keeps the input order."""
    numbered = enumerate(lines, start=1)
    if workers <= 1:
        yield from _unwrap(map(_replay_line, numbered))
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from _unwrap(pool.imap(_replay_line, numbered, chunksize=32))


def _unwrap(results: Iterable) -> Iterator[dict[str, Any]]:
    for _number, outcome in results:
        if isinstance(outcome, str):
            raise CohortError(outcome)
        yield from outcome
