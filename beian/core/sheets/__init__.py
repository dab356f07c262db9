"""The spreadsheet layer: safe reading of what units upload, header finding, value
normalisers, and formula-safe writing. Model-independent; importers and exporters in the
domain apps stand on it. See docs/sheets.md.

    fmt, sheets = read_upload(upload.name, upload, max_bytes=20 * 1024 * 1024)
    table = find_table(sheets, ACCOUNTS_LAYOUT)
    for row in table.rows:
        audience = table.parse(row, "audience", parse_audience_wan, warnings=warnings)
"""

from .errors import CellError, SheetError, cell_location, column_letter
from .headers import (
    Column,
    HeaderMatch,
    Layout,
    MappedColumn,
    Row,
    Table,
    extract_table,
    find_header,
    find_table,
    header_key,
)
from .normalize import (
    AliasResolver,
    clean_identifier,
    clean_text,
    is_blank,
    match_key,
    parse_audience_wan,
    parse_bool,
    parse_count,
    parse_phone,
    parse_year_month,
)
from .reader import Sheet, StreamedRows, read_rows, read_upload, stream_upload
from .safety import SheetFormat, check_upload
from .writer import SUBMITTER_LINE, neutralize, unneutralize, write_csv, write_xlsx

__all__ = [
    "SUBMITTER_LINE",
    "AliasResolver",
    "CellError",
    "Column",
    "HeaderMatch",
    "Layout",
    "MappedColumn",
    "Row",
    "Sheet",
    "SheetError",
    "StreamedRows",
    "SheetFormat",
    "Table",
    "cell_location",
    "check_upload",
    "clean_identifier",
    "clean_text",
    "column_letter",
    "extract_table",
    "find_header",
    "find_table",
    "header_key",
    "is_blank",
    "match_key",
    "neutralize",
    "parse_audience_wan",
    "parse_bool",
    "parse_count",
    "parse_phone",
    "parse_year_month",
    "read_rows",
    "read_upload",
    "stream_upload",
    "unneutralize",
    "write_csv",
    "write_xlsx",
]
