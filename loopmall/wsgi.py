import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
application = get_wsgi_application()

# Load the URL configuration (and the analytics libraries it pulls in) while the worker boots, so the
# first shopper's request does not wait for it.
import loopmall.urls  # noqa: E402, F401
