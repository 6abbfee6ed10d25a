"""One normalisation for every text a person types or a file supplies.

Text comes in through four doors — the chat's events (`service/runner.py`), the command
line of `/fremdrift` (`conversations.commands.parse`), the import (`reporting.import_rows`)
and programme files (`models.programme_file`) — and each passes it through `clean` before
anything checks, stores or shows it. So no writer downstream (the workbook, the PDF, CSV,
JSON, Slack, Teams) meets a character it cannot write, and a limit
(`conversations.limits`) means the same everywhere.

What `clean` does, in this order:

- **Refuses a lone surrogate** (U+D800..U+DFFF on its own: half a character, which JSON's
  ``\\ud800`` escape and YAML's can carry): `UnreadableText`. It cannot be stored in UTF-8
  or shown, and guessing what was meant would change the text; each door turns it into a
  message naming the field.
- **Line breaks become LF**: CR LF and a lone CR, and what Word and others paste as breaks —
  vertical tab, form feed, NEL (U+0085), the line and paragraph separators (U+2028/9).
- **Control characters go**: the rest of C0 (NUL included) but tab and LF, DEL, C1, and the
  noncharacters U+FFFE/U+FFFF, none of which XML (so the workbook) may hold. A byte-order
  mark inside text (U+FEFF, from a pasted file) goes too.
- **NFC**: "é" typed as e + combining accent is the same text as "é".
- **Only invisible characters is empty**: whitespace, zero-width space / joiner / non-joiner,
  word joiner, soft hyphen, bidi marks and isolates, variation selectors, Hangul fillers,
  the blank braille pattern. Such a text is "" — a remark of zero-width spaces is no remark.
  Within visible text they stay: a ZWJ joins an emoji family, an RTL mark orders Arabic.

Leading and trailing spaces are left for each field to strip as it always has.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields, replace
from typing import Any, Final

from conversations.card import CardSubmission
from conversations.errors import UserError
from conversations.events import Event

__all__ = ["UnreadableText", "clean", "cleaned", "is_invisible", "shown", "typed"]


class UnreadableText(ValueError):
    """The text holds a lone surrogate: it cannot be stored or shown as it is."""


_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_BREAKS: Final = "\r\x0b\x0c\x85\u2028\u2029"
_REMOVED: Final = (
    [c for c in range(0x00, 0x20) if chr(c) not in "\t\n" + _BREAKS]
    + list(range(0x7F, 0xA0))
    + [0xFEFF, 0xFFFE, 0xFFFF]
)
_TABLE: Final[dict[int, str | None]] = {
    **{code: None for code in _REMOVED if chr(code) not in _BREAKS},
    **{ord(c): "\n" for c in _BREAKS},
}
_INVISIBLE_EXTRA: Final = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0"  # CGJ, Hangul fillers, Khmer, blank braille
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors
)


def clean(text: str) -> str:
    """The text as Fremdrift keeps it (see the module's rules); raises UnreadableText."""
    if _SURROGATE.search(text):
        raise UnreadableText("a lone surrogate")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").translate(_TABLE))
    if all(is_invisible(character) for character in text):
        return ""
    return text


def cleaned(text: str, key: str, /, **params: object) -> str:
    """`clean`, with a lone surrogate refused as `UserError(key, **params)`."""
    try:
        return clean(text)
    except UnreadableText:
        raise UserError(key, **params) from None


def is_invisible(character: str) -> bool:
    """Does this character show nothing on its own (space, format character, filler)?"""
    return (
        character.isspace()
        or unicodedata.category(character) in ("Cf", "Cc", "Zs", "Zl", "Zp")
        or character in _INVISIBLE_EXTRA
        or 0xE0100 <= ord(character) <= 0xE01EF  # variation selectors supplement
    )


def shown(text: str, limit: int = 80) -> str:
    """A text that may be broken, safe to quote back in a message: a lone surrogate as
    U+FFFD, control characters removed, at most `limit` characters."""
    safe = _SURROGATE.sub("\ufffd", text).translate(_TABLE).replace("\n", " ")
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


UNREADABLE: Final = {
    "forecast": "checklist.forecast_unreadable",
    "remark": "checklist.remark_unreadable",
}
"""The refusal of a lone surrogate by the field it was typed in; any other typed text's is
`checklist.text_unreadable`, and a code's `checklist.bad_action` (a code that names nothing)."""


def typed(submission: list[Event] | CardSubmission) -> list[Event] | CardSubmission:
    """A chat submission with its typed text cleaned: an event's text (a forecast, a remark)
    and code (a Teams review lets a person type one), or a card's inputs."""
    if isinstance(submission, CardSubmission):
        return replace(submission, **_cleaned_fields(submission, "code"))
    return [replace(event, **_cleaned_fields(event, "code", "text")) for event in submission]


def _cleaned_fields(value: Event | CardSubmission, *names: str) -> dict[str, Any]:
    """`value`'s text fields (`names`, or every one of a card) cleaned, by name; a mapping
    of texts (a card's answers to a programme's own text questions) value by value."""
    found = {field.name: getattr(value, field.name) for field in fields(value)}
    wanted = names if isinstance(value, Event) else tuple(found)
    out: dict[str, Any] = {}
    for name in wanted:
        text = found.get(name)
        key = UNREADABLE.get(getattr(value, "name", "") if name == "text" else name)
        default = "checklist.bad_action" if name == "code" else "checklist.text_unreadable"
        if isinstance(text, str):
            out[name] = cleaned(text, key or default)
        elif isinstance(text, dict):
            out[name] = {
                k: cleaned(v, default) if isinstance(v, str) else v for k, v in text.items()
            }
    return out
