"""Reading a spreadsheet into rows of cells, for ``import``: never a hand-written reader.

CSV goes through the standard ``csv`` module once its encoding (UTF-8, UTF-8 with a
byte-order mark, cp1251) and delimiter (comma, semicolon, tab) are known; XLSX and ODS go
through python-calamine, one maintained reader (Rust's calamine) for both. A formula cell
gives the value the spreadsheet program saved with it: nothing is ever evaluated.

The file is a user's own, but treated as hostile all the same: only a regular file is
opened (a FIFO would hang the command, a device would never end), it is read once with a
size limit, and the number of rows and columns is bounded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError

#: The largest spreadsheet file read (10,000 cases fill about 2 MB of CSV).
MAX_SHEET_BYTES = 64_000_000
#: The most rows and columns a sheet may have.
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
#: The longest CSV cell the reader accepts; longer cells are an error at their line.
MAX_CSV_FIELD = 1_000_000
#: Encodings a CSV file may be declared in (``auto``: detected among the first three).
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf-8 with bom": "utf-8-sig",
    "cp1251": "cp1251",
    "windows-1251": "cp1251",
}
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")


@dataclass
class Sheet:
    """The cells of one sheet: the header's texts and the rows below it.

    ``rows`` holds ``(row number as the spreadsheet shows it, cells)``; a cell is text,
    a number, a boolean, a date or ``None`` (empty).
    """

    file: str
    name: str | None
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def where(self) -> str:
        """``cases.xlsx, sheet Дела`` or ``cases.csv``."""
        return f"{self.file}, sheet {self.name}" if self.name else self.file


def read_bytes(path: Path, limit: int = MAX_SHEET_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (a link to one is followed), at most
    ``limit``; ``ExilecasesError`` for anything else, without opening a FIFO or device
    (``store/files``' one safe read, on the path the links lead to)."""
    from exilecases.store.files import NotAFileError, read_with_status

    shown = path.name
    try:
        raw, status = read_with_status(path.resolve(), limit, shown=str(path))
    except FileNotFoundError:
        raise ExilecasesError(f"{path}: no such file", kind="usage") from None
    except NotAFileError:
        raise ExilecasesError(
            f"{path} is not a regular file (a folder, pipe or device); import reads a "
            "spreadsheet file saved on disk",
            kind="usage",
        ) from None
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of links
        raise ExilecasesError(
            f"cannot read {path}: {getattr(error, 'strerror', None) or error}"
        ) from None
    if len(raw) > limit:
        raise ExilecasesError(
            f"{shown} is {max(status.st_size, len(raw)):,} bytes; import reads at most "
            f"{limit:,} (split the sheet, or save it without embedded pictures)",
            kind="usage",
        )
    return raw


def read_sheet(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int = 1,
    encoding: str = "auto",
    delimiter: str = "auto",
) -> Sheet:
    """Read the sheet of ``path`` (CSV, XLSX or ODS, told by the file name's ending; the
    first sheet unless ``sheet`` names one) with its header at ``header_row`` (1-based).

    Raises ``ExilecasesError`` for a file that cannot be read, with what to do.
    """
    path = Path(path)
    raw = read_bytes(path)
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return _workbook_sheet(raw, path.name, sheet, header_row)
    if suffix in (".csv", ".tsv", ".txt"):
        return _csv_sheet(raw, path.name, header_row, encoding, delimiter)
    if raw[:4] == b"PK\x03\x04":
        return _workbook_sheet(raw, path.name, sheet, header_row)
    raise ExilecasesError(
        f"{path.name}: import reads .csv, .xlsx and .ods files; save the sheet in one of "
        "these formats",
        kind="usage",
    )


# --- CSV -------------------------------------------------------------------------------------


def detect_encoding(raw: bytes, declared: str = "auto") -> str:
    """The Python codec of a CSV file's bytes: the declared one, else UTF-8 with a BOM when
    it starts with one, UTF-8 when it decodes as such, cp1251 otherwise."""
    if declared != "auto":
        codec = ENCODINGS.get(declared.strip().lower())
        if codec is None:
            raise ExilecasesError(
                f"unknown encoding {declared!r}; use auto, utf-8 or cp1251", kind="usage"
            )
        return "utf-8-sig" if codec == "utf-8" and raw.startswith(b"\xef\xbb\xbf") else codec
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def detect_delimiter(text: str, declared: str = "auto") -> str:
    """The delimiter of a CSV text: the declared one, else the one of comma, semicolon and
    tab that splits the first lines most evenly (``csv.Sniffer``), else the most frequent."""
    if declared != "auto":
        found = DELIMITERS.get(declared if declared == "\t" else declared.strip().lower())
        if found is None:
            raise ExilecasesError(
                f'unknown delimiter {declared!r}; use auto, ",", ";" or "tab"', kind="usage"
            )
        return found
    sample = "\n".join(text.split("\n", 20)[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = text.split("\n", 1)[0]
        return max((",", ";", "\t"), key=first.count)


def _csv_sheet(raw: bytes, name: str, header_row: int, encoding: str, delimiter: str) -> Sheet:
    codec = detect_encoding(raw, encoding)
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ExilecasesError(
            f"{name}:{line}: byte 0x{raw[error.start]:02x} is not {codec}; save the file as "
            'UTF-8 (or set encoding = "cp1251" in the mapping\'s [source])'
        ) from None
    if "\x00" in text:
        raise ExilecasesError(
            f"{name} holds NUL bytes: it is not a CSV text (UTF-16? save it as UTF-8 CSV)"
        )
    found = detect_delimiter(text, delimiter)
    previous = csv.field_size_limit()
    csv.field_size_limit(MAX_CSV_FIELD)
    rows: list[tuple[int, list[Any]]] = []
    headers: list[str] | None = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=found)
    try:
        number = 0
        for cells in reader:
            number += 1
            if number > MAX_ROWS + header_row:
                raise ExilecasesError(f"{name} has more than {MAX_ROWS:,} rows; split it")
            if len(cells) > MAX_COLUMNS:
                raise ExilecasesError(
                    f"{name}:{number}: more than {MAX_COLUMNS:,} columns; is the delimiter "
                    "right? (set delimiter in the mapping's [source])"
                )
            if number < header_row:
                continue
            if number == header_row:
                headers = [cell.strip() for cell in cells]
                continue
            rows.append((number, [cell if cell != "" else None for cell in cells]))
    except csv.Error as error:
        raise ExilecasesError(
            f"{name}:{reader.line_num}: not readable as CSV ({error}); a cell may lack its "
            "closing quote, or hold more than a million characters"
        ) from None
    finally:
        csv.field_size_limit(previous)
    if headers is None:
        raise ExilecasesError(f"{name} has no row {header_row} to read the column names from")
    readable = {"\t": "tab"}.get(found, found)
    return Sheet(name, None, header_row, headers, rows, codec, readable)


# --- XLSX and ODS ------------------------------------------------------------------------------


def _workbook_sheet(raw: bytes, name: str, sheet: str | None, header_row: int) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as error:  # calamine's errors (zip, XML, password) have no common base
        raise ExilecasesError(
            f"{name} cannot be read as a spreadsheet ({_reason(error)}); open it in Excel or "
            "LibreOffice and save it again as .xlsx, .ods or .csv"
        ) from None
    names = list(book.sheet_names)
    if not names:
        raise ExilecasesError(f"{name} has no sheet")
    chosen = names[0] if sheet is None else sheet
    if chosen not in names:
        import difflib

        close = difflib.get_close_matches(chosen, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        listed = ", ".join(repr(n) for n in names[:20])
        raise ExilecasesError(
            f"{name} has no sheet {chosen!r}{hint}; its sheets: {listed}. Set sheet in the "
            "mapping's [source]",
            kind="usage",
        )
    try:
        grid = book.get_sheet_by_name(chosen)
        start_row = grid.start[0] if grid.start else 0
        rows: list[tuple[int, list[Any]]] = []
        headers: list[str] | None = None
        for offset, cells in enumerate(grid.iter_rows()):
            number = start_row + offset + 1
            if number > MAX_ROWS + header_row:
                raise ExilecasesError(f"{name} has more than {MAX_ROWS:,} rows; split it")
            if len(cells) > MAX_COLUMNS:
                cells = _trimmed(cells, name, number)
            if number < header_row:
                continue
            if number == header_row:
                headers = [_header_text(cell) for cell in cells]
                continue
            rows.append((number, [None if cell == "" else cell for cell in cells]))
    except ExilecasesError:
        raise
    except Exception as error:
        raise ExilecasesError(
            f"{name}: sheet {chosen!r} cannot be read ({_reason(error)})"
        ) from None
    if headers is None:
        raise ExilecasesError(
            f"{name}: sheet {chosen!r} has no row {header_row} to read the column names from"
        )
    return Sheet(name, chosen, header_row, headers, rows)


def _trimmed(cells: list[Any], name: str, number: int) -> list[Any]:
    """A row padded out to many columns by formatting (empty cells): its used part."""
    if any(cell not in ("", None) for cell in cells[MAX_COLUMNS:]):
        raise ExilecasesError(f"{name}:{number}: more than {MAX_COLUMNS:,} columns; split it")
    return cells[:MAX_COLUMNS]


def _header_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return str(cell).strip() if cell is not None else ""


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
