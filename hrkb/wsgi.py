"""The WSGI entry point of production (``gunicorn hrkb.wsgi:application``)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrkb.settings")

application = get_wsgi_application()

# Import every view now (Django would on the first request), then move everything
# start-up made out of the garbage collector's reach: those objects live as long as
# the process, and a full collection would otherwise walk all of them (~100,000)
# every few hundred requests. Under gunicorn --preload the workers also keep sharing
# these pages with the master, as the collector no longer writes to them.
get_resolver().url_patterns  # noqa: B018 (evaluated for its side effect: importing the views)
gc.freeze()
