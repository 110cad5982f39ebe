"""Configuration from the environment, and the refusal to run production unsafely."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api.config import DEV_SECRET_KEY, PROJECT_ROOT, Config, ConfigError

POSTGRES_URL = "postgresql+psycopg://u@127.0.0.1/db"
LONG_SECRET = "a" * 48


def test_defaults_are_safe_for_development():
    cfg = Config(environ={})
    assert cfg.APP_ENV == "development" and cfg.is_sqlite
    assert cfg.DATABASE_URL.startswith("sqlite:///") and "instance" in cfg.DATABASE_URL
    assert cfg.ACCESS_TOKEN_TTL_SECONDS <= 900


def test_values_come_from_the_environment():
    cfg = Config(environ={"ACCESS_TOKEN_TTL_SECONDS": "300", "MAX_BODY_BYTES": "1024"})
    assert cfg.ACCESS_TOKEN_TTL_SECONDS == 300
    assert cfg.flask_settings()["MAX_CONTENT_LENGTH"] == 1024


def test_production_refuses_the_default_secret():
    with pytest.raises(ConfigError, match="default SECRET_KEY"):
        Config(environ={"APP_ENV": "production", "DATABASE_URL": POSTGRES_URL})
    with pytest.raises(ConfigError, match="default SECRET_KEY"):
        Config(
            environ={
                "APP_ENV": "production",
                "DATABASE_URL": POSTGRES_URL,
                "SECRET_KEY": DEV_SECRET_KEY,
            }
        )


def test_production_refuses_a_short_secret_and_sqlite():
    with pytest.raises(ConfigError, match="at least 32"):
        Config(
            environ={"APP_ENV": "production", "DATABASE_URL": POSTGRES_URL, "SECRET_KEY": "short"}
        )
    with pytest.raises(ConfigError, match="SQLite"):
        Config(environ={"APP_ENV": "production", "SECRET_KEY": LONG_SECRET})


def test_production_with_proper_settings_is_accepted():
    cfg = Config(
        environ={"APP_ENV": "production", "SECRET_KEY": LONG_SECRET, "DATABASE_URL": POSTGRES_URL}
    )
    assert cfg.is_production and not cfg.is_sqlite


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ACCESS_TOKEN_TTL_SECONDS": "3600"}, "between 60 and 900"),
        ({"MAX_BODY_BYTES": "lots"}, "MAX_BODY_BYTES must be a whole number"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"LOGIN_MAX_FAILURES_PER_EMAIL": "0"}, "at least 1"),
    ],
)
def test_bad_values_are_named(environ, message):
    with pytest.raises(ConfigError, match=message):
        Config(environ=environ)


def test_the_real_process_refuses_to_start_with_the_default_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(APP_ENV="production", DATABASE_URL=POSTGRES_URL)
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "refusing to start in production with the default SECRET_KEY" in result.stderr
