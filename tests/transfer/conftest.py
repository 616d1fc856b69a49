"""Helpers for import/export tests: files in both formats and the upload → preview → apply flow."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

HEADER = ["email", "name", "title", "manager_email", "unit_path", "level", "role", "org_role"]


def csv_file(rows, header=HEADER, *, bom: bool = False, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def xlsx_file(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_file(kind: str, rows, header=HEADER) -> tuple[bytes, str]:
    if kind == "xlsx":
        return xlsx_file(rows, header), "people.xlsx"
    return csv_file(rows, header), "people.csv"


class Flow:
    """Upload → preview → apply through the pages, as an admin would."""

    def __init__(self, client, slug: str = "acme"):
        self.client = client
        self.slug = slug

    def url(self, name: str) -> str:
        return reverse(f"web:{name}", args=[self.slug])

    def upload(self, data: bytes, filename: str = "people.csv"):
        upload = io.BytesIO(data)
        upload.name = filename
        return self.client.post(self.url("transfer"), {"file": upload})

    def preview(self):
        return self.client.get(self.url("transfer_preview"))

    def apply(self, digest: str | None = None):
        if digest is None:
            digest = self.preview().context["digest"]
        return self.client.post(self.url("transfer_apply"), {"digest": digest})

    def run(self, data: bytes, filename: str = "people.csv"):
        """Upload and apply; returns the apply response."""
        response = self.upload(data, filename)
        assert response.status_code == 302, getattr(
            response, "context", {}
        ) and response.context.get("error")
        return self.apply()

    def errors(self, data: bytes, filename: str = "people.csv") -> list[tuple[int, str, str]]:
        response = self.upload(data, filename)
        assert response.status_code == 302
        preview = self.preview()
        assert preview.status_code == 200
        return [(e.row, e.column, e.message) for e in preview.context["plan"].errors]


@pytest.fixture(autouse=True)
def _own_uploads_dir(settings, tmp_path):
    """Uploads kept between preview and apply live in a directory of each test's own."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def flow(client_for):
    return Flow(client_for("admin"))


@pytest.fixture
def owner_flow(client_for):
    return Flow(client_for("owner"))
