"""The background worker, run inside a test: what `manage.py db_worker` does, without its loop.

The real worker polls in its own process; a test runs the queued tasks in its own transaction,
through the worker's own `run_task`, so a task that fails is recorded as failed just as it would be.
"""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

WORKER = Worker(
    queue_names=["*"],
    interval=0,
    batch=True,
    backend_name="default",
    startup_delay=False,
    max_tasks=None,
    worker_id="test-worker",
    excluded_queue_names=[],
)


def run_queued_tasks() -> int:
    """Run every queued task, oldest and most urgent first, as one worker would; how many ran."""
    ran = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(WORKER.worker_id)
        WORKER.run_task(result)
        ran += 1
    return ran


def fetch_pdf(client, url):
    """What a client following Retry-After gets: 202 while it is prepared, then the PDF."""
    waiting = client.get(url)
    assert waiting.status_code == 202, waiting.status_code
    assert waiting["Retry-After"]
    assert run_queued_tasks() >= 1
    ready = client.get(url)
    assert ready.status_code == 200, ready.status_code
    assert ready["Content-Type"] == "application/pdf"
    return ready
