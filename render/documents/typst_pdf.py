"""Typst → PDF: a template in render/templates/documents/ laid out with its data.

Typst lays out a 100 × 300 matrix's tables in a tenth of WeasyPrint's time (issue 19), so
the large documents are Typst templates. What a person reads reaches a template only as
data: Python puts every word (from the catalogue) and every answer into one JSON value,
passed as `sys.inputs.data`, and the template shows those strings as text — a `#`, `*`,
`$` or `<` in an answer is printed, never read as markup. A template begins:

    #let data = json(bytes(sys.inputs.data))

The compiler (its font index) is made once per thread; DejaVu Sans, the documents' face,
comes from the system (Debian's fonts-dejavu-core), as it does for WeasyPrint.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typst

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "documents"


@dataclass(frozen=True, slots=True)
class TypstSource:
    """A Typst template's file name (in TEMPLATES) and its data as JSON text; picklable, so a
    pool worker (render/documents/pool.py) can lay it out."""

    template: str
    data: str

    @classmethod
    def of(cls, template: str, data: Any) -> TypstSource:
        return cls(template, json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def __len__(self) -> int:
        """Its size, which orders a batch longest first, as an HTML's length does."""
        return len(self.data)


_local = threading.local()


def _compiler() -> typst.Compiler:
    """This thread's compiler: one may not compile in two threads at once (typst-py raises
    "Already borrowed"), and two publications are compiled side by side in threads of one
    process (service/publication.py). Each costs some 25 ms to make (its font index)."""
    compiler = getattr(_local, "compiler", None)
    if compiler is None:
        compiler = _local.compiler = typst.Compiler(root=str(TEMPLATES))
    return compiler


def write_typst(source: TypstSource) -> bytes:
    """The PDF bytes of `source`. A `typst.TypstError` here is a defect of ours (a template
    that does not compile, or data it does not expect), never of a person's text.

    Untagged, as WeasyPrint's were: Typst's structure tree (a tag per table cell) made a
    300-row sheet 508 KB instead of 128 KB, a 100-unit round's ZIP of sheets 50 MB."""
    pdf = _compiler().compile(
        str(TEMPLATES / source.template),
        format="pdf",
        sys_inputs={"data": source.data},
        pdf_tags=False,
    )
    assert isinstance(pdf, bytes)
    return pdf


_PAGE_TREE = re.compile(rb"/Type\s*/Pages\b([^>]*)")
_COUNT = re.compile(rb"/Count\s+(\d+)")


def page_count(pdf: bytes) -> int:
    """How many pages a PDF from `write_typst` has: the /Count of its page tree's root (the
    /Pages without a /Parent), which Typst's writer leaves uncompressed. Raises ValueError
    for a PDF without one; tests/test_typst_documents.py checks it against poppler's pdfinfo."""
    for found in _PAGE_TREE.finditer(pdf):
        body = found[1]
        count = _COUNT.search(body)
        if b"/Parent" not in body and count is not None:
            return int(count[1])
    raise ValueError("no page tree root in the PDF")
