"""Reading an uploaded spreadsheet into rows of cells, or refusing the whole file with a plain message.

Everything about the file as a file is decided here, before any row is looked at: its size, its kind
(an Excel workbook or a CSV file, by its content, not its name), macros, a zip that would unpack to far
more than a spreadsheet of responses (a zip bomb), too many rows, and headings that are not the
export's. What the rows say is responses/imports.py's business.

Excel workbooks are read by openpyxl in read-only mode, which streams the sheet; with defusedxml
installed (a main dependency) openpyxl parses every part of the file with it, so an XML entity bomb
or an external entity is refused too.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

import openpyxl

from .exports import NOTE, TEMPLATE_COLUMNS, unquote_cell

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
# A workbook's parts, unpacked. The export of a council with every recommendation and part answered at
# length unpacks to well under 1 MB; 100,000 rows of it would be tens of megabytes.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Spreadsheet XML packs well, but not a hundredfold; a part that does, and is large, is a zip bomb.
MAX_PACKING_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
MAX_PARTS = 1_000
# Columns read from each row: the export has 19. A sheet that claims 16,384 columns is not padded out.
MAX_COLUMNS = 60
SHEET_TITLE = "Responses"

# The headings a file must keep: those read back, and the row's identity. The others (Council,
# Short title, Theme, Recommendation text, Original target date, Last update) are for reading and may
# be moved or deleted.
READ_COLUMNS = [
    "Recommendation",
    "Part",
    "Status",
    "RAG",
    "Lead officer",
    "Target date",
    "Reason target date moved",
    "Response",
    NOTE,
    "Council code",
    "Recommendation key",
    "Response id",
    "Version",
]

ZIP_START = b"PK\x03\x04"
# Excel 97-2003 (.xls) and other OLE2 compound files.
OLE2_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

DOWNLOAD_AGAIN = "Download the file again from this page, make your changes in it and upload it."
NOT_A_SPREADSHEET = "The selected file must be an Excel workbook (.xlsx) or a CSV file. " + DOWNLOAD_AGAIN


class FileRefused(Exception):
    """The whole file is refused: nothing in it is applied and nothing changes."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Cell:
    """A cell as the file holds it: text, a number, a date or None; `formula` if it holds a formula
    (whose text is then `value`: it is never worked out)."""

    value: object = None
    formula: bool = False

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


BLANK = Cell()


@dataclass
class Table:
    """The sheet's rows under the export's headings: (spreadsheet row number, {heading: Cell})."""

    kind: str  # "xlsx" or "csv"
    rows: list[tuple[int, dict[str, Cell]]]


def read_spreadsheet(name: str, content: bytes) -> Table:
    """The uploaded file as a Table, or FileRefused saying why it cannot be used."""
    if not content:
        raise FileRefused("The selected file is empty. " + DOWNLOAD_AGAIN)
    if len(content) > MAX_BYTES:
        raise FileRefused("The selected file must be smaller than 10 MB")
    if content.startswith(ZIP_START):
        return _read_workbook(content)
    if content.startswith(OLE2_START):
        raise FileRefused(
            "The selected file is in the old Excel 97-2003 format (.xls). Save it as an Excel workbook "
            "(.xlsx) and upload that."
        )
    if name.lower().endswith(".csv"):
        return _read_csv(content)
    raise FileRefused(NOT_A_SPREADSHEET)


def _check_zip(content: bytes) -> None:
    """Refuse a workbook with macros, or one whose parts would unpack to far more than a spreadsheet of
    responses, before anything unpacks it. The sizes are the ones the zip declares: Python's zipfile
    stops reading a part at its declared size and refuses it if the data then fails its checksum, so a
    part that lies about its size cannot unpack to more."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except Exception:  # not a zip, or one whose directory is damaged
        raise FileRefused(NOT_A_SPREADSHEET) from None
    if any(part.filename.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for part in parts):
        raise FileRefused(
            "The selected file contains macros. Save it as an Excel workbook (.xlsx), without macros, "
            "and upload that."
        )
    unpacked = sum(part.file_size for part in parts)
    bomb = len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES
    bomb = bomb or any(
        part.file_size > RATIO_CHECKED_FROM
        and part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if bomb:
        raise FileRefused(
            "The selected file cannot be read: it would unpack to far more than a spreadsheet of "
            "responses (over 50 MB), so it has not been opened. " + DOWNLOAD_AGAIN
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            declares_entities = any(_has_doctype(archive, part) for part in parts)
    # A damaged part fails as zipfile, zlib or an unsupported compression sees fit: each is the same
    # to the officer.
    except Exception:
        raise FileRefused(NOT_A_SPREADSHEET) from None
    if declares_entities:
        raise FileRefused(NOT_A_SPREADSHEET)


# A document type declaration is where XML entities are declared (the "billion laughs"). The Open
# Packaging Conventions forbid them in a workbook's parts (ECMA-376 part 2, M1.17), so a part with one
# is refused whole: openpyxl reads some parts with lxml, which expands internal entities.
DOCTYPES = [b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")]


def _has_doctype(archive, part) -> bool:
    overlap = max(len(marker) for marker in DOCTYPES)
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1024 * 1024):
            window = tail + chunk
            if any(marker in window for marker in DOCTYPES):
                return True
            tail = window[-overlap:]
    return False


def _too_many_rows() -> FileRefused:
    return FileRefused(f"The selected file must have {MAX_ROWS:,} rows or fewer")


def _read_workbook(content: bytes) -> Table:
    _check_zip(content)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    # A malformed workbook fails in many ways (zip, XML, missing parts, defusedxml refusing entities):
    # each is the same to the officer, a file that is not a workbook this page can read.
    except Exception:
        raise FileRefused(NOT_A_SPREADSHEET) from None
    try:
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
        # The sheet's declared size: a file claiming more rows is refused before a row is read. A file
        # that declares none (or too few) is counted as it streams, below.
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            raise _too_many_rows()
        # Then read every row, whatever the declared size says: openpyxl would stop at a declared last
        # row and leave out the rows after it without a word.
        sheet.reset_dimensions()
        lines = sheet.iter_rows(max_col=MAX_COLUMNS)
        headings = _headings([cell.value for cell in next(lines, ())])
        rows = []
        for number, line in enumerate(lines, start=2):
            if number > MAX_ROWS + 1:
                raise _too_many_rows()
            cells = {
                heading: _workbook_cell(line[index]) if index < len(line) else BLANK
                for heading, index in headings.items()
            }
            if any(not cell.blank for cell in cells.values()):
                rows.append((number, cells))
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(NOT_A_SPREADSHEET) from None
    finally:
        workbook.close()
    return Table(kind="xlsx", rows=rows)


def _workbook_cell(cell) -> Cell:
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        return Cell(value=str(value), formula=True)
    if isinstance(value, datetime.time):
        value = str(value)
    return Cell(value=value)


def _read_csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            "The selected file must be a CSV file saved as UTF-8 (in Excel, save it as “CSV UTF-8”), "
            "or an Excel workbook (.xlsx)"
        ) from None
    if "\x00" in text:
        raise FileRefused(NOT_A_SPREADSHEET)
    lines = csv.reader(io.StringIO(text, newline=""))
    try:
        headings = _headings(next(lines, []))
        rows = []
        for number, line in enumerate(lines, start=2):
            if number > MAX_ROWS + 1:
                raise _too_many_rows()
            cells = {
                heading: Cell(value=unquote_cell(line[index])) if index < len(line) else BLANK
                for heading, index in headings.items()
            }
            if any(not cell.blank for cell in cells.values()):
                rows.append((number, cells))
    except csv.Error:
        raise FileRefused(NOT_A_SPREADSHEET) from None
    return Table(kind="csv", rows=rows)


def _headings(first_row) -> dict[str, int]:
    """{heading: column index} for the columns read back; FileRefused naming any that are missing."""
    found = {}
    for index, value in enumerate(first_row):
        heading = "" if value is None else str(value).strip()
        found.setdefault(heading, index)
    missing = [heading for heading in READ_COLUMNS if heading not in found]
    if missing:
        unknown = [h for h in found if h and h not in TEMPLATE_COLUMNS]
        names = ", ".join(f"“{heading}”" for heading in missing)
        message = (
            f"The selected file does not have the columns of the downloaded file: there is no column headed "
            f"{names}."
        )
        if unknown:
            message += " It has " + ", ".join(f"“{heading}”" for heading in unknown[:5]) + " instead."
        raise FileRefused(message + " Keep the first row as it was downloaded. " + DOWNLOAD_AGAIN)
    return {heading: found[heading] for heading in READ_COLUMNS}
