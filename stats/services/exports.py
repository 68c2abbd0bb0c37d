"""A statistics table as a CSV download (the raw numbers the page shows made readable)."""

import csv
import datetime as dt

from django.http import HttpResponse

from stats.tables import Table


def table_csv_export(*, table: Table, prefix: str) -> HttpResponse:
    """The table as CSV, an attachment named <prefix>-<table name>.csv."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{prefix}-{table.name}.csv"'
    writer = csv.writer(response)
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return response


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
