"""WSGI entry point (waitress in `jixiao serve`; any WSGI server elsewhere)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.web.settings")
application = get_wsgi_application()
