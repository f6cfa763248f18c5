"""The Cabinet report as a Word document, read back with python-docx as a committee system would.

Central Bedfordshire's quick draft (all 58 recommendations, 69 response paragraphs) is downloaded once
for the module; the issued-report tests issue Darlington's with a stand-in PDF (the Word version is
written for real).
"""

import datetime
import hashlib
import io
from pathlib import Path

import docx
import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn

from authorities import pdf
from authorities.models import Authority, CabinetReport, Meeting, Membership
from responses.cabinet import services, word
from responses.cabinet.content import build_report, default_report
from responses.models import LocalResponse, Rag, Status

from .conftest import make_user
from .helpers import visible_text
from .test_query_counts import add_councils
from .test_reports import change_darlington_response, pdf_naming_its_html
from .varied import varied_data  # noqa: F401
from .worker import run_queued_tasks

CENTRAL_BEDFORDSHIRE = "central-bedfordshire"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def central_bedfordshire_docx(django_db_setup, django_db_blocker):
    """Signed in as a Central Bedfordshire clerk, the quick draft's Word download, and the council's
    responses as (label, status, RAG, text); nothing it writes is kept."""
    with django_db_blocker.unblock(), transaction.atomic():
        authority = Authority.objects.get(slug=CENTRAL_BEDFORDSHIRE)
        clerk = make_user("clerk.word-central-bedfordshire", authority, Membership.Role.CLERK)
        client = Client()
        client.force_login(clerk)
        reply = client.get(reverse("authorities:cabinet_report_docx", args=[CENTRAL_BEDFORDSHIRE]))
        responses = [
            (
                f"{row.recommendation.number}({row.part.letter})"
                if row.part
                else str(row.recommendation.number),
                row.get_status_display(),
                row.get_rag_display(),
                row.text,
            )
            for row in LocalResponse.objects.filter(authority=authority).select_related(
                "recommendation", "part"
            )
        ]
        transaction.set_rollback(True)
    return reply, responses


@pytest.fixture
def document(db, central_bedfordshire_docx):
    """The download read back. Asking for `db` has these tests run with the other database tests."""
    return docx.Document(io.BytesIO(central_bedfordshire_docx[0].content))


def styled(document, style):
    return [paragraph.text for paragraph in document.paragraphs if paragraph.style.name == style]


def appendix_1_tables(document):
    return [table for table in document.tables if table.rows[0].cells[0].text == "No."]


def appendix_1_rows(document):
    """Appendix 1's rows after each table's header: label -> the row's cells."""
    return {row.cells[0].text: row.cells for table in appendix_1_tables(document) for row in table.rows[1:]}


def is_header_row(row):
    properties = row._tr.trPr
    return properties is not None and properties.find(qn("w:tblHeader")) is not None


# Central Bedfordshire's quick draft


def test_clerk_downloads_the_quick_draft_as_a_word_document(db, central_bedfordshire_docx):
    reply, _ = central_bedfordshire_docx
    assert reply.status_code == 200
    assert reply["Content-Type"] == DOCX
    assert reply["Content-Disposition"] == (
        'attachment; filename="central-bedfordshire-cabinet-report-draft-as-at-'
        f'{timezone.localdate():%Y-%m-%d}.docx"'
    )
    assert reply["Cache-Control"] == "private, no-store"
    assert reply.content.startswith(b"PK")


def test_the_word_version_labels_every_recommendation_and_part_in_order(db, document):
    labels = [row.cells[0].text for table in appendix_1_tables(document) for row in table.rows[1:]]
    parts = {2: "abcdefghij", 19: "abc"}  # Central Bedfordshire answers these two part by part
    expected = [
        label
        for number in range(1, 59)
        for label in [str(number), *(f"{number}({letter})" for letter in parts.get(number, ""))]
    ]
    assert labels == expected


def test_the_word_version_holds_every_one_of_central_bedfordshires_69_response_paragraphs(
    central_bedfordshire_docx, document
):
    _, responses = central_bedfordshire_docx
    assert len(responses) == 69
    rows = appendix_1_rows(document)
    for label, status, rag, text in responses:
        cell_paragraphs = [paragraph.text for paragraph in rows[label][1].paragraphs]
        # The local response is a paragraph of its own after its label, set in italics as in the PDF.
        index = cell_paragraphs.index("Local response")
        assert cell_paragraphs[index + 1] == text, label
        assert all(run.italic for run in rows[label][1].paragraphs[index + 1].runs), label
        # Under a status that says the work is done, its assurance in words.
        done = status in (Status.COMPLETE.label, Status.ONGOING.label)
        assert rows[label][2].text.split("\n") == [status] + ["Assurance not requested"] * done, label
        assert rows[label][3].text == rag, label


def test_the_report_is_outlined_with_words_heading_styles(document):
    assert styled(document, "Heading 1") == [
        "The Protection of Children in England: progress on Lord Laming's recommendations"
    ]
    assert styled(document, "Heading 2") == [
        "Summary Report",
        "Main Report",
        "Appendix 1: Lord Laming's recommendations and Central Bedfordshire's local response",
        "Appendix 2: The Government's commitments and where Central Bedfordshire stands",
    ]
    sections = styled(document, "Heading 3")
    for heading in (
        "Purpose of the Report",
        "Background",
        "Summary",
        "Recommendations",
        "Background Papers",
        "Information and Analysis",
        "Outcome of Consultation",
        "1. Leadership and accountability",
        "7. Legal",
    ):
        assert heading in sections
    assert {"Progress by theme", "What is overdue", "What awaits national guidance"} <= set(
        styled(document, "Heading 4")
    )
    # Main report and each appendix start on a new page, as in the PDF.
    breaks = [p.text for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert breaks == styled(document, "Heading 2")[1:]


def test_every_table_marks_its_header_row_to_repeat_on_each_page_and_only_that_row(document):
    tables = document.tables
    # Implications, Table 1, Appendix 1's seven themes, then Appendix 2's groups of commitments.
    assert len(appendix_1_tables(document)) == 7
    assert len(tables) > 9
    for table in tables:
        assert is_header_row(table.rows[0]), table.rows[0].cells[0].text
        assert not any(is_header_row(row) for row in table.rows[1:]), table.rows[0].cells[0].text
    assert [cell.text for cell in tables[1].rows[0].cells] == [
        "Theme",
        "Answered",
        "Responses",
        "Complete or ongoing",
        "In progress",
        "Not started",
        "Awaiting national guidance",
        "Partner agency or not applicable",
        "Overdue",
    ]


def test_the_document_has_its_title_author_and_language_set(document):
    properties = document.core_properties
    assert properties.title == (
        "The Protection of Children in England: progress on Lord Laming's recommendations: "
        "Central Bedfordshire Council (draft)"
    )
    assert properties.author == "Central Bedfordshire Council"
    assert properties.language == "en-GB"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"


def test_paragraphs_are_numbered_through_the_report_as_in_the_pdf(db, document):
    numbered = styled(document, "Numbered Paragraph")
    content = build_report(default_report(Authority.objects.get(slug=CENTRAL_BEDFORDSHIRE)))
    sections = [*content.summary_sections, *content.main_sections, content.outcome_section]
    expected = [f"{p.number}.\t{p.text}" for section in sections for p in section.paragraphs]
    assert numbered == expected
    assert [int(text.split(".")[0]) for text in numbered] == list(range(1, len(numbered) + 1))
    assert styled(document, "Lettered Item") == [
        "(a)\tThe report be noted;",
        "(b)\tMembers receive a further report on the recommendations that remain outstanding.",
    ]


def test_the_word_version_is_written_well_within_a_request(db):
    content = build_report(default_report(Authority.objects.get(slug=CENTRAL_BEDFORDSHIRE)))
    started = timezone.now()
    word.report_docx(content)
    # About half a second on a shared two-core machine: generous, to fail only if it grows tenfold.
    assert (timezone.now() - started).total_seconds() < 5


# RAG and status as words


@pytest.fixture
def clerk_client(client, clerk_darlington):
    client.force_login(clerk_darlington)
    return client


@pytest.fixture
def draft(darlington, clerk_darlington):
    return services.create_report(
        authority=darlington,
        by=clerk_darlington,
        title="Laming: progress in Darlington",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=timezone.localdate() + datetime.timedelta(days=28),  # as at today
    )


def read(reply):
    assert reply.status_code == 200, reply.status_code
    assert reply["Content-Type"] == DOCX
    return docx.Document(io.BytesIO(reply.content))


def test_rag_and_status_are_words_in_each_row(clerk_client, draft):
    answered = sorted(
        LocalResponse.objects.filter(authority__slug="darlington", part=None).values_list(
            "recommendation__number", flat=True
        )
    )
    ratings = {answered[0]: Rag.RED, answered[1]: Rag.AMBER, answered[2]: Rag.GREEN}
    for number, rag in ratings.items():
        change_darlington_response(number, rag=rag, status=Status.COMPLETE)
    document = read(clerk_client.get(reverse("authorities:report_docx", args=["darlington", draft.pk])))
    rows = appendix_1_rows(document)
    for number, rag in ratings.items():
        assert [rows[str(number)][2].text, rows[str(number)][3].text] == [
            "Complete\nAssurance not requested",
            rag.label,
        ]
    assert [cell.text for cell in rows[str(answered[3])][2:4]][1] == "Not rated"
    unanswered = next(
        number for number in range(1, 59) if number not in answered and number not in (2, 19, 24, 26)
    )
    assert str(unanswered) not in rows  # named in the paragraph above the appendix instead
    CabinetReport.objects.filter(pk=draft.pk).update(list_all_recommendations=True)
    rows = appendix_1_rows(
        read(clerk_client.get(reverse("authorities:report_docx", args=["darlington", draft.pk])))
    )
    assert [cell.text for cell in rows[str(unanswered)][2:]] == [
        "No response",
        "Not rated",
        "None named",
        "None set",
    ]


def test_a_drafts_word_version_is_built_from_the_records_now_and_named_after_the_report(clerk_client, draft):
    reply = clerk_client.get(reverse("authorities:report_docx", args=["darlington", draft.pk]))
    document = read(reply)
    assert (
        reply["Content-Disposition"]
        == f'attachment; filename="darlington-cabinet-report-{draft.pk}-draft.docx"'
    )
    assert reply["Cache-Control"] == "private, no-store"
    assert "Draft: not issued" in [p.text for p in document.paragraphs]
    meeting_day = timezone.localdate() + datetime.timedelta(days=28)
    assert f"Report to Cabinet, {meeting_day:%-d %B %Y}" in [p.text for p in document.paragraphs]
    assert (
        document.core_properties.title == "Laming: progress in Darlington: Darlington Borough Council (draft)"
    )


# Issued: the stored bytes, as issued


@pytest.fixture
def issued(draft, clerk_darlington, monkeypatch):
    with monkeypatch.context() as issuing:
        issuing.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
        return services.issue_report(report=draft, by=clerk_darlington, expected_version=draft.version)


def test_clerk_issues_a_report_and_its_word_version_is_stored_with_its_checksum(
    clerk_client, draft, monkeypatch
):
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", draft.pk]), {"version": draft.version}
    )
    assert run_queued_tasks() == 1
    report = CabinetReport.objects.get(pk=draft.pk)
    assert report.is_issued
    assert report.docx_sha256 == hashlib.sha256(bytes(report.docx)).hexdigest()
    document = docx.Document(io.BytesIO(bytes(report.docx)))
    assert f"Issued {report.issued_at:%-d %B %Y}" in [p.text for p in document.paragraphs]
    assert "Draft: not issued" not in [p.text for p in document.paragraphs]
    assert document.core_properties.title == "Laming: progress in Darlington: Darlington Borough Council"
    assert document.core_properties.created == report.issued_at.replace(microsecond=0)

    page = clerk_client.get(report.get_absolute_url())
    assert "Download the report (PDF) Download the Word version" in visible_text(page)
    assert reverse("authorities:report_docx", args=["darlington", report.pk]) in page.content.decode()


def test_an_issued_word_version_is_served_byte_for_byte_whatever_changes_after(
    client, outsider, issued, monkeypatch, django_assert_num_queries
):
    stored = bytes(issued.docx)
    change_darlington_response(51, status=Status.COMPLETE, rag=Rag.GREEN, text="Independent chair appointed.")

    def no_writing(*args, **kwargs):
        raise AssertionError("an issued report's Word version must not be written again")

    monkeypatch.setattr(word, "report_docx", no_writing)
    client.force_login(outsider)
    url = reverse("authorities:report_docx", args=["darlington", issued.pk])
    # session, user, the report with its Word version, council and meeting; nothing is written
    with django_assert_num_queries(3):
        reply = client.get(url)
    assert reply.status_code == 200
    assert reply.content == stored
    assert hashlib.sha256(reply.content).hexdigest() == issued.docx_sha256 == reply["ETag"].strip('"')
    assert reply["Content-Type"] == DOCX
    assert reply["Content-Disposition"] == (
        f'attachment; filename="darlington-cabinet-report-{issued.issued_at:%Y-%m-%d}-{issued.pk}.docx"'
    )
    assert "Independent chair appointed." not in reply.content.decode("latin-1")


def test_a_tampered_word_version_is_never_served(client, outsider, issued, caplog):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE authorities_cabinetreport SET docx = docx || %s WHERE id = %s", [b"tampered", issued.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    client.force_login(outsider)
    reply = client.get(reverse("authorities:report_docx", args=["darlington", issued.pk]))
    assert reply.status_code == 500
    assert "Sorry, this report cannot be downloaded" in visible_text(reply)
    integrity = [record for record in caplog.records if record.name == "laming.integrity"]
    assert [record.getMessage() for record in integrity] == [
        f"Integrity error: Stored Word document of report {issued.pk} does not match its checksum."
    ]


def test_a_report_issued_before_word_versions_were_kept_offers_only_its_pdf(client, outsider, issued):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE authorities_cabinetreport SET docx = NULL, docx_sha256 = '' WHERE id = %s", [issued.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    client.force_login(outsider)
    assert client.get(reverse("authorities:report_docx", args=["darlington", issued.pk])).status_code == 404
    page = visible_text(client.get(issued.get_absolute_url()))
    assert "Download the report (PDF)" in page
    assert "Word" not in page


# Who may download


@pytest.mark.parametrize("persona", ["outsider", "officer_newcastle", "chair_darlington"])
def test_people_who_may_not_prepare_darlingtons_papers_cannot_download_its_drafts_in_word(
    client, draft, request, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("authorities:report_docx", args=["darlington", draft.pk])).status_code == 403
    assert client.get(reverse("authorities:cabinet_report_docx", args=["darlington"])).status_code == 403


def test_an_issued_reports_word_version_is_readable_by_every_signed_in_user_and_no_one_else(
    client, outsider, issued
):
    url = reverse("authorities:report_docx", args=["darlington", issued.pk])
    signed_out = client.get(url)
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(url).status_code == 200


def test_another_councils_report_number_is_not_found_under_this_council(client, administrator, draft):
    client.force_login(administrator)
    assert client.get(reverse("authorities:report_docx", args=["newcastle", draft.pk])).status_code == 404
    assert client.get(reverse("authorities:cabinet_report_docx", args=["nowhere"])).status_code == 404


def test_a_word_download_cannot_be_posted_to(clerk_client, draft):
    assert (
        clerk_client.post(reverse("authorities:report_docx", args=["darlington", draft.pk])).status_code
        == 405
    )


@pytest.mark.parametrize("extra_councils", [0, 36])
def test_word_query_counts_are_pinned_whatever_the_number_of_councils(
    clerk_client, draft, django_assert_num_queries, extra_councils
):
    add_councils(extra_councils)
    # session, user, report with council and meeting, memberships, then the report's data: recommendations
    # with themes, parts, the council's responses, commitments, their links, and the last report to the
    # Cabinet (the last issued report, meetings on record, the undated one's day, and the responses as
    # at that day: two)
    with django_assert_num_queries(14):
        read(clerk_client.get(reverse("authorities:report_docx", args=["darlington", draft.pk])))
    # session, user, memberships with their councils (the council among them), the default narrative
    # (implications rows, the last report to the Cabinet: three), then the report's data as above
    with django_assert_num_queries(17):
        read(clerk_client.get(reverse("authorities:cabinet_report_docx", args=["darlington"])))


# A council's own template


def test_a_councils_own_template_supplies_the_styles_and_page(db, tmp_path, settings):
    template = docx.Document()
    template.styles["Heading 1"].font.name = "Georgia"
    template.styles["Normal"].font.name = "Verdana"
    template.save(tmp_path / "council.docx")
    settings.REPORT_WORD_TEMPLATE = str(Path(tmp_path / "council.docx"))
    content = build_report(default_report(Authority.objects.get(slug="darlington")))
    document = docx.Document(io.BytesIO(word.report_docx(content)))
    assert document.styles["Heading 1"].font.name == "Georgia"
    assert document.styles["Normal"].font.name == "Verdana"
    # The template's page (US Letter here) is kept: the house style's A4 is for the built-in template.
    assert round(document.sections[0].page_height.cm, 1) == 27.9
    # Styles the template lacks are added, so the report still has its numbered paragraphs.
    assert styled(document, "Numbered Paragraph")[0].startswith("1.\tThis report updates Members")
    assert document.core_properties.language == "en-GB"


def test_table_1_in_word_counts_recommendations_answered_and_each_status_once(clerk_client, varied):
    # Darlington answers recommendation 2 in three parts: one recommendation answered, three responses.
    document = read(clerk_client.get(reverse("authorities:cabinet_report_docx", args=["darlington"])))
    (table,) = [table for table in document.tables if table.rows[0].cells[0].text == "Theme"]
    content = build_report(default_report(varied.darlington))
    rows = {row.cells[0].text: [cell.text for cell in row.cells[1:]] for row in table.rows[1:]}
    for theme in content.themes:
        answered = (
            LocalResponse.objects.filter(authority=varied.darlington, recommendation__theme=theme.theme)
            .values("recommendation")
            .distinct()
            .count()
        )
        cells = rows[f"{theme.theme.number}. {theme.theme.name}"]
        assert cells[0] == f"{answered} of {len(theme.recommendations)}", theme.theme
        assert cells[1] == str(len(theme.responses))
        assert cells[2:-1] == [str(count) for count in theme.delivery_cells()]
        assert cells[-1] == str(len(theme.overdue))
