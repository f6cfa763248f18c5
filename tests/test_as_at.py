"""Figures as at a date: every progress update keeps its response's whole state, so any day's figures
are rebuilt from the timeline. A change recorded today is not in a report or dashboard as at 2009."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from authorities import pdf
from authorities.models import CabinetReport, Meeting, Membership
from recommendations.models import Commitment
from responses.cabinet import services
from responses.cabinet.content import build_report, clerk_warnings, format_date, previous_report, report_as_at
from responses.models import LocalResponse, ProgressUpdate, Rag, Status

from .conftest import make_user
from .helpers import visible_text
from .test_dashboards import table_rows
from .test_reports import change_darlington_response
from .worker import run_queued_tasks

JULY_2009 = datetime.date(2009, 7, 1)


def darlington_51():
    return LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51, part=None)


def dated_update(response, day, **state):
    """An update recorded on `day` (as a source document's dated entry would be), leaving `state`."""
    values = {
        "status_after": response.status,
        "rag_after": response.rag,
        "target_date_after": response.target_date,
        "text_after": response.text,
        "lead_officer_after": response.lead_officer,
        "evidence_after": response.evidence,
    }
    values.update(state)
    return ProgressUpdate.objects.create(
        response=response,
        dated=day,
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))),
        by_name="Test",
        note="Dated for the test.",
        **values,
    )


def test_every_update_keeps_the_whole_state_of_its_response(officer_darlington):
    change_darlington_response(
        51,
        status=Status.COMPLETE,
        rag=Rag.GREEN,
        lead_officer="Jenni Cooke",
        text="Done.",
        evidence="Minutes.",
    )
    update = darlington_51().updates.timeline().first()
    assert (
        update.status_after,
        update.rag_after,
        update.lead_officer_after,
        update.text_after,
        update.evidence_after,
    ) == (Status.COMPLETE, Rag.GREEN, "Jenni Cooke", "Done.", "Minutes.")


def test_the_reference_datas_updates_hold_their_responses_as_shipped(db):
    for response in LocalResponse.objects.filter(authority__slug="central-bedfordshire")[:10]:
        (update,) = response.updates.all()
        assert (update.text_after, update.status_after, update.target_date_after) == (
            response.text,
            response.status,
            response.target_date,
        )


def test_a_response_as_at_a_day_is_as_its_last_update_by_the_end_of_that_day(db):
    response = darlington_51()
    shipped = response.status
    dated_update(response, datetime.date(2009, 9, 30), status_after=Status.COMPLETE, rag_after=Rag.GREEN)

    def as_at(day):
        (rebuilt,) = LocalResponse.objects.filter(pk=response.pk).as_at(day)
        return rebuilt.status, rebuilt.rag

    assert as_at(datetime.date(2009, 9, 29)) == (shipped, Rag.NOT_RATED)  # the day before
    assert as_at(datetime.date(2009, 9, 30)) == (Status.COMPLETE, Rag.GREEN)  # the day of
    assert as_at(datetime.date(2009, 10, 1)) == (Status.COMPLETE, Rag.GREEN)  # the day after


def test_a_response_first_recorded_after_the_day_is_left_out(db):
    # Darlington's document gives no date; the reference data places it on 12 May 2009.
    darlington = LocalResponse.objects.filter(authority__slug="darlington")
    assert LocalResponse.objects.filter(pk__in=darlington).as_at(datetime.date(2009, 5, 11)) == []
    on_the_day = LocalResponse.objects.filter(pk__in=darlington).as_at(datetime.date(2009, 5, 12))
    assert len(on_the_day) == darlington.count() == 8
    assert all(response.rests_on_undated_source for response in on_the_day)


def test_overdue_and_stale_are_judged_on_the_day_the_figures_describe(db):
    response = darlington_51()
    dated_update(response, datetime.date(2009, 6, 1), target_date_after=datetime.date(2009, 6, 30))
    (on_the_day,) = LocalResponse.objects.filter(pk=response.pk).as_at(datetime.date(2009, 6, 30))
    (day_after,) = LocalResponse.objects.filter(pk=response.pk).as_at(datetime.date(2009, 7, 1))
    assert (on_the_day.is_overdue, day_after.is_overdue) == (False, True)
    (day_89,) = LocalResponse.objects.filter(pk=response.pk).as_at(datetime.date(2009, 8, 29))
    (day_91,) = LocalResponse.objects.filter(pk=response.pk).as_at(datetime.date(2009, 8, 31))
    assert (day_89.is_stale, day_91.is_stale) == (False, True)


# Pages as at a day


def test_a_change_recorded_today_is_not_on_the_council_dashboard_as_at_2009(client, chair_darlington):
    change_darlington_response(51, status=Status.COMPLETE, rag=Rag.GREEN)
    client.force_login(chair_darlington)
    url = reverse("authorities:detail", args=["darlington"])

    today = client.get(url)
    then = client.get(url + "?as_at=2009-07-01")
    complete = [s.value for s in Status].index(Status.COMPLETE)
    assert table_rows(today.content.decode(), "status-table")["All themes"][complete] == "1"
    assert table_rows(then.content.decode(), "status-table")["All themes"][complete] == "0"
    assert "As at 1 July 2009" in visible_text(then)
    assert f"As at {timezone.localdate():%-d %B %Y}" in visible_text(today)
    # 51 now rests on today's change; Darlington's other responses on its undated report.
    undated = LocalResponse.objects.filter(authority__slug="darlington").count() - 1
    assert (
        f"{undated} of Darlington's responses are taken from a document of the council's that gives no date"
        in (visible_text(today))
    )
    assert f"{undated + 1} of Darlington's responses are taken" in visible_text(then)


def test_a_change_recorded_today_is_not_in_the_comparison_as_at_2009(client, chair_darlington):
    change_darlington_response(51, status=Status.COMPLETE)
    client.force_login(chair_darlington)
    url = reverse("responses:comparison") + "?council=darlington"
    complete = [s.value for s in Status].index(Status.COMPLETE)
    today = table_rows(client.get(url).content.decode(), "council-summary")
    then = table_rows(client.get(url + "&as_at=2009-07-01").content.decode(), "council-summary")
    assert (today["Darlington"][complete], then["Darlington"][complete]) == ("1", "0")
    # Before any council's document, no council had responded to anything.
    url = reverse("responses:comparison")
    before = table_rows(client.get(url + "?as_at=2009-03-31").content.decode(), "council-summary")
    assert before["Darlington"][-2:] == ["58", "0"]  # no response, none assured


def test_commitments_as_at_a_day_say_whether_their_dates_had_passed_then(client, chair_darlington):
    client.force_login(chair_darlington)
    url = reverse("recommendations:commitments")

    def passed(query):
        return visible_text(client.get(url + query)).count("Date passed")

    dated = [c.due_date for c in Commitment.objects.exclude(due_date=None)]
    assert passed("") == sum(day < timezone.localdate() for day in dated)
    assert passed("?as_at=2009-07-01") == sum(day < JULY_2009 for day in dated) == 1  # June 2009
    assert passed("?as_at=2009-08-01") == sum(day < datetime.date(2009, 8, 1) for day in dated) == 3


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("1 July 2009", "Enter a real date, for example 2009-07-01"),
        ("2009-02-30", "Enter a real date, for example 2009-07-01"),
        ("2999-01-01", "The date must be today or in the past"),
    ],
)
def test_a_date_that_cannot_be_used_is_refused_with_a_message(client, chair_darlington, typed, problem):
    client.force_login(chair_darlington)
    for url in (
        reverse("authorities:detail", args=["darlington"]),
        reverse("responses:comparison"),
        reverse("recommendations:commitments"),
    ):
        reply = client.get(url, {"as_at": typed})
        assert reply.status_code == 400
        assert problem in visible_text(reply)


# Cabinet reports as at the meeting


@pytest.fixture
def report_to_2009_meeting(darlington, clerk_darlington):
    return services.create_report(
        authority=darlington,
        by=clerk_darlington,
        title="Laming: progress",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=datetime.date(2009, 7, 21),
    )


def test_a_report_is_as_at_its_meeting_and_leaves_out_what_changed_since(
    clerk_client, report_to_2009_meeting
):
    change_darlington_response(51, status=Status.COMPLETE, rag=Rag.GREEN)
    content = build_report(report_to_2009_meeting)
    assert content.as_at == datetime.date(2009, 7, 21)
    assert [r.status for r in content.responses if r.recommendation.number == 51] == [Status.IN_PROGRESS]
    assert content.totals.status_counts[Status.COMPLETE] == 0
    preview = visible_text(
        clerk_client.get(
            reverse("authorities:report_preview", args=["darlington", report_to_2009_meeting.pk])
        )
    )
    assert "As at 21 July 2009" in preview
    assert "RAG from Not rated to Green" not in preview
    # Darlington's document gives no date: the report says its figures rest on it.
    shipped = LocalResponse.objects.filter(authority__slug="darlington").count()
    assert (
        f"{shipped} of these responses are taken from a document of the Council's that gives no date, and "
        "counted from the earliest date it can have been written."
    ) in preview


def test_the_clerk_can_choose_another_as_at_date_but_never_a_day_still_to_come(report_to_2009_meeting):
    report_to_2009_meeting.as_at = datetime.date(2009, 6, 1)
    assert report_as_at(report_to_2009_meeting) == datetime.date(2009, 6, 1)
    report_to_2009_meeting.as_at = None
    report_to_2009_meeting.meeting.date = timezone.localdate() + datetime.timedelta(days=10)
    assert report_as_at(report_to_2009_meeting) == timezone.localdate()


def test_the_clerk_is_warned_when_the_meeting_has_passed_or_the_figures_are_after_it(
    clerk_client, report_to_2009_meeting
):
    url = report_to_2009_meeting.get_absolute_url()
    text = visible_text(clerk_client.get(url))
    assert "The meeting on 21 July 2009 has already taken place." in text
    assert "after the meeting" not in text
    CabinetReport.objects.filter(pk=report_to_2009_meeting.pk).update(as_at=datetime.date(2009, 8, 1))
    text = visible_text(clerk_client.get(url))
    assert "The figures are as at 1 August 2009, after the meeting on 21 July 2009." in text
    edit = reverse("authorities:report_edit", args=["darlington", report_to_2009_meeting.pk])
    assert "The meeting on 21 July 2009 has already taken place." in visible_text(clerk_client.get(edit))


@pytest.mark.parametrize("days_ago, warned", [(-1, False), (0, False), (1, True)])
def test_the_meeting_has_taken_place_from_the_day_after_it(report_to_2009_meeting, days_ago, warned):
    """On the morning of the meeting the clerk may still send the report: no warning until the day after."""
    meeting = report_to_2009_meeting.meeting
    meeting.date = timezone.localdate() - datetime.timedelta(days=days_ago)
    warnings = clerk_warnings(report_to_2009_meeting, as_at=min(meeting.date, timezone.localdate()))
    passed = f"The meeting on {format_date(meeting.date)} has already taken place."
    assert (passed in warnings) is warned
    assert warnings == ([passed] if warned else [])


def test_the_quick_draft_takes_an_as_at_date(clerk_client, monkeypatch):
    seen = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: seen.append(html) or pdf.RenderedPDF(b"%PDF-x", 1))
    url = reverse("authorities:cabinet_report_pdf", args=["darlington"])
    assert clerk_client.get(url + "?as_at=2009-07-01").status_code == 202
    run_queued_tasks()
    assert "As at 1 July 2009" in seen[-1]
    reply = clerk_client.get(url + "?as_at=2009-07-01")
    assert reply.status_code == 200
    assert "as-at-2009-07-01.pdf" in reply["Content-Disposition"]
    refused = clerk_client.get(url + "?as_at=yesterday")
    assert refused.status_code == 400
    assert "Enter a real date, for example 2009-07-01" in visible_text(refused)


@pytest.mark.parametrize(
    "day, follows", [(datetime.date(2009, 6, 11), False), (datetime.date(2009, 6, 12), True)]
)
def test_a_meeting_on_record_is_the_last_report_only_if_it_came_before_this_ones_meeting(db, day, follows):
    # Stockton's Cabinet of 11 June 2009 is on record (seed 003).
    stockton = Meeting.objects.get(authority__slug="stockton-on-tees", date=datetime.date(2009, 6, 11))
    clerk = make_user("clerk.stockton-as-at", stockton.authority, Membership.Role.CLERK)
    # A council has one Cabinet a day (migration 0011): a report for 11 June goes to that meeting itself.
    meeting = {"meeting": stockton} if day == stockton.date else {"new_meeting_kind": Meeting.Kind.CABINET}
    report = services.create_report(
        authority=stockton.authority,
        by=clerk,
        title="Laming: progress",
        new_meeting_date=day,
        **meeting,
    )
    previous = previous_report(report, report_as_at(report))
    assert (previous is not None and previous.meeting == stockton) is follows


@pytest.mark.parametrize(
    "day, follows", [(datetime.date(2009, 6, 11), False), (datetime.date(2009, 6, 12), True)]
)
def test_without_a_meeting_a_meeting_on_record_is_the_last_report_only_if_before_the_as_at_day(
    db, day, follows
):
    """A report with no meeting of its own counts from its as-at day: Stockton's Cabinet of 11 June 2009,
    on record, came before a report as at 12 June, but not before one as at 11 June itself."""
    stockton = Meeting.objects.get(authority__slug="stockton-on-tees", date=datetime.date(2009, 6, 11))
    report = CabinetReport(authority=stockton.authority, title="Laming: progress", as_at=day)
    previous = previous_report(report, day)
    assert (previous is not None and previous.meeting == stockton) is follows
