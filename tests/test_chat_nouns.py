"""A matrix programme with nouns of its own has them in the chat too: the status of an
answer on the review and the milestone screens says «Indsats igangsat», not KOL's
«Milepæl igangsat», in Slack, Teams and the terminal alike."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conversations.state import Phase, State
from conversations.views import View, build
from render.slack.views import render_view as slack_view
from render.teams.views import render_view as teams_view
from render.terminal.views import render_view as terminal_view
from tests.test_slack_views import kol_context

OWN = {"item": "Indsats", "the_item": "indsatsen", "plural": "Indsatser"}


def shown(view: View) -> dict[str, str]:
    """What each platform shows of the view, as text."""
    slack = slack_view(view)
    teams = teams_view(view)
    return {
        "slack": json.dumps(slack.blocks, ensure_ascii=False),
        "teams": json.dumps(teams.card, ensure_ascii=False),
        "terminal": terminal_view(view).plain,
    }


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.ASKING])
def test_an_answers_status_is_said_in_the_programmes_own_nouns(phase: Phase) -> None:
    kol = kol_context()
    own = replace(kol, nouns=OWN)
    state = State(phase=phase, code=kol.items[0].code, version=3)
    for platform, text in shown(build(state, own)).items():
        assert "Indsats igangsat" in text, platform
        assert "indsatsen er kritisk" in text, platform
        assert "Milepæl igangsat" not in text, platform
    for platform, text in shown(build(state, kol)).items():  # KOL's own words, as before
        assert "Milepæl igangsat" in text, platform
