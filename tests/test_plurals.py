"""Plurals by CLDR's rules: «1 rød», «2 røde»; every plural in the catalogue has its forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from conversations.vocabulary import LANGUAGES
from render.i18n import BABEL_LOCALE, Target, catalogue, load_raw
from render.plurals import categories, category, choose, forms_used
from render.templating import TEMPLATES_DIR

HAND_WRITTEN = re.compile(r"(==|!=)\s*1\b")
"""`"milepæl" if count == 1 else "milepæle"`: the rule Babel owns, written by hand."""


def test_babel_gives_danish_and_english_their_categories() -> None:
    assert categories("da_DK") == categories("en_GB") == {"one", "other"}
    assert [category("da_DK", n) for n in (0, 1, 2, 21)] == ["other", "one", "other", "other"]
    assert [category("en_GB", n) for n in (0, 1, 2, 21)] == ["other", "one", "other", "other"]


def test_a_form_the_count_needs_and_the_sentence_lacks_is_an_error() -> None:
    assert choose("da_DK", 1, one="rød", other="røde") == "rød"
    with pytest.raises(ValueError, match="'one' form"):
        choose("da_DK", 1, other="røde")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_in_the_catalogue_has_the_forms_its_language_needs(language: str) -> None:
    needed = categories(BABEL_LOCALE[language])
    uses = {
        key: list(forms_used(source))
        for key, source in load_raw(language).items()
        if "plural" in source
    }
    wrong = {key: forms for key, forms in uses.items() for f in forms if f != needed}
    assert wrong == {}
    assert sum(len(forms) for forms in uses.values()) >= 20  # the check has something to check
    assert "round.cli.reminded" in uses and "checklist.missing" in uses


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_sentence_writes_its_own_plural_rule(language: str) -> None:
    hand_written = [k for k, s in load_raw(language).items() if HAND_WRITTEN.search(s)]
    templates = [
        str(path.relative_to(TEMPLATES_DIR))
        for path in TEMPLATES_DIR.rglob("*.j2")
        if HAND_WRITTEN.search(path.read_text(encoding="utf-8"))
    ]
    assert (hand_written, templates) == ([], [])


def fallback(language: str, green: int, yellow: int, red: int, target: Target) -> str:
    return catalogue(language, target).text(
        "publication.fallback",
        title="KOL",
        round="12. møde",
        green=green,
        yellow=yellow,
        red=red,
        unstated=0,
        not_reported=0,
    )


@pytest.mark.parametrize("target", [Target.PLAIN, Target.SLACK])
def test_danish_colours_agree_with_their_count(target: Target) -> None:
    one = fallback("da", 1, 1, 1, target)
    assert "1 grøn," in one and "1 gul," in one and "1 rød," in one
    many = fallback("da", 134, 23, 2, target)
    assert "134 grønne," in many and "23 gule," in many and "2 røde," in many


def test_english_colours_stay_as_they_are() -> None:
    assert "1 green, 1 yellow, 1 red," in fallback("en", 1, 1, 1, Target.PLAIN)
    assert "2 green, 3 yellow, 2 red," in fallback("en", 2, 3, 2, Target.PLAIN)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("da", 1, "1 påmindelse sendes nu."),
        ("da", 3, "3 påmindelser sendes nu."),
        ("en", 1, "1 reminder is being sent now."),
        ("en", 0, "0 reminders are being sent now."),
    ],
)
def test_a_count_and_its_noun_agree(language: str, count: int, expected: str) -> None:
    assert catalogue(language).text("round.cli.reminded", count=count) == expected


def test_one_more_and_two_more() -> None:
    words = catalogue("da")
    assert words.text("publication.more", count=1) == "og 1 mere"
    assert words.text("publication.more", count=2) == "og 2 flere"
    assert catalogue("en").text("publication.more", count=1) == "and 1 more"


def test_dates_are_untouched_by_the_plural_filter() -> None:
    # the filter sits beside the date filters of the same environment
    moment = datetime(2018, 6, 20, 10, tzinfo=UTC)
    text = catalogue("da").text(
        "round.cli.status_person",
        name="Anne",
        role="leder",
        invitation="inviteret",
        reminders=1,
        away_until=moment.date(),
    )
    assert "1 påmindelse; væk til og med 20. juni 2018" in text
