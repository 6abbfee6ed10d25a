"""A round's CSV and JSON in its layout: cell by cell for a matrix (`reporting.tables`),
item by item for a table (`reporting.table_export`, and every one-unit programme)."""

from __future__ import annotations

from reporting.form import Layout, layout_of
from reporting.matrix import Matrix
from reporting.table_export import render_table_csv, render_table_json
from reporting.tables import LocalItems, render_csv, render_json


def is_table(matrix: Matrix) -> bool:
    """Is the round drawn as a table (`reporting.form.layout_of`)?"""
    return layout_of(matrix.programme.layout, len(matrix.units)) is Layout.TABLE


def csv_of(matrix: Matrix, local: LocalItems = ()) -> bytes:
    """The round as CSV; the units' own items come after the matrix or the table."""
    return render_table_csv(matrix, local) if is_table(matrix) else render_csv(matrix, local)


def json_of(matrix: Matrix, local: LocalItems = ()) -> bytes:
    """The round as JSON, the units' own items with it."""
    return render_table_json(matrix, local) if is_table(matrix) else render_json(matrix, local)
