"""A round as data and what it compiles to.

Snapshot types, the matrix, the comparison, CSV/JSON rows: pure, no I/O.
"""
