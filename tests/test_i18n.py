"""The catalogues: every key in every language, every template renders, escaping holds."""

from __future__ import annotations

import re

import pytest

from conversations.vocabulary import LANGUAGES
from render.i18n import Target, catalogue, load_raw, normalise_language


def test_every_language_has_the_same_keys() -> None:
    keys = {language: set(load_raw(language)) for language in LANGUAGES}
    reference = keys["da"]
    for language, found in keys.items():
        assert found == reference, (
            f"{language}: missing {sorted(reference - found)}, extra {sorted(found - reference)}"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_compiles(language: str) -> None:
    compiled = catalogue(language)
    assert compiled.keys() == set(load_raw(language))
    for target in Target:  # compiled on first use in a running app: every one here
        words = catalogue(language, target)
        for key in sorted(words.keys()):
            words.template(key)


def test_user_text_is_escaped_for_slack_but_the_sentence_is_not() -> None:
    slack = catalogue("en", Target.SLACK)
    rendered = slack.text("deadline.unreadable", text="<!channel> & <@U123>")
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in rendered
    assert "<" not in rendered
    plain = catalogue("en").text("deadline.unreadable", text="<!channel>")
    assert "<!channel>" in plain


def test_a_missing_parameter_is_an_error_not_a_blank() -> None:
    with pytest.raises(Exception, match="text"):
        catalogue("da").text("deadline.unreadable")


@pytest.mark.parametrize(
    ("given", "expected"),
    [("da-DK", "da"), ("en_US", "en"), ("EN", "en"), (None, "da"), ("sv-SE", "da"), ("", "da")],
)
def test_languages_are_normalised_danish_first(given: str | None, expected: str) -> None:
    assert normalise_language(given) == expected


def test_no_python_module_holds_danish_sentences() -> None:
    """Words live in templates: a crude guard against Danish prose creeping into code."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    pattern = re.compile(
        r"[\"'][^\"'\n]*\b(ikke|skal|kan|er|milepæl)\b[^\"'\n]*[æøå][^\"'\n]*[\"']"
    )
    offenders = []
    for package in ("bot", "models", "conversations", "render"):
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                stripped = line.strip()
                if stripped.startswith("#") or '"""' in stripped:
                    continue
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []
