"""The one module-level app: `flask --app wsgi …` and `gunicorn wsgi:app`."""

from api import create_app

app = create_app()
