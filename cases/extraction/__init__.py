"""Article ingestion and assisted extraction.

``reading`` turns received bytes into text (or a clear error), ``splitting`` cuts a page into
pieces, ``extraction`` proposes candidate facts with their exact spans. Nothing here writes to the
database; ``cases.services.ingest`` does, in one transaction.
"""
