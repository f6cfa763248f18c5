"""Clerks build a Cabinet report in the browser, preview it, issue it, and everyone can read what was issued.

An issued report is what the meeting was told: its PDF is stored with a checksum and the data it
was built from, and nothing (the app, the admin, the database) changes it afterwards.
"""

import datetime
import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from authorities import pdf
from authorities.models import STANDARD_IMPLICATION_HEADINGS, Authority, CabinetReport, Meeting, Membership
from fixtures.reference.keys import DARLINGTON_ACTION_PLAN_CABINET_MEETING
from recommendations.models import Recommendation
from responses.cabinet import services
from responses.cabinet.content import (
    DEFAULT_TITLE,
    DELIVERY_COLUMNS,
    build_report,
    changes_between,
    default_report,
    issued_on,
    short_label,
    snapshot_of_response,
    theme_sentence,
)
from responses.cabinet.forms import ReportForm
from responses.models import LocalResponse, Rag, Status
from responses.services import record_progress

from .conftest import make_user
from .helpers import visible_text
from .pdftools import pdf_info, pdf_text, squeeze
from .test_query_counts import add_councils
from .varied import RECOMMENDATIONS_ANSWERED, RESPONSE_COUNT, varied_data  # noqa: F401
from .worker import run_queued_tasks


def titled(number):
    """ "51. Separate ..." : a recommendation as the report names it, by number and short title."""
    return Recommendation.objects.get(number=number).numbered_title


# The meeting the `draft` report goes to: four weeks ahead, so the report is as at today.
MEETING_DAY = timezone.localdate() + datetime.timedelta(days=28)
MEETING = f"Darlington Cabinet, {MEETING_DAY:%-d %B %Y}"

PREPARERS = ("clerk_darlington", "officer_darlington", "administrator")
NOT_PREPARERS = ("officer_newcastle", "chair_darlington", "outsider")


def new_report_post(**changes):
    data = {
        "meeting": "new",
        "new_meeting_kind": "cabinet",
        "new_meeting_date_day": "21",
        "new_meeting_date_month": "7",
        "new_meeting_date_year": "2009",
        "title": "Laming: progress in Darlington",
    }
    data.update(changes)
    return data


def report_form_post(report, **changes):
    """What the edit form posts: the report as it stands, with the given changes."""
    data = {
        name: getattr(report, name)
        for name in (
            "title",
            "purpose",
            "background",
            "summary",
            "recommendations_to_members",
            "director_name",
            "director_title",
            "background_papers",
            "contact_officer",
            "contact_details",
            "council_narrative",
            "further_information",
            "outcome_of_consultation",
        )
    }
    if report.as_at:
        data.update(as_at_day=report.as_at.day, as_at_month=report.as_at.month, as_at_year=report.as_at.year)
    if report.include_changes:
        data["include_changes"] = "on"
    if report.list_all_recommendations:
        data["list_all_recommendations"] = "on"
    for index, row in enumerate(report.implications):
        data[f"implication_{index}"] = row["text"]
    data["version"] = str(report.version)
    data.update(changes)
    return data


@pytest.fixture
def draft(darlington, clerk_darlington):
    """A draft report of Darlington's for a Cabinet four weeks ahead, its narrative from the defaults:
    as at today, so today's changes are in it."""
    return services.create_report(
        authority=darlington,
        by=clerk_darlington,
        title="Laming: progress in Darlington",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=MEETING_DAY,
    )


def pdf_naming_its_html(html):
    """A stand-in for WeasyPrint (seconds a report) where a test needs *an* issued report, not its
    pages: a small PDF that differs whenever the HTML does. The tests that read an issued PDF's text
    issue theirs for real, as does tests/test_report_pdf.py."""
    return pdf.RenderedPDF(b"%PDF-1.7 stand-in " + hashlib.sha256(html.encode()).hexdigest().encode(), 1)


@pytest.fixture
def issued(draft, clerk_darlington, monkeypatch):
    with monkeypatch.context() as issuing:
        issuing.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
        return services.issue_report(report=draft, by=clerk_darlington, expected_version=draft.version)


def change_darlington_response(number, **changes):
    response = LocalResponse.objects.get(
        authority__slug="darlington", recommendation__number=number, part=None
    )
    values = {
        "text": response.text,
        "status": response.status,
        "rag": response.rag,
        "lead_officer": response.lead_officer,
        "target_date": response.target_date,
        "target_date_reason": "",
        "evidence": response.evidence,
        "note": "Updated for the test.",
    }
    values.update(changes)
    return record_progress(
        authority=response.authority,
        recommendation=response.recommendation,
        part=None,
        by=get_user_model().objects.filter(username=f"officer.change-{number}").first()
        or make_user(f"officer.change-{number}", response.authority, Membership.Role.OFFICER),
        expected_version=response.version,
        **values,
    )


# Building a report


def test_clerk_creates_a_report_for_a_new_meeting_with_the_narrative_from_the_councils_records(
    clerk_client, clerk_darlington
):
    reply = clerk_client.post(reverse("authorities:report_new", args=["darlington"]), new_report_post())
    report = CabinetReport.objects.get()
    assert reply.status_code == 302
    assert reply["Location"] == reverse("authorities:report_edit", args=["darlington", report.pk])
    assert (report.meeting.kind, report.meeting.date) == (Meeting.Kind.CABINET, datetime.date(2009, 7, 21))
    assert report.meeting.report_title == "Laming: progress in Darlington"
    assert report.status == CabinetReport.Status.DRAFT
    assert report.created_by == clerk_darlington
    assert (report.director_name, report.director_title) == ("Murray Rose", "Director of Children's Services")
    assert (report.contact_officer, report.contact_details) == ("Jenni Cooke", "Extension 2861")
    assert [row["heading"] for row in report.implications][-2:] == [
        "One Darlington: Perfectly Placed",
        "Efficiency",
    ]
    assert report.implications[0]["text"].startswith("The safeguarding agenda is linked to domestic violence")
    assert report.missing_for_issue() == []


def test_clerk_can_put_a_report_to_a_meeting_already_recorded(clerk_client):
    meeting = Meeting.objects.get(authority__slug="darlington", date=datetime.date(2009, 4, 28))
    page = visible_text(clerk_client.get(reverse("authorities:report_new", args=["darlington"])))
    assert "Darlington Cabinet, 28 April 2009 (The Laming Report, Government response" in page
    clerk_client.post(
        reverse("authorities:report_new", args=["darlington"]), new_report_post(meeting=meeting.pk)
    )
    assert CabinetReport.objects.get().meeting == meeting
    assert Meeting.objects.filter(authority__slug="darlington").count() == 2


def test_the_new_report_form_names_what_is_missing_in_an_error_summary(clerk_client):
    reply = clerk_client.post(
        reverse("authorities:report_new", args=["darlington"]),
        new_report_post(
            new_meeting_date_day="", new_meeting_date_month="", new_meeting_date_year="", title=""
        ),
    )
    page = visible_text(reply)
    assert reply.status_code == 200
    assert "There is a problem Enter the date of the meeting Enter title of the report" in page
    assert not CabinetReport.objects.exists()
    assert (
        not Meeting.objects.filter(date=None, authority__slug="darlington")
        .exclude(pk=DARLINGTON_ACTION_PLAN_CABINET_MEETING)
        .exists()
    )


def test_a_council_without_its_own_implications_rows_gets_the_standard_headings_left_for_the_clerk(db):
    authority = Authority.objects.get(slug="central-bedfordshire")
    clerk = make_user("clerk.cb", authority, Membership.Role.CLERK)
    report = services.create_report(
        authority=authority,
        by=clerk,
        title="Laming progress",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=datetime.date(2009, 7, 14),
    )
    assert [row["heading"] for row in report.implications] == STANDARD_IMPLICATION_HEADINGS
    assert all(row["text"] == "" for row in report.implications)
    missing = report.missing_for_issue()
    assert "Enter the director's name" in missing
    assert "Enter the contact officer" in missing
    assert "Complete the implications table: Sustainability is empty" in missing


def test_clerk_edits_the_narrative_and_the_preview_numbers_it_as_darlingtons_report_does(clerk_client, draft):
    reply = clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", draft.pk]),
        report_form_post(
            draft,
            purpose="First paragraph of purpose.\n\nSecond paragraph of purpose.",
            recommendations_to_members="(a) The report be noted;\nMembers support regional work.",
            implication_2="Not related to this report, says the clerk.",
        ),
    )
    assert reply.status_code == 302
    draft.refresh_from_db()
    assert draft.version == 2
    assert draft.implications[2] == {
        "heading": "Sustainability",
        "text": "Not related to this report, says the clerk.",
    }

    preview = visible_text(
        clerk_client.get(reverse("authorities:report_preview", args=["darlington", draft.pk]))
    )
    assert (
        "Purpose of the Report 1. First paragraph of purpose. 2. Second paragraph of purpose. Background 3."
        in preview
    )
    assert "It is recommended that:- (a) The report be noted; (b) Members support regional work." in preview
    assert "Murray Rose, Director of Children's Services" in preview
    assert "Sustainability Not related to this report, says the clerk." in preview
    assert "Main Report Information and Analysis Implications for Darlington" in preview
    assert "The Action Plan has a focus on systems and processes" in preview  # Darlington's own paragraph 7
    assert "Progress by theme" in preview and "The Council has recorded" in preview
    assert "Appendix 1: Lord Laming's recommendations and Darlington's local response" in preview


def test_an_edit_based_on_an_old_version_is_refused_and_keeps_the_other_change(clerk_client, draft):
    stale = report_form_post(draft, summary="My summary.")
    clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", draft.pk]),
        report_form_post(draft, summary="Their summary."),
    )
    reply = clerk_client.post(reverse("authorities:report_edit", args=["darlington", draft.pk]), stale)
    assert reply.status_code == 200
    assert "Someone else saved a change to this report while you were editing it" in visible_text(reply)
    draft.refresh_from_db()
    assert draft.summary == "Their summary."


def test_narrative_markup_is_shown_as_text_in_the_preview(clerk_client, draft):
    clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", draft.pk]),
        report_form_post(draft, summary='<script>alert(1)</script><img src="file:///etc/passwd">'),
    )
    body = clerk_client.get(
        reverse("authorities:report_preview", args=["darlington", draft.pk])
    ).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in body
    assert "<script>alert(1)" not in body


def test_the_progress_summary_names_what_is_overdue_and_what_awaits_national_guidance(clerk_client, draft):
    change_darlington_response(51, target_date=datetime.date(2009, 9, 30), lead_officer="Jenni Cooke")
    preview = visible_text(
        clerk_client.get(reverse("authorities:report_preview", args=["darlington", draft.pk]))
    )
    assert "What is overdue" in preview
    # Only 51's date: the reference data gives Darlington's responses none (its report's "by June 2009"
    # is for its own staffing, not recommendation 24).
    assert (
        "1 response is past its target date and not yet complete: "
        f"{titled(51)}: target date 30 September 2009; in progress; lead officer Jenni Cooke"
    ) in preview
    assert "4 responses await national guidance or action" in preview
    # Darlington's report on the Action Plan (seed 000) is on record, undated: this one follows it.
    assert (
        "Since the report to the Darlington Cabinet of May 2009, which is not dated (The Protection of "
        f"Children in England Action Plan), 1 response has changed: {titled(51)}: target date from none to "
        "30 September 2009; lead officer now Jenni Cooke."
    ) in preview


def test_each_themes_sentence_gives_its_rag_ratings_or_says_none_is_rated(draft):
    change_darlington_response(51, rag=Rag.GREEN)
    themes = {theme.theme.pk: theme for theme in build_report(draft).themes}
    with_51 = themes[Recommendation.objects.get(number=51).theme_id]
    assert "RAG ratings: 1 green." in theme_sentence(with_51)
    others = [t for t in themes.values() if t is not with_51 and t.responses]
    assert others and all(not any(r.rag for r in t.responses) for t in others)
    for theme in others:
        sentence = theme_sentence(theme)
        assert "None is RAG rated." in sentence
        assert "RAG ratings" not in sentence


# Issuing: frozen for good


def test_clerk_issues_a_report_and_downloads_the_stored_pdf(clerk_client, draft, clerk_darlington):
    reply = clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", draft.pk]), {"version": draft.version}
    )
    assert reply.status_code == 302
    assert reply["Location"] == draft.get_absolute_url()
    # The worker renders and stores the PDF; until it has, the report is a draft being issued.
    assert CabinetReport.objects.get(pk=draft.pk).status == CabinetReport.Status.DRAFT
    page = clerk_client.get(draft.get_absolute_url())
    assert "The report is being issued" in visible_text(page)
    assert "Issue the report" not in visible_text(page)
    assert run_queued_tasks() == 1
    report = CabinetReport.objects.get(pk=draft.pk)
    assert report.status == CabinetReport.Status.ISSUED
    assert report.issued_by == clerk_darlington
    assert report.pdf_sha256 == hashlib.sha256(bytes(report.pdf)).hexdigest()
    assert report.snapshot["responses"]["51"]["status"] == Status.IN_PROGRESS
    assert report.snapshot["narrative"]["title"] == "Laming: progress in Darlington"

    download = clerk_client.get(reverse("authorities:report_pdf", args=["darlington", report.pk]))
    assert download.status_code == 200
    assert download.content == bytes(report.pdf)
    assert download["ETag"] == f'"{report.pdf_sha256}"'
    assert download["Content-Disposition"] == (
        f'attachment; filename="darlington-cabinet-report-{report.issued_at:%Y-%m-%d}-{report.pk}.pdf"'
    )
    info = pdf_info(download.content)
    assert info["Tagged"] == "yes"
    assert int(info["Pages"]) == report.page_count
    text = pdf_text(download.content)
    assert f"Issued {report.issued_at:%-d %B %Y}" in text
    assert f"Report to Cabinet, {MEETING_DAY:%-d %B %Y}" in text
    assert "Draft" not in text


def test_an_issued_reports_bytes_never_change_after_later_edits_to_the_responses(
    client, issued, officer_newcastle
):
    stored = bytes(issued.pdf), issued.pdf_sha256, issued.snapshot
    change_darlington_response(51, status=Status.COMPLETE, rag=Rag.GREEN, text="Independent chair appointed.")
    client.force_login(officer_newcastle)
    first = client.get(reverse("authorities:report_pdf", args=["darlington", issued.pk])).content
    second = client.get(reverse("authorities:report_pdf", args=["darlington", issued.pk])).content
    issued.refresh_from_db()
    assert first == second == stored[0]
    assert (bytes(issued.pdf), issued.pdf_sha256, issued.snapshot) == stored


def test_an_issued_report_cannot_be_edited_or_issued_again(clerk_client, issued):
    before = bytes(issued.pdf), issued.version, issued.summary
    edit = clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", issued.pk]),
        report_form_post(issued, summary="Later."),
    )
    again = clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", issued.pk]), {"version": issued.version}
    )
    assert edit.status_code == again.status_code == 302
    assert edit["Location"] == again["Location"] == issued.get_absolute_url()
    with pytest.raises(services.ReportIssuedError):
        services.update_report(report=issued, by=None, expected_version=issued.version, **edit_values(issued))
    issued.refresh_from_db()
    assert (bytes(issued.pdf), issued.version, issued.summary) == before


def edit_values(report):
    values = {
        name: getattr(report, name)
        for name in report_form_post(report)
        if not name.startswith(("impl", "ver"))
    }
    values["include_changes"] = report.include_changes
    values["list_all_recommendations"] = report.list_all_recommendations
    values["as_at"] = report.as_at
    values["implications"] = report.implications
    return values


def test_the_database_refuses_to_change_or_delete_an_issued_report(issued):
    with pytest.raises(DatabaseError), transaction.atomic():
        CabinetReport.objects.filter(pk=issued.pk).update(summary="Rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        CabinetReport.objects.filter(pk=issued.pk).delete()
    issued.refresh_from_db()
    assert issued.summary != "Rewritten"


def test_a_draft_is_not_issued_until_its_narrative_is_complete(clerk_client, draft):
    clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", draft.pk]),
        report_form_post(draft, director_name="", implication_0=""),
    )
    draft.refresh_from_db()
    reply = clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", draft.pk]), {"version": draft.version}
    )
    page = visible_text(reply)
    assert reply.status_code == 200
    assert "The report cannot be issued yet" in page
    assert "Enter the director's name" in page
    assert "Complete the implications table: S17 Crime and Disorder is empty" in page
    draft.refresh_from_db()
    assert draft.status == CabinetReport.Status.DRAFT and draft.pdf is None


def test_issue_is_refused_when_the_report_changed_after_the_clerk_looked(clerk_client, draft):
    looked_at = draft.version
    clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", draft.pk]),
        report_form_post(draft, summary="Changed."),
    )
    reply = clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", draft.pk]), {"version": looked_at}
    )
    assert "The report changed after you last looked at it" in visible_text(reply)
    draft.refresh_from_db()
    assert draft.status == CabinetReport.Status.DRAFT


# Issuing from the preview: the same warning, and the version the clerk saw


def preview_of(client, report):
    return client.get(reverse("authorities:report_preview", args=["darlington", report.pk]))


def issue_form_version(page):
    """The version the preview's Issue form sends, or None if the page has no Issue form."""
    action = reverse(
        "authorities:report_issue", args=["darlington", re.search(r"/reports/(\d+)/", page).group(1)]
    )
    form = re.search(rf'<form method="post" action="{action}".*?</form>', page, re.S)
    return int(re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)) if form else None


def test_the_preview_offers_to_issue_the_draft_with_the_reports_pages_warning(clerk_client, draft):
    page = preview_of(clerk_client, draft)
    text = visible_text(page)
    assert issue_form_version(page.content.decode()) == draft.version
    assert (
        "Issue the report ! Warning Issuing freezes the report as it stands now: its PDF is stored and can "
        "never be changed. Check the preview above first. Issue the report"
    ) in text
    # The top of the preview leads to it, as the contents list does.
    assert text.count("Issue the report") == 4


def test_a_clerk_issues_the_report_from_its_preview(clerk_client, draft, clerk_darlington):
    version = issue_form_version(preview_of(clerk_client, draft).content.decode())
    reply = clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", draft.pk]), {"version": version}
    )
    assert reply.status_code == 302
    assert reply["Location"] == draft.get_absolute_url()
    # While the worker prepares the PDF, the preview offers no second issue: it says where to watch.
    page = preview_of(clerk_client, draft)
    assert issue_form_version(page.content.decode()) is None
    assert "Issue the report The report is being issued. See how the issue is going" in visible_text(page)
    assert run_queued_tasks() == 1
    report = CabinetReport.objects.get(pk=draft.pk)
    assert report.status == CabinetReport.Status.ISSUED
    assert report.issued_by == clerk_darlington
    # Once issued, the preview is the issued report's page.
    assert preview_of(clerk_client, draft)["Location"] == draft.get_absolute_url()


def test_an_issue_from_a_preview_older_than_the_last_edit_is_refused(clerk_client, draft):
    seen = issue_form_version(preview_of(clerk_client, draft).content.decode())
    clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", draft.pk]),
        report_form_post(draft, summary="Changed after the preview."),
    )
    reply = clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", draft.pk]), {"version": seen}
    )
    assert "The report changed after you last looked at it" in visible_text(reply)
    draft.refresh_from_db()
    assert draft.status == CabinetReport.Status.DRAFT


def test_the_preview_of_an_incomplete_draft_says_what_it_needs_instead_of_offering_issue(clerk_client, draft):
    clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", draft.pk]),
        report_form_post(draft, director_name=""),
    )
    page = preview_of(clerk_client, draft)
    assert issue_form_version(page.content.decode()) is None
    assert (
        "Issue the report Before the report can be issued: Enter the director's name Complete the narrative"
    ) in visible_text(page)


def test_the_preview_warns_before_issue_when_the_meeting_has_taken_place(clerk_client, draft):
    draft.meeting.date = timezone.localdate() - datetime.timedelta(days=1)
    draft.meeting.save()
    text = visible_text(preview_of(clerk_client, draft))
    assert (
        f"Issue the report ! Warning The meeting on {draft.meeting.date:%-d %B %Y} has already taken place."
        in text
    )


def test_a_later_report_says_what_changed_since_the_last_issued_report(
    clerk_client, issued, clerk_darlington
):
    change_darlington_response(51, status=Status.COMPLETE, rag=Rag.GREEN)
    change_darlington_response(53, text="Revised text.")
    later = services.create_report(
        authority=issued.authority, by=clerk_darlington, title="Laming: later", meeting=issued.meeting
    )
    assert f"It follows the report to the {MEETING}, issued on {issued_on(issued)}." in later.purpose

    preview = visible_text(
        clerk_client.get(reverse("authorities:report_preview", args=["darlington", later.pk]))
    )
    when = f"{issued.issued_at:%-d %B %Y}"
    assert (
        f"Since the report to the {MEETING}, issued on {when}, "
        f"2 responses have changed: {titled(51)}: status from In progress to Complete; RAG from Not rated to "
        f"Green. {titled(53)}: response text revised."
    ) in preview

    later = services.issue_report(report=later, by=clerk_darlington, expected_version=later.version)
    assert later.compared_with == issued
    assert later.snapshot["compared_with"] == issued.pk
    assert squeeze(
        f"{titled(51)}: status from In progress to Complete; RAG from Not rated to Green."
    ) in squeeze(pdf_text(bytes(later.pdf)))


# One change to Darlington's response to 51 (In progress, Not rated, no lead officer, no target date)
# after the last issued report, and how the next report names it.
ONE_CHANGE = {
    "lead officer": (
        {"lead_officer": "Jenni Cooke, Safeguarding Manager"},
        "lead officer now Jenni Cooke, Safeguarding Manager",
    ),
    "target date": ({"target_date": datetime.date(2010, 3, 31)}, "target date from none to 31 March 2010"),
    "RAG": ({"rag": Rag.AMBER}, "RAG from Not rated to Amber"),
    "status": ({"status": Status.COMPLETE}, "status from In progress to Complete"),
    "text": ({"text": "Board membership reviewed; lay members appointed."}, "response text revised"),
}


def test_a_rag_cleared_back_to_not_rated_is_named_as_a_change(issued, clerk_darlington, monkeypatch):
    change_darlington_response(51, rag=Rag.RED)
    between = services.create_report(
        authority=issued.authority, by=clerk_darlington, title="Laming: between", meeting=issued.meeting
    )
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    services.issue_report(report=between, by=clerk_darlington, expected_version=between.version)
    change_darlington_response(51, rag=Rag.NOT_RATED)
    later = services.create_report(
        authority=issued.authority, by=clerk_darlington, title="Laming: later", meeting=issued.meeting
    )
    assert [str(each) for each in build_report(later).changes] == [
        f"{titled(51)}: RAG from Red to Not rated."
    ]


@pytest.mark.parametrize("what", ONE_CHANGE)
def test_the_next_report_names_exactly_the_one_thing_that_changed(
    clerk_client, issued, clerk_darlington, what
):
    change, named = ONE_CHANGE[what]
    change_darlington_response(51, **change)
    later = services.create_report(
        authority=issued.authority, by=clerk_darlington, title="Laming: later", meeting=issued.meeting
    )

    assert [str(each) for each in build_report(later).changes] == [f"{titled(51)}: {named}."]
    preview = visible_text(
        clerk_client.get(reverse("authorities:report_preview", args=["darlington", later.pk]))
    )
    when = f"{issued.issued_at:%-d %B %Y}"
    assert (
        f"Since the report to the {MEETING}, issued on {when}, 1 response has changed: {titled(51)}: {named}."
    ) in preview


def test_the_next_report_says_nothing_changed_when_nothing_did(clerk_client, issued, clerk_darlington):
    later = services.create_report(
        authority=issued.authority, by=clerk_darlington, title="Laming: later", meeting=issued.meeting
    )
    assert build_report(later).changes == []
    preview = visible_text(
        clerk_client.get(reverse("authorities:report_preview", args=["darlington", later.pk]))
    )
    when = f"{issued.issued_at:%-d %B %Y}"
    assert (
        f"Nothing in the Council's responses has changed since the report to the {MEETING}, issued on {when}."
    ) in preview


def test_values_set_before_the_last_report_are_compared_with_what_it_recorded(
    draft, clerk_darlington, monkeypatch
):
    """The shipped responses have no lead officer or target date, so the report must also be seen
    comparing ones it recorded: unchanged is not a change, and a removed lead officer is."""
    change_darlington_response(
        51, lead_officer="Jenni Cooke", target_date=datetime.date(2010, 3, 31), rag=Rag.AMBER
    )
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    services.issue_report(report=draft, by=clerk_darlington, expected_version=draft.version)
    later = services.create_report(
        authority=draft.authority, by=clerk_darlington, title="Laming: later", meeting=draft.meeting
    )
    assert build_report(later).changes == []

    change_darlington_response(
        51, lead_officer="", target_date=datetime.date(2010, 6, 30), target_date_reason="Board postponed."
    )
    assert [str(each) for each in build_report(later).changes] == [
        f"{titled(51)}: target date from 31 March 2010 to 30 June 2010; lead officer now not named."
    ]


def test_a_report_can_leave_out_the_changes_section(clerk_client, issued, clerk_darlington):
    later = services.create_report(
        authority=issued.authority, by=clerk_darlington, title="Later", meeting=issued.meeting
    )
    clerk_client.post(
        reverse("authorities:report_edit", args=["darlington", later.pk]),
        {k: v for k, v in report_form_post(later).items() if k != "include_changes"},
    )
    preview = visible_text(
        clerk_client.get(reverse("authorities:report_preview", args=["darlington", later.pk]))
    )
    assert "Changes since the last issued report" not in preview


# Who may see and do what


def test_an_issued_report_is_readable_by_every_signed_in_user(issued, request):
    for persona in ("outsider", "officer_newcastle", "chair_darlington", "clerk_darlington", "administrator"):
        client = Client()
        client.force_login(request.getfixturevalue(persona))
        page = client.get(issued.get_absolute_url())
        assert page.status_code == 200, persona
        assert f"SHA-256 checksum {issued.pdf_sha256}" in visible_text(page)
        download = client.get(reverse("authorities:report_pdf", args=["darlington", issued.pk]))
        assert download.status_code == 200, persona
        assert download.content == bytes(issued.pdf)


def test_a_signed_out_visitor_is_sent_to_sign_in_for_an_issued_report(client, issued):
    url = reverse("authorities:report_pdf", args=["darlington", issued.pk])
    reply = client.get(url)
    assert reply.status_code == 302
    assert reply["Location"].startswith(reverse("login"))


def test_an_issued_report_shows_on_the_council_page_as_what_cabinet_was_told(client, outsider, issued):
    client.force_login(outsider)
    page = visible_text(client.get(reverse("authorities:detail", args=["darlington"])))
    assert (
        f"Cabinet reports What the Cabinet was told on {MEETING_DAY:%-d %B %Y} : "
        "Laming: progress in Darlington" in page
    )
    listing = visible_text(client.get(reverse("authorities:reports", args=["darlington"])))
    assert f"{MEETING} Laming: progress in Darlington" in listing
    assert f"Download the report issued {issued.issued_at:%-d %B %Y} (PDF," in listing


def test_drafts_are_listed_only_for_those_who_prepare_the_councils_papers(client, draft, request):
    for persona, sees in (
        ("clerk_darlington", True),
        ("chair_darlington", False),
        ("officer_newcastle", False),
    ):
        client.force_login(request.getfixturevalue(persona))
        page = visible_text(client.get(reverse("authorities:reports", args=["darlington"])))
        assert ("Drafts" in page) is sees, persona
        assert ("Create a report" in page) is sees, persona


def everything_about_reports():
    return (
        list(CabinetReport.objects.order_by("pk").values("pk", "status", "version", "summary")),
        list(Meeting.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize("persona", NOT_PREPARERS)
@pytest.mark.parametrize("action", ["create", "edit", "issue"])
def test_people_who_may_not_prepare_darlingtons_papers_are_refused_every_write_and_nothing_changes(
    client, request, draft, persona, action
):
    url, body = {
        "create": (reverse("authorities:report_new", args=["darlington"]), new_report_post()),
        "edit": (reverse("authorities:report_edit", args=["darlington", draft.pk]), report_form_post(draft)),
        "issue": (
            reverse("authorities:report_issue", args=["darlington", draft.pk]),
            {"version": draft.version},
        ),
    }[action]
    before = everything_about_reports()
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url, body).status_code == 403
    assert everything_about_reports() == before


@pytest.mark.parametrize("persona", NOT_PREPARERS)
def test_people_who_may_not_prepare_darlingtons_papers_cannot_open_its_draft_or_its_draft_pdf(
    client, request, draft, persona
):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        draft.get_absolute_url(),
        reverse("authorities:report_preview", args=["darlington", draft.pk]),
        reverse("authorities:report_pdf", args=["darlington", draft.pk]),
        reverse("authorities:cabinet_report_pdf", args=["darlington"]),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("action", ["create", "issue"])
def test_a_signed_out_post_is_sent_to_sign_in_and_nothing_changes(client, draft, action):
    url = {
        "create": reverse("authorities:report_new", args=["darlington"]),
        "issue": reverse("authorities:report_issue", args=["darlington", draft.pk]),
    }[action]
    before = everything_about_reports()
    reply = client.post(url, new_report_post() if action == "create" else {"version": draft.version})
    assert reply.status_code == 302 and reply["Location"].startswith(reverse("login"))
    assert everything_about_reports() == before


def test_another_councils_report_number_is_not_found_under_this_council(clerk_client, db, newcastle):
    report = services.create_report(
        authority=newcastle,
        by=make_user("clerk.nc", newcastle, Membership.Role.CLERK),
        title="Newcastle",
        new_meeting_kind=Meeting.Kind.LSCB,
        new_meeting_date=datetime.date(2009, 9, 1),
    )
    assert clerk_client.get(reverse("authorities:report", args=["darlington", report.pk])).status_code == 404


def test_a_meeting_of_another_council_cannot_be_chosen(draft, newcastle, clerk_darlington):
    meeting = Meeting.objects.create(authority=newcastle, kind=Meeting.Kind.LSCB, report_title="NSCB")
    with pytest.raises(services.ValidationError):
        services.create_report(authority=draft.authority, by=clerk_darlington, title="x", meeting=meeting)


# The admin shows issued reports read-only


def test_the_admin_shows_an_issued_report_read_only_and_will_not_delete_it(client, administrator, issued):
    client.force_login(administrator)
    change = client.get(reverse("admin:authorities_cabinetreport_change", args=[issued.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert (
        client.post(reverse("admin:authorities_cabinetreport_change", args=[issued.pk]), {}).status_code
        == 403
    )
    assert client.get(reverse("admin:authorities_cabinetreport_delete", args=[issued.pk])).status_code == 403


# Query counts of the report pages


@pytest.mark.parametrize("extra_councils", [0, 36])
def test_report_pages_query_counts_are_pinned_whatever_the_number_of_councils(
    clerk_client, draft, django_assert_num_queries, extra_councils
):
    add_councils(extra_councils)
    # session, user, report with council, meeting, decision and people, memberships (may they see a draft?),
    # its latest issue job (is it being issued?)
    with django_assert_num_queries(5):
        assert clerk_client.get(draft.get_absolute_url()).status_code == 200
    # session, user, report with council and meeting, memberships, its latest issue job
    with django_assert_num_queries(5):
        assert (
            clerk_client.get(reverse("authorities:report_edit", args=["darlington", draft.pk])).status_code
            == 200
        )
    # session, user, report with council and meeting, memberships, its latest issue job (is it being
    # issued?), then the report's data: recommendations with themes, parts, the council's responses,
    # commitments, their links; and the last report to the Cabinet: the last issued report, the council's
    # meetings on record, the day of its undated one (the Action Plan report of seed 000) and its responses
    # as at that day (responses, their updates)
    with django_assert_num_queries(15):
        assert (
            clerk_client.get(reverse("authorities:report_preview", args=["darlington", draft.pk])).status_code
            == 200
        )


def test_an_issued_report_downloads_from_storage_without_rendering(
    client, outsider, issued, django_assert_num_queries, monkeypatch
):
    def no_rendering(*args, **kwargs):
        raise AssertionError("an issued report must not be rendered again")

    monkeypatch.setattr(pdf, "html_to_pdf", no_rendering)
    client.force_login(outsider)
    # session, user, the report with its PDF, council and meeting; nothing is rendered
    with django_assert_num_queries(3):
        assert (
            client.get(reverse("authorities:report_pdf", args=["darlington", issued.pk])).status_code == 200
        )
    # session, user, the report (without its PDF) with council, meeting, decision and people, memberships
    with django_assert_num_queries(4):
        assert client.get(issued.get_absolute_url()).status_code == 200


def test_a_stored_pdf_that_no_longer_matches_its_checksum_is_never_served(issued):
    issued.pdf = bytes(issued.pdf) + b"\n%tampered"
    with pytest.raises(services.IssuedReportCorruptedError):
        services.issued_pdf(issued)


@pytest.mark.parametrize("extra_councils", [0, 36])
def test_the_draft_pdf_query_count_is_pinned_whatever_the_number_of_councils(
    clerk_client, django_assert_num_queries, monkeypatch, extra_councils
):
    add_councils(extra_councils)
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: pdf.RenderedPDF(b"%PDF-stub", 1))  # queries only
    url = reverse("authorities:cabinet_report_pdf", args=["darlington"])
    # session, user, memberships with their councils (the council among them), then the default narrative:
    # its implications rows, the last report to the Cabinet (the last issued report, meetings on record,
    # the undated one's day); then the report's data: recommendations with themes, parts, the council's
    # responses, the last report again (three) and the responses as at its day (two), commitments, their
    # links; then the PDF job for this data (none yet), and queueing one: savepoint, the job, the worker's
    # task, the task's id, release; then how many jobs are ahead of it, for the waiting page
    with django_assert_num_queries(24):
        assert clerk_client.get(url).status_code == 202
    run_queued_tasks()
    # the same, then the PDF job for this data, which is ready
    with django_assert_num_queries(18):
        assert clerk_client.get(url).status_code == 200


def test_a_corrupted_issued_pdf_gets_an_error_page_and_an_integrity_log_line(
    client, outsider, issued, caplog
):
    with connection.cursor() as cursor:
        # As someone with the database's keys might: past the trigger that freezes issued reports.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE authorities_cabinetreport SET pdf = pdf || %s WHERE id = %s",
            [b"\n%tampered", issued.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    client.force_login(outsider)
    reply = client.get(reverse("authorities:report_pdf", args=["darlington", issued.pk]))
    assert reply.status_code == 500
    assert reply["Content-Type"].startswith("text/html")
    text = visible_text(reply)
    assert "Sorry, this report cannot be downloaded" in text
    assert "%PDF" not in reply.content.decode()
    integrity = [record for record in caplog.records if record.name == "laming.integrity"]
    assert len(integrity) == 1
    assert integrity[0].levelname == "ERROR"
    assert f"Stored PDF of report {issued.pk} does not match its checksum" in integrity[0].getMessage()


def test_an_empty_post_to_a_new_report_shows_the_errors_and_makes_nothing(clerk_client):
    reply = clerk_client.post(reverse("authorities:report_new", args=["darlington"]), {})
    assert reply.status_code == 200
    assert "There is a problem" in visible_text(reply)
    assert not CabinetReport.objects.exists()


def test_an_empty_post_to_a_drafts_narrative_shows_the_errors_and_changes_nothing(clerk_client, draft):
    reply = clerk_client.post(reverse("authorities:report_edit", args=["darlington", draft.pk]), {})
    assert reply.status_code == 200
    assert "There is a problem" in visible_text(reply)
    assert CabinetReport.objects.get(pk=draft.pk).version == draft.version


def test_table_1_counts_each_response_once_in_the_column_of_its_status(darlington):
    # Darlington's responses given every status in turn, so each column has something to count.
    statuses = list(Status)
    responses = list(LocalResponse.objects.filter(authority=darlington).order_by("pk"))
    for index, response in enumerate(responses):
        LocalResponse.objects.filter(pk=response.pk).update(status=statuses[index % len(statuses)])
    assert len(responses) >= len(statuses)
    assert sorted(status for _, column in DELIVERY_COLUMNS for status in column) == sorted(statuses)

    content = build_report(default_report(darlington))
    html = pdf.report_html(content)
    table = html[html.index("Table 1:") : html.index("</table>", html.index("Table 1:"))]
    shown = 0
    for theme in content.themes:
        in_theme = LocalResponse.objects.filter(authority=darlington, recommendation__theme=theme.theme)
        expected = [in_theme.filter(status__in=column).count() for _, column in DELIVERY_COLUMNS]
        assert theme.delivery_cells() == expected
        assert sum(expected) == in_theme.count() == len(theme.responses)
        if theme.responses:
            row = re.search(rf"{theme.theme.number}\. [^<]*</th>(.*?)</tr>", table, re.S).group(1)
            cells = [
                int(cell) for cell in re.findall(r'<td class="number">(\d+)', row)[2:-1]
            ]  # after the two counts
            assert cells == expected, theme.theme
            shown += sum(cells)
    assert shown == len(responses)


def test_the_narrative_form_asks_for_exactly_the_reports_narrative_fields():
    assert set(ReportForm.base_fields) - {"version"} == set(CabinetReport.NARRATIVE_FIELDS)


def test_the_progress_summary_counts_recommendations_not_responses_and_names_one_answered_by_parts(
    varied,
):
    content = build_report(default_report(varied.darlington))
    opening = content.main_sections[1].paragraphs[0].text  # after Darlington's own account
    unanswered = 58 - RECOMMENDATIONS_ANSWERED
    assert opening.startswith(
        f"The Council has recorded {RESPONSE_COUNT} responses covering {RECOMMENDATIONS_ANSWERED} of the 58 "
        f"recommendations; {unanswered} recommendations have no response recorded yet. "
        "It answers recommendation 2 part by part."
    )


def test_one_answer_given_to_several_recommendations_is_printed_once(clerk_client):
    stockton = Authority.objects.get(slug="stockton-on-tees")
    rows = {row.label: row for _, rows in build_report(default_report(stockton)).appendix for row in rows}
    shared = LocalResponse.objects.get(authority=stockton, recommendation__number=51).text
    same = sorted(label for label, row in rows.items() if row.response and row.response.text == shared)
    assert len(same) > 1, "Stockton's record no longer answers several recommendations in the same words"
    assert [rows[label].same_response_as for label in same] == [""] + [same[0]] * (len(same) - 1)


def test_appendix_2_names_each_answered_recommendation_and_the_unanswered_in_one_line(db):
    darlington = Authority.objects.get(slug="darlington")
    content = build_report(default_report(darlington))
    answered = set(
        LocalResponse.objects.filter(authority=darlington).values_list("recommendation__number", flat=True)
    )
    for _, items in content.commitment_groups:
        for item in items:
            numbers = item.recommendation_numbers
            expected = [titled(n) for n in numbers if n in answered]
            lines = [line for line in item.standing if not line.startswith("No response")]
            assert len(lines) == len(expected)
            assert all(line.startswith(f"{title}: ") for line, title in zip(lines, expected, strict=True))
            missing = [str(n) for n in numbers if n not in answered]
            assert [line for line in item.standing if line.startswith("No response")] == (
                [f"No response recorded: {', '.join(missing)}"] if missing else []
            )


def test_the_councils_own_account_keeps_its_lists(db):
    newcastle = Authority.objects.get(slug="newcastle")
    report = default_report(newcastle)
    report.council_narrative = (
        "Awaiting revised Working Together guidance (Dec 2009)\n- Review of SCR process\n- Revised roles\n\n"
        "Key points from the response included:- • Detail about the Unit • Strengthening of leadership"
    )
    (own,) = [s for s in build_report(report).main_sections if s.slug == "own-account"]
    assert [(p.text, p.items) for p in own.paragraphs] == [
        ("Awaiting revised Working Together guidance (Dec 2009)", ["Review of SCR process", "Revised roles"]),
        ("Key points from the response included:-", ["Detail about the Unit", "Strengthening of leadership"]),
    ]


def test_a_new_report_offers_a_cabinet_meeting_and_the_standard_title_to_begin_with(clerk_client):
    html = clerk_client.get(reverse("authorities:report_new", args=["darlington"])).content.decode()
    checked = re.findall(r'<input[^>]*name="new_meeting_kind"[^>]*value="(\w+)"[^>]*checked', html)
    assert checked == [Meeting.Kind.CABINET]
    assert f'value="{DEFAULT_TITLE}"' in html.replace("&#x27;", "'")


def test_appendix_2_says_all_parts_share_a_status_in_one_phrase(db):
    central_bedfordshire = Authority.objects.get(slug="central-bedfordshire")
    standing = [
        line
        for _, items in build_report(default_report(central_bedfordshire)).commitment_groups
        for item in items
        for line in item.standing
    ]
    # Its three parts of 19 all await national guidance; its ten parts of 2 do not share one status.
    assert f"{titled(19)}: Awaiting national guidance or action (3 parts)" in standing
    assert any(line.startswith(f"{titled(2)}: In progress (") for line in standing)


def test_table_1_counts_recommendations_answered_not_responses(varied):
    # Darlington answers recommendation 2 in three parts: one recommendation answered, three responses.
    content = build_report(default_report(varied.darlington))
    html = pdf.report_html(content)
    table = html[html.index("Table 1:") : html.index("</table>", html.index("Table 1:"))]
    for theme in content.themes:
        answered = (
            LocalResponse.objects.filter(authority=varied.darlington, recommendation__theme=theme.theme)
            .values("recommendation")
            .distinct()
            .count()
        )
        row = re.search(rf"{theme.theme.number}\. [^<]*</th>(.*?)</tr>", table, re.S).group(1)
        first = re.findall(r'<td class="number">([^<]+)</td>', row)[0]
        assert first == f"{answered} of {len(theme.recommendations)}", theme.theme


def test_appendix_2_lists_each_commitments_recommendations_in_number_order(db):
    content = build_report(default_report(Authority.objects.get(slug="central-bedfordshire")))
    lists = [item.recommendation_numbers for _, items in content.commitment_groups for item in items]
    assert any(len(numbers) > 1 for numbers in lists)
    assert all(numbers == sorted(numbers) for numbers in lists)


def test_the_reports_page_lists_issued_reports_newest_first(
    client, clerk_darlington, darlington, monkeypatch
):
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    for title, day in (("Laming: earlier", 1), ("Laming: later", 2)):
        report = services.create_report(
            authority=darlington,
            by=clerk_darlington,
            title=title,
            new_meeting_kind=Meeting.Kind.CABINET,
            new_meeting_date=MEETING_DAY + datetime.timedelta(days=day),
        )
        services.issue_report(report=report, by=clerk_darlington, expected_version=report.version)
    client.force_login(clerk_darlington)
    page = visible_text(client.get(reverse("authorities:reports", args=["darlington"])))
    assert page.index("Laming: later") < page.index("Laming: earlier")


def test_a_decision_record_names_only_the_issued_reports_considered(clerk_client, clerk_darlington):
    stockton_meeting = Meeting.objects.get(
        authority__slug="stockton-on-tees", date=datetime.date(2009, 6, 11)
    )
    stockton_clerk = make_user("clerk.decision-test", stockton_meeting.authority, Membership.Role.CLERK)
    services.create_report(
        authority=stockton_meeting.authority,
        by=stockton_clerk,
        title="A draft never issued",
        meeting=stockton_meeting,
    )
    page = visible_text(
        clerk_client.get(reverse("authorities:decision", args=["stockton-on-tees", stockton_meeting.pk]))
    )
    assert "Record of the decision" in page or "Decision" in page
    assert "A draft never issued" not in page


def test_a_response_in_the_last_report_but_not_now_is_named_as_no_longer_recorded(db):
    darlington = Authority.objects.get(slug="darlington")
    responses = list(LocalResponse.objects.for_authority(darlington).select_related("recommendation"))
    earlier = {"responses": {short_label(r): snapshot_of_response(r) for r in responses}}
    earlier["responses"]["57"] = dict(earlier["responses"][short_label(responses[0])], recommendation=57)
    assert [str(change) for change in changes_between(earlier, responses)] == [
        "57: response no longer recorded."
    ]


def test_a_report_issued_without_changes_since_is_compared_with_nothing(
    issued, clerk_darlington, monkeypatch
):
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    later = services.create_report(
        authority=issued.authority, by=clerk_darlington, title="Laming: later", meeting=issued.meeting
    )
    CabinetReport.objects.filter(pk=later.pk).update(include_changes=False)
    later.refresh_from_db()
    later = services.issue_report(report=later, by=clerk_darlington, expected_version=later.version)
    assert later.compared_with is None
    assert later.snapshot["compared_with"] is None
    assert all(section.slug != "changes" for section in build_report(later).main_sections)


@pytest.mark.parametrize(
    "field, message",
    [
        (name, message)
        for name, message in (
            ("director_name", "Enter the director's name"),
            ("director_title", "Enter the director's job title"),
            ("contact_officer", "Enter the contact officer"),
            ("outcome_of_consultation", "Enter the outcome of consultation"),
        )
    ],
)
def test_a_report_cannot_be_issued_without_each_part_only_the_council_can_write(darlington, field, message):
    report = default_report(darlington)
    assert message not in report.missing_for_issue()
    setattr(report, field, "")
    assert message in report.missing_for_issue()
