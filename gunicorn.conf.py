"""gunicorn settings for serving the site (``make serve``; gunicorn reads this file from the
working directory). Every value can be overridden from the environment, e.g. ``WEB_CONCURRENCY``.

- Workers from the cores: 2 × cores + 1 processes (at most 9), 4 threads each. The threads let a
  slow CSV export or search not hold a whole process; SQLite and PostgreSQL both serve threads.
- ``preload_app``: the application, jieba's dictionaries (the default one and the search one with
  the database's names), the gazetteer and the NER model's tables load once in the master before
  forking (``cases.extraction.warmup.preload``): each worker's first search and first extraction
  start warm (only the NER network is loaded per worker, at its first extraction: onnxruntime
  imported before the fork makes each worker abort as it exits).
- Timeouts: a request may run 120 s (a whole-table CSV at 100k rows streams for tens of seconds);
  a worker gets 30 s to finish its requests on a restart.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# A worker is recycled after this many requests (with jitter, so they do not all restart at once).
max_requests = 5000
max_requests_jitter = 500
wsgi_app = "governance.wsgi:application"
# Request lines go through Django's structured log (governance.logging); gunicorn logs its own events.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def when_ready(server) -> None:
    """In the master, after the app is loaded and before the first fork: load the search tokeniser
    and the extractor's tables once, then close the connections they used (a forked worker must
    not share a database socket)."""
    from django.db import connections

    from cases.extraction.warmup import preload

    preload()
    connections.close_all()
    server.log.info("search tokeniser and extractor tables loaded; forking %s workers", server.cfg.workers)
