"""Test set-up: one migrated database per run (SQLite, or PostgreSQL when asked), each test
inside a transaction that is rolled back (SQLAlchemy's "join a session into an external
transaction" recipe); tests marked `committed` commit for real and are cleaned up after."""

from __future__ import annotations

import os

import flask_migrate
import pytest
from hypothesis import settings
from sqlalchemy import text

from api import create_app
from models import Base, db
from models.db import make_engine

BACKEND = os.environ.get("TEST_DATABASE_BACKEND", "sqlite")

# In CI the property tests replay the same examples every run, so a red build always points
# at the change that caused it; at a desk they explore new examples each run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024, "ARGON2_PARALLELISM": 1}


def pytest_configure(config):
    config.addinivalue_line("markers", "committed: the test commits for real (no rollback)")
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL (skipped on SQLite)")


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def pytest_collection_modifyitems(config, items):
    if BACKEND != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if BACKEND == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def app_settings(database_url: str, **overrides) -> dict:
    settings = {
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "LOG_LEVEL": "WARNING",
        **FAST_HASHING,
    }
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(app_settings(database_url))
    with app.app_context():
        flask_migrate.upgrade()
    return app


@pytest.fixture(autouse=True)
def _isolated(request, app):
    engine = app.extensions["engine"]
    if request.node.get_closest_marker("committed"):
        db.SessionFactory.kw.pop("join_transaction_mode", None)
        db.SessionFactory.configure(bind=engine)
        yield
        db.session.remove()
        _truncate_all(engine)
        return
    connection = engine.connect()
    outer = connection.begin()
    db.SessionFactory.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield
    db.session.remove()
    outer.rollback()
    connection.close()
    db.SessionFactory.kw.pop("join_transaction_mode", None)
    db.SessionFactory.configure(bind=engine)


def _truncate_all(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session():
    """The same session the app uses, for arranging data and checking database state."""
    return db.session
