"""Assurance everywhere it counts: beside status on the dashboards and the matrix, in the Cabinet report,
the filters and the exports, as at any day; and no evidence document's title in a report or an export.

The `assurance` fixture takes Darlington's responses (tests/varied.py) to every assurance state through
the services; the numbers each page should show are written out below by hand, not worked out by the
code under test.
"""

import csv
import datetime
import html as html_module
import io
import re

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from authorities.models import Meeting
from responses.cabinet import services as cabinet_services
from responses.cabinet.assurance import AssuranceStanding
from responses.cabinet.content import build_report
from responses.filters import ResponseFilterSet
from responses.models import Assurance, AssuranceStep, EvidenceDocument, LocalResponse, Marking, Status
from responses.services import assurance_digest, attach_evidence, decide_assurance, request_assurance

from .helpers import visible_text
from .pdftools import pdf_text, squeeze
from .test_dashboards import matrix_cells, table_rows
from .varied import label_of, varied_data  # noqa: F401
from .worker import fetch_pdf

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SENSITIVE_TITLE = "Child C case review chronology"

# Darlington's responses (by label, as tests/varied.py names them) and the assurance state each is taken
# to. All but 2(a), 18 and 19 (already complete or ongoing) are first made complete, 52 ongoing.
STATES = {
    "18": Assurance.ASSURED,
    "19": Assurance.ASSURED,
    "2(a)": Assurance.ASSURED,
    "6": Assurance.ASSURED,
    "11": Assurance.REQUESTED,
    "52": Assurance.REQUESTED,
    "53": Assurance.REQUESTED,
    "54": Assurance.CHANGES_REQUESTED,
    "24": Assurance.OUT_OF_DATE,
    "51": Assurance.OUT_OF_DATE,
    "55": Assurance.NOT_REQUESTED,
}
MADE_COMPLETE = {"6", "11", "24", "51", "53", "54", "55"}
MADE_ONGOING = {"52"}
# So, of Darlington's 13 responses, 11 are complete or ongoing; 2(b) and 2(c) are not, and not requested.
COMPLETE_OR_ONGOING = 11


def official_title(label):
    return f"Multi-agency training register for {label}"


def evidence_file():
    return SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")


def attach(response, officer, *, title, marking=Marking.OFFICIAL):
    return attach_evidence(
        response=response, by=officer, upload=evidence_file(), title=title, marking=marking
    )


def take_to(response, state, *, officer, chair):
    """Take a complete or ongoing response to `state` through the services, as officer and chair would."""
    attach(response, officer, title=official_title(label_of(response)))
    if state == Assurance.NOT_REQUESTED:
        return
    request_assurance(response=response, by=officer, statement="Done: the register shows who was trained.")
    if state == Assurance.REQUESTED:
        return
    response.refresh_from_db()
    decide_assurance(
        response=response,
        by=chair,
        assured=state != Assurance.CHANGES_REQUESTED,
        comment="The register does not name the health visitors."
        if state == Assurance.CHANGES_REQUESTED
        else "",
        seen=assurance_digest(response),
    )
    if state == Assurance.OUT_OF_DATE:
        attach(response, officer, title=f"Revised procedure for {label_of(response)}")


@pytest.fixture(name="assurance")
def assurance_states(varied, officer_darlington, chair_darlington):
    responses = {
        label_of(r): r
        for r in LocalResponse.objects.filter(authority=varied.darlington).select_related(
            "recommendation", "part"
        )
    }
    for label in MADE_COMPLETE:
        LocalResponse.objects.filter(pk=responses[label].pk).update(status=Status.COMPLETE)
    for label in MADE_ONGOING:
        LocalResponse.objects.filter(pk=responses[label].pk).update(status=Status.ONGOING)
    # An OFFICIAL-SENSITIVE document on an assured response: its title must reach no report or export.
    attach(responses["18"], officer_darlington, title=SENSITIVE_TITLE, marking=Marking.OFFICIAL_SENSITIVE)
    for label, state in STATES.items():
        take_to(responses[label], state, officer=officer_darlington, chair=chair_darlington)
    by_label = {
        label_of(r): r.assurance
        for r in LocalResponse.objects.filter(authority=varied.darlington).select_related(
            "recommendation", "part"
        )
    }
    assert {label: by_label[label] for label in STATES} == STATES
    return varied


def every_document_title():
    titles = set(EvidenceDocument.objects.values_list("title", flat=True))
    assert SENSITIVE_TITLE in titles and official_title("18") in titles
    return titles


# The council dashboard


def test_the_council_dashboard_counts_complete_and_ongoing_responses_by_assurance(client, assurance):
    client.force_login(assurance.officer)
    html = client.get(reverse("authorities:detail", args=["darlington"])).content.decode()
    assert table_rows(html, "assurance-table") == {
        "Not requested": ["1"],
        "Awaiting assurance": ["3"],
        "Assured": ["4"],
        "Changes requested": ["1"],
        "Assurance out of date": ["2"],
        "Complete or ongoing": [str(COMPLETE_OR_ONGOING)],
    }
    text = visible_text(client.get(reverse("authorities:detail", args=["darlington"])))
    assert (
        "Of the 11 responses Darlington reports complete or ongoing, 4 have been assured by the council's "
        "LSCB chair and 3 await assurance." in text
    )


def test_the_chairs_home_page_counts_only_what_waits_for_a_decision(client, assurance, chair_darlington):
    # 3 await assurance; the one sent back for changes, the assured and the out of date do not wait.
    client.force_login(chair_darlington)
    assert "3 responses wait for your assurance" in visible_text(client.get(reverse("home")))


def test_the_council_dashboard_says_when_nothing_is_complete_or_ongoing(client, varied):
    client.force_login(varied.officer)
    html = client.get(reverse("authorities:detail", args=["testshire"])).content.decode()
    assert table_rows(html, "assurance-table")["Complete or ongoing"] == ["0"]
    assert "Testshire reports no response complete or ongoing, so there is nothing for the LSCB chair" in (
        visible_text(client.get(reverse("authorities:detail", args=["testshire"])))
    )


def test_the_council_dashboards_list_gives_assurance_in_words_beside_status(client, assurance):
    client.force_login(assurance.officer)
    html = client.get(reverse("authorities:detail", args=["darlington"])).content.decode()
    # Recommendation, then status and assurance, then RAG and last update.
    rows = responses_by_theme(html)
    assert {
        label: rows[label][1:3] for label in ("18", "19", "2(a)", "2(b)", "6", "52", "54", "24", "55")
    } == {
        "18": ["Complete", "Assured"],
        "19": ["Ongoing (embedded in practice)", "Assured"],
        "2(a)": ["Complete", "Assured"],
        "2(b)": ["In progress", "Not requested"],
        "6": ["Complete", "Assured"],
        "52": ["Ongoing (embedded in practice)", "Awaiting assurance"],
        "54": ["Complete", "Changes requested"],
        "24": ["Complete", "Assurance out of date"],
        "55": ["Complete", "Not requested"],
    }
    assert rows["1"][1] == "No response recorded"


def responses_by_theme(html):
    """{label ("18", "2(a)"): [cell texts]} for the rows of the council dashboard's "Responses by theme"."""
    rows = {}
    for table in re.findall(r'<table[^>]*>\s*<caption id="theme-.*?</table>', html, re.S):
        for row in re.findall(r"<tr.*?</tr>", table, re.S):
            cells = [
                html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip())
                for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
            if cells:
                rows[re.match(r"(\d+(?:\([a-z]\))?)\.", cells[0]).group(1)] = cells
    return rows


# The comparison


def test_the_matrix_shows_assurance_in_words_beside_status_where_it_was_asked_for(client, assurance):
    client.force_login(assurance.officer)
    html = client.get(reverse("responses:comparison")).content.decode()
    cells = matrix_cells(html)  # each cell's words, sorted
    assert cells[(18, "Darlington")][0] == ["Assured", "Complete"]
    assert cells[(52, "Darlington")][0] == ["Awaiting assurance", "Ongoing (embedded in practice)"]
    assert cells[(54, "Darlington")][0] == ["Assurance: changes requested", "Complete"]
    assert cells[(24, "Darlington")][0] == ["Assurance out of date", "Complete"]
    # Not requested: the status alone, as before.
    assert cells[(55, "Darlington")][0] == ["Complete"]
    assert cells[(18, "Newcastle")][0] == ["No response"]
    # In the cell, each assurance follows the status it belongs to.
    assert cell_words(html, "darlington", 2) == [
        "Complete (1 part)",
        "Assured",
        "In progress (1 part)",
        "Not started (1 part)",
    ]
    assert cell_words(html, "darlington", 24) == ["Complete", "Assurance out of date"]


def cell_words(html, slug, number):
    """A matrix cell's words in the order it shows them."""
    href = reverse("responses:detail", args=[slug, number])
    cell = re.search(rf'<a class="app-cell-link" href="{href}">(.*?)</a>', html, re.S).group(1)
    return re.findall(r"<strong[^>]*>(.*?)</strong>", cell)


def test_the_comparison_summary_counts_each_councils_assured_responses(client, assurance):
    client.force_login(assurance.officer)
    summary = table_rows(client.get(reverse("responses:comparison")).content.decode(), "council-summary")
    assured = {council: row[-1] for council, row in summary.items()}
    assert assured == {
        "Central Bedfordshire": "0",
        "Darlington": "4",
        "Newcastle": "0",
        "Stockton-on-Tees": "0",
        "Testshire": "0",
        "All 5 councils": "4",
    }


# As at a day


def step_on(response, moment, kind, after):
    return AssuranceStep.objects.create(
        response=response,
        kind=kind,
        assurance_after=after,
        created_at=moment,
        by_name="Test",
        response_version=response.version,
        snapshot={},
    )


def at(day, hour, minute=0, second=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


JULY_1, JULY_2, JULY_3 = (datetime.date(2009, 7, day) for day in (1, 2, 3))


def darlington_51():
    return LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51, part=None)


def test_assurance_as_at_a_day_is_as_its_latest_step_by_the_end_of_that_day(db, django_assert_num_queries):
    response = darlington_51()
    step_on(response, at(JULY_2, 0, 0), AssuranceStep.Kind.REQUESTED, Assurance.REQUESTED)
    step_on(
        response, at(JULY_2, 23, 59, 59), AssuranceStep.Kind.CHANGES_REQUESTED, Assurance.CHANGES_REQUESTED
    )
    step_on(response, at(JULY_3, 0, 0), AssuranceStep.Kind.REQUESTED, Assurance.REQUESTED)

    def as_at(day):
        (then,) = LocalResponse.objects.filter(pk=response.pk).as_at(day)
        return then.assurance, then.assurance_since

    # The day before the first step: none taken, so not requested.
    assert as_at(JULY_1) == (Assurance.NOT_REQUESTED, None)
    # Its last moment counts on the day; the next day's first moment does not.
    assert as_at(JULY_2) == (Assurance.CHANGES_REQUESTED, at(JULY_2, 23, 59, 59))
    assert as_at(JULY_3) == (Assurance.REQUESTED, at(JULY_3, 0, 0))
    # Rebuilding assurance too still takes two queries: the responses (their assurance step a subquery),
    # then the progress updates they stood at.
    with django_assert_num_queries(2):
        LocalResponse.objects.filter(authority__slug="darlington").as_at(JULY_2)


def test_the_comparison_as_at_a_day_shows_assurance_as_it_stood_then(client, chair_darlington):
    response = darlington_51()
    step_on(response, at(JULY_2, 12), AssuranceStep.Kind.REQUESTED, Assurance.REQUESTED)
    client.force_login(chair_darlington)
    url = reverse("responses:comparison") + "?council=darlington&as_at="
    before = matrix_cells(client.get(url + "2009-07-01").content.decode())[(51, "Darlington")][0]
    on_the_day = matrix_cells(client.get(url + "2009-07-02").content.decode())[(51, "Darlington")][0]
    assert before == [response.get_status_display()]
    assert on_the_day == sorted([response.get_status_display(), "Awaiting assurance"])


# Filters


def responses(**params):
    return ResponseFilterSet(params, queryset=LocalResponse.objects.all()).qs.count()


def test_the_assurance_filter_counts_each_state(assurance):
    everyone = LocalResponse.objects.count()
    assert responses(assurance=["assured"]) == 4
    assert responses(assurance=["requested"]) == 3
    assert responses(assurance=["changes_requested"]) == 1
    assert responses(assurance=["out_of_date"]) == 2
    assert responses(assurance=["not_requested"]) == everyone - 10
    assert responses(assurance=["not_requested"], council=["darlington"]) == 3
    assert responses(assurance=["assured", "requested"]) == 7
    assert responses(assurance=["assured"], status=[Status.ONGOING]) == 1


def test_the_assurance_filter_is_in_the_panel_and_the_applied_filters(client, assurance):
    client.force_login(assurance.officer)
    page = client.get(reverse("responses:list") + "?assurance=assured&assurance=out_of_date")
    assert page.status_code == 200
    assert page.context["paginator"].count == 6
    html = page.content.decode()
    assert re.search(r'name="assurance" type="checkbox" value="not_requested"', html)
    tags = [(tag.label, tag.value, tag.url) for tag in page.context["applied"].tags]
    assert tags == [
        ("Assurance", "Assured", "/responses/?assurance=out_of_date"),
        ("Assurance", "Assurance out of date", "/responses/?assurance=assured"),
    ]
    text = visible_text(page)
    assert "Remove this filter Assurance: Assured" in text
    # The list says it beside the status.
    assert "Complete Assurance out of date" in text


# Exports


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


EXPECTED_EXPORT = {
    ("18", ""): "Assured",
    ("2", "a"): "Assured",
    ("2", "b"): "Not requested",
    ("52", ""): "Awaiting assurance",
    ("54", ""): "Changes requested",
    ("24", ""): "Assurance out of date",
    ("55", ""): "Not requested",
    ("1", ""): "",  # no response recorded
}


def test_the_council_export_has_assurance_in_words(officer_client, assurance):
    rows = read_csv(officer_client.get(reverse("responses:council_export", args=["darlington", "csv"])))
    column = rows[0].index("Assurance")
    assert rows[0][column - 2 : column + 1] == ["Status", "RAG", "Assurance"]
    by_key = {(row[1], row[2]): row[column] for row in rows[1:]}
    assert {key: by_key[key] for key in EXPECTED_EXPORT} == EXPECTED_EXPORT
    sheet = openpyxl.load_workbook(
        io.BytesIO(
            officer_client.get(reverse("responses:council_export", args=["darlington", "xlsx"])).content
        )
    ).active
    xlsx_rows = list(sheet.iter_rows(values_only=True))
    by_key = {(str(row[1]), row[2] or ""): row[column] or "" for row in xlsx_rows[1:]}
    assert {key: by_key[key] for key in EXPECTED_EXPORT} == EXPECTED_EXPORT


def test_the_filtered_export_has_assurance_in_words(officer_client, assurance):
    rows = read_csv(officer_client.get(reverse("responses:export", args=["csv"]) + "?assurance=requested"))
    column = rows[0].index("Assurance")
    assert sorted((row[1], row[column]) for row in rows[1:]) == [
        ("11", "Awaiting assurance"),
        ("52", "Awaiting assurance"),
        ("53", "Awaiting assurance"),
    ]


# The Cabinet report


@pytest.fixture
def draft(assurance, clerk_darlington):
    return cabinet_services.create_report(
        authority=assurance.darlington,
        by=clerk_darlington,
        title="Laming: progress in Darlington",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=timezone.localdate() + datetime.timedelta(days=28),
    )


def asked_on():
    return f"{timezone.localdate():%-d %B %Y}"


def test_the_report_says_how_many_complete_responses_are_assured_and_lists_those_awaiting(draft):
    content = build_report(draft)
    (section,) = [s for s in content.main_sections if s.slug == "assurance"]
    counts, awaiting = section.paragraphs
    assert counts.text == (
        "Of the 11 responses the Council reports complete or ongoing, 4 have been assured by the LSCB "
        "chair; 3 await assurance. Of the rest, the chair has asked for changes to 1; 2 were assured but "
        "have changed since, so their assurance is out of date; 1 has not yet been put to the chair."
    )
    assert awaiting.text == "3 responses await the LSCB chair's assurance:"
    titles = {r.recommendation.number: r.numbered_title for r in content.responses}
    assert awaiting.items == [f"{titles[n]}: asked for on {asked_on()}" for n in (11, 52, 53)]
    # Numbered on from the paragraph before.
    assert awaiting.number == counts.number + 1


def test_appendix_1_gives_assurance_in_words_under_the_status(draft):
    rows = {row.label: row for _, rows in build_report(draft).appendix for row in rows}
    words = {label: rows[label].assurance_words for label in ("18", "2(a)", "2(b)", "52", "54", "24", "55")}
    assert words == {
        "18": "Assured",
        "2(a)": "Assured",
        "2(b)": "",  # in progress: nothing to assure
        "52": "Awaiting assurance",
        "54": "Assurance: changes requested",
        "24": "Assurance out of date",
        "55": "Assurance not requested",
    }


def test_a_report_with_nothing_complete_says_so(varied, clerk_darlington):
    report = cabinet_services.create_report(
        authority=varied.testshire,
        by=clerk_darlington,
        title="Laming: progress in Testshire",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=timezone.localdate() + datetime.timedelta(days=28),
    )
    (section,) = [s for s in build_report(report).main_sections if s.slug == "assurance"]
    assert [p.text for p in section.paragraphs] == [
        "The Council reports no response complete or ongoing, so none has yet been put to the LSCB chair "
        "for assurance."
    ]


def test_the_report_pdf_and_word_document_say_it_and_name_no_evidence_document(clerk_client, assurance):
    titles = every_document_title()
    pdf = fetch_pdf(clerk_client, reverse("authorities:cabinet_report_pdf", args=["darlington"])).content
    # Squeezed, as pdftotext breaks lines where the page does: white space and hyphens taken out.
    text = squeeze(pdf_text(pdf))
    assert (
        squeeze(
            "Of the 11 responses the Council reports complete or ongoing, 4 have been assured by the LSCB "
            "chair; 3 await assurance."
        )
        in text
    )
    assert squeeze(f"asked for on {asked_on()}") in text
    word = clerk_client.get(reverse("authorities:cabinet_report_docx", args=["darlington"]))
    assert word.status_code == 200
    document = docx.Document(io.BytesIO(word.content))
    words = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        + [
            p.text
            for section in document.sections
            for p in section.header.paragraphs + section.footer.paragraphs
        ]
    )
    assert "4 have been assured by the LSCB chair; 3 await assurance." in words
    assert "Assurance out of date" in words  # Appendix 1
    for title in titles:
        assert squeeze(title) not in text, title
        assert title not in words, title


def test_no_export_names_an_evidence_document(officer_client, assurance):
    titles = every_document_title()
    downloads = [
        officer_client.get(reverse("responses:council_export", args=["darlington", "csv"])).content.decode(),
        officer_client.get(reverse("responses:export", args=["csv"])).content.decode(),
    ]
    for url in (
        reverse("responses:council_export", args=["darlington", "xlsx"]),
        reverse("responses:export", args=["xlsx"]),
    ):
        sheet = openpyxl.load_workbook(io.BytesIO(officer_client.get(url).content)).active
        downloads.append("\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v))
    for download in downloads:
        assert "Assured" in download
        for title in titles:
            assert title not in download, title


@pytest.mark.parametrize(
    ("states", "sentence"),
    [
        (
            [Assurance.ASSURED],
            "The Council reports 1 response complete or ongoing: it has been assured by the LSCB chair.",
        ),
        (
            [Assurance.NOT_REQUESTED],
            "The Council reports 1 response complete or ongoing: it has not yet been put to the LSCB chair "
            "for assurance.",
        ),
        (
            [Assurance.REQUESTED, Assurance.REQUESTED],
            "Of the 2 responses the Council reports complete or ongoing, none has been assured by the LSCB "
            "chair; 2 await assurance.",
        ),
        (
            [Assurance.ASSURED, Assurance.REQUESTED, Assurance.OUT_OF_DATE],
            "Of the 3 responses the Council reports complete or ongoing, 1 has been assured by the LSCB "
            "chair; 1 awaits assurance. Of the rest, 1 was assured but has changed since, so its assurance "
            "is out of date.",
        ),
    ],
)
def test_the_reports_assurance_sentence_reads_well_for_one_and_for_none(states, sentence):
    responses = [LocalResponse(status=Status.COMPLETE, assurance=state) for state in states]
    # A response not reported done is not counted, whatever its assurance.
    responses.append(LocalResponse(status=Status.IN_PROGRESS, assurance=Assurance.OUT_OF_DATE))
    assert AssuranceStanding.of(responses).sentence() == sentence
