"""The one module-level app: `flask --app wsgi …` and `gunicorn wsgi:app`."""

import sys

from api import create_app
from api.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # Say why in one line, without a traceback, and stop.
    sys.exit(f"infusion-diary: configuration error: {error}")
