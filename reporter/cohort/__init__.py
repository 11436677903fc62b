"""cohort: selection, plan, fetch orchestration, cache, snapshot.

``RETENTION_DAYS`` lives here, not in ``cache``, so the command line can state it in its help
without loading the cache's models (``--help`` stays light).
"""

#: Days a cached detail is kept, from its session's date: a year and a month, so a report of
#: any month of the last year, compared with the month before, still finds its details.
RETENTION_DAYS = 400
