"""Responses as CSV and Excel files, safe to open in a spreadsheet."""

import csv
import io

import xlsxwriter
from django.http import HttpResponse

from recommendations.models import Recommendation

from .models import answer_layout

COLUMNS = [
    "Council",
    "Recommendation",
    "Part",
    # Editorial: the tracker's few words for the recommendation, or for the part on a part's row.
    "Short title",
    "Theme",
    "Recommendation text",
    "Status",
    "RAG",
    "Lead officer",
    "Original target date",
    "Target date",
    "Reason target date moved",
    "Last update",
    "Response",
]
NO_RESPONSE = "No response recorded"
# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet will show as text: a leading formula character is escaped with a quote."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _date(value):
    return value.isoformat() if value else ""


def _last_update(response):
    if response.last_update_dated:
        return response.last_update_dated.isoformat()
    return response.last_update_wording or ""


def response_row(response, recommendation, part):
    """One export row: a response, or where `response` is None, a gap in a council's answers."""
    text = part.text if part else recommendation.text
    short_title = part.short_title if part else recommendation.short_title
    common = [
        recommendation.number,
        part.letter if part else "",
        short_title,
        recommendation.theme.name,
        text,
    ]
    if response is None:
        return common + [NO_RESPONSE, "", "", "", "", "", "", ""]
    return common + [
        response.get_status_display(),
        response.get_rag_display(),
        response.lead_officer,
        _date(response.original_target_date),
        _date(response.target_date),
        response.target_date_reason,
        _last_update(response),
        response.text,
    ]


def rows_for_responses(responses):
    """Rows for a filtered list: one per response, with its council."""
    for response in responses:
        yield [response.authority.name] + response_row(response, response.recommendation, response.part)


def rows_for_council(authority, responses):
    """Rows for one council: every recommendation, or every part where the council answers part by
    part, with "No response recorded" where it has not answered."""
    by_recommendation = {}
    for response in responses:
        by_recommendation.setdefault(response.recommendation_id, {})[response.part_id] = response
    for recommendation in Recommendation.objects.for_list():
        answers = by_recommendation.get(recommendation.pk, {})
        for part, response in answer_layout(list(recommendation.parts.all()), answers):
            yield [authority.name] + response_row(response, recommendation, part)


def csv_download(rows, filename):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    # A byte-order mark so that Excel opens the file as UTF-8 (names such as "Children’s").
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


def xlsx_download(rows, filename, *, sheet_title="Responses"):
    buffer = io.BytesIO()
    # Never turn text into formulas or links, whatever an officer typed.
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(sheet_title[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_row(0, 0, COLUMNS, bold)
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(row_index, column, value, wrap)
            else:
                sheet.write_string(row_index, column, safe_cell(value), wrap)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row_index, 1), len(COLUMNS) - 1)
    for column, width in enumerate([24, 8, 6, 30, 22, 60, 22, 10, 22, 12, 12, 30, 16, 80]):
        sheet.set_column(column, column, width)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


DOWNLOADS = {"csv": csv_download, "xlsx": xlsx_download}
