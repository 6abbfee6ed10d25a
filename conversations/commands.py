"""The `/fremdrift` command language, parsed strictly and platform-free.

Slack's slash command and a Teams bot command share it:

    help
    me
    programme show
    round open NAME deadline DATE [date YYYY-MM-DD]   (also: frist DATE, dato YYYY-MM-DD)
    round status | list | close | reopen | publish | link
    round remind [UNIT]
    round deadline DATE
    round plan NAME meeting YYYY-MM-DD   (also: møde YYYY-MM-DD)
    round plan move NAME meeting YYYY-MM-DD
    round plan cancel NAME
    away until DATE                      (also: away DATE)
    back

Any of them may start with a programme's key when the person works in several
programmes (`/fremdrift kol-2018 round status`). A missing, extra or malformed part is a
`UserError("command.usage", command=…)`: the reply shows that command's usage line.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from conversations.errors import UserError
from conversations.limits import COMMAND_LIMIT, ROUND_NAME_LIMIT
from conversations.text import cleaned

MAX_LENGTH = COMMAND_LIMIT
ROUND_ACTIONS_WITHOUT_ARGUMENTS = ("status", "list", "close", "reopen", "publish", "link")
DEADLINE_WORDS = ("deadline", "frist")
DATE_WORDS = ("date", "dato")
MEETING_WORDS = ("meeting", "møde")


@dataclass(frozen=True)
class Command:
    name: str
    programme: str | None = None
    args: dict[str, str] = field(default_factory=dict)


def parse(text: str, programmes: Collection[str] = ()) -> Command:
    """Read a command line; `programmes` are the keys a leading word may name.

    The text is normalised first (`conversations.text`): a lone surrogate is refused as
    `command.unreadable`; control characters go, and a vertical tab separates words."""
    text = cleaned(text, "command.unreadable")
    if len(text) > MAX_LENGTH:
        raise UserError("command.too_long", limit=MAX_LENGTH)
    words = text.split()
    programme = None
    if words and words[0] in programmes:
        programme, words = words[0], words[1:]
    if not words or words[0].lower() in ("help", "hjælp", "?"):
        if len(words) > 1:
            raise UserError("command.usage", command="help")
        return Command("help", programme)
    head, rest = words[0].lower(), words[1:]
    if head == "me":
        _no_more(rest, "me")
        return Command("me", programme)
    if head == "back":
        _no_more(rest, "back")
        return Command("back", programme)
    if head == "away":
        return Command("away", programme, {"until": _away_date(rest)})
    if head == "programme":
        if [w.lower() for w in rest] != ["show"]:
            raise UserError("command.usage", command="programme show")
        return Command("programme.show", programme)
    if head == "round":
        return _round(rest, programme)
    raise UserError("command.unknown", text=" ".join(words[:3]))


def _no_more(rest: list[str], command: str) -> None:
    if rest:
        raise UserError("command.usage", command=command)


def _away_date(rest: list[str]) -> str:
    if rest and rest[0].lower() == "until":
        rest = rest[1:]
    if not rest:
        raise UserError("command.usage", command="away")
    return " ".join(rest)


def _round(rest: list[str], programme: str | None) -> Command:
    if not rest:
        raise UserError("command.usage", command="round")
    action, args = rest[0].lower(), rest[1:]
    if action in ROUND_ACTIONS_WITHOUT_ARGUMENTS:
        _no_more(args, f"round {action}")
        return Command(f"round.{action}", programme)
    if action == "remind":
        if len(args) > 1:
            raise UserError("command.usage", command="round remind")
        return Command("round.remind", programme, {"unit": args[0]} if args else {})
    if action == "deadline":
        if not args:
            raise UserError("command.usage", command="round deadline")
        return Command("round.deadline", programme, {"deadline": " ".join(args)})
    if action == "plan":
        return _plan(args, programme)
    if action == "open":
        return Command("round.open", programme, _open_args(args))
    raise UserError("command.usage", command="round")


def _plan(args: list[str], programme: str | None) -> Command:
    """`plan NAME meeting DAY`, `plan move NAME meeting DAY`, `plan cancel NAME`.

    The name is everything before the last `meeting` (or `møde`, so «13. møde møde
    2018-09-20» reads as the round «13. møde»), the day everything after it."""
    sub = args[0].lower() if args else ""
    if sub == "cancel":
        name = _round_name(args[1:])
        if not name:
            raise UserError("command.usage", command="round plan cancel")
        return Command("round.plan_cancel", programme, {"name": name})
    moving = sub == "move"
    usage = "round plan move" if moving else "round plan"
    rest = args[1:] if moving else args
    keywords = [i for i, word in enumerate(rest) if word.lower() in MEETING_WORDS]
    if not keywords:
        raise UserError("command.usage", command=usage)
    name = _round_name(rest[: keywords[-1]])
    day = " ".join(rest[keywords[-1] + 1 :]).strip()
    if not name or not day:
        raise UserError("command.usage", command=usage)
    name_of = "round.plan_move" if moving else "round.plan"
    return Command(name_of, programme, {"name": name, "meeting": day})


def _round_name(words: list[str]) -> str:
    return " ".join(words).strip().strip("\"'«»“”")


def _open_args(args: list[str]) -> dict[str, str]:
    """`NAME deadline DATE [date DAY]`: the name is everything before the keyword, the
    deadline after it, and the round's date (its meeting day) after `date` when given."""
    keywords = [i for i, word in enumerate(args) if word.lower() in DEADLINE_WORDS]
    if not keywords:
        raise UserError("command.usage", command="round open")
    at = keywords[-1]
    name = " ".join(args[:at]).strip().strip("\"'«»“”")
    rest = args[at + 1 :]
    dated = [i for i, word in enumerate(rest) if word.lower() in DATE_WORDS]
    day = ""
    if dated:
        day = " ".join(rest[dated[-1] + 1 :]).strip()
        rest = rest[: dated[-1]]
        if not day:
            raise UserError("command.usage", command="round open")
    deadline = " ".join(rest).strip()
    if not name or not deadline:
        raise UserError("command.usage", command="round open")
    if len(name) > ROUND_NAME_LIMIT:
        raise UserError("command.name_too_long", limit=ROUND_NAME_LIMIT)
    return {"name": name, "deadline": deadline, **({"date": day} if day else {})}
