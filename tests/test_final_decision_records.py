"""A decision record is final once its date of publication has come: not only on the clerk's page but in
the ORM, the admin and, on PostgreSQL, the database itself, with what it prints of its meeting.

Stockton's Cabinet decision of 11 June 2009 (the reference data) was published on 16 June 2009.
"""

import datetime
import zoneinfo

import pytest
from django.db import InternalError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from authorities.models import Authority, Decision, FinalRecordError, Meeting

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def on_postgresql():
    assert connection.vendor == "postgresql", "the database's own refusals are PostgreSQL triggers"


@pytest.fixture
def stockton_decision():
    decision = Decision.objects.select_related("meeting").get(meeting__authority__slug="stockton-on-tees")
    assert decision.published_on == datetime.date(2009, 6, 16)
    return decision


@pytest.fixture
def april_cabinet(darlington):
    """Darlington's Cabinet of 28 April 2009, which has no decision record."""
    return Meeting.objects.get(authority=darlington, date=datetime.date(2009, 4, 28))


def london_today():
    return datetime.datetime.now(LONDON).date()


def record_for(meeting, published_on):
    return Decision.objects.create(
        meeting=meeting,
        record="Consideration was given to a report on Lord Laming's report.",
        decisions="The report be noted.",
        reasons="To keep Members informed.",
        published_on=published_on,
    )


def run_sql(sql, *params):
    """Run SQL as a console session would, in its own savepoint so a refusal leaves the test usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def stored_row(model, pk):
    return model.objects.filter(pk=pk).values().get()


# The database


def test_sql_cannot_change_or_delete_a_published_decision_record(stockton_decision):
    before = stored_row(Decision, stockton_decision.pk)
    with pytest.raises(InternalError, match="published on 16 June 2009 is final"):
        run_sql("UPDATE authorities_decision SET reasons = 'Rewritten' WHERE id = %s", stockton_decision.pk)
    with pytest.raises(InternalError, match="is final"):
        run_sql("UPDATE authorities_decision SET published_on = NULL WHERE id = %s", stockton_decision.pk)
    with pytest.raises(InternalError, match="is final"):
        run_sql("DELETE FROM authorities_decision WHERE id = %s", stockton_decision.pk)
    assert stored_row(Decision, stockton_decision.pk) == before


def test_the_database_refuses_the_orms_sql_too_when_the_models_guard_is_bypassed(stockton_decision):
    plain = models.QuerySet(Decision).filter(pk=stockton_decision.pk)
    with pytest.raises(InternalError, match="is final"), transaction.atomic():
        plain.update(reasons="Rewritten")
    with pytest.raises(InternalError, match="is final"), transaction.atomic():
        plain.delete()


def test_a_record_published_today_is_final_whatever_the_sessions_time_zone(april_cabinet):
    """The database's "today" is London's, as the app's: not the session's (Django's is UTC). The two
    zones are far enough apart that at any hour one of them is on another day from London."""
    published_today = record_for(april_cabinet, london_today())
    tomorrow = Meeting.objects.create(
        authority=april_cabinet.authority,
        kind=Meeting.Kind.CABINET,
        date=april_cabinet.date + datetime.timedelta(days=1),
        report_title="Another item",
    )
    published_tomorrow = record_for(tomorrow, london_today() + datetime.timedelta(days=1))
    sql = "UPDATE authorities_decision SET reasons = 'Corrected' WHERE id = %s"
    try:
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"):
            run_sql("SELECT set_config('TimeZone', %s, false)", zone)
            with pytest.raises(InternalError, match="is final"):
                run_sql(sql, published_today.pk)
            assert run_sql(sql, published_tomorrow.pk) == 1
    finally:
        run_sql("SELECT set_config('TimeZone', 'UTC', false)")


def test_a_record_not_yet_published_can_still_be_corrected_by_sql(april_cabinet):
    decision = record_for(april_cabinet, london_today() + datetime.timedelta(days=3))
    assert run_sql("UPDATE authorities_decision SET reasons = 'Corrected' WHERE id = %s", decision.pk) == 1
    assert Decision.objects.get(pk=decision.pk).reasons == "Corrected"
    assert run_sql("DELETE FROM authorities_decision WHERE id = %s", decision.pk) == 1


@pytest.mark.parametrize(
    "column, value",
    [
        ("date", datetime.date(2009, 6, 12)),
        ("date_wording", "June 2009"),
        ("kind", Meeting.Kind.SCRUTINY),
        ("report_title", "Another title"),
        ("authority_id", "darlington"),
    ],
)
def test_sql_cannot_change_what_a_published_record_prints_of_its_meeting(stockton_decision, column, value):
    if column == "authority_id":
        value = Authority.objects.get(slug=value).pk
    meeting = stockton_decision.meeting
    before = stored_row(Meeting, meeting.pk)
    with pytest.raises(InternalError, match="published decision record"):
        run_sql(f"UPDATE authorities_meeting SET {column} = %s WHERE id = %s", value, meeting.pk)
    assert stored_row(Meeting, meeting.pk) == before


def test_sql_cannot_delete_the_meeting_of_a_published_record(stockton_decision):
    with pytest.raises(InternalError, match="cannot be deleted"):
        run_sql("DELETE FROM authorities_meeting WHERE id = %s", stockton_decision.meeting.pk)
    assert Meeting.objects.filter(pk=stockton_decision.meeting.pk).exists()


def test_what_a_published_record_does_not_print_of_its_meeting_can_still_be_corrected(stockton_decision):
    meeting = stockton_decision.meeting
    sql = "UPDATE authorities_meeting SET report_summary = 'Corrected summary' WHERE id = %s"
    assert run_sql(sql, meeting.pk) == 1
    assert Meeting.objects.get(pk=meeting.pk).report_summary == "Corrected summary"


def test_a_meeting_whose_record_is_not_yet_published_can_be_changed(april_cabinet):
    record_for(april_cabinet, london_today() + datetime.timedelta(days=3))
    sql = "UPDATE authorities_meeting SET date = '2009-04-29', report_title = 'Retitled' WHERE id = %s"
    assert run_sql(sql, april_cabinet.pk) == 1
    april_cabinet.refresh_from_db()
    assert (april_cabinet.date, april_cabinet.report_title) == (datetime.date(2009, 4, 29), "Retitled")


# The ORM


def test_the_orm_refuses_to_change_or_delete_a_published_record(stockton_decision):
    before = stored_row(Decision, stockton_decision.pk)
    with pytest.raises(FinalRecordError, match="cannot be changed"):
        Decision.objects.filter(pk=stockton_decision.pk).update(reasons="Rewritten")
    with pytest.raises(FinalRecordError, match="cannot be deleted"):
        Decision.objects.filter(meeting__authority__slug="stockton-on-tees").delete()
    stockton_decision.reasons = "Rewritten"
    with pytest.raises(FinalRecordError, match="cannot be changed"):
        stockton_decision.save()
    # Moving the date of publication back does not reopen a record already published.
    stockton_decision.published_on = london_today() + datetime.timedelta(days=30)
    with pytest.raises(FinalRecordError, match="cannot be changed"):
        stockton_decision.save()
    with pytest.raises(FinalRecordError, match="cannot be deleted"):
        stockton_decision.delete()
    assert stored_row(Decision, stockton_decision.pk) == before


def test_the_orm_corrects_a_record_not_yet_published(april_cabinet):
    decision = record_for(april_cabinet, london_today() + datetime.timedelta(days=3))
    decision.reasons = "Corrected"
    decision.save()
    assert Decision.objects.filter(pk=decision.pk).update(dispensations="Not Applicable") == 1
    assert Decision.objects.get(pk=decision.pk).reasons == "Corrected"
    decision.delete()
    assert not Decision.objects.filter(meeting=april_cabinet).exists()


def test_the_orm_refuses_to_change_what_a_published_record_prints_of_its_meeting(stockton_decision):
    meeting = Meeting.objects.get(pk=stockton_decision.meeting.pk)
    before = stored_row(Meeting, meeting.pk)
    with pytest.raises(FinalRecordError, match="cannot be changed"):
        Meeting.objects.filter(pk=meeting.pk).update(date=datetime.date(2009, 6, 12))
    with pytest.raises(FinalRecordError, match="cannot be changed"):
        Meeting.objects.filter(pk=meeting.pk).update(authority_id=Authority.objects.get(slug="darlington").pk)
    meeting.report_title = "Another title"
    with pytest.raises(FinalRecordError, match="cannot be changed"):
        meeting.save()
    assert stored_row(Meeting, meeting.pk) == before
    # The rest of the meeting is not in the record.
    assert Meeting.objects.filter(pk=meeting.pk).update(report_summary="Corrected summary") == 1
    meeting.refresh_from_db()
    meeting.report_summary = "Corrected again"
    meeting.save()


def test_the_orm_changes_a_meeting_without_a_published_record(april_cabinet):
    april_cabinet.date = datetime.date(2009, 4, 29)
    april_cabinet.save()
    assert Meeting.objects.filter(pk=april_cabinet.pk).update(report_title="Retitled") == 1


# The admin


def admin_meeting_post(meeting, decision=None, **changes):
    data = {
        "authority": meeting.authority_id,
        "kind": meeting.kind,
        "date": meeting.date.isoformat() if meeting.date else "",
        "date_wording": meeting.date_wording,
        "report_title": meeting.report_title,
        "report_summary": meeting.report_summary,
        "source_document": meeting.source_document,
        "source_reference": meeting.source_reference,
        "decision-TOTAL_FORMS": "1" if decision else "0",
        "decision-INITIAL_FORMS": "1" if decision else "0",
        "decision-MIN_NUM_FORMS": "0",
        "decision-MAX_NUM_FORMS": "1",
    }
    if decision:
        data.update({"decision-0-id": decision.pk, "decision-0-meeting": meeting.pk})
    data.update(changes)
    return data


def test_the_admin_shows_what_a_published_record_prints_of_its_meeting_read_only(
    client, administrator, stockton_decision
):
    meeting = stockton_decision.meeting
    url = reverse("admin:authorities_meeting_change", args=[meeting.pk])
    client.force_login(administrator)
    page = client.get(url).content.decode()
    for field in Meeting.PRINTED_FIELDS:
        assert f'name="{field}"' not in page
    assert "Lord Laming" in page  # the title is shown, as text
    assert 'name="report_summary"' in page
    assert reverse("admin:authorities_meeting_delete", args=[meeting.pk]) not in page

    before = stored_row(Meeting, meeting.pk)
    reply = client.post(
        url,
        admin_meeting_post(
            meeting,
            stockton_decision,
            date="2009-06-12",
            report_title="Another title",
            kind=Meeting.Kind.SCRUTINY,
            report_summary="Corrected summary",
        ),
    )
    assert reply.status_code == 302
    after = stored_row(Meeting, meeting.pk)
    assert after.pop("report_summary") == "Corrected summary"
    before.pop("report_summary")
    assert after == before
    assert client.post(reverse("admin:authorities_meeting_delete", args=[meeting.pk])).status_code == 403


def test_the_admin_changes_a_meeting_without_a_published_record(client, administrator, april_cabinet):
    url = reverse("admin:authorities_meeting_change", args=[april_cabinet.pk])
    client.force_login(administrator)
    assert 'name="report_title"' in client.get(url).content.decode()
    reply = client.post(url, admin_meeting_post(april_cabinet, date="2009-04-29", report_title="Retitled"))
    assert reply.status_code == 302
    april_cabinet.refresh_from_db()
    assert (april_cabinet.date, april_cabinet.report_title) == (datetime.date(2009, 4, 29), "Retitled")


def test_published_means_on_or_after_the_date_of_publication_in_london(april_cabinet):
    decision = record_for(april_cabinet, timezone.localdate())
    assert decision.is_published
    assert list(Decision.objects.published().filter(meeting=april_cabinet)) == [decision]
