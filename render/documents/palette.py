"""The documents' colours and symbols: one swatch per state, readable without colour.

Seed 000 tells its states apart by colour alone (pale green, yellow, red, white), which
fails in a greyscale print and for a reader with red-green colour blindness: its green
and red differ by 11 of 255 grey levels. Here every state has a fill whose grey level
(ITU-R 601 luma, as a greyscale printer or `pdftoppm -gray` sees it) is at least
`MIN_GREY_STEP` from every other's — darker is worse — and a symbol printed beside its
words, so a cell reads the same in black and white. The PDF's CSS, the legend and the
workbook's fills all come from `PALETTE`; `tests/test_pdf_layout.py` measures the grey
levels on a rendered page.

Keyed by `Colour` values; `not_reported` is the grey of a cell nobody answered.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_GREY_STEP = 40
"""The least difference, in grey levels of 255, between any two states' fills."""


@dataclass(frozen=True, slots=True)
class Swatch:
    colour: str  # a conversations.vocabulary.Colour value; also the CSS class
    fill: str  # background, #rrggbb
    ink: str  # text on that background, #rrggbb (contrast ≥ 4.5:1)
    symbol: str  # a glyph DejaVu Sans has, printed before the cell's words

    @property
    def grey(self) -> float:
        """The fill's grey level (0 black … 255 white), ITU-R 601 luma."""
        red, green, blue = (int(self.fill[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * red + 0.587 * green + 0.114 * blue

    @property
    def argb(self) -> str:
        """The fill as openpyxl's colour ('FFrrggbb')."""
        return "FF" + self.fill[1:].upper()

    @property
    def ink_argb(self) -> str:
        return "FF" + self.ink[1:].upper()


PALETTE: dict[str, Swatch] = {
    swatch.colour: swatch
    for swatch in (
        Swatch("green", "#bde5bd", "#111111", "✓"),
        Swatch("yellow", "#e3ab00", "#111111", "◐"),
        Swatch("red", "#a82828", "#ffffff", "✕"),
        Swatch("none", "#ffffff", "#111111", "–"),
        Swatch("not_reported", "#7c7c7c", "#000000", "?"),
    )
}
"""In the legend's order: the three traffic lights, nothing stated, not reported."""

CRITICAL_SYMBOL = "⚠"


def swatch(colour: str) -> Swatch:
    """The swatch of a colour value; an unknown value is a programming error (KeyError)."""
    return PALETTE[colour]
