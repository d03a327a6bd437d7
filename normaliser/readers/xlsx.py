"""Spreadsheets (XLSX), read like CSV: what providers export from Excel, LibreOffice or
Google Sheets. Pure: bytes in, the sheet as CSV rows out.

The workbook is opened with openpyxl in read-only mode (rows streamed from the sheet's XML,
never the whole workbook in memory), computed values rather than formulas (`data_only`).
An XLSX file is a zip, so before openpyxl sees it the archive is checked against a zip
bomb: the total size its entries say they inflate to, and each entry's compression ratio.
A sheet's declared size (its `dimension`) is ignored (rows are read as written), and a row
with a value beyond MAX_COLUMNS is refused. Rows stop at the ReadLimits' records, time is
checked between rows.

The sheet becomes CSV text that the CSV readers read (feed format v1, or a mapping profile
with `source.format = "xlsx"`); each record's locator is then its row in the sheet
(`row 5`), as the provider sees it in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from normaliser.readers.base import (
    DEFAULT_LIMITS,
    FeedFormatError,
    FeedReadResult,
    ReadLimits,
)

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Far above any course list (a 100,000-row sheet of long descriptions inflates to ~200 MB).
MAX_INFLATED_BYTES = 256 * 1024 * 1024
# Ordinary sheets compress 5-20 times; a bomb thousands of times. Only large entries count,
# as a small file of repeated cells may compress well beyond this honestly.
MAX_RATIO = 200
RATIO_FROM_BYTES = 8 * 1024 * 1024
MAX_COLUMNS = 1024
_ZIP_MAGIC = b"PK\x03\x04"
_LINE = re.compile(r"^line (\d+)$")


def looks_like_xlsx(data: bytes) -> bool:
    """A zip whose first entries are an Office Open XML spreadsheet's: `[Content_Types].xml`
    and the `xl/` folder name appear in the local headers near the start."""
    if not data.startswith(_ZIP_MAGIC):
        return False
    head = data[:65536]
    return b"xl/" in head or (b"[Content_Types].xml" in head and b"xl" in data[:262144])


@dataclass
class SheetText:
    csv: bytes
    rows: dict[int, int]  # the CSV line a row starts on -> its row number in the sheet
    sheet: str


def sheet_as_csv(
    data: bytes, limits: ReadLimits = DEFAULT_LIMITS, sheet: str | None = None
) -> SheetText:
    """The sheet (the first, or the one named) as CSV; FeedFormatError when the file is no
    spreadsheet we can open, a zip bomb, or over the limits."""
    _check_archive(data)
    from openpyxl import load_workbook  # openpyxl is imported only to read a spreadsheet

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises what its zip and XML parsers raise
        raise FeedFormatError(
            f"the spreadsheet cannot be opened as XLSX "
            f"({type(exc).__name__}: {exc}); save it again as .xlsx"
        ) from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise FeedFormatError(
                f"the workbook has no sheet {sheet!r}; its sheets are "
                f"{', '.join(workbook.sheetnames)}"
            )
        # The sheet's declared size (<dimension>) is the writer's word: some write 'A1' for
        # a full sheet (read-only mode would then read one column), a hostile one a million
        # columns (every row padded to it). Rows are read as they are in the XML instead.
        worksheet.reset_dimensions()
        try:
            return _write_csv(worksheet, limits)
        except FeedFormatError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged sheet fails as it is streamed
            raise FeedFormatError(
                f"sheet {worksheet.title!r} cannot be read "
                f"({type(exc).__name__}: {exc}); save it again as .xlsx"
            ) from None
    finally:
        workbook.close()


def _check_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FeedFormatError(f"the spreadsheet is not a valid XLSX (zip) file: {exc}") from None
    with archive:
        entries = archive.infolist()
        inflated = sum(entry.file_size for entry in entries)
        if inflated > MAX_INFLATED_BYTES:
            raise FeedFormatError(
                f"the spreadsheet would inflate to {inflated:,} bytes, over the limit of "
                f"{MAX_INFLATED_BYTES:,}; split it into several files"
            )
        for entry in entries:
            if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * max(
                entry.compress_size, 1
            ):
                raise FeedFormatError(
                    f"the spreadsheet's {entry.filename} inflates {entry.file_size:,} bytes "
                    f"from {entry.compress_size:,}, which no real sheet does (a zip bomb?)"
                )
        if not any(entry.filename.startswith("xl/") for entry in entries):
            raise FeedFormatError(
                "this zip file is not an XLSX spreadsheet (it has no xl/ "
                "folder); export the sheet as .xlsx or .csv"
            )


def _write_csv(worksheet, limits: ReadLimits) -> SheetText:
    deadline = limits.deadline()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rows: dict[int, int] = {}
    line = 1
    written = 0
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(value) for value in values]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise FeedFormatError(
                f"row {number} of sheet {worksheet.title!r} has a value in column "
                f"{len(cells):,}, beyond the {MAX_COLUMNS:,} columns a feed may have; delete "
                "what is out there and save again"
            )
        if not any(cells):
            continue
        written += 1
        # The header and max_records rows: one over is enough to say the feed is too long.
        if written > limits.max_records + 1:
            limits.check_count(written - 1)
        if written % 256 == 0:
            limits.check_deadline(deadline)
        rows[line] = number
        writer.writerow(cells)
        line += 1 + sum(cell.count("\n") for cell in cells)
    return SheetText(out.getvalue().encode("utf-8"), rows, worksheet.title)


def _cell_text(value: object) -> str:
    """A cell as its text: a whole number without '.0', a date without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def as_sheet_rows(result: FeedReadResult, sheet: SheetText) -> FeedReadResult:
    """Records read from the sheet's CSV, located by their row in the sheet."""
    for record in result.records:
        match = _LINE.match(record.locator)
        if match and int(match.group(1)) in sheet.rows:
            row = sheet.rows[int(match.group(1))]
            record.locator, record.line = f"row {row}", row
    return result


def read_xlsx(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """A feed-format-v1 spreadsheet: the first sheet, its first row naming the columns."""
    from normaliser.readers.feed_v1 import read_feed_v1_csv

    sheet = sheet_as_csv(data, limits)
    return as_sheet_rows(read_feed_v1_csv(sheet.csv, limits), sheet)
