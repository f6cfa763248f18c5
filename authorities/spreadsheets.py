"""Reading an uploaded spreadsheet (an Excel .xlsx workbook or a CSV file) safely: whatever the file
holds, the answer is its rows, or a SpreadsheetError saying plainly what is wrong with the file as a
whole, never a crash. Every upload in the tracker reads through here (a council's responses in
responses/spreadsheets.py, new councils in authorities/councils.py), each with its own Limits.

What the file is comes from its content, not its name. Excel workbooks are zip files of XML: the sizes
the zip declares are checked before anything is unpacked, so a small file that would unpack to
gigabytes is refused; so are macros, and any part that declares a document type (where XML entities
are declared, for the "billion laughs"). openpyxl then reads the sheet in read-only mode, which streams
it, and with defusedxml installed (a main dependency) parses with it. Rows are counted as they stream,
whatever size the sheet declares.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

ZIP_START = b"PK\x03\x04"
# Excel 97-2003 (.xls) and other OLE2 compound files.
OLE2_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Spreadsheet XML packs well, but not a hundredfold; a part that does, and is large, is a zip bomb.
MAX_PACKING_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
# A document type declaration is where XML entities are declared. The Open Packaging Conventions
# forbid them in a workbook's parts (ECMA-376 part 2, M1.17), so a part with one is refused whole:
# openpyxl reads some parts with lxml, which expands internal entities.
DOCTYPES = [b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")]


@dataclass(frozen=True)
class Limits:
    """How much one kind of upload may hold, and how its messages end."""

    max_bytes: int
    max_rows: int  # rows under the headings (row 1), empty ones included
    max_columns: int  # columns read from each row; a sheet claiming 16,384 is not padded out
    holds: str  # what a file of this kind holds, for messages: "responses", "councils"
    advice: str  # what to do about a file that cannot be read at all
    max_unpacked_bytes: int = 50 * 1024 * 1024
    max_parts: int = 1_000
    # Excel's plain "CSV" on Windows is written in Windows-1252: read it as that when it is not UTF-8,
    # rather than refuse it. Off where every file should be one the tracker wrote (in UTF-8).
    windows_csv: bool = False

    @property
    def megabytes(self) -> int:
        return self.max_bytes // (1024 * 1024)


class SpreadsheetError(Exception):
    """What is wrong with a file as a whole, in words for the person who uploaded it."""

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


def not_a_spreadsheet(limits: Limits) -> str:
    return "The selected file must be an Excel workbook (.xlsx) or a CSV file. " + limits.advice


def too_many_rows(limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(f"The selected file must have {limits.max_rows:,} rows or fewer")


def read_rows(
    name: str, content: bytes, limits: Limits, *, sheet_title: str | None = None
) -> tuple[str, Iterator[tuple[int, list[Cell]]]]:
    """The file's kind ("xlsx" or "csv") and its rows, each (row number as a spreadsheet program shows
    it, [Cell]), the headings first. The rows are read as they are taken: a SpreadsheetError may come
    from the iterator too. A workbook's sheet is `sheet_title` if it has one, or else its first."""
    if not content:
        raise SpreadsheetError("The selected file is empty. " + limits.advice)
    if len(content) > limits.max_bytes:
        raise SpreadsheetError(f"The selected file must be smaller than {limits.megabytes} MB")
    if content.startswith(ZIP_START):
        workbook = open_workbook(content, limits)
        return "xlsx", _workbook_rows(workbook, limits, sheet_title)
    if content.startswith(OLE2_START):
        raise SpreadsheetError(
            "The selected file is in the old Excel 97-2003 format (.xls). Save it as an Excel workbook "
            "(.xlsx) and upload that."
        )
    if name.lower().endswith(".csv"):
        return "csv", _csv_rows(content, limits)
    raise SpreadsheetError(not_a_spreadsheet(limits))


def check_zip(content: bytes, limits: Limits) -> None:
    """Refuse a workbook with macros, one whose parts would unpack to far more than a spreadsheet of its
    kind, or one declaring a document type, before anything unpacks it. The sizes are the ones the zip
    declares: Python's zipfile stops reading a part at its declared size and refuses it if the data
    then fails its checksum, so a part that lies about its size cannot unpack to more."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except Exception:  # not a zip, or one whose directory is damaged
        raise SpreadsheetError(not_a_spreadsheet(limits)) from None
    if any(part.filename.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for part in parts):
        raise SpreadsheetError(
            "The selected file contains macros. Save it as an Excel workbook (.xlsx), without macros, "
            "and upload that."
        )
    unpacked = sum(part.file_size for part in parts)
    bomb = len(parts) > limits.max_parts or unpacked > limits.max_unpacked_bytes
    bomb = bomb or any(
        part.file_size > RATIO_CHECKED_FROM
        and part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if bomb:
        raise SpreadsheetError(
            f"The selected file cannot be read: it would unpack to far more than a spreadsheet of "
            f"{limits.holds} (over {limits.max_unpacked_bytes // (1024 * 1024)} MB), so it has not been "
            f"opened. " + limits.advice
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            declares_entities = any(_has_doctype(archive, part) for part in parts)
    # A damaged part fails as zipfile, zlib or an unsupported compression sees fit: each is the same
    # to the person uploading it.
    except Exception:
        raise SpreadsheetError(not_a_spreadsheet(limits)) from None
    if declares_entities:
        raise SpreadsheetError(not_a_spreadsheet(limits))


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


def open_workbook(content: bytes, limits: Limits):
    """The workbook, read-only, once check_zip has passed it."""
    check_zip(content, limits)
    import openpyxl  # only an upload needs it

    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    # A malformed workbook fails in many ways (zip, XML, missing parts, defusedxml refusing entities):
    # each is the same to the person uploading it.
    except Exception:
        raise SpreadsheetError(not_a_spreadsheet(limits)) from None


def _workbook_rows(workbook, limits: Limits, sheet_title: str | None):
    try:
        names = workbook.sheetnames
        sheet = workbook[sheet_title] if sheet_title in names else workbook.worksheets[0]
        # The sheet's declared size: a file claiming more rows is refused before a row is read. A file
        # that declares none (or too few) is counted as it streams, below.
        if (sheet.max_row or 0) > limits.max_rows + 1:
            raise too_many_rows(limits)
        # Then read every row, whatever the declared size says: openpyxl would stop at a declared last
        # row and leave out the rows after it without a word.
        sheet.reset_dimensions()
        for number, line in enumerate(sheet.iter_rows(max_col=limits.max_columns), start=1):
            if number > limits.max_rows + 1:
                raise too_many_rows(limits)
            yield number, [BLANK if cell.value is None else _workbook_cell(cell) for cell in line]
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError(not_a_spreadsheet(limits)) from None
    finally:
        workbook.close()


def _workbook_cell(cell) -> Cell:
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        return Cell(value=str(value), formula=True)
    if isinstance(value, datetime.time):
        value = str(value)
    return Cell(value=value)


def _csv_rows(content: bytes, limits: Limits):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        if not limits.windows_csv:
            raise SpreadsheetError(
                "The selected file must be a CSV file saved as UTF-8 (in Excel, save it as “CSV UTF-8”), "
                "or an Excel workbook (.xlsx)"
            ) from None
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise SpreadsheetError(not_a_spreadsheet(limits))
    return _csv_lines(text, limits)


def _csv_lines(text: str, limits: Limits):
    try:
        for number, line in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > limits.max_rows + 1:
                raise too_many_rows(limits)
            yield number, [Cell(value=value) for value in line[: limits.max_columns]]
    except csv.Error:
        raise SpreadsheetError(not_a_spreadsheet(limits)) from None
