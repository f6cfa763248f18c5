"""Updating a council's responses from its spreadsheet: the export is the template, every row is
checked before anything is applied, the officer confirms, and a bad file changes nothing."""

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter
from django.urls import reverse

from responses.exports import TEMPLATE_COLUMNS
from responses.models import LocalResponse, ProgressUpdate, SpreadsheetImport, Status
from responses.services import record_progress

from .conftest import make_user
from .helpers import visible_text
from .test_assurance_everywhere import assurance_states  # noqa: F401
from .varied import varied_data  # noqa: F401

SLUG = "darlington"


# Files as an officer would make them


def download(client, slug=SLUG, fmt="xlsx") -> bytes:
    response = client.get(reverse("responses:council_export", args=[slug, fmt]))
    assert response.status_code == 200
    return response.content


def edited(content: bytes, changes: dict) -> bytes:
    """The downloaded workbook with cells changed as an officer would in Excel: {recommendation key
    ("51", "2(a)"): {heading: value}}. A text starting with "=" is typed as text (Excel's quote prefix);
    a Formula(...) is typed as a formula."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Responses"]
    headings = [cell.value for cell in sheet[1]]
    key_column = headings.index("Recommendation key")
    for row in sheet.iter_rows(min_row=2):
        for heading, value in changes.get(row[key_column].value, {}).items():
            cell = row[headings.index(heading)]
            if isinstance(value, Formula):
                cell.value = value.text
            else:
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class Formula:
    def __init__(self, text):
        self.text = text


def row_of(content: bytes, key: str) -> int:
    """The spreadsheet row number of a recommendation's row."""
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True)["Responses"]
    rows = list(sheet.iter_rows(values_only=True))
    column = list(rows[0]).index("Recommendation key")
    return next(number for number, row in enumerate(rows, start=1) if row[column] == key)


def upload(client, content: bytes, name="darlington-laming-responses.xlsx", slug=SLUG):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("authorities:import", args=[slug]), {"file": file})


def preview_of(client, response):
    assert response.status_code == 302, visible_text(response)
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def confirm(client, page):
    """Press the preview's "Save" button: post the plan it shows."""
    upload = page.context["upload"]
    return client.post(
        reverse("authorities:import_confirm", args=[upload.authority.slug, upload.pk]),
        {"plan": page.context["plan"].digest},
    )


def everything():
    """Every response as it stands, the length of the audit trail, and the uploads kept."""
    return (
        list(LocalResponse.objects.order_by("pk").values()),
        ProgressUpdate.objects.count(),
        SpreadsheetImport.objects.count(),
    )


def responses_and_timeline():
    return everything()[:2]


def response_51():
    return LocalResponse.objects.get(authority__slug=SLUG, recommendation__number=51, part=None)


def set_target(response, day, by):
    """Give a response a target date through the service, as the edit form would."""
    return record_progress(
        authority=response.authority,
        recommendation=response.recommendation,
        part=response.part,
        by=by,
        expected_version=response.version,
        text=response.text,
        status=response.status,
        rag=response.rag,
        lead_officer=response.lead_officer,
        target_date=day,
        target_date_reason="",
        evidence=response.evidence,
        note="Target set.",
    )


# The round trip of the "Done when"


def test_an_officer_changes_one_status_in_the_downloaded_file_previews_exactly_that_and_confirms_it(
    officer_client, officer_darlington
):
    content = download(officer_client)
    before = response_51()
    assert before.status == Status.IN_PROGRESS
    changed = edited(content, {"51": {"Status": "Complete", "Progress note": "Board signed off the review."}})

    page = preview_of(officer_client, upload(officer_client, changed))
    text = visible_text(page)
    assert "58 rows read from the file: 1 change to save 57 rows unchanged" in text
    assert "Row 52: Recommendation 51." in text
    assert "Status In progress Complete" in text
    assert "Progress note: Board signed off the review." in text
    plan = page.context["plan"]
    assert [(c.row, [(f.name, f.before, f.after) for f in c.fields]) for c in plan.changes] == [
        (52, [("Status", "In progress", "Complete")])
    ]
    assert plan.conflicts == [] and plan.errors == []
    # Nothing is applied until the officer confirms.
    assert response_51().version == before.version

    done = confirm(officer_client, page)
    assert done.status_code == 302
    after = response_51()
    assert after.status == Status.COMPLETE
    assert after.version == before.version + 1
    assert after.text == before.text and after.rag == before.rag and after.evidence == before.evidence
    update = after.updates.timeline().first()
    upload_record = SpreadsheetImport.objects.get()
    assert (update.by, update.note, update.spreadsheet_import) == (
        officer_darlington,
        "Board signed off the review.",
        upload_record,
    )
    assert (upload_record.state, upload_record.applied_count, upload_record.by) == (
        "applied",
        1,
        officer_darlington,
    )
    applied = visible_text(officer_client.get(done["Location"]))
    assert "1 response updated from darlington-laming-responses.xlsx" in applied
    # Each response saved is named by number and short title, linked to its page.
    assert "Recommendation 51. Separate chairs for Trust and LSCB : Board signed off the review." in applied
    timeline = visible_text(officer_client.get(reverse("responses:detail", args=[SLUG, 51])))
    assert f"by {officer_darlington.username}, from a spreadsheet upload" in timeline
    assert "Status: In progress to Complete Board signed off the review." in timeline

    # The same file again: its row has been saved since the download, so it is shown and left out.
    again = preview_of(officer_client, upload(officer_client, changed))
    text = visible_text(again)
    assert "0 changes to save" in text
    assert "1 row changed by someone else since you downloaded the file : left out" in text
    assert "Row 52: Recommendation 51." in text
    assert f"{officer_darlington.username} saved a change on" in text
    assert "from a spreadsheet upload: status In progress to Complete" in text
    assert "Save 0 changes" not in text and "Save 1 change" not in text
    updates = ProgressUpdate.objects.count()
    confirm(officer_client, again)
    assert ProgressUpdate.objects.count() == updates
    assert response_51().version == after.version


def test_confirming_twice_applies_nothing_the_second_time(officer_client):
    changed = edited(download(officer_client), {"51": {"Status": "Complete", "Progress note": "Done."}})
    page = preview_of(officer_client, upload(officer_client, changed))
    confirm(officer_client, page)
    state = everything()
    second = confirm(officer_client, page)
    assert second.status_code == 302
    assert everything() == state
    assert "Nothing was changed: this file was already applied on" in visible_text(
        officer_client.get(second["Location"])
    )


def test_nothing_is_applied_without_the_confirm_and_a_discarded_file_cannot_be_confirmed(officer_client):
    changed = edited(download(officer_client), {"51": {"Status": "Complete", "Progress note": "Done."}})
    page = preview_of(officer_client, upload(officer_client, changed))
    before = responses_and_timeline()
    upload_record = page.context["upload"]
    discarded = officer_client.post(reverse("authorities:import_discard", args=[SLUG, upload_record.pk]))
    assert discarded.status_code == 302
    assert "has been discarded. Nothing was changed." in visible_text(
        officer_client.get(discarded["Location"])
    )
    confirm(officer_client, page)
    assert responses_and_timeline() == before
    assert SpreadsheetImport.objects.get().state == "discarded"


def test_a_row_with_no_response_yet_can_be_given_a_first_one(officer_client, officer_darlington):
    changed = edited(
        download(officer_client),
        {
            "1": {
                "Status": "In progress",
                "RAG": "Amber",
                "Lead officer": "Head of Safeguarding",
                "Target date": datetime.datetime(2010, 3, 31),
                "Response": "Partnership priorities agreed with the Children's Trust.",
                "Progress note": "First response, from the Trust board.",
            }
        },
    )
    page = preview_of(officer_client, upload(officer_client, changed))
    text = visible_text(page)
    assert "Row 2: Recommendation 1." in text
    assert "A first response: Darlington has not answered this yet." in text
    assert "Status No response recorded In progress" in text
    assert "Target date Not set 31 March 2010" in text
    confirm(officer_client, page)
    first = LocalResponse.objects.get(authority__slug=SLUG, recommendation__number=1)
    assert (first.status, first.rag, first.lead_officer, first.target_date, first.version) == (
        "in_progress",
        "amber",
        "Head of Safeguarding",
        datetime.date(2010, 3, 31),
        1,
    )
    assert first.updated_by == officer_darlington
    assert first.updates.get().spreadsheet_import is not None


def test_a_row_changing_only_its_lead_officer_is_a_change_and_is_saved(officer_client, officer_darlington):
    changed = edited(
        download(officer_client),
        {"51": {"Lead officer": "Head of Quality Assurance", "Progress note": "New lead from April."}},
    )
    page = preview_of(officer_client, upload(officer_client, changed))
    text = visible_text(page)
    assert "Row 52: Recommendation 51." in text
    assert "Lead officer" in text and "Head of Quality Assurance" in text
    confirm(officer_client, page)
    response = response_51()
    assert response.lead_officer == "Head of Quality Assurance"
    assert response.updates.latest("response_version").note == "New lead from April."


def test_the_csv_export_round_trips_too(officer_client):
    content = download(officer_client, fmt="csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    status, note = TEMPLATE_COLUMNS.index("Status"), TEMPLATE_COLUMNS.index("Progress note")
    row_51 = next(row for row in rows if row[TEMPLATE_COLUMNS.index("Recommendation key")] == "51")
    row_51[status], row_51[note] = "Complete", "Signed off."
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    page = preview_of(officer_client, upload(officer_client, out.getvalue().encode(), name="darlington.csv"))
    assert [(c.row, [(f.name, f.after) for f in c.fields]) for c in page.context["plan"].changes] == [
        (52, [("Status", "Complete")])
    ]
    assert page.context["plan"].unchanged == 57


# Text that looks like a formula


FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example/","Click")',
    "- first point\n- second point",
    "+44 1325 388 000",
    "@SUM(1)",
    "'quoted' from the minutes",
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_text_starting_like_a_formula_comes_back_unchanged(officer_client, officer_darlington, fmt):
    response = response_51()
    saved = record_progress(
        authority=response.authority,
        recommendation=response.recommendation,
        part=None,
        by=officer_darlington,
        expected_version=response.version,
        text=FORMULA_LIKE[0],
        status=response.status,
        rag=response.rag,
        lead_officer=FORMULA_LIKE[2],
        target_date=None,
        target_date_reason="",
        evidence="",
        note="Typed by an officer.",
    )
    content = download(officer_client, fmt=fmt)
    name = f"darlington.{fmt}"
    page = preview_of(officer_client, upload(officer_client, content, name=name))
    assert page.context["plan"].changes == []
    assert page.context["plan"].unchanged == 58
    assert response_51().version == saved.version


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_starting_like_a_formula_typed_in_the_file_is_saved_as_typed(officer_client, text):
    changed = edited(download(officer_client), {"51": {"Response": text, "Progress note": "- reworded"}})
    page = preview_of(officer_client, upload(officer_client, changed))
    confirm(officer_client, page)
    assert response_51().text == text
    assert response_51().updates.timeline().first().note == "- reworded"


# The edit form's rules, row by row


def test_a_changed_row_without_a_progress_note_is_a_problem_and_nothing_is_saved(officer_client):
    changed = edited(download(officer_client), {"51": {"Status": "Complete"}})
    before = responses_and_timeline()
    page = preview_of(officer_client, upload(officer_client, changed))
    text = visible_text(page)
    assert "There is a problem Row 52: Enter a progress note saying what has changed" in text
    assert "1 row with problems : left out" in text
    assert page.context["plan"].changes == []
    confirm(officer_client, page)
    assert responses_and_timeline() == before


def test_a_moved_target_date_needs_a_reason(officer_client, officer_darlington):
    set_target(response_51(), datetime.date(2009, 6, 30), officer_darlington)
    content = download(officer_client)
    moved = edited(
        content, {"51": {"Target date": datetime.datetime(2009, 9, 30), "Progress note": "Later."}}
    )
    before = responses_and_timeline()
    text = visible_text(preview_of(officer_client, upload(officer_client, moved)))
    assert "Row 52: Give a reason for moving the target date from 30 June 2009" in text
    assert responses_and_timeline() == before

    with_reason = edited(
        content,
        {
            "51": {
                "Target date": datetime.datetime(2009, 9, 30),
                "Reason target date moved": "The Board meets in September.",
                "Progress note": "Later.",
            }
        },
    )
    page = preview_of(officer_client, upload(officer_client, with_reason))
    assert "Target date 30 June 2009 30 September 2009" in visible_text(page)
    confirm(officer_client, page)
    saved = response_51()
    assert (saved.target_date, saved.original_target_date, saved.target_date_reason) == (
        datetime.date(2009, 9, 30),
        datetime.date(2009, 6, 30),
        "The Board meets in September.",
    )


def test_a_reason_changed_without_moving_the_date_is_a_problem(officer_client, officer_darlington):
    set_target(response_51(), datetime.date(2009, 6, 30), officer_darlington)
    changed = edited(
        download(officer_client), {"51": {"Reason target date moved": "Because.", "Progress note": "x"}}
    )
    text = visible_text(preview_of(officer_client, upload(officer_client, changed)))
    assert "Row 52: The Reason target date moved has been changed but the target date has not." in text


# Bad rows: the file is read, the row is named with its problem, and nothing changes


BAD_ROWS = {
    "an unknown status": (
        {"Status": "Finished"},
        "Row 52: “Finished” is not a status. Choose one from the list: Not started, In progress, Complete,",
    ),
    "an unknown RAG rating": ({"RAG": "Purple"}, "Row 52: “Purple” is not a RAG rating."),
    "a date that does not exist": ({"Target date": "31/02/2009"}, "Row 52: Target date must be a real date"),
    "a date in words": ({"Target date": "next spring"}, "Row 52: Target date must be a real date"),
    "a date before the report": ({"Target date": "2008-12-31"}, "Row 52: Target date must be between 2009"),
    "a changed response id": (
        {"Response id": 99999},
        "Row 52: The hidden Response id or Version column has been changed.",
    ),
    "a changed version": (
        {"Version": 7},
        "Row 52: The hidden Response id or Version column has been changed.",
    ),
    "a version of 0 beside a response id": (
        {"Version": 0},
        "Row 52: The hidden Response id or Version column has been changed.",
    ),
    "a changed recommendation number": (
        {"Recommendation": 50},
        "Row 52: The Recommendation or Part column has been changed: this row was downloaded for "
        "recommendation 51.",
    ),
    "a formula": (
        {"Status": Formula('=IF(TRUE,"Complete","")')},
        'Row 52: The Status cell holds a formula (=IF(TRUE,"Complete","")). Type the value itself: '
        "formulas are not read.",
    ),
    "a response over the edit form's limit": (
        {"Response": "x" * 10_001},
        "Row 52: Local response must be 10,000 characters or fewer",
    ),
    "an empty response": ({"Response": None}, "Row 52: Enter the council's response"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_a_bad_row_is_named_with_its_problem_and_nothing_changes(officer_client, case):
    cells, message = BAD_ROWS[case]
    changed = edited(download(officer_client), {"51": {**cells, "Progress note": "Changed."}})
    before = responses_and_timeline()
    page = preview_of(officer_client, upload(officer_client, changed))
    text = visible_text(page)
    assert "There is a problem" in text
    assert message in text
    plan = page.context["plan"]
    assert (len(plan.errors), plan.changes, plan.unchanged) == (1, [], 57)
    confirm(officer_client, page)
    assert responses_and_timeline() == before


def test_a_bad_row_leaves_the_good_rows_to_be_saved(officer_client):
    changed = edited(
        download(officer_client),
        {
            "51": {"Status": "Finished", "Progress note": "x"},
            "52": {"Status": "Complete", "Progress note": "Signed off."},
        },
    )
    page = preview_of(officer_client, upload(officer_client, changed))
    assert "Save 1 change" in visible_text(page)
    confirm(officer_client, page)
    assert LocalResponse.objects.get(authority__slug=SLUG, recommendation__number=52).status == "complete"
    assert response_51().status == "in_progress"


def test_a_duplicated_row_is_a_problem(officer_client):
    workbook = openpyxl.load_workbook(io.BytesIO(download(officer_client)))
    sheet = workbook["Responses"]
    sheet.append([cell.value for cell in sheet[52]])
    out = io.BytesIO()
    workbook.save(out)
    text = visible_text(preview_of(officer_client, upload(officer_client, out.getvalue())))
    assert "Row 60: This row is for recommendation 51, as row 52 is." in text


# Someone saves in between


def test_a_change_saved_by_someone_else_after_the_download_is_shown_and_left_out(
    officer_client, officer_darlington
):
    content = download(officer_client)
    colleague = make_user("officer.colleague", response_51().authority, "officer")
    colleague.first_name, colleague.last_name = "Jenni", "Cooke"
    colleague.save()
    response = response_51()
    record_progress(
        authority=response.authority,
        recommendation=response.recommendation,
        part=None,
        by=colleague,
        expected_version=response.version,
        text=response.text,
        status="awaiting_national",
        rag=response.rag,
        lead_officer=response.lead_officer,
        target_date=None,
        target_date_reason="",
        evidence="",
        note="Waiting for the DCSF guidance.",
    )
    changed = edited(content, {"51": {"Status": "Complete", "Progress note": "Done."}})
    before = responses_and_timeline()
    page = preview_of(officer_client, upload(officer_client, changed))
    text = visible_text(page)
    assert "Row 52: Recommendation 51." in text
    assert (
        "Jenni Cooke saved a change on" in text
        and "status In progress to Awaiting national guidance or action. Their note: Waiting for the DCSF "
        "guidance."
        in text
    )
    # Only what was saved after the download is listed, not the save the file was downloaded at.
    assert text.count("saved a change on") == 1
    assert (
        "What your file would change: Your changes in this row Field When you downloaded the file "
        "In your file Status In progress Complete Your progress note: Done." in text
    )
    confirm(officer_client, page)
    assert responses_and_timeline() == before


def test_a_conflict_between_the_preview_and_the_confirm_saves_nothing_and_names_the_row(
    officer_client, officer_darlington, administrator
):
    changed = edited(
        download(officer_client),
        {
            "51": {"Status": "Complete", "Progress note": "Done."},
            "52": {"Status": "Complete", "Progress note": "Done too."},
        },
    )
    page = preview_of(officer_client, upload(officer_client, changed))
    assert len(page.context["plan"].changes) == 2
    # An administrator saves recommendation 52 while the officer reads the preview.
    response = LocalResponse.objects.get(authority__slug=SLUG, recommendation__number=52)
    record_progress(
        authority=response.authority,
        recommendation=response.recommendation,
        part=None,
        by=administrator,
        expected_version=response.version,
        text=response.text,
        status="not_applicable",
        rag="",
        lead_officer="",
        target_date=None,
        target_date_reason="",
        evidence="",
        note="Corrected by the administrator.",
    )
    before = responses_and_timeline()
    answer = confirm(officer_client, page)
    assert answer.status_code == 409
    text = visible_text(answer)
    assert "Nothing has been updated" in text
    assert "These rows are now left out: Row 53: Recommendation 52. Senior members on the LSCB" in text
    assert "Row 53: Recommendation 52." in text and "Corrected by the administrator." in text
    assert "Save 1 change" in text
    assert responses_and_timeline() == before
    assert SpreadsheetImport.objects.get().state == "previewed"
    # Confirming what the page now shows saves the row nobody else touched.
    confirm(officer_client, answer)
    assert response_51().status == "complete"
    assert (
        LocalResponse.objects.get(authority__slug=SLUG, recommendation__number=52).status == "not_applicable"
    )


# Bad files: refused whole, with a message, and nothing kept


def pdf(_client):
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "darlington.xlsx"


def text_renamed(_client):
    return b"Recommendation,Status\n51,Complete\n", "darlington.xlsx"


def old_excel(_client):
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "darlington.xls"


def renamed_column(client):
    workbook = openpyxl.load_workbook(io.BytesIO(download(client)))
    workbook["Responses"]["G1"] = "Stat"
    return saved(workbook), "darlington.xlsx"


def six_columns_renamed(client):
    """Status and five of the columns kept only for reading renamed: the message names the first five
    headings it does not know, in the file's order, not a sixth."""
    workbook = openpyxl.load_workbook(io.BytesIO(download(client)))
    sheet = workbook["Responses"]
    for number, heading in enumerate(
        ["Status", "Council", "Short title", "Theme", "Recommendation text", "Original target date"], start=1
    ):
        sheet.cell(row=1, column=TEMPLATE_COLUMNS.index(heading) + 1, value=f"Column {number}")
    return saved(workbook), "darlington.xlsx"


def missing_column(client):
    workbook = openpyxl.load_workbook(io.BytesIO(download(client)))
    workbook["Responses"].delete_cols(TEMPLATE_COLUMNS.index("Progress note") + 1)
    return saved(workbook), "darlington.xlsx"


def over_10_mb(_client):
    return b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024), "darlington.xlsx"


def empty(_client):
    return b"", "darlington.xlsx"


def too_many_rows(_client):
    """The export's headings and 100,001 rows under them, written as Excel writes a large sheet. (A
    sheet that does not declare its size is counted as it is read: test_spreadsheet_reader.py.)"""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet("Responses")
    sheet.write_row(0, 0, TEMPLATE_COLUMNS)
    for row in range(1, 100_002):
        sheet.write_number(row, 1, 1)
    workbook.close()
    content = buffer.getvalue()
    return content, "darlington.xlsx"


def with_macros(client):
    content = download(client)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr("xl/vbaProject.bin", b'\xd0\xcf\x11\xe0 Attribute VB_Name = "Module1"')
    # Named .xlsx: it is refused by what it holds, not its name.
    return buffer.getvalue(), "darlington.xlsx"


def zip_bomb(_client):
    """A small zip whose sheet unpacks to 60 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(60):
                sheet.write(chunk)
    return buffer.getvalue(), "darlington.xlsx"


def packed_too_tightly(_client):
    """One part of 5 MB of the same byte: a thousandfold packing that no spreadsheet has."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b" " * (5 * 1024 * 1024))
    return buffer.getvalue(), "darlington.xlsx"


def entity_bomb(client):
    """The export with an XML entity declaration in its workbook part (billion laughs): defusedxml
    refuses it before anything expands."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    content = rewritten(
        download(client),
        "xl/workbook.xml",
        lambda xml: laughs + xml.split(b"?>", 1)[1].replace(b'name="Responses"', b'name="&lol2;"'),
    )
    return content, "darlington.xlsx"


def not_utf8_csv(_client):
    return ",".join(TEMPLATE_COLUMNS).encode() + "\n51,Évaluation\n".encode("cp1252"), "darlington.csv"


def rewritten(content, name, change):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            out.writestr(item, change(data) if item.filename == name else data)
    return buffer.getvalue()


def saved(workbook):
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


NOT_A_SPREADSHEET = "The selected file must be an Excel workbook (.xlsx) or a CSV file."
BAD_FILES = {
    "a PDF renamed .xlsx": (pdf, NOT_A_SPREADSHEET),
    "a text file renamed .xlsx": (text_renamed, NOT_A_SPREADSHEET),
    "an Excel 97-2003 file": (old_excel, "The selected file is in the old Excel 97-2003 format (.xls)."),
    "a renamed column": (
        renamed_column,
        "The selected file does not have the columns of the downloaded file: there is no column headed "
        "“Status”. It has “Stat” instead.",
    ),
    "a missing column": (missing_column, "there is no column headed “Progress note”."),
    "six renamed columns": (
        six_columns_renamed,
        # In the file's order: Council, Short title, Theme, Recommendation text, Status (Column 1), and
        # not Original target date (Column 6).
        "there is no column headed “Status”. It has “Column 2”, “Column 3”, “Column 4”, “Column 5”, "
        "“Column 1” instead.",
    ),
    "over 10 MB": (over_10_mb, "The selected file must be smaller than 10 MB"),
    "an empty file": (empty, "The selected file is empty"),
    "over 100,000 rows": (too_many_rows, "The selected file must have 100,000 rows or fewer"),
    "macros": (with_macros, "The selected file contains macros."),
    "a zip bomb": (zip_bomb, "it would unpack to far more than a spreadsheet of responses (over 50 MB)"),
    "a part packed a thousandfold": (packed_too_tightly, "it would unpack to far more than a spreadsheet"),
    "an XML entity bomb": (entity_bomb, NOT_A_SPREADSHEET),
    "a CSV file not in UTF-8": (not_utf8_csv, "The selected file must be a CSV file saved as UTF-8"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_a_message_and_nothing_changes(officer_client, case):
    make, message = BAD_FILES[case]
    content, name = make(officer_client)
    before = everything()
    answer = upload(officer_client, content, name=name)
    assert answer.status_code == 400
    text = visible_text(answer)
    assert "There is a problem" in text
    assert message in text
    assert everything() == before


def test_uploading_without_a_file_asks_for_one(officer_client):
    answer = officer_client.post(reverse("authorities:import", args=[SLUG]), {})
    assert answer.status_code == 400
    assert "Select the spreadsheet to upload" in visible_text(answer)


def test_a_darlington_file_uploaded_to_newcastle_is_refused(client, officer_darlington, officer_newcastle):
    client.force_login(officer_darlington)
    content = edited(download(client), {"51": {"Status": "Complete", "Progress note": "Done."}})
    client.force_login(officer_newcastle)
    before = everything()
    answer = upload(client, content, slug="newcastle")
    assert answer.status_code == 400
    assert (
        "The selected file is Darlington Borough Council’s responses, not Newcastle City Council’s. "
        "Upload it on Darlington’s page, or download Newcastle’s file from this page." in visible_text(answer)
    )
    assert everything() == before


# Who may


def test_an_officer_of_another_council_cannot_open_or_post_to_darlingtons_import_page(
    client, officer_darlington, officer_newcastle
):
    client.force_login(officer_darlington)
    content = edited(download(client), {"51": {"Status": "Complete", "Progress note": "Done."}})
    client.force_login(officer_newcastle)
    assert client.get(reverse("authorities:import", args=[SLUG])).status_code == 403
    before = everything()
    assert upload(client, content).status_code == 403
    assert everything() == before


def test_only_the_officer_who_uploaded_a_file_can_confirm_it(client, officer_darlington, administrator):
    client.force_login(officer_darlington)
    changed = edited(download(client), {"51": {"Status": "Complete", "Progress note": "Done."}})
    page = preview_of(client, upload(client, changed))
    client.force_login(administrator)
    seen = client.get(reverse("authorities:import_detail", args=[SLUG, page.context["upload"].pk]))
    assert "Only officer.test-darlington, who uploaded this file, can save its changes." in visible_text(seen)
    before = responses_and_timeline()
    assert confirm(client, page).status_code == 403
    assert responses_and_timeline() == before


def test_an_administrator_can_update_any_council_from_its_spreadsheet(client, administrator):
    client.force_login(administrator)
    answered = LocalResponse.objects.filter(authority__slug="newcastle", part=None).select_related(
        "recommendation"
    )
    key = str(answered.first().recommendation.number)
    changed = edited(
        download(client, "newcastle"), {key: {"Progress note": "Reviewed by the administrator."}}
    )
    page = preview_of(client, upload(client, changed, slug="newcastle"))
    assert len(page.context["plan"].changes) == 1
    confirm(client, page)
    assert (
        ProgressUpdate.objects.filter(response__authority__slug="newcastle", by=administrator).get().note
        == "Reviewed by the administrator."
    )


def test_the_dashboard_links_editors_to_the_upload_page(client, officer_darlington, chair_darlington):
    client.force_login(officer_darlington)
    link = "Update Darlington's responses from a spreadsheet"
    assert link in visible_text(client.get(reverse("authorities:detail", args=[SLUG])))
    client.force_login(chair_darlington)
    assert link not in visible_text(client.get(reverse("authorities:detail", args=[SLUG])))


# The template


def test_the_excel_export_is_the_import_template(officer_client):
    workbook = openpyxl.load_workbook(io.BytesIO(download(officer_client)))
    sheet = workbook["Responses"]
    headings = [cell.value for cell in sheet[1]]
    assert headings == TEMPLATE_COLUMNS
    letter = {heading: openpyxl.utils.get_column_letter(i + 1) for i, heading in enumerate(headings)}
    # openpyxl keeps neighbouring columns of the same width and visibility as one range (min to max).
    hidden_columns = {
        number
        for dimension in sheet.column_dimensions.values()
        if dimension.hidden
        for number in range(dimension.min, dimension.max + 1)
    }
    hidden = {heading for i, heading in enumerate(headings) if i + 1 in hidden_columns}
    assert hidden == {"Council code", "Recommendation key", "Response id", "Version"}
    validations = {str(v.sqref).split(":")[0][0]: v for v in sheet.data_validations.dataValidation}
    assert validations[letter["Status"]].formula1 == (
        '"Not started,In progress,Complete,Ongoing (embedded in practice),Awaiting national guidance or '
        'action,A matter for a partner agency,Not applicable"'
    )
    assert validations[letter["RAG"]].formula1 == '"Not rated,Red,Amber,Green"'
    row = next(r for r in sheet.iter_rows(min_row=2) if r[headings.index("Recommendation key")].value == "51")
    values = {heading: cell.value for heading, cell in zip(headings, row, strict=True)}
    assert values["Progress note"] is None
    assert (values["Council code"], values["Response id"], values["Version"]) == (
        "darlington",
        response_51().pk,
        response_51().version,
    )


def test_the_app_reads_spreadsheets_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_damaged_workbook_is_refused_never_a_server_error(officer_client):
    """The export cut short, or with bytes overwritten here and there (in the zip's directory, in a
    compressed part, in the headers): always a refusal or a preview, never a 500, and nothing saved."""
    content = download(officer_client)
    damaged = [
        content[:length] for length in (4, 100, len(content) // 2, len(content) - 22, len(content) - 1)
    ]
    for position in range(30, len(content), len(content) // 23):
        damaged.append(
            content[:position]
            + bytes(b ^ 0x5A for b in content[position : position + 16])
            + content[position + 16 :]
        )
    before = responses_and_timeline()
    for number, bad in enumerate(damaged):
        answer = upload(officer_client, bad, name=f"damaged-{number}.xlsx")
        assert answer.status_code in (302, 400), (number, answer.status_code)
        if answer.status_code == 302:
            assert officer_client.get(answer["Location"]).status_code == 200
    assert responses_and_timeline() == before


# Assurance: exported in words, never read back (it changes only through the council's LSCB chair)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_file_with_every_assurance_state_uploaded_unchanged_changes_nothing(officer_client, assurance, fmt):
    content = download(officer_client, fmt=fmt)
    before = everything()[:2]
    page = preview_of(officer_client, upload(officer_client, content, name=f"darlington.{fmt}"))
    plan = page.context["plan"]
    assert (plan.changes, plan.conflicts, plan.errors) == ([], [], [])
    assert plan.unchanged == plan.rows == 57 + 10
    assert everything()[:2] == before


def test_the_assurance_column_is_read_only(officer_client, assurance):
    assured = darlington_assurance()
    changed = edited(
        download(officer_client),
        {
            "18": {"Assurance": "Not requested"},
            "52": {"Assurance": "Assured", "Status": "Complete", "Progress note": "Now complete."},
            "55": {"Assurance": "Assured"},
        },
    )
    page = preview_of(officer_client, upload(officer_client, changed))
    plan = page.context["plan"]
    # Only 52's status is a change; no assurance is.
    assert [(c.key, [(f.name, f.after) for f in c.fields]) for c in plan.changes] == [
        ("52", [("Status", "Complete")])
    ]
    assert plan.errors == []
    confirm(officer_client, page)
    assert darlington_assurance() == assured


def test_a_file_downloaded_before_the_assurance_column_still_imports(officer_client):
    workbook = openpyxl.load_workbook(io.BytesIO(download(officer_client)))
    sheet = workbook["Responses"]
    sheet.delete_cols([cell.value for cell in sheet[1]].index("Assurance") + 1)
    out = io.BytesIO()
    workbook.save(out)
    plan = preview_of(officer_client, upload(officer_client, out.getvalue())).context["plan"]
    assert (plan.changes, plan.errors) == ([], [])
    assert plan.unchanged == 58


def darlington_assurance():
    return dict(
        LocalResponse.objects.filter(authority__slug=SLUG).values_list("pk", "assurance").order_by("pk")
    )
