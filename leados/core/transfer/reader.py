"""Reading an uploaded CSV or XLSX file into rows of text keyed by canonical column."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from leados.core.transfer.columns import COLUMNS, column_for, unneutralize

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 50

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing in it was looked at further."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ParsedFile:
    filename: str
    kind: str  # "csv" or "xlsx"
    columns: list[str]
    ignored_columns: list[str]
    rows: list[dict] = field(default_factory=list)
    subject: str = "people"  # what the file holds: "people" (and units) or "goals"

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "kind": self.kind,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "rows": self.rows,
            "subject": self.subject,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ParsedFile:
        return cls(
            filename=data["filename"],
            kind=data["kind"],
            columns=list(data["columns"]),
            ignored_columns=list(data["ignored_columns"]),
            rows=list(data["rows"]),
            subject=data.get("subject", "people"),
        )


def read_upload(data: bytes, filename: str = "", subject: str = "people") -> ParsedFile:
    """Parse an uploaded file; raise ``ImportFileError`` with a clear message if it cannot be.

    ``subject`` says which columns to expect: "people" (people and units), "goals" or
    "measurable_values".
    """
    name = (filename or "upload").rsplit("/", 1)[-1][:200]
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if data.startswith(_ZIP_MAGIC):
        return _parse(name, "xlsx", _xlsx_records(data), subject)
    if data.startswith(_OLE_MAGIC) or name.lower().endswith(".xls"):
        raise ImportFileError(
            "This is an old Excel (.xls) file. Save it as Excel Workbook (.xlsx) or CSV UTF-8."
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError("The file is named .xlsx but is not an Excel workbook.")
    return _parse(name, "csv", _csv_records(_decode(data)), subject)


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError("The file claims to be UTF-16 text but is not.") from None
    elif b"\x00" in data[:4096]:
        raise ImportFileError("This is not a CSV or XLSX file.")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportFileError(
                f"The file is not UTF-8 text (first bad byte on line {line}). Save it as "
                "CSV UTF-8 (in Excel: File › Save as › CSV UTF-8), or upload the .xlsx."
            ) from None
    if "\x00" in text:
        raise ImportFileError("This is not a CSV or XLSX file.")
    return text


def _csv_records(text: str) -> Iterator[list]:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFileError(
            f"The file could not be read as CSV near line {reader.line_num}: {exc}."
        ) from None


def _xlsx_records(data: bytes) -> Iterator[list]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportFileError(
            "The file is not a readable Excel workbook (.xlsx). Open it in Excel and save it "
            "again, or upload CSV UTF-8."
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError("The workbook has no sheets.")
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse(
    filename: str, kind: str, records: Iterable[list], subject: str = "people"
) -> ParsedFile:
    if subject == "goals":
        from leados.core.transfer import goal_columns as spec
    elif subject == "measurable_values":
        from leados.core.transfer import value_columns as spec
    else:
        spec = None
    columns = spec.COLUMNS if spec else COLUMNS
    canonical = spec.column_for if spec else column_for
    records = iter(records)
    header: list[str] | None = None
    number = 0
    for record in records:
        number += 1
        if any(str(v).strip() for v in record):
            header = [str(v).strip() for v in record[:MAX_COLUMNS]]
            break
    if header is None:
        raise ImportFileError("The file is empty.")
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, text in enumerate(header):
        if not text:
            continue
        column = canonical(text)
        if column is None:
            ignored.append(text)
        elif column in positions:
            raise ImportFileError(
                f'The columns "{header[positions[column]]}" and "{text}" both mean {column}; '
                "keep one of them."
            )
        else:
            positions[column] = index
    if spec is not None:
        spec.check_header(positions)
    elif "email" not in positions and "unit_path" not in positions:
        raise ImportFileError(
            "The first row must name the columns, e.g. email, name, title, manager_email, "
            "unit_path, level, role, org_role. Neither an email nor a unit_path column was found."
        )
    parsed = ParsedFile(
        filename=filename,
        kind=kind,
        columns=[c for c in columns if c in positions],
        ignored_columns=ignored,
        subject=subject,
    )
    for record in records:
        number += 1
        row = {"row": number}
        filled = False
        for column, index in positions.items():
            value = unneutralize(str(record[index]).strip()).strip() if index < len(record) else ""
            row[column] = value
            filled = filled or bool(value)
        if not filled:
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
            )
        parsed.rows.append(row)
    if not parsed.rows:
        raise ImportFileError("The file has column names but no rows below them.")
    return parsed
