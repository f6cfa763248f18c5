"""/healthz and /readyz, which the load balancer and monitoring ask without signing in."""

import json
from datetime import timedelta
from unittest import mock

from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult


@task()
def queued_job():
    """A job for the queue; no worker runs in the tests, so it waits."""


def wait(seconds):
    """Make every queued job look as though it was queued this many seconds ago."""
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=seconds))


def test_healthz_answers_ok_without_signing_in_or_touching_the_database(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"OK"
    assert "no-store" in response["Cache-Control"]


def test_readyz_answers_ready_without_signing_in(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"ready": True, "checks": {"database": "ok", "queue": "ok"}}
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_ready_while_queued_jobs_are_younger_than_queue_stuck_after(client, db, settings):
    settings.QUEUE_STUCK_AFTER = 300
    queued_job.enqueue()
    wait(290)
    assert client.get("/readyz").status_code == 200


def test_readyz_is_unavailable_when_a_job_has_waited_longer_than_queue_stuck_after(client, db, settings):
    settings.QUEUE_STUCK_AFTER = 300
    queued_job.enqueue()
    wait(310)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "ready": False,
        "checks": {"database": "ok", "queue": "a job has waited more than 300 seconds"},
    }
    assert "no-store" in response["Cache-Control"]


def test_a_finished_or_deferred_job_does_not_make_readyz_unavailable(client, db, settings):
    settings.QUEUE_STUCK_AFTER = 300
    queued_job.enqueue()
    DBTaskResult.objects.update(status="SUCCESSFUL")
    # Queued long ago to run a minute ago: it has waited a minute, not an hour.
    queued_job.using(run_after=timezone.now() - timedelta(minutes=1)).enqueue()
    wait(3600)
    assert client.get("/readyz").status_code == 200


def test_readyz_is_unavailable_when_the_database_does_not_answer(client, db):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("could not connect: secret-host")
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"ready": False, "checks": {"database": "not answering", "queue": "not checked"}}
    assert b"secret-host" not in response.content
