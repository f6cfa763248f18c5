"""The Cabinet report as a PDF: what a clerk downloads, read back with poppler as a reader would.

Central Bedfordshire's draft is rendered once for the module (a full report takes a few seconds);
every test here reads that one download.
"""

import datetime
import os
import re
import tempfile
from pathlib import Path

import pytest
import weasyprint
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from authorities import pdf
from authorities.models import Authority, Membership
from recommendations.models import Recommendation
from responses.models import LocalResponse, Rag, Status
from responses.services import record_progress

from .conftest import make_user
from .pdftools import (
    has_attachment,
    pdf_fonts,
    pdf_info,
    pdf_outline,
    pdf_streams,
    pdf_text,
    squeeze,
)
from .worker import fetch_pdf

CENTRAL_BEDFORDSHIRE = "central-bedfordshire"
MALICIOUS = '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd">'


@pytest.fixture(scope="module")
def central_bedfordshire_pdf(django_db_setup, django_db_blocker):
    """Signed in as clerk.central-bedfordshire, the quick draft download; nothing it writes is kept."""
    with django_db_blocker.unblock(), transaction.atomic():
        authority = Authority.objects.get(slug=CENTRAL_BEDFORDSHIRE)
        clerk = make_user("clerk.central-bedfordshire", authority, Membership.Role.CLERK)
        client = Client()
        client.force_login(clerk)
        response = fetch_pdf(client, reverse("authorities:cabinet_report_pdf", args=[CENTRAL_BEDFORDSHIRE]))
        responses = [
            (response_row.recommendation.number, response_row.text)
            for response_row in LocalResponse.objects.filter(authority=authority).select_related(
                "recommendation"
            )
        ]
        transaction.set_rollback(True)
    return response, responses


@pytest.fixture
def report(db, central_bedfordshire_pdf):
    """The PDF's bytes. Asking for `db` has pytest-django run these tests with the other database
    tests, before any transactional test empties the tables."""
    return central_bedfordshire_pdf[0].content


def test_clerk_gets_the_draft_report_as_a_pdf_that_opens_in_the_browser(db, central_bedfordshire_pdf):
    response, _ = central_bedfordshire_pdf
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="central-bedfordshire-cabinet-report')
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-1.7")


def test_the_pdf_is_tagged_a4_with_its_title_and_language_set(report):
    info = pdf_info(report)
    assert info["Tagged"] == "yes"
    assert "(A4)" in info["Page size"]
    assert info["Title"].startswith("The Protection of Children in England")
    assert "Central Bedfordshire Council" in info["Title"]
    objects = b"".join(pdf_streams(report))  # the catalogue is in a compressed object stream
    assert b"/Lang (en-GB)" in objects
    assert b'pdfuaid:part="1"' in objects, "declares PDF/UA-1 in its XMP metadata"


def test_every_font_in_the_pdf_is_embedded_and_arial_metric(report):
    fonts = pdf_fonts(report)
    assert fonts
    assert all(font["embedded"] == "yes" for font in fonts), fonts
    assert all("Liberation-Sans" in font["name"] or "Arial" in font["name"] for font in fonts), fonts


def test_appendix_1_labels_every_recommendation_and_every_part_the_council_answers_in_order(db, report):
    text = pdf_text(report)
    appendix = text[text.index("Appendix 1: Lord Laming's") : text.index("Appendix 2: The Government's")]
    tokens = appendix.split()
    answered_parts = LocalResponse.objects.filter(authority__slug=CENTRAL_BEDFORDSHIRE, part__isnull=False)
    parts_by_number = {}
    for number, letter in answered_parts.order_by("part__letter").values_list(
        "recommendation__number", "part__letter"
    ):
        parts_by_number.setdefault(number, []).append(f"{number}({letter})")
    assert parts_by_number.keys() == {2, 19}
    expected = [label for number in range(1, 59) for label in [str(number), *parts_by_number.get(number, [])]]
    position = 0
    for label in expected:
        assert label in tokens[position:], f"{label} is not labelled after the label before it"
        position = tokens.index(label, position) + 1


def test_the_text_holds_every_one_of_the_councils_69_response_paragraphs(central_bedfordshire_pdf, report):
    _, responses = central_bedfordshire_pdf
    assert len(responses) == 69
    text = squeeze(pdf_text(report))
    missing = [
        (number, paragraph[:60])
        for number, response_text in responses
        for paragraph in response_text.splitlines()
        if paragraph.strip() and squeeze(paragraph) not in text
    ]
    assert not missing


def test_the_summary_report_follows_darlingtons_model_with_paragraphs_numbered_through(report):
    first_page = pdf_text(report, page=1)
    for heading in ("SUMMARY REPORT", "Purpose of the Report", "Background", "Summary", "Recommendations"):
        assert heading in first_page
    assert squeeze("6. It is recommended that:- (a) The report be noted;") in squeeze(first_page)
    assert "Director of Children, Families & Learning" in first_page
    text = pdf_text(report)
    assert "Implication For this report S17 Crime and Disorder" in text
    assert "MAIN REPORT Information and Analysis Progress by theme 7. The Council has recorded" in text
    assert "has recorded 69 responses covering 58 of the 58 recommendations" in text
    assert (
        "Leadership and accountability (recommendations 1 to 10): the Council has responded to 10 of the 10 "
        "recommendations" in text
    )
    assert re.search(r"\d+\. 36 responses await national guidance or action", text)
    assert "Outcome of Consultation" in text


def test_pages_are_numbered_page_x_of_y_under_a_running_header_with_the_council_and_title(report):
    pages = int(pdf_info(report)["Pages"])
    assert pages > 10
    assert "Page 1 of" in pdf_text(report, page=1)
    later = pdf_text(report, page=pages)
    assert f"Page {pages} of {pages}" in later
    assert later.startswith("Central Bedfordshire Council · The Protection of Children in England")
    assert "Draft: not issued" in later


def test_appendix_table_headers_repeat_on_every_page_of_the_appendix(report):
    pages = int(pdf_info(report)["Pages"])
    appendix_pages = [
        page
        for page in range(1, pages + 1)
        if re.search(r"\b(2\([a-j]\)|[1-5]?\d) .*Local response", pdf_text(report, page=page))
    ]
    assert len(appendix_pages) > 7, "the appendix runs to more pages than it has themes"
    for page in appendix_pages:
        text = pdf_text(report, page=page)
        # Each heading, not the row in one run: poppler reads a page that opens with the rest of a
        # row run on from the page before in a different order.
        for heading in (
            "No.",
            "Recommendation and local response",
            "Status",
            "RAG",
            "Lead officer",
            "Target date",
        ):
            assert heading in text, f"page {page} has no table header"


def test_the_outline_has_a_bookmark_for_each_section_and_theme(report):
    outline = pdf_outline(report)
    for title in (
        "Summary Report",
        "Purpose of the Report",
        "Recommendations",
        "Main Report",
        "Progress by theme",
        "What is overdue",
        "What awaits national guidance",
        "Outcome of Consultation",
        "Appendix 1: Lord Laming's recommendations and Central Bedfordshire's local response",
        "1. Leadership and accountability",
        "7. Legal",
        "Appendix 2: The Government's commitments and where Central Bedfordshire stands",
        "Action Plan, May 2009: (a) National leadership and accountability",
    ):
        assert title in outline


def test_appendix_2_gives_each_commitments_due_date_and_the_councils_standing(report):
    text = squeeze(pdf_text(report))
    assert (
        squeeze("Establish a cross-Government National Safeguarding Delivery Unit (NSDU) - July 2009.")
        in text
    )
    assert squeeze("July 2009 (date passed)") in text
    two = Recommendation.objects.get(number=2).numbered_title
    assert squeeze(f"{two}: In progress (3), Awaiting national guidance or action (7)") in text
    assert squeeze("No Laming recommendation linked") in text


# Officers' text is text: escaped in the HTML, and nothing it names is fetched or attached.


@pytest.fixture
def darlington_response_with_markup(darlington):
    """Darlington's response to 51 rewritten to hold markup that would read a server file, rated Red
    and overdue."""
    response = LocalResponse.objects.get(authority=darlington, recommendation__number=51, part=None)
    return record_progress(
        authority=darlington,
        recommendation=response.recommendation,
        part=None,
        by=make_user("officer.markup", darlington, Membership.Role.OFFICER),
        expected_version=response.version,
        text=f"Independent chair appointed. {MALICIOUS}",
        status=Status.IN_PROGRESS,
        rag=Rag.RED,
        lead_officer="Jenni Cooke",
        target_date=datetime.date(2009, 12, 31),
        target_date_reason="",
        evidence="",
        note="Testing markup.",
    )


def test_a_response_holding_markup_prints_as_text_and_the_pdf_holds_no_file_and_no_attachment(
    client, clerk_darlington, darlington_response_with_markup
):
    client.force_login(clerk_darlington)
    content = fetch_pdf(client, reverse("authorities:cabinet_report_pdf", args=["darlington"])).content
    assert squeeze(f"Independent chair appointed. {MALICIOUS}") in squeeze(pdf_text(content))
    assert not has_attachment(content)
    passwd = Path("/etc/passwd").read_bytes()
    for stream in pdf_streams(content):
        assert b"root:x:0:0" not in stream
        assert passwd[:64] not in stream


def test_rag_is_printed_as_a_word_and_an_overdue_target_is_said_in_words(
    client, clerk_darlington, darlington_response_with_markup
):
    client.force_login(clerk_darlington)
    text = pdf_text(fetch_pdf(client, reverse("authorities:cabinet_report_pdf", args=["darlington"])).content)
    assert re.search(r"In progress Red Jenni Cooke 31 December 2009 \(overdue\)", text)
    titled = Recommendation.objects.get(number=51).numbered_title
    assert f"{titled}: target date 31 December 2009; in progress; lead officer Jenni Cooke" in text


def test_the_report_html_escapes_officers_markup(darlington_response_with_markup, darlington):
    from responses.cabinet.content import build_report, default_report

    html = pdf.report_html(build_report(default_report(darlington)))
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert '<img src="file:///etc/passwd">' not in html
    assert '<link rel="attachment"' not in html


# The URL fetcher: the app's static files, and nothing else.


def static_file_url(relative):
    return (Path(settings.STATICFILES_DIRS[0]).resolve() / relative).as_uri()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/style.css",
        "https://example.com/style.css",
        "ftp://example.com/style.css",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.com/etc/passwd",
        static_file_url("../laming/settings.py"),
        static_file_url("css/../../laming/settings.py"),
        static_file_url("css/%2e%2e/%2e%2e/laming/settings.py"),
        static_file_url("css/no-such-file.css"),
        static_file_url(""),
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_file(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.StaticFilesOnlyFetcher().fetch(url)


def test_the_fetcher_reads_a_static_file():
    response = pdf.StaticFilesOnlyFetcher().fetch(static_file_url("css/report.css"))
    assert response.read() == (Path(settings.STATICFILES_DIRS[0]) / "css" / "report.css").read_bytes()
    assert response.content_type == "text/css"


def test_the_fetcher_refuses_a_link_inside_the_static_folder_that_leads_out_of_it(settings, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "passwd").symlink_to("/etc/passwd")
    settings.STATICFILES_DIRS = [static]
    settings.STATIC_ROOT = None
    with pytest.raises(pdf.RefusedURL):
        pdf.StaticFilesOnlyFetcher().fetch((static / "passwd").as_uri())


def attachment_html(target):
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>T</title>'
        f'<link rel="attachment" href="{target}"></head>'
        f'<body><p>Text</p><img src="{target}" alt="x"></body></html>'
    )


@pytest.fixture
def secret_file():
    """A file outside the static folder, standing in for /etc/passwd, with a marker to look for."""
    with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as handle:
        handle.write(b"SECRET-MARKER-3b9f " * 20)
    yield Path(handle.name)
    os.unlink(handle.name)


def test_weasyprint_left_to_itself_would_attach_a_file_the_html_names(secret_file):
    """The control for the next test: the checks can see an attachment when there is one."""
    content = weasyprint.HTML(string=attachment_html(secret_file.as_uri())).write_pdf()
    assert has_attachment(content)
    assert any(b"SECRET-MARKER-3b9f" in stream for stream in pdf_streams(content))


@pytest.mark.parametrize("target", ["file:///etc/passwd", "secret"])
def test_the_apps_renderer_attaches_and_embeds_nothing_even_from_raw_markup(secret_file, target):
    url = secret_file.as_uri() if target == "secret" else target
    content = pdf.html_to_pdf(attachment_html(url)).content
    assert not has_attachment(content)
    for stream in pdf_streams(content):
        assert b"SECRET-MARKER-3b9f" not in stream
        assert b"root:x:0:0" not in stream
