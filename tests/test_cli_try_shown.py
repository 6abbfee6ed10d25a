"""`fremdrift try` through a pseudo-terminal: what a lead is shown before deciding.

Last round's forecast and remark on a milestone, before "same as last round" copies them;
the question, asked once, when an answer "on time" has a forecast past the milestone's
deadline; the forecasts in the review; and `e CODE` on a milestone FUT answers for every
region, which shows that answer instead of refusing.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_cli_try import TOTAL, StartTerminal, start, stored

__all__ = ["start"]  # the fixture, used by name

QUESTION = "Prognosen for 4.1, «4. kvartal 2019», ligger efter deadline «Medio 2019»"


def test_a_lead_sees_last_rounds_words_is_asked_once_and_looks_up_futs_answer(
    tmp_path: Path, start: StartTerminal
) -> None:
    url = f"sqlite://{tmp_path / 'try.sqlite3'}"
    term = start("--unit", "syddanmark", "--database", url)
    term.wait()
    term.key("")

    shown = term.key("e 4.1")
    assert f"Milepæl 4.1 (4 af {TOTAL})" in shown
    assert "Sidste runde: 🔴 Milepæl igangsat, men 3-6 måneder forsinket" in shown
    assert "Prognose sidste runde: Medio 2020" in shown
    assert "Bemærkning sidste runde: Svaret fra forrige prøverunde." in shown
    assert "s Som sidste runde" in shown

    term.key("2")  # started, on time
    term.ask("f")
    asked = term.key("4. kvartal 2019")
    assert QUESTION in asked
    assert "Er milepælen stadig til tiden? Svaret er gemt, som du gav det." in asked
    assert "i Ja, stadig til tiden" in asked and "6 0-3 mdr. forsinket" in asked
    assert "f Ret prognosen…" in asked
    assert "!" not in asked.text  # asked, not refused

    kept = term.key("i")
    assert "✅ Gemt som til tiden (4.1)." in kept
    assert "Prognose: 4. kvartal 2019" in kept
    again = term.key("1")  # reached, then started again: the same forecast, asked once only
    again = term.key("2")
    assert "Prognosen for 4.1" not in again and f"Milepæl 4.1 (4 af {TOTAL})" in again

    term.ask("f")
    later = term.key("1. kvartal 2020")  # another forecast past the deadline: asked about it
    assert "Prognosen for 4.1, «1. kvartal 2020»" in later
    late = term.key("6")
    assert "Dit svar: 🟡 Milepæl igangsat, men 0-3 måneder forsinket" in late

    review = term.key("v")
    (line,) = [n for n, text in enumerate(review.lines) if text.strip().startswith("4.1 ")]
    assert review.lines[line + 1].strip() == "Prognose: 1. kvartal 2020"
    assert "(besvares af FUT)" in review

    looked_up = term.key("e 6.1 A")
    assert "Milepæl 6.1 A besvares af FUT. Her er svaret; det kan ikke ændres fra din" in looked_up
    assert "Deadline: 27-11-2017" in looked_up
    assert "Svaret: intet endnu" in looked_up  # FUT has not answered this round yet
    assert "Enter Tilbage til tjeklisten" in looked_up
    assert "Gennemse: Syddanmark" in term.key("")  # back where the lead was

    status, _ = term.quit()
    assert status == 0
    found = stored(url)
    assert [values[:4] for values in found.revisions["4.1"]] == [
        ("started", "0", False, ""),
        ("started", "0", False, "4. kvartal 2019"),
        ("reached", "0", False, "4. kvartal 2019"),
        ("started", "0", False, "4. kvartal 2019"),
        ("started", "0", False, "1. kvartal 2020"),
        ("started", "0-3", False, "1. kvartal 2020"),
    ]
    assert "6.1 A" not in found.answers  # looked at, not answered
