"""gunicorn's settings, read from this folder: `gunicorn hrkb.wsgi:application`.

Threaded workers: a sync worker's heartbeat waits for its request, so one
that streams an export for longer than ``timeout`` (30 s) is killed mid-line.
A gthread worker's main thread keeps beating while a thread streams, so the
timeout only catches workers that are really stuck. Override any of these
with GUNICORN_CMD_ARGS or the command line.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
