"""What every PDF's page shows besides its body, as its Typst template's data: the key of
symbols at its foot, the words around its page numbers, and the swatches its cells are
coloured with (render/templates/documents/page.typ lays them out).

One place, so the matrix, the units' sheets and a table's PDF say them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from render.documents.palette import CRITICAL_SYMBOL, PALETTE


def page_data(t: Callable[..., str], *, critical: bool = True) -> dict[str, Any]:
    """`key`: a symbol and its words per state (and ⚠ for critical, where a document marks
    it); `page`: the words before and between the page numbers («Side», «af»); `swatches`:
    each state's fill, ink and symbol, by colour value."""
    key = [f"{swatch.symbol} {t(f'documents.key.{colour}')}" for colour, swatch in PALETTE.items()]
    if critical:
        key.append(f"{CRITICAL_SYMBOL} {t('documents.key.critical')}")
    return {
        "key": key,
        "page": [t("documents.page_before"), t("documents.page_between")],
        "swatches": {
            colour: {"fill": swatch.fill, "ink": swatch.ink, "symbol": swatch.symbol}
            for colour, swatch in PALETTE.items()
        },
    }
