"""Background work, run by `manage.py db_worker`: the council's papers rendered as PDF.

The tasks take a job's id and do the work described in `authorities.documents`; their return value
is a word for the queue's own record ("ready", "issued", "not queued"...).
"""

from django_tasks import task

from . import documents


@task()
def render_pdf(job_id: int) -> str:
    """Render a draft Cabinet report or a decision record for the page that asked for it."""
    return documents.render(job_id)
