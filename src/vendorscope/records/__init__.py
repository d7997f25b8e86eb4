"""Records: find, review and produce the documents that assess a vendor (e-discovery).

Flow: files → ``extract/`` (one module per format, never raising) → ``ingest.py`` (originals into the
content-addressed ``store.py``, rows into the record tables, text into ``index.py``) → ``dedup.py`` and
``threads.py`` → ``search.py`` → ``review.py`` → ``produce.py``.
"""
