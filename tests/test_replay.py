"""`flask detection replay`: the §6.3 format, checked line by line, and bad input."""

from __future__ import annotations

import json

import pytest

from jobs.cohort import make_cohort, write_cohort
from jobs.replay import replay_lines, replay_parallel
from tests.test_detection import BOOSTER, relief_course


def record(patient: str, entries, infusions, **extra) -> dict:
    return {
        "patient": patient,
        "timezone": "Europe/Berlin",
        "infusions": [{"date": i.date.isoformat(), "kind": i.kind} for i in infusions],
        "entries": [
            {
                "date": e.date.isoformat(),
                "pain": e.pain,
                "fatigue": e.fatigue,
                "mood": e.mood,
                "sleep_quality": e.sleep_quality,
                "sleep_hours": 6.5,
            }
            for e in entries
        ],
        **extra,
    }


@pytest.fixture
def cohort_file(tmp_path):
    path = tmp_path / "cohort.jsonl"
    lines = [
        record("fading", relief_course(45), BOOSTER, unknown_extra="ignored"),
        record("stable", relief_course(None), BOOSTER, settings={"booking_lead_days": 10}),
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    return path


def run(app, *args):
    return app.test_cli_runner().invoke(args=["detection", "replay", *map(str, args)])


def test_replay_writes_one_line_per_suggestion(app, cohort_file, tmp_path):
    out = tmp_path / "alerts.jsonl"
    result = run(app, cohort_file, "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 1
    [alert] = lines
    assert set(alert) == {"patient", "date", "kind", "cycle_start", "evidence"}
    assert alert["patient"] == "fading" and alert["kind"] == "wearing_off"
    assert alert["cycle_start"] == "2026-01-15"
    assert "2026-02-15" <= alert["date"] <= "2026-02-19"
    assert alert["evidence"]["baseline"]["pain"] == pytest.approx(7, abs=0.3)


def test_replay_to_standard_output_in_parallel(app, cohort_file):
    result = run(app, cohort_file, "--workers", "2")
    assert result.exit_code == 0
    [line] = [line for line in result.stdout.splitlines() if line.strip()]
    assert json.loads(line)["patient"] == "fading"


def test_parallel_and_serial_replays_agree(tmp_path):
    path = tmp_path / "c.jsonl"
    write_cohort(str(path), make_cohort(5, 12))
    serial = list(replay_lines(open(path)))
    parallel = list(replay_parallel(open(path), 2))
    assert serial == parallel and serial


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('["a list"]', "line 2: a line must be a JSON object"),
        ('{"entries": []}', "line 2: 'patient' must be a non-empty string"),
        (
            '{"patient": "p", "entries": [{"date": "2026-02-30", "pain": 1, "fatigue": 1, '
            '"mood": 1, "sleep_quality": 1}]}',
            "line 2: entries[0].date: '2026-02-30' is not",
        ),
        (
            '{"patient": "p", "entries": [{"date": "2026-02-03", "pain": "high", "fatigue": 1, '
            '"mood": 1, "sleep_quality": 1}]}',
            "line 2: entries[0].pain: must be a number",
        ),
        (
            '{"patient": "p", "infusions": [{"date": "2026-02-03", "kind": "top-up"}]}',
            "line 2: infusions[0].kind must be one of",
        ),
        ('{"patient": "p", "settings": {"lead": 3}}', "line 2: settings: unknown detection"),
    ],
)
def test_bad_lines_are_named_and_leave_no_output(app, tmp_path, cohort_file, line, message):
    good = cohort_file.read_text().splitlines()[0]
    path = tmp_path / "bad.jsonl"
    path.write_text(good + "\n" + line + "\n")
    out = tmp_path / "alerts.jsonl"
    result = run(app, path, "--out", out, "--workers", "1")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()
