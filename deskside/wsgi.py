"""WSGI entry point for gunicorn (`deskside serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
application = get_wsgi_application()
