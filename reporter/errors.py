"""The root of every failure a user can cause or meet, and the exit status it ends with.

```
ReporterError (exit 2 unless a subclass says otherwise)
 ├── UsageError                bad usage, selection or input; nothing was spent or written
 │    ├── ConfigError          a setting that cannot be used: a config file's key, a flag, an
 │    │    │                   environment variable, the API key or URL (reporter.config,
 │    │    │                   reporter.settings, reporter.exec_api.auth)
 │    │    └── EmailConfigError  a sender or override address (reporter.deliver.addresses)
 │    ├── SelectionError       which reps or which period (reporter.cohort.selection)
 │    ├── UnknownGroup         a [teams] group the workspace does not have (analytics.team)
 │    ├── SnapshotError        a snapshot that cannot be read (reporter.cohort.snapshot)
 │    ├── PlanRefused          the plan does not fit the budget (reporter.cohort.plan)
 │    ├── FolderBusy           another command holds the run folder (reporter.files)
 │    ├── ManifestError        a run folder whose manifest cannot be used (deliver.manifest)
 │    │    └── SendRecordError  the period's record of who was mailed (deliver.sent)
 │    └── TemplateFailure      a template that does not render (reporter.render.templates)
 ├── RunError (exit 1)         the work started but could not finish
 │    ├── VanishedCohort       no sessions where the analytics count some (cohort.discover)
 │    ├── NothingToReport      a run with no rep: nothing written (reporter.rundir)
 │    ├── WouldDropReps        a rerun dropping most reps of the run in place (rundir)
 │    ├── WriteFailed          the disk refused a write (reporter.outcome, deliver.smtp)
 │    ├── WorkerDied           a report's render process died twice (render.processes)
 │    └── SendError            the SMTP server, as a whole (reporter.deliver.smtp)
 └── ExecError (exit 1)        the API client's tree (reporter.exec_api.errors)
      ├── APIError             the server answered with its error envelope
      │    ├── InvalidRequest       400
      │    ├── AuthenticationError  401: missing, invalid or revoked key (exit 2)
      │    ├── WorkspaceInactive    403 (exit 2)
      │    ├── NotFound             404
      │    └── RateLimited          429 still answered after the retries
      │         └── DailyLimitReached   the day's sustained budget is spent
      ├── ServerError          5xx still answered after the retries
      │    └── GaveUp          not asked: too many details failed in a row (cohort.fetch)
      ├── TransportError       timeouts and dropped connections, after the retries
      └── ResponseShapeError   a 2xx body that does not fit the published schema
           └── DetailMismatch  a detail that is not the session asked for (cohort.fetch)
```

Every class here is drawn where it sits, and ``tests/test_errors.py`` fails when one is not.

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


class ConfigError(UsageError):
    """A setting that cannot be used; the message is one line naming the key (or the flag,
    or the variable) and the value it refuses."""


class RunError(ReporterError):
    """The work started but could not finish: exit 1."""

    exit_code = 1


class WriteFailed(RunError):
    """The disk refused a write (full, read-only, gone): the run stops, the previous output of
    the same folder stays as it was. Here, not in ``reporter.outcome``, because delivery
    (below the pipeline) raises it too: a write after the SMTP server took a message."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager, ``kill``): handled exactly as Ctrl-C, every cleanup that
    Ctrl-C gets included, and the command exits 143 (128 + SIGTERM)."""

    exit_code = 143
