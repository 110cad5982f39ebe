"""The API recovers by itself when the database drops its connections (a restart)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from models.db import make_engine

pytestmark = [pytest.mark.committed, pytest.mark.postgresql]


def test_requests_succeed_after_the_database_drops_every_connection(app, client, database_url):
    assert client.get("/health").status_code == 200
    killer = make_engine(database_url)
    with killer.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
        conn.commit()
    killer.dispose()
    assert killed >= 1  # the app's pooled connection was among them
    # The pool notices the dead connection before handing it out and opens a new one.
    after = client.get("/health")
    assert after.status_code == 200 and after.json == {"status": "ok", "database": "ok"}
