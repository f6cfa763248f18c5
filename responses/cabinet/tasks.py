"""Background work for Cabinet reports, run by `manage.py db_worker`."""

from django_tasks import task

from . import issuing


# Issues go first: a clerk waits on the page for them, and what they store is final.
@task(priority=10)
def issue_report(job_id: int) -> str:
    """Render a Cabinet report's final PDF and issue it."""
    return issuing.issue(job_id)
