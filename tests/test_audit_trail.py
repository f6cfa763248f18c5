"""The progress timeline is an audit trail: nothing edits or deletes an entry."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from responses.models import AuditTrailError, LocalResponse, ProgressUpdate


def test_a_progress_update_cannot_be_changed(db):
    update = ProgressUpdate.objects.first()
    update.note = "Rewritten"
    with pytest.raises(AuditTrailError):
        update.save()
    update.refresh_from_db()
    assert update.note != "Rewritten"


def test_a_progress_update_cannot_be_deleted(db):
    update = ProgressUpdate.objects.first()
    with pytest.raises(AuditTrailError):
        update.delete()
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_progress_updates_cannot_be_changed_or_deleted_in_bulk(db):
    count = ProgressUpdate.objects.count()
    with pytest.raises(AuditTrailError):
        ProgressUpdate.objects.all().update(note="Rewritten")
    with pytest.raises(AuditTrailError):
        ProgressUpdate.objects.all().delete()
    assert ProgressUpdate.objects.count() == count
    assert not ProgressUpdate.objects.filter(note="Rewritten").exists()


def test_admin_shows_progress_updates_read_only(client, administrator):
    client.force_login(administrator)
    update = ProgressUpdate.objects.first()
    change_url = reverse("admin:responses_progressupdate_change", args=[update.pk])
    response = client.get(change_url)
    assert response.status_code == 200
    assert b'name="note"' not in response.content
    assert client.post(change_url, {"note": "Rewritten"}).status_code == 403
    delete_url = reverse("admin:responses_progressupdate_delete", args=[update.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:responses_progressupdate_add")).status_code == 403
    update.refresh_from_db()
    assert update.note != "Rewritten"


def test_a_council_answers_a_recommendation_once(db):
    existing = LocalResponse.objects.filter(part__isnull=True).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        LocalResponse.objects.create(
            authority=existing.authority, recommendation=existing.recommendation, text="Again"
        )
