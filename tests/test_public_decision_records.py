"""A decision record is a public paper: numbered as Stockton's is (seed 003) however the clerk typed
the decisions, naming no seed file and no checksum, and leaving a blank field blank as the seed does."""

import datetime
import re

import pytest
from django.urls import reverse

from authorities.models import Decision, Meeting, lettered
from responses.cabinet import services

from .helpers import visible_text
from .pdftools import pdf_text
from .worker import fetch_pdf

CHECKSUM = re.compile(r"\b[0-9a-f]{64}\b", re.IGNORECASE)


def decision_with(decisions):
    return Decision(decisions=decisions).decision_lines()


@pytest.mark.parametrize(
    "typed",
    [
        "1. Noted\n2. Further report",
        "1) Noted\n2) Further report",
        "(1) Noted\n(2) Further report",
        "(a) Noted\n(b) Further report",
        "a) Noted\nb) Further report",
        "A. Noted\nB. Further report",
        "(i) Noted\n(ii) Further report",
        "• Noted\n• Further report",
        "- Noted\n\n- Further report\n",
        "Noted\nFurther report",
        "  1.   Noted  \n  2.Further report",
    ],
)
def test_decisions_typed_with_their_own_numbers_or_letters_are_kept_without_them(typed):
    assert decision_with(typed) == ["Noted", "Further report"]


@pytest.mark.parametrize(
    "typed",
    [
        "1.5 posts be funded from reserves",
        "e.g. the report be noted",
        "A further report be received",
        "I move the report be noted",
        "10% of the budget be held back",
    ],
)
def test_a_decision_that_only_starts_like_a_number_keeps_its_words(typed):
    assert decision_with(typed) == [typed]


def test_recommendations_to_members_typed_with_numbers_are_lettered_once():
    assert lettered(["1. The report be noted;", "(b) Members receive a further report."]) == [
        ("(a)", "The report be noted;"),
        ("(b)", "Members receive a further report."),
    ]


@pytest.fixture
def april_cabinet(darlington):
    """Darlington's Cabinet of 28 April 2009, which has no decision record yet."""
    return Meeting.objects.get(authority=darlington, date=datetime.date(2009, 4, 28))


def url(meeting, name):
    return reverse(name, args=[meeting.authority.slug, meeting.pk])


def record(client, meeting, **changes):
    data = {
        "record": "Consideration was given to a report on Lord Laming's report.",
        "decisions": "1. Noted\n2. Further report",
        "reasons": "To keep Members informed.",
        "alternatives_rejected": "",
        "conflicts_of_interest": "",
        "dispensations": "",
        "published_on_day": "1",
        "published_on_month": "5",
        "published_on_year": "2009",
        "call_in_date_day": "8",
        "call_in_date_month": "5",
        "call_in_date_year": "2009",
        **changes,
    }
    reply = client.post(url(meeting, "authorities:decision_record"), data)
    assert reply.status_code == 302, visible_text(reply)


def decisions_list(page_html):
    """The items of the record's list of decisions, as the page's markup holds them."""
    listed = re.search(r'<ol class="decisions">(.*?)</ol>', page_html, re.S).group(1)
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", listed, re.S)]


def test_decisions_typed_with_numbers_are_numbered_once_on_the_page_and_in_the_pdf(
    client, clerk_darlington, april_cabinet
):
    client.force_login(clerk_darlington)
    record(client, april_cabinet)
    page = client.get(url(april_cabinet, "authorities:decision")).content.decode()
    assert decisions_list(page) == ["Noted", "Further report"]
    text = pdf_text(fetch_pdf(client, url(april_cabinet, "authorities:decision_pdf")).content)
    assert "1. Noted 2. Further report Reasons for the Decision" in text
    assert "1. 1." not in text and "2. 2." not in text


@pytest.fixture
def decision_with_an_issued_report(client, clerk_darlington, darlington, april_cabinet):
    """The April Cabinet's record, after a report was issued to the meeting (its PDF has a checksum)."""
    report = services.create_report(
        authority=darlington, by=clerk_darlington, title="April", meeting=april_cabinet
    )
    services.issue_report(report=report, by=clerk_darlington, expected_version=report.version)
    report.refresh_from_db()
    assert CHECKSUM.fullmatch(report.pdf_sha256)
    client.force_login(clerk_darlington)
    record(client, april_cabinet)
    return april_cabinet, report


def test_a_record_names_the_report_it_considered_without_its_checksum(
    client, outsider, decision_with_an_issued_report
):
    meeting, report = decision_with_an_issued_report
    client.force_login(outsider)
    page = visible_text(client.get(url(meeting, "authorities:decision")))
    text = pdf_text(fetch_pdf(client, url(meeting, "authorities:decision_pdf")).content)
    for paper in (page, text):
        assert "Report considered: April, issued" in paper
        assert report.pdf_sha256[:8] not in paper
        assert "SHA" not in paper
        assert not CHECKSUM.search(paper)


def test_stocktons_record_names_no_seed_file_on_the_page_or_in_the_pdf(client, outsider):
    meeting = Meeting.objects.get(authority__slug="stockton-on-tees")
    assert meeting.decision.source_document.endswith(".txt"), "the data keeps the file it came from"
    client.force_login(outsider)
    page = visible_text(client.get(url(meeting, "authorities:decision")))
    text = pdf_text(fetch_pdf(client, url(meeting, "authorities:decision_pdf")).content)
    for paper in (page, text):
        assert "Cabinet note Lord Laming’s findings" in paper
        assert ".txt" not in paper
        assert meeting.decision.source_document[:-4] not in paper
        assert not CHECKSUM.search(paper)


def test_fields_left_blank_are_headings_with_nothing_under_them_as_in_the_seed(
    client, clerk_darlington, april_cabinet
):
    """Seed 003 prints "Alternative Options Considered and Rejected" and the conflicts heading with
    nothing beneath; this record leaves dispensations blank as well."""
    client.force_login(clerk_darlington)
    record(client, april_cabinet)
    page = visible_text(client.get(url(april_cabinet, "authorities:decision")))
    text = pdf_text(fetch_pdf(client, url(april_cabinet, "authorities:decision_pdf")).content)
    blank_run = (
        "To keep Members informed. Alternative Options Considered and Rejected "
        "Declared (Cabinet Member) Conflicts of Interest Details of any Dispensations "
        "Date and Time by which Call In must be executed By midnight, Friday 8 May 2009"
    )
    for paper in (page, text):
        assert blank_run in paper
        assert "None recorded" not in paper
        assert "Not recorded" not in paper
