"""Sync: server-issued cursors, tombstones, paging, and convergence of two devices."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ENTRY, make_clinic, patient_client

SYNC = "/api/v1/me/sync"
TODAY = dt.date.today()
DAYS = [(TODAY - dt.timedelta(days=n)).isoformat() for n in range(1, 6)]


def test_first_pull_returns_everything_and_then_only_changes(client):
    account, tokens = patient_client(client)
    client.put(f"/api/v1/me/entries/{DAYS[0]}", json=ENTRY, headers=tokens.headers)
    client.post(
        "/api/v1/me/infusions",
        json={"administered_on": DAYS[1], "kind": "booster"},
        headers=tokens.headers,
    )

    first = client.get(SYNC, headers=tokens.headers)
    assert first.status_code == 200
    assert [e["date"] for e in first.json["entries"]] == [DAYS[0]]
    assert [i["kind"] for i in first.json["infusions"]] == ["booster"]
    assert first.json["has_more"] is False

    nothing = client.get(f"{SYNC}?since={first.json['cursor']}", headers=tokens.headers)
    assert nothing.json["entries"] == nothing.json["infusions"] == []
    assert nothing.json["cursor"] == first.json["cursor"]

    client.delete(f"/api/v1/me/entries/{DAYS[0]}", headers=tokens.headers)
    change = client.get(f"{SYNC}?since={first.json['cursor']}", headers=tokens.headers)
    [tombstone] = change.json["entries"]
    assert tombstone["date"] == DAYS[0] and tombstone["deleted"] is True
    assert tombstone["pain"] is None
    assert int(change.json["cursor"].split(".")[0]) > int(first.json["cursor"].split(".")[0])


def test_paging_with_limit_returns_every_change_once(client):
    account, tokens = patient_client(client)
    for n, day in enumerate(DAYS):
        client.put(f"/api/v1/me/entries/{day}", json={**ENTRY, "pain": n}, headers=tokens.headers)
    seen, cursor, pulls = [], None, 0
    while True:
        url = f"{SYNC}?limit=2" + (f"&since={cursor}" if cursor else "")
        page = client.get(url, headers=tokens.headers).json
        seen += [e["date"] for e in page["entries"]]
        cursor, pulls = page["cursor"], pulls + 1
        if not page["has_more"]:
            break
    assert sorted(seen) == sorted(DAYS) and pulls == 3


def test_unknown_malformed_and_foreign_cursors_are_400(client):
    clinic = make_clinic()
    account, tokens = patient_client(client, clinic)
    other, other_tokens = patient_client(client, clinic)
    client.put(f"/api/v1/me/entries/{DAYS[0]}", json=ENTRY, headers=other_tokens.headers)
    foreign = client.get(SYNC, headers=other_tokens.headers).json["cursor"]
    valid = client.get(SYNC, headers=tokens.headers).json["cursor"]
    forged = "999" + valid[valid.index(".") :]
    for cursor in ("garbage", "12", "-1.abc", forged, foreign, "1." + "0" * 20):
        r = client.get(f"{SYNC}?since={cursor}", headers=tokens.headers)
        assert r.status_code == 400, cursor
        assert r.json["errors"] == {"since": ["unknown cursor"]}


class Device:
    """A client that applies pulled changes to its own copy, as the app does."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers
        self.cursor: str | None = None
        self.entries: dict[str, int] = {}
        self.infusions: dict[int, str] = {}

    def pull(self) -> None:
        while True:
            url = f"{SYNC}?limit=3" + (f"&since={self.cursor}" if self.cursor else "")
            page = self.client.get(url, headers=self.headers).json
            for entry in page["entries"]:
                if entry["deleted"]:
                    self.entries.pop(entry["date"], None)
                else:
                    self.entries[entry["date"]] = entry["pain"]
            for infusion in page["infusions"]:
                if infusion["deleted"]:
                    self.infusions.pop(infusion["id"], None)
                else:
                    self.infusions[infusion["id"]] = infusion["kind"]
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return


operation = st.one_of(
    st.tuples(st.just("put"), st.integers(0, 1), st.integers(0, 4), st.integers(0, 10)),
    st.tuples(st.just("delete"), st.integers(0, 1), st.integers(0, 4)),
    st.tuples(st.just("infuse"), st.integers(0, 1), st.sampled_from(["booster", "maintenance"])),
    st.tuples(st.just("uninfuse"), st.integers(0, 1), st.integers(0, 3)),
    st.tuples(st.just("pull"), st.integers(0, 1)),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, max_size=25))
def test_two_devices_converge_on_the_server_state(client, ops):
    account, tokens = patient_client(client)
    devices = [Device(client, tokens.headers), Device(client, tokens.headers)]
    infusion_ids: list[int] = []
    for op in ops:
        kind, who = op[0], devices[op[1]]
        if kind == "put":
            r = client.put(
                f"/api/v1/me/entries/{DAYS[op[2]]}",
                json={**ENTRY, "pain": op[3]},
                headers=tokens.headers,
            )
            assert r.status_code in (200, 201)
        elif kind == "delete":
            client.delete(f"/api/v1/me/entries/{DAYS[op[2]]}", headers=tokens.headers)
        elif kind == "infuse":
            r = client.post(
                "/api/v1/me/infusions",
                json={"administered_on": DAYS[0], "kind": op[2]},
                headers=tokens.headers,
            )
            infusion_ids.append(r.json["id"])
        elif kind == "uninfuse" and infusion_ids:
            client.delete(
                f"/api/v1/me/infusions/{infusion_ids[op[2] % len(infusion_ids)]}",
                headers=tokens.headers,
            )
        elif kind == "pull":
            who.pull()
    server_entries = {
        e["date"]: e["pain"]
        for e in client.get("/api/v1/me/entries?page_size=100", headers=tokens.headers).json
    }
    server_infusions = {
        i["id"]: i["kind"]
        for i in client.get("/api/v1/me/infusions?page_size=100", headers=tokens.headers).json
    }
    for device in devices:
        device.pull()
        assert device.entries == server_entries
        assert device.infusions == server_infusions
