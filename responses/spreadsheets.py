"""Reading an uploaded spreadsheet of a council's responses into rows of cells, or refusing the whole
file with a plain message.

Everything about the file as a file is decided by the tracker's one safe reader
(authorities/spreadsheets.py), with this kind's limits: its size, its kind (by its content, not its
name), macros, a zip that would unpack to far more than a spreadsheet of responses, entity
declarations, too many rows. Here: the export's headings, and each row's cells under them. What the
rows say is responses/imports.py's business.
"""

from dataclasses import dataclass

from authorities.spreadsheets import BLANK, Cell, Limits, SpreadsheetError, read_rows

from .exports import NOTE, TEMPLATE_COLUMNS, unquote_cell

SHEET_TITLE = "Responses"
DOWNLOAD_AGAIN = "Download the file again from this page, make your changes in it and upload it."
# The export of a council with every recommendation and part answered at length unpacks to well under
# 1 MB; 100,000 rows of it would be tens of megabytes. It has 20 columns.
RESPONSE_FILES = Limits(
    max_bytes=10 * 1024 * 1024,
    max_rows=100_000,
    max_columns=60,
    holds="responses",
    advice=DOWNLOAD_AGAIN,
)
MAX_BYTES = RESPONSE_FILES.max_bytes
# Refusing a whole file is the reader's SpreadsheetError, under the name the import has always used.
FileRefused = SpreadsheetError

# The headings a file must keep: those read back, and the row's identity. The others (Council,
# Short title, Theme, Recommendation text, Assurance, Original target date, Last update) are for reading
# and may be moved, changed or deleted: an upload never reads them (assurance changes only through the
# council's LSCB chair), and a file downloaded before the Assurance column was added still imports.
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


@dataclass
class Table:
    """The sheet's rows under the export's headings: (spreadsheet row number, {heading: Cell})."""

    kind: str  # "xlsx" or "csv"
    rows: list[tuple[int, dict[str, Cell]]]


def read_spreadsheet(name: str, content: bytes) -> Table:
    """The uploaded file as a Table, or FileRefused saying why it cannot be used."""
    kind, lines = read_rows(name, content, RESPONSE_FILES, sheet_title=SHEET_TITLE)
    first = next(lines, None)
    headings = _headings([cell.value for cell in first[1]] if first else [])
    rows = []
    for number, line in lines:
        cells = {heading: line[index] if index < len(line) else BLANK for heading, index in headings.items()}
        if kind == "csv":
            # The export writes text that starts like a formula with a quote before it: taken off again.
            cells = {
                heading: Cell(value=unquote_cell(cell.value)) if isinstance(cell.value, str) else cell
                for heading, cell in cells.items()
            }
        if any(not cell.blank for cell in cells.values()):
            rows.append((number, cells))
    return Table(kind=kind, rows=rows)


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
