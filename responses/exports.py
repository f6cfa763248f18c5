"""Responses as CSV and Excel files, safe to open in a spreadsheet.

A council's own export is also the template for updating its responses from a spreadsheet
(responses/imports.py reads it back): after the columns people read, it has an empty "Progress note"
column and, hidden in Excel, each row's identity (council, recommendation or part, response id) and the
version of the response it was downloaded at.
"""

import csv
import datetime
import io

import xlsxwriter
from django.http import HttpResponse

from recommendations.models import Recommendation

from .models import Rag, Status, answer_layout

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
    # Read-only: assurance changes only through the council's LSCB chair, so an upload ignores it.
    "Assurance",
    "Lead officer",
    "Original target date",
    "Target date",
    "Reason target date moved",
    "Last update",
    "Response",
]
# What a council's export adds to make it the import template. The note is the officer's to write;
# the other four are the row's identity and version, hidden in Excel.
NOTE = "Progress note"
IDENTITY_COLUMNS = ["Council code", "Recommendation key", "Response id", "Version"]
TEMPLATE_COLUMNS = [*COLUMNS, NOTE, *IDENTITY_COLUMNS]
# The columns an upload may change; the others are there to read and are not read back.
EDITABLE_COLUMNS = [
    "Status",
    "RAG",
    "Lead officer",
    "Target date",
    "Reason target date moved",
    "Response",
    NOTE,
]
NO_RESPONSE = "No response recorded"
# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# In a CSV file such a cell is written after an apostrophe, which spreadsheet programs show as text
# and do not run. A cell that itself starts with an apostrophe gets one too, so that reading a CSV
# back (unquote_cell) takes off exactly the one that was added and every text comes back unchanged.
QUOTE = "'"


def safe_cell(value):
    """Text a spreadsheet will show as text: a leading formula character (or apostrophe) is escaped
    with an apostrophe. For CSV: an Excel file keeps text as text without one (xlsx_download)."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return QUOTE + text if text.startswith((*FORMULA_STARTS, QUOTE)) else text


def unquote_cell(text: str) -> str:
    """The text safe_cell escaped, as it was: one apostrophe before a formula character or an
    apostrophe is taken off. (A spreadsheet program that read the apostrophe as its own text prefix
    saves the cell without it; such a cell is kept as it is, as text.)"""
    if text.startswith(QUOTE) and text[1:].startswith((*FORMULA_STARTS, QUOTE)):
        return text[1:]
    return text


def plain_newlines(text: str) -> str:
    """Line breaks as spreadsheets keep them: a browser's form sends \\r\\n, a spreadsheet cell has \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _last_update(response):
    if response.last_update_dated:
        return response.last_update_dated.isoformat()
    return response.last_update_wording or ""


def response_row(response, recommendation, part):
    """One export row: a response, or where `response` is None, a gap in a council's answers.
    Dates are dates: CSV writes them as 2009-06-30, Excel as real dates."""
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
        return common + [NO_RESPONSE, "", "", "", "", "", "", "", ""]
    return common + [
        response.get_status_display(),
        response.get_rag_display(),
        response.get_assurance_display(),
        response.lead_officer,
        response.original_target_date,
        response.target_date,
        response.target_date_reason,
        _last_update(response),
        response.text,
    ]


def recommendation_key(recommendation, part) -> str:
    """ "51" for a whole recommendation, "2(a)" for a part: a row's identity within its council."""
    return f"{recommendation.number}({part.letter})" if part else str(recommendation.number)


def rows_for_responses(responses):
    """Rows for a filtered list: one per response, with its council."""
    for response in responses:
        yield [response.authority.name] + response_row(response, response.recommendation, response.part)


def rows_for_council(authority, responses):
    """Rows for one council: every recommendation, or every part where the council answers part by
    part, with "No response recorded" where it has not answered. Each row ends with the template's
    columns: an empty progress note, then the row's identity and the version it was downloaded at (0
    where there is no response yet)."""
    by_recommendation = {}
    for response in responses:
        by_recommendation.setdefault(response.recommendation_id, {})[response.part_id] = response
    for recommendation in Recommendation.objects.for_list():
        answers = by_recommendation.get(recommendation.pk, {})
        for part, response in answer_layout(list(recommendation.parts.all()), answers):
            yield (
                [authority.name]
                + response_row(response, recommendation, part)
                + [
                    "",
                    authority.slug,
                    recommendation_key(recommendation, part),
                    response.pk if response else "",
                    response.version if response else 0,
                ]
            )


def csv_download(rows, filename, *, columns=COLUMNS):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    # A byte-order mark so that Excel opens the file as UTF-8 (names such as "Children’s").
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(plain_newlines(v) if isinstance(v, str) else v) for v in row])
    return response


WIDTHS = {
    "Council": 24,
    "Recommendation": 8,
    "Part": 6,
    "Short title": 30,
    "Theme": 22,
    "Recommendation text": 60,
    "Status": 22,
    "RAG": 10,
    "Assurance": 20,
    "Lead officer": 22,
    "Original target date": 12,
    "Target date": 12,
    "Reason target date moved": 30,
    "Last update": 16,
    "Response": 80,
    NOTE: 40,
}


def xlsx_download(rows, filename, *, sheet_title="Responses", columns=COLUMNS):
    """An Excel workbook of `rows`. With the template's columns (TEMPLATE_COLUMNS) it is the import
    template: status and RAG as drop-down lists, the identity columns hidden, a note on how to use it."""
    buffer = io.BytesIO()
    # Never turn text into formulas or links, whatever an officer typed: every text is written as a
    # string cell, so nothing needs an apostrophe in front (it would come back on re-import).
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(sheet_title[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    editable_heading = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#FFDD00"}
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    # Text that starts like a formula also gets Excel's "quote prefix": the cell stays text if an
    # officer opens it and presses Enter. The prefix is formatting, not part of the value read back.
    text_like_formula = workbook.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
    date = workbook.add_format({"num_format": "d mmm yyyy", "valign": "top"})
    template = columns == TEMPLATE_COLUMNS
    for column, heading in enumerate(columns):
        sheet.write_string(
            0, column, heading, editable_heading if template and heading in EDITABLE_COLUMNS else bold
        )
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(row_index, column, value, wrap)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(
                    row_index, column, datetime.datetime.combine(value, datetime.time()), date
                )
            elif value is None or value == "":
                sheet.write_blank(row_index, column, None, wrap)
            else:
                text = plain_newlines(str(value))
                sheet.write_string(
                    row_index, column, text, text_like_formula if text.startswith(FORMULA_STARTS) else wrap
                )
    last_row = max(row_index, 1)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last_row, len(columns) - 1)
    for column, heading in enumerate(columns):
        if heading in IDENTITY_COLUMNS:
            sheet.set_column(column, column, 10, None, {"hidden": True})
        else:
            sheet.set_column(column, column, WIDTHS[heading])
    if template:
        _template_guidance(sheet, columns, last_row)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _template_guidance(sheet, columns, last_row):
    """Drop-down lists of the tracker's own words for status and RAG, and a note on each yellow heading."""
    for heading, choices, what in (("Status", Status, "status"), ("RAG", Rag, "RAG rating")):
        column = columns.index(heading)
        sheet.data_validation(
            1,
            column,
            last_row,
            column,
            {
                "validate": "list",
                "source": [choice.label for choice in choices],
                "error_title": f"Choose a {what}",
                "error_message": f"Choose a {what} from the list.",
            },
        )
    sheet.write_comment(
        0,
        columns.index(NOTE),
        "Say what has changed in every row you change. It goes on the progress timeline with your "
        "name and the date, and cannot be changed later. A row you change without a note is not updated.",
        {"x_scale": 2, "y_scale": 1.5},
    )
    sheet.write_comment(
        0,
        columns.index("Reason target date moved"),
        "If you move a target date, replace this with the reason for moving it.",
        {"x_scale": 2},
    )


def council_download(fmt, rows, filename):
    """A council's export in `fmt`: the import template's columns."""
    return DOWNLOADS[fmt](rows, filename, columns=TEMPLATE_COLUMNS)


DOWNLOADS = {"csv": csv_download, "xlsx": xlsx_download}
