"""A council has one meeting of a kind on a day: "A new meeting" on the report form cannot record a
meeting twice, nor can anything else (the database's constraint), and migration 0010 merges meetings
recorded twice before the constraint arrives. The race of two clerks is in test_concurrency.py."""

import datetime
import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from authorities.models import CabinetReport, Decision, Meeting
from responses.cabinet import services

from .helpers import visible_text

JULY_21 = datetime.date(2009, 7, 21)
NEW_REPORT = reverse("authorities:report_new", args=["darlington"])
ALREADY = "There is already a meeting of Cabinet on 21 July 2009. Choose it from the list"


def new_meeting(kind="cabinet", day=JULY_21, title="Laming: progress in Darlington"):
    return {
        "meeting": "new",
        "new_meeting_kind": kind,
        "new_meeting_date_day": str(day.day),
        "new_meeting_date_month": str(day.month),
        "new_meeting_date_year": str(day.year),
        "title": title,
    }


def test_a_new_meeting_that_exists_is_refused_and_the_clerk_chooses_it_from_the_list(clerk_client):
    assert clerk_client.post(NEW_REPORT, new_meeting(title="First report")).status_code == 302
    meeting = Meeting.objects.get(authority__slug="darlington", date=JULY_21)

    reply = clerk_client.post(NEW_REPORT, new_meeting(title="Second report"))

    assert reply.status_code == 200
    page = visible_text(reply)
    assert page.startswith("Error: Create a report")
    assert f"There is a problem {ALREADY}" in page
    assert f'<a href="#id_meeting">{ALREADY}</a>' in reply.content.decode()
    assert '<p id="id_meeting-error" class="govuk-error-message">' in reply.content.decode()
    assert "Darlington Cabinet, 21 July 2009 (First report)" in page
    assert Meeting.objects.filter(authority__slug="darlington", date=JULY_21).count() == 1
    assert CabinetReport.objects.count() == 1

    chosen = clerk_client.post(NEW_REPORT, {**new_meeting(title="Second report"), "meeting": str(meeting.pk)})

    assert chosen.status_code == 302
    assert list(CabinetReport.objects.order_by("pk").values_list("title", "meeting")) == [
        ("First report", meeting.pk),
        ("Second report", meeting.pk),
    ]


def test_the_lscb_and_scrutiny_are_named_as_a_clerk_would(clerk_client):
    for kind, named in (
        ("lscb", "the Local Safeguarding Children Board"),
        ("scrutiny", "the scrutiny committee"),
    ):
        clerk_client.post(NEW_REPORT, new_meeting(kind=kind))
        reply = clerk_client.post(NEW_REPORT, new_meeting(kind=kind))
        assert f"There is already a meeting of {named} on 21 July 2009. Choose it from the list" in (
            visible_text(reply)
        )


def test_another_kind_another_day_or_another_council_is_a_different_meeting(
    clerk_client, clerk_darlington, newcastle
):
    assert clerk_client.post(NEW_REPORT, new_meeting()).status_code == 302
    assert clerk_client.post(NEW_REPORT, new_meeting(kind="lscb")).status_code == 302
    assert clerk_client.post(NEW_REPORT, new_meeting(day=JULY_21.replace(day=22))).status_code == 302
    services.create_report(
        authority=newcastle,
        by=clerk_darlington,  # the service does not decide who may: the view does
        title="Newcastle",
        new_meeting_kind="cabinet",
        new_meeting_date=JULY_21,
    )
    assert Meeting.objects.filter(date__in=[JULY_21, JULY_21.replace(day=22)]).count() == 4


def test_the_service_refuses_a_second_record_of_a_meeting_and_names_the_first(darlington, clerk_darlington):
    first = services.create_report(
        authority=darlington,
        by=clerk_darlington,
        title="A",
        new_meeting_kind="cabinet",
        new_meeting_date=JULY_21,
    )
    with pytest.raises(services.MeetingExistsError) as refused:
        services.create_report(
            authority=darlington,
            by=clerk_darlington,
            title="B",
            new_meeting_kind="cabinet",
            new_meeting_date=JULY_21,
        )
    assert refused.value.meeting == first.meeting
    assert CabinetReport.objects.count() == 1


def test_the_database_refuses_a_second_record_of_a_meeting_but_not_of_undated_ones(darlington):
    Meeting.objects.create(authority=darlington, kind="cabinet", date=JULY_21, report_title="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(authority=darlington, kind="cabinet", date=JULY_21, report_title="B")
    # A source that gives no date: two such meetings are not the same meeting.
    Meeting.objects.create(authority=darlington, kind="lscb", date=None, report_title="Undated")
    Meeting.objects.create(authority=darlington, kind="lscb", date=None, report_title="Undated")


# Migration 0010, on meetings recorded twice before the rule: run with the models as they were then, on
# this database with the constraint lifted for the test (its transaction is rolled back after).


@pytest.fixture
def without_the_constraint(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE authorities_meeting DROP CONSTRAINT unique_meeting_of_council_kind_and_date"
        )
    yield
    with connection.cursor() as cursor:  # fails if any duplicate is left: part of each test's check
        # The merge's deletes leave checks of foreign keys pending, which an ALTER TABLE may not follow.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE authorities_meeting ADD CONSTRAINT unique_meeting_of_council_kind_and_date "
            "UNIQUE (authority_id, kind, date)"
        )


def merge():
    migration = importlib.import_module("authorities.migrations.0010_merge_duplicate_meetings")
    state = MigrationExecutor(connection).loader.project_state(
        ("authorities", "0010_merge_duplicate_meetings")
    )
    migration.merge_duplicate_meetings(state.apps, None)


def test_the_migration_merges_meetings_recorded_twice_and_moves_their_drafts(
    without_the_constraint, darlington, newcastle, clerk_darlington
):
    april = Meeting.objects.get(authority=darlington, date=datetime.date(2009, 4, 28))  # the reference data's
    twice = Meeting.objects.create(
        authority=darlington, kind="cabinet", date=april.date, report_title="Again"
    )
    draft = services.create_report(authority=darlington, by=clerk_darlington, title="Draft", meeting=twice)
    first, second, third = (
        Meeting.objects.create(authority=newcastle, kind="lscb", date=JULY_21, report_title=title)
        for title in ("NSCB 1", "NSCB 2", "NSCB 3")
    )
    newcastle_drafts = [
        services.create_report(
            authority=newcastle, by=clerk_darlington, title=f"On {m.report_title}", meeting=m
        )
        for m in (second, third)
    ]
    undated = [Meeting.objects.create(authority=newcastle, kind="lscb", report_title="Undated") for _ in "ab"]

    merge()

    assert not Meeting.objects.filter(pk__in=[twice.pk, second.pk, third.pk]).exists()
    assert Meeting.objects.filter(pk__in=[april.pk, first.pk, *(m.pk for m in undated)]).count() == 4
    draft.refresh_from_db()
    assert draft.meeting == april
    assert {
        report.meeting_id for report in CabinetReport.objects.filter(pk__in=[r.pk for r in newcastle_drafts])
    } == {first.pk}
    april.refresh_from_db()
    assert april.report_title.startswith("The Laming Report")  # the kept meeting's own title stays


def test_the_migration_keeps_the_record_with_a_decision_and_merges_the_first_into_it(
    without_the_constraint, clerk_darlington
):
    stockton = Meeting.objects.get(authority__slug="stockton-on-tees", date=datetime.date(2009, 6, 11))
    assert hasattr(stockton, "decision")
    earlier = Meeting.objects.create(
        authority=stockton.authority, kind="cabinet", date=JULY_21, report_title="A"
    )
    with_decision = Meeting.objects.create(
        authority=stockton.authority, kind="cabinet", date=JULY_21, report_title="B"
    )
    with_decision.decision = Decision.objects.create(
        meeting=with_decision, record="Noted.", decisions="The report be noted."
    )
    draft = services.create_report(
        authority=stockton.authority, by=clerk_darlington, title="On A", meeting=earlier
    )

    merge()

    assert not Meeting.objects.filter(pk=earlier.pk).exists()
    draft.refresh_from_db()
    assert draft.meeting_id == with_decision.pk


def test_the_migration_stops_and_names_meetings_it_cannot_merge(without_the_constraint, darlington):
    pair = [
        Meeting.objects.create(authority=darlington, kind="scrutiny", date=JULY_21, report_title=title)
        for title in ("A", "B")
    ]
    for meeting in pair:
        Decision.objects.create(meeting=meeting, record="Noted.", decisions="Noted.")

    with pytest.raises(RuntimeError) as stopped, transaction.atomic():
        merge()

    assert str(stopped.value) == (
        "These meetings are recorded more than once, and more than one record of each has a decision "
        "record or an issued report, which cannot be moved: Darlington scrutiny committee on 21 July 2009 "
        f"(meetings {pair[0].pk}, {pair[1].pk}). Nothing has been changed. Correct them by hand (a wrongly "
        "entered date or kind, in the admin) and migrate again."
    )
    assert Meeting.objects.filter(pk__in=[m.pk for m in pair]).count() == 2
    # Settled by hand, as the message says: one was on another day.
    Meeting.objects.filter(pk=pair[1].pk).update(date=JULY_21.replace(day=22))
