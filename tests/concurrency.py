"""Running requests at the same moment from several threads, each with its own session."""

from __future__ import annotations

import threading

from models import db


def race(app, calls):
    """Run each call in its own thread with its own test client, started together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        client = app.test_client()
        barrier.wait()
        results[i] = call(client)
        db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
