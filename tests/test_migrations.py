"""Migrations are the only way the schema is built; the models must agree with them."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.config import PROJECT_ROOT
from models import Base, db


def test_models_and_migrations_agree(app):
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, Base.metadata) == []


def test_every_model_table_exists_in_the_migrated_schema(app):
    tables = set(inspect(db.session.connection()).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_downgrade_upgrade_through_the_command_line(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "APP_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }

    def flask(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert flask("db", "upgrade").returncode == 0
    assert flask("db", "downgrade", "base").returncode == 0
    up = flask("db", "upgrade")
    assert up.returncode == 0, up.stderr
    current = flask("db", "current")
    assert "(head)" in current.stdout
