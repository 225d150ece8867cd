import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: those that make every page fail stop the start here, with their reason.
from mutu.core.checks import stop_on_errors  # noqa: E402  (needs the apps loaded above)

stop_on_errors()
