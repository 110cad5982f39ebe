"""Alembic environment: migrates the database the app (or a test) is bound to."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from models import Base

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = Base.metadata


def _configure_args() -> dict:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("compare_type", True)
    args.setdefault("render_as_batch", True)
    return args


def run_migrations_offline() -> None:
    url = current_app.extensions["engine"].url.render_as_string(hide_password=False)
    context.configure(
        url=url, target_metadata=target_metadata, literal_binds=True, **_configure_args()
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A test may hand in its own connection; otherwise use the app's engine.
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, **_configure_args()
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = current_app.extensions["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, **_configure_args()
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
