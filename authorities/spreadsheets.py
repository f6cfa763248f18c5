"""Reading an uploaded spreadsheet (Excel .xlsx or CSV) as a table of text, safely: whatever the file
holds, the answer is its rows or a SpreadsheetError saying plainly what is wrong with it, never a crash.

Excel workbooks are zip files of XML: openpyxl reads them with defusedxml (installed for it), and the
sizes the zip declares are checked before anything is unpacked, so a small file that would unpack to
gigabytes is refused. Macros are refused, and so are formulas: a cell must hold what it says.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000
# However many empty rows and columns a workbook says it has, no more of it is read than this.
MAX_ROWS_READ = 10_000
MAX_COLUMNS = 200
EXTENSIONS = (".xlsx", ".csv")


class SpreadsheetError(Exception):
    """What is wrong with a file as a whole, in words for the person who uploaded it."""


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
    """The table in an uploaded .xlsx or .csv file (a Django UploadedFile)."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSIONS:
        raise SpreadsheetError("The file must be an Excel workbook (.xlsx) or a CSV file (.csv)")
    if upload.size > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(f"The file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    content = upload.read()
    if not content:
        raise SpreadsheetError("The file is empty")
    rows = read_xlsx(content) if extension == ".xlsx" else read_csv(content)
    return as_sheet(rows)


def as_sheet(rows) -> Sheet:
    """The headings and the non-empty rows under them, at most MAX_ROWS of them."""
    headings = None
    found = []
    for number, values in rows:
        texts = [cell_text(value) for value in values]
        if headings is None:
            headings = texts
            continue
        if not any(texts):
            continue
        if len(found) == MAX_ROWS:
            raise SpreadsheetError(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files")
        found.append((number, texts))
    if headings is None or not any(headings):
        raise SpreadsheetError("The file is empty: its first row must name the columns")
    while headings and not headings[-1]:
        headings.pop()
    return Sheet(headings=headings, rows=found)


NOT_A_WORKBOOK = (
    "The file is not an Excel workbook that can be read. Save it as .xlsx (Excel Workbook) or .csv"
)


def read_xlsx(content: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetError(NOT_A_WORKBOOK) from None
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise SpreadsheetError("The file is too large to read once unpacked. Split it into smaller files")
    if any(PurePath(member.filename).name.lower() == "vbaproject.bin" for member in members):
        raise SpreadsheetError(
            "The file contains macros. Save it as an Excel Workbook (.xlsx) without macros"
        )
    import openpyxl  # only an upload needs it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise SpreadsheetError(NOT_A_WORKBOOK) from None
    try:
        sheet = workbook.worksheets[0]
        # Rows are padded to the width the workbook declares (when it declares one), within bounds.
        width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
        for number, cells in enumerate(sheet.iter_rows(max_col=width), start=1):
            if number > MAX_ROWS_READ:
                raise SpreadsheetError(
                    f"The file goes on past row {MAX_ROWS_READ:,}. Delete any rows below the councils, or "
                    "split it into smaller files"
                )
            formulas = [cell for cell in cells if getattr(cell, "data_type", None) == "f"]
            if formulas:
                raise SpreadsheetError(
                    f"Row {number} holds a formula (in cell {formulas[0].coordinate}). Type the values "
                    "themselves, or paste them as values only"
                )
            yield number, [cell.value for cell in cells]
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError(NOT_A_WORKBOOK) from None
    finally:
        workbook.close()


def read_csv(content: bytes):
    if content.startswith(b"PK\x03\x04"):
        raise SpreadsheetError("The file is an Excel workbook named .csv. Rename it .xlsx, or save it as CSV")
    if b"\x00" in content:
        raise SpreadsheetError("The file is not a CSV file. Save it as .csv (comma-separated values)")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Windows is written in Windows-1252, not UTF-8.
        text = content.decode("cp1252", errors="replace")
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error:
        raise SpreadsheetError("The file is not a CSV file that can be read. Save it as .csv again") from None
