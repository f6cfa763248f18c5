"""The tracker's one safe spreadsheet reader (authorities/spreadsheets.py), with small limits so that
each boundary is tried exactly: the uploads' own tests (test_spreadsheet_import.py for a council's
responses, test_councils_join.py for new councils) try it through their pages with their real limits.
"""

import io
import zipfile

import pytest
import xlsxwriter

from authorities.spreadsheets import Limits, SpreadsheetError, read_rows

from .test_spreadsheet_import import rewritten

TEN_ROWS = Limits(max_bytes=100_000, max_rows=10, max_columns=5, holds="test rows", advice="Try again.")


def workbook(rows: int, *, declared: bool) -> bytes:
    """Headings and `rows` rows under them; `declared` False takes out the size the sheet declares, as
    some programs write it, so the rows must be counted as they are read."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Rows")
    sheet.write_row(0, 0, ["Name", "Count"])
    for row in range(1, rows + 1):
        sheet.write_row(row, 0, [f"Row {row}", row])
    book.close()
    content = buffer.getvalue()
    if not declared:
        content = rewritten(
            content,
            "xl/worksheets/sheet1.xml",
            lambda xml: xml.replace(f'<dimension ref="A1:B{rows + 1}"/>'.encode(), b""),
        )
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert b"<dimension" not in archive.read("xl/worksheets/sheet1.xml")
    return content


def csv_file(rows: int) -> bytes:
    return ("Name,Count\r\n" + "".join(f"Row {row},{row}\r\n" for row in range(1, rows + 1))).encode()


def read_all(name, content, limits=TEN_ROWS):
    kind, rows = read_rows(name, content, limits)
    return kind, [(number, [cell.value for cell in cells]) for number, cells in rows]


@pytest.mark.parametrize(
    "name, make",
    [
        ("rows.xlsx", lambda rows: workbook(rows, declared=True)),
        ("rows.xlsx", lambda rows: workbook(rows, declared=False)),
        ("rows.csv", csv_file),
    ],
    ids=["xlsx, size declared", "xlsx, size not declared", "csv"],
)
def test_a_file_may_hold_up_to_its_limit_of_rows_and_not_one_more(name, make):
    kind, rows = read_all(name, make(10))
    assert kind == name.rsplit(".", 1)[1]
    assert len(rows) == 11
    assert rows[0][0] == 1 and rows[0][1][:2] == ["Name", "Count"]
    assert rows[-1][0] == 11 and rows[-1][1][0] == "Row 10" and str(rows[-1][1][1]) == "10"
    with pytest.raises(SpreadsheetError) as refused:
        read_all(name, make(11))
    assert refused.value.message == "The selected file must have 10 rows or fewer"


def test_a_sheet_with_its_size_declared_is_refused_before_a_row_is_read():
    _kind, rows = read_rows("rows.xlsx", workbook(11, declared=True), TEN_ROWS)
    with pytest.raises(SpreadsheetError, match="must have 10 rows or fewer"):
        next(rows)


def test_a_file_of_exactly_the_largest_size_is_read_and_one_byte_more_is_refused():
    content = csv_file(3)
    limits = Limits(
        max_bytes=len(content), max_rows=10, max_columns=5, holds="test rows", advice="Try again."
    )
    assert len(read_all("rows.csv", content, limits)[1]) == 4
    with pytest.raises(SpreadsheetError) as refused:
        read_all("rows.csv", content + b" ", limits)
    assert refused.value.message == "The selected file must be smaller than 0 MB"


def test_columns_beyond_the_limit_are_not_read():
    content = b"A,B,C,D,E,F,G\r\n1,2,3,4,5,6,7\r\n"
    assert read_all("rows.csv", content)[1][1] == (2, ["1", "2", "3", "4", "5"])


def test_a_csv_not_in_utf8_is_refused_unless_the_limits_read_windows_csv():
    content = "Name\r\nKing’s Lynn\r\n".encode("cp1252")
    with pytest.raises(SpreadsheetError, match="must be a CSV file saved as UTF-8"):
        read_all("rows.csv", content)
    windows = Limits(100_000, 10, 5, "test rows", "Try again.", windows_csv=True)
    assert read_all("rows.csv", content, windows)[1][1] == (2, ["King’s Lynn"])
