"""Teams' command menus (bot/teams/app/): `round plan` is in the team's menu as Slack has it.

Teams shows at most ten commands per list, and the personal list has ten already, so the
plan is in the steering team's list (where the secretariat works) and typed anywhere. The
English localization names each command by its index: an insertion must move every key
after it, or Teams shows an English description under the wrong command.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

APP = Path(__file__).parent.parent / "bot" / "teams" / "app"
TEAMS_LIMIT = 10


def test_round_plan_is_in_the_teams_menu_and_every_list_keeps_teams_limit() -> None:
    manifest = json.loads((APP / "manifest.json").read_text("utf-8"))
    english = json.loads((APP / "en.json").read_text("utf-8"))
    lists = manifest["bots"][0]["commandLists"]
    team = next(lst for lst in lists if lst["scopes"] == ["team"])
    titles = [command["title"] for command in team["commands"]]
    assert (
        "round plan" in titles
        and "ÅÅÅÅ-MM-DD" in team["commands"][titles.index("round plan")]["description"]
    )
    wanted = set()
    for number, command_list in enumerate(lists):
        assert 0 < len(command_list["commands"]) <= TEAMS_LIMIT
        for index in range(len(command_list["commands"])):
            wanted.add(f"bots[0].commandLists[{number}].commands[{index}].description")
    described = {key for key in english if re.fullmatch(r"bots\[0\].*\.description", key)}
    assert described == wanted, "an English description for each command, at its index"
    plan = f"bots[0].commandLists[{lists.index(team)}].commands[{titles.index('round plan')}]"
    assert english[f"{plan}.description"].startswith("round plan NAME meeting YYYY-MM-DD")
    assert "milepæl" not in json.dumps(manifest, ensure_ascii=False).lower()
