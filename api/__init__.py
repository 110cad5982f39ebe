"""The Flask application factory."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

import swagger_ui_bundle
from flask import Flask, g, request, send_from_directory
from flask_migrate import Migrate
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.middleware.proxy_fix import ProxyFix

from api import accounts as accounts_api
from api import clinic, devices, entries, health, infusions, invites, me, suggestions, sync
from api.auth import SECURITY_SCHEME
from api.cli import clinics_cli, demo_cli, detection_cli, dev_cli, jobs_cli
from api.config import PROJECT_ROOT, Config
from api.errors import Api, register_error_handlers
from api.http import IdConverter, IsoDateConverter, isodate_param_schema
from models import Base, db
from models.accounts import configure_password_hashing

BLUEPRINTS = (
    health.blp,
    accounts_api.blp,
    me.blp,
    entries.blp,
    infusions.blp,
    sync.blp,
    suggestions.blp,
    devices.blp,
    invites.blp,
    clinic.blp,
)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

request_log = logging.getLogger("infusion_diary.request")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides environment variables (tests use it)."""
    settings = Config(overrides=config)
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    app.config.from_mapping(settings.flask_settings())
    app.extensions["settings"] = settings
    app.json.sort_keys = False  # responses keep the schemas' field order
    logging.basicConfig(
        level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Our own job log says what ran and what it did; APScheduler's per-run lines are noise.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if settings.TRUSTED_PROXY_HOPS:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=settings.TRUSTED_PROXY_HOPS, x_proto=settings.TRUSTED_PROXY_HOPS
        )

    if settings.is_sqlite:
        (PROJECT_ROOT / "instance").mkdir(exist_ok=True)
    app.extensions["engine"] = db.configure(settings.DATABASE_URL)
    configure_password_hashing(
        settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM
    )
    Migrate(
        app,
        Base,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )

    app.url_map.converters["isodate"] = IsoDateConverter
    app.url_map.converters["int"] = IdConverter
    api = Api(app)
    api.register_converter(IsoDateConverter, isodate_param_schema)
    api.spec.components.security_scheme(
        SECURITY_SCHEME, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    register_error_handlers(app)
    _register_request_hooks(app)

    @app.get("/docs/assets/<path:filename>")
    def swagger_assets(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)

    app.cli.add_command(clinics_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(detection_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(dev_cli)
    return app


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        g.started = time.perf_counter()
        if request.method in BODY_METHODS and _has_body() and not request.is_json:
            raise UnsupportedMediaType()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.path.startswith("/api/"):
            # Health data and tokens: no browser, proxy or app cache may keep a copy.
            response.headers["Cache-Control"] = "no-store"
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # Method, route pattern and status only: no query string, body or token.
        rule = request.url_rule.rule if request.url_rule else "<unmatched>"
        request_log.info(
            "%s %s %s %.1fms id=%s",
            request.method,
            rule,
            response.status_code,
            elapsed,
            g.get("request_id"),
        )
        return response

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        db.session.remove()


def _has_body() -> bool:
    return (
        bool(request.content_length)
        or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    )
