"""Any English council can join: the spreadsheet of councils an administrator uploads, checked row by
row with the same form as /authorities/new/, and the one write that adds councils.

A file is checked whole before anything is saved: every row, and every row against the others and
against the councils already in the tracker. The administrator sees what will be added, confirms,
and all of it is added in one transaction, or none of it.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

import xlsxwriter
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import people
from .council_forms import IMPLICATION_ROWS, CouncilForm, NewCouncil, TakenNames
from .models import Authority, ImplicationRow, Membership
from .spreadsheets import Limits, SpreadsheetError, read_rows

# The spreadsheet's columns, in the template's order: (form field, heading). The headings are what a
# file must have in its first row (matched without regard to capitals or the kind of apostrophe).
FIXED_COLUMNS = [
    ("name", "Name"),
    ("short_name", "Short name"),
    ("slug", "Slug"),
    ("ons_code", "ONS code"),
    ("region", "Region"),
    ("lscb_name", "LSCB"),
    ("childrens_trust_name", "Children's Trust"),
    ("directorate", "Directorate"),
    ("director_name", "Director's name"),
    ("director_title", "Director's job title"),
    ("contact_officer", "Contact officer"),
    ("contact_details", "Contact officer's details"),
    ("first_administrator_email", "First administrator's email address"),
]
IMPLICATION_COLUMNS = [
    (f"implication_{number}_{part}", f"Implications row {number} {part}")
    for number in range(1, IMPLICATION_ROWS + 1)
    for part in ("heading", "text")
]
COLUMNS = FIXED_COLUMNS + IMPLICATION_COLUMNS
# Regions by what a spreadsheet may say: the name ("North East") or the value (north_east).
REGIONS_BY_WORDS = {
    **{label.casefold(): value for value, label in Authority.Region.choices},
    **{value: value for value in Authority.Region.values},
}


def heading_key(heading: str) -> str:
    return " ".join(heading.replace("\u2019", "'").split()).casefold()


COLUMNS_BY_HEADING = {heading_key(heading): name for name, heading in COLUMNS}


# A spreadsheet of councils: a row for each council, so 1,000 rows is already more than England has.
COUNCIL_FILES = Limits(
    max_bytes=5 * 1024 * 1024,
    max_rows=1_000,
    max_columns=200,
    holds="councils",
    advice="Start from the template on this page.",
    windows_csv=True,
)
MAX_ROWS = COUNCIL_FILES.max_rows


@dataclass
class Sheet:
    """A spreadsheet's first row (its headings) and the rows under it that hold anything, each with its
    row number as a spreadsheet program shows it (the headings are row 1)."""

    headings: list[str]
    rows: list[tuple[int, list[str]]]


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(upload) -> Sheet:
    """The table in an uploaded .xlsx or .csv file (a Django UploadedFile), read by the tracker's one
    safe reader; a cell holding a formula is refused: a cell must hold what it says."""
    if upload.size > COUNCIL_FILES.max_bytes:  # before reading it into memory
        raise SpreadsheetError(f"The selected file must be smaller than {COUNCIL_FILES.megabytes} MB")
    _kind, rows = read_rows(upload.name or "", upload.read(), COUNCIL_FILES)
    headings = None
    found = []
    for number, cells in rows:
        formulas = [index for index, cell in enumerate(cells) if cell.formula]
        if formulas:
            from openpyxl.utils import get_column_letter

            raise SpreadsheetError(
                f"Row {number} holds a formula (in cell {get_column_letter(formulas[0] + 1)}{number}). "
                "Type the values themselves, or paste them as values only"
            )
        texts = [cell_text(cell.value) for cell in cells]
        if headings is None:
            headings = texts
        elif any(texts):
            found.append((number, texts))
    if headings is None or not any(headings):
        raise SpreadsheetError("The file is empty: its first row must name the columns")
    while headings and not headings[-1]:
        headings.pop()
    return Sheet(headings=headings, rows=found)


@dataclass
class RowProblem:
    row: int
    message: str


@dataclass
class CheckedFile:
    """What a spreadsheet of councils holds once checked: the councils, or the problems (if there are
    any problems, nothing may be added)."""

    file_name: str
    councils: list[NewCouncil] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def columns_of(sheet: Sheet) -> list[str]:
    """The form field each column holds; a SpreadsheetError if a column is missing or unknown."""
    fields = []
    unknown = []
    for heading in sheet.headings:
        name = COLUMNS_BY_HEADING.get(heading_key(heading))
        if name is None or name in fields:
            unknown.append(heading or "(a column with no heading)")
        fields.append(name)
    missing = [heading for name, heading in FIXED_COLUMNS if name not in fields]
    for number in range(1, IMPLICATION_ROWS + 1):
        pair = [f"implication_{number}_heading", f"implication_{number}_text"]
        if (pair[0] in fields) != (pair[1] in fields):
            missing += [
                heading for name, heading in IMPLICATION_COLUMNS if name in pair and name not in fields
            ]
    problems = []
    if missing:
        problems.append(
            "The file has no column " + " and no column ".join(f"“{heading}”" for heading in missing)
        )
    if unknown:
        problems.append(
            "The file has a column the tracker does not know: "
            + ", ".join(f"“{heading}”" for heading in unknown)
        )
    if problems:
        raise SpreadsheetError(
            ". ".join(problems) + ". Start from the template: its first row names every column"
        )
    return fields


def check_councils(sheet: Sheet, file_name: str) -> CheckedFile:
    """Every row of a spreadsheet of councils, checked with the council form, against each other and
    against the councils already in the tracker (one query for those, however many rows)."""
    fields = columns_of(sheet)
    checked = CheckedFile(file_name=file_name)
    if not sheet.rows:
        raise SpreadsheetError(
            "The file has no councils in it. Add one council to each row under the headings"
        )
    taken = TakenNames.now()
    for number, values in sheet.rows:
        if any(values[len(fields) :]):
            checked.problems.append(RowProblem(number, "A cell is beyond the last column with a heading"))
            continue
        data = dict(zip(fields, values, strict=False))
        data["region"] = REGIONS_BY_WORDS.get(data.get("region", "").casefold(), data.get("region", ""))
        form = CouncilForm(data, taken=taken, row=number)
        if form.is_valid():
            checked.councils.append(form.new_council())
        else:
            checked.problems += [
                RowProblem(number, message) for errors in form.errors.values() for message in errors
            ]
    return checked


def recheck(councils: list[NewCouncil], file_name: str) -> CheckedFile:
    """The councils shown before the confirm, checked again against the tracker as it is now."""
    checked = CheckedFile(file_name=file_name)
    taken = TakenNames.now()
    for council in councils:
        form = CouncilForm(council.as_form_data(), taken=taken, row=council.row)
        if form.is_valid():
            checked.councils.append(form.new_council())
        else:
            checked.problems += [
                RowProblem(council.row, message) for errors in form.errors.values() for message in errors
            ]
    return checked


class CouncilsClashError(Exception):
    """Another council with the same name, slug or ONS code was added between the check and the save."""


@dataclass
class AddedCouncil:
    authority: Authority
    first_administrator_email: str


def provenance(council: NewCouncil, *, by, on: datetime.date, file_name: str) -> tuple[str, str]:
    """(source_document, source_reference) of a council an administrator added: who added it and when,
    or the file and row it came from."""
    who = by.get_full_name() or by.get_username()
    day = f"{on:%-d %B %Y}"
    if file_name:
        return file_name[:100], f"row {council.row}, uploaded by {who} on {day}"[:200]
    return f"Added by {who} on {day}"[:100], ""


def add_councils(*, councils: list[NewCouncil], by, file_name: str = "") -> list[AddedCouncil]:
    """Add checked councils (CouncilForm, check_councils) and their implications rows, all or none,
    each saying who added it and when, or the file and row it came from."""
    on = timezone.localdate()
    authorities = []
    for council in councils:
        source_document, source_reference = provenance(council, by=by, on=on, file_name=file_name)
        authorities.append(
            Authority(
                **{name: getattr(council, name) for name in NewCouncil.AUTHORITY_FIELDS},
                source_document=source_document,
                source_reference=source_reference,
            )
        )
    try:
        with transaction.atomic():
            Authority.objects.bulk_create(authorities)
            ImplicationRow.objects.bulk_create(
                ImplicationRow(
                    authority=authority,
                    order=order,
                    heading=heading,
                    text=text,
                    source_document=authority.source_document,
                    source_reference=", ".join(
                        part for part in (authority.source_reference, f"implications row {order}") if part
                    )[:200],
                )
                for authority, council in zip(authorities, councils, strict=True)
                for order, (heading, text) in enumerate(council.implications, start=1)
            )
            added = [
                AddedCouncil(authority, council.first_administrator_email)
                for authority, council in zip(authorities, councils, strict=True)
            ]
            # Each council's first administrator is invited inside this transaction, so that a council
            # is never added without its invitation or invited without being added: a mail server that
            # refuses an invitation (an OSError, raised) adds nothing.
            for new in added:
                if new.first_administrator_email:
                    people.invite(
                        authority=new.authority,
                        email=new.first_administrator_email,
                        name="",
                        roles=[Membership.Role.COUNCIL_ADMINISTRATOR],
                        by=by,
                    )
    except IntegrityError as error:
        raise CouncilsClashError(
            "Another council with the same name, slug or ONS code was added while you were checking. "
            "Nothing has been added"
        ) from error
    return added


def csv_template() -> bytes:
    """The template as CSV: the headings only."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(heading for _, heading in COLUMNS)
    # A byte-order mark so that Excel opens the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_template() -> bytes:
    """The template as an Excel workbook: the headings, a list of the regions to choose from, the ONS
    code written as text, and a second sheet saying what each column takes."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    councils = workbook.add_worksheet("Councils")
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    as_text = workbook.add_format({"num_format": "@"})
    councils.write_row(0, 0, [heading for _, heading in COLUMNS], bold)
    councils.freeze_panes(1, 1)
    names = [name for name, _ in COLUMNS]
    for column, name in enumerate(names):
        councils.set_column(column, column, 40 if name.endswith("_text") else 24, as_text)
    region = names.index("region")
    councils.data_validation(
        1,
        region,
        MAX_ROWS,
        region,
        {
            "validate": "list",
            "source": Authority.Region.labels,
            "error_title": "Region",
            "error_message": "Choose one of England's nine regions from the list.",
        },
    )
    guidance = workbook.add_worksheet("Guidance")
    guidance.write_row(0, 0, ["Column", "What it takes"], bold)
    form = CouncilForm(taken=TakenNames.none())
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    notes = {
        "name": "Required. " + form.fields["name"].help_text,
        "ons_code": "Required. " + form.fields["ons_code"].help_text,
        "region": "Required. One of: " + ", ".join(Authority.Region.labels),
        "implication_1_heading": "Each row of the council's implications table in its Cabinet reports, "
        "in order: a heading (for example S17 Crime and Disorder) and its text. Leave unused rows empty.",
    }
    for row, (name, heading) in enumerate(COLUMNS, start=1):
        note = notes.get(name) or (form.fields[name].help_text if name in form.fields else "")
        guidance.write_string(row, 0, heading, wrap)
        guidance.write_string(row, 1, note or "Optional.", wrap)
    guidance.set_column(0, 0, 36)
    guidance.set_column(1, 1, 90)
    workbook.close()
    return buffer.getvalue()
