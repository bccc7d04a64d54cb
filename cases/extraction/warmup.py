"""Loading what a process's first extraction reads from disk, in a background thread, ahead of it.

An editor opens the ingest form, then pastes or picks a page: the seconds in between are enough to
read jieba's tables, the LAC model and the village table. The ingest view starts this on a GET
only. Started by the POST itself it made the request slower, not faster: the loads hold the GIL
in long C calls, and each of the request's many small database reads then waited to get it back.
Nothing here queries the database: a thread has a connection of its own, which in a test sees
none of the test's data. Each load takes its module's lock, so a request that needs a table
before the thread is done waits for it instead of loading it twice.

``preload`` is the other way to start warm: gunicorn with ``preload_app`` calls it in the master
before forking (``gunicorn.conf.py``), so every worker inherits the tables whole (rows filled,
pages shared until written) and its first extraction or search reads nothing from disk. The NER
network is the exception: onnxruntime imported in the master makes every worker abort as it exits
(its threads do not survive the fork), so each worker imports it and creates its session at its
first extraction (numpy and onnxruntime, about 0.3 s); the master reads only the model's tables.
"""

from __future__ import annotations

import logging
import threading

from cases import disk_cache
from cases.extraction import gazetteer, ner, segmenter
from cases.search import jieba_tables

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_started: list[threading.Thread] = []


def _load() -> None:
    try:
        # In the order a first ingest needs them: the search index of the new source, then the rules.
        jieba_tables.default_tokenizer()
        segmenter.posseg()
        if ner.ENABLED:
            ner.model()
    except Exception:  # the request will load (and report) it again itself
        logger.exception("warming up the extractor failed")


def preload() -> None:
    """Load and fill everything a first extraction and a first search read (queries the database),
    and import the URL configuration (every view module, which Django imports at the first request)."""
    from django.urls import get_resolver

    from cases.search import text

    get_resolver().url_patterns  # noqa: B018 (the import is the point)

    for table in (jieba_tables.default_tokenizer().FREQ, text.tokenizer().FREQ):
        table.fill_all()
    segmenter.posseg()
    villages = gazetteer.get_gazetteer().villages.table
    if isinstance(villages, disk_cache.FirstCharacterTable):
        villages.fill_all()
    if ner.ENABLED:
        ner.tables()


def warm_up() -> None:
    """Start the loads once per process; read this database's village table too."""
    gazetteer.preload_villages()
    with _lock:
        if _started:
            return
        thread = threading.Thread(target=_load, name="extractor-warm-up", daemon=True)
        _started.append(thread)
    thread.start()
