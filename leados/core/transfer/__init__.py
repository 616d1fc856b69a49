"""Import and export of people and units (CSV and XLSX)."""

from leados.core.transfer.export import (
    export_filename,
    export_rows,
    template_rows,
    write_csv,
    write_xlsx,
)
from leados.core.transfer.plan import Plan, RowError, build_plan
from leados.core.transfer.reader import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    ParsedFile,
    read_upload,
)
from leados.core.transfer.services import ImportRejected, import_apply
from leados.core.transfer.store import pending_discard, pending_load, pending_save

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportFileError",
    "ImportRejected",
    "ParsedFile",
    "Plan",
    "RowError",
    "build_plan",
    "export_filename",
    "export_rows",
    "import_apply",
    "pending_discard",
    "pending_load",
    "pending_save",
    "read_upload",
    "template_rows",
    "write_csv",
    "write_xlsx",
]
