"""The words an import file may use for its values, taken from the message catalogue.

A person who edits an export in a spreadsheet, or fills in one of their own, writes what
they read in Fremdrift's documents and buttons: «Milepæl nået», «Igangsat», «Ej igangsat»,
«0-3 mdr. forsinket», «ja». `import_vocabulary` gathers those words in every language from
the same catalogue the documents are written from (render/messages/*/matrix.yaml,
views.yaml, documents.yaml), so the import reads exactly what the product writes.
"""

from __future__ import annotations

from functools import cache

from conversations.vocabulary import LANGUAGES, Delay, Progress
from render.i18n import catalogue
from reporting.import_rows import ImportVocabulary

LATE_BANDS = (Delay.UP_TO_3, Delay.UP_TO_6, Delay.OVER_6)


@cache
def import_vocabulary() -> ImportVocabulary:
    """The codes, and the words of every language for progress, delay and critical."""
    progress: list[tuple[str, Progress]] = []
    delay: list[tuple[str, Delay]] = []
    critical: list[tuple[str, bool]] = []
    for language in LANGUAGES:
        words = catalogue(language)
        for value in Progress:
            for key in ("view.progress", "matrix.status", "matrix.sheet_status"):
                progress.append((words.text(f"{key}.{value.value}"), value))
        for band in Delay:
            delay.append((words.text(f"view.delay.{band.value}"), band))
        for band in LATE_BANDS:
            span = words.text(f"matrix.band.{band.value}")
            delay.append((span, band))
            delay.append((words.text("matrix.status.expected_late", band=span), band))
        critical.append((words.text("documents.workbook.yes"), True))
        critical.append((words.text("documents.workbook.no"), False))
    return ImportVocabulary.of(progress, delay, critical)
