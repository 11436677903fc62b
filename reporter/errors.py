"""The root of every failure a user can cause or meet, and the exit status it ends with.

```
ReporterError (exit 2 unless a subclass says otherwise)
 ├── UsageError            bad usage, selection or input file; nothing was spent or written
 │    ├── ConfigError      settings that cannot be used (reporter.config)
 │    ├── SnapshotError    a snapshot that cannot be read (reporter.cohort.snapshot)
 │    ├── PlanRefused      the plan does not fit the budget (reporter.cohort.plan)
 │    ├── ManifestError    a run folder whose manifest cannot be used (reporter.deliver.manifest)
 │    └── TemplateFailure  a template that does not render (reporter.render.templates)
 ├── RunError (exit 1)     the work started but could not finish (reporter.deliver.smtp)
 └── ExecError (exit 1)    the API client's own tree (reporter.exec_api.errors), whose
                           key and workspace failures exit 2
```

cli.py has one handler: a ReporterError becomes ``Error: <message>`` on stderr and its
``exit_code``; anything else is a bug and keeps its traceback. Messages are written for the
person running the tool and never contain the API key.
"""

from __future__ import annotations


class ReporterError(Exception):
    """An expected failure: one line for the user, and the exit status it ends with."""

    exit_code: int = 2


class UsageError(ReporterError):
    """Bad usage, selection or input: exit 2, before anything is spent or written."""


class RunError(ReporterError):
    """The work started but could not finish: exit 1."""

    exit_code = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager, ``kill``): handled exactly as Ctrl-C, every cleanup that
    Ctrl-C gets included, and the command exits 143 (128 + SIGTERM)."""

    exit_code = 143
